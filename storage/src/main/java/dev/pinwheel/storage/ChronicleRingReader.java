package dev.pinwheel.storage;

import net.openhft.chronicle.map.ChronicleMap;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads the routing ring a {@link ChronicleRingPublisher} published on this host (same process or another one).
 * <p>
 * The map is opened once by the constructor (seconds, the first time in a JVM). {@link #sequence()} and
 * {@link #version()} are one small map get; {@link #read()} copies the whole ring and its epoch, always one epoch
 * whole. Poll with {@link #readIfChanged(long)} and keep the result as an in-heap snapshot: never read the map per
 * request.
 * <p>
 * Thread-safe (Chronicle Map locks per segment).
 */
public final class ChronicleRingReader implements AutoCloseable
{
    /** {@link #version()}, {@link #sequence()} when nothing was published yet. */
    public static final long NOT_PUBLISHED = Long.MIN_VALUE;

    private final Path file;
    private final ChronicleMap<Integer, byte[]> map;

    /**
     * Opens (or creates, empty) {@code <dataDir>/routing-ring.dat}.
     *
     * @param dataDir the node's data directory.
     */
    public ChronicleRingReader(final Path dataDir)
    {
        this.file = Objects.requireNonNull(dataDir, "dataDir").resolve(RoutingRingFile.FILE_NAME);
        this.map = RoutingRingFile.open(file);
    }

    /**
     * @param dataDir a node's data directory.
     * @return the file a ring of that node is published in ({@code <dataDir>/routing-ring.dat}).
     */
    public static Path fileIn(final Path dataDir)
    {
        return dataDir.resolve(RoutingRingFile.FILE_NAME);
    }

    /**
     * @return the map file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return the sequence number of the latest publication, or {@link #NOT_PUBLISHED}.
     */
    public long sequence()
    {
        final long[] header = RoutingRingFile.decodeHeader(map.get(RoutingRingFile.HEADER_KEY));
        return header == null ? NOT_PUBLISHED : header[0];
    }

    /**
     * @return the version of the latest published ring, or {@link #NOT_PUBLISHED}.
     */
    public long version()
    {
        final long[] header = RoutingRingFile.decodeHeader(map.get(RoutingRingFile.HEADER_KEY));
        return header == null ? NOT_PUBLISHED : header[1];
    }

    /**
     * @return the latest published ring and its epoch (one publication, whole), or null if none was published.
     */
    public RingSnapshot read()
    {
        return RoutingRingFile.decodeRing(map.get(RoutingRingFile.RING_KEY));
    }

    /**
     * @param knownSequence the {@link RingSnapshot#sequence()} the caller holds ({@link #NOT_PUBLISHED}: none).
     * @return the latest publication if it is not the one the caller holds, else null.
     */
    public RingSnapshot readIfChanged(final long knownSequence)
    {
        final long sequence = sequence();
        if (sequence == NOT_PUBLISHED || sequence == knownSequence)
        {
            return null;
        }
        final RingSnapshot ring = read();
        return ring == null || ring.sequence() == knownSequence ? null : ring;
    }

    @Override
    public void close()
    {
        map.close();
    }
}
