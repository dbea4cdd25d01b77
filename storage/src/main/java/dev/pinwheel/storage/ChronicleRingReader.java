package dev.pinwheel.storage;

import net.openhft.chronicle.map.ChronicleMap;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads the routing ring a {@link ChronicleRingPublisher} published on this host (same process or another one).
 * <p>
 * The map is opened once by the constructor (seconds, the first time in a JVM). {@link #version()} is one small
 * map get; {@link #read()} copies the whole ring. Poll with {@link #readIfChanged(long)} and keep the result as an
 * in-heap snapshot: never read the map per request.
 * <p>
 * Thread-safe (Chronicle Map locks per segment).
 */
public final class ChronicleRingReader implements AutoCloseable
{
    /** {@link #version()} when nothing was published yet. */
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
     * @return the map file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return the version of the latest published ring, or {@link #NOT_PUBLISHED}.
     */
    public long version()
    {
        final byte[] header = map.get(RoutingRingFile.HEADER_KEY);
        return header == null ? NOT_PUBLISHED : RoutingRingFile.decodeHeader(header);
    }

    /**
     * @return the latest published ring, or null if none was published.
     */
    public RingSnapshot read()
    {
        final byte[] value = map.get(RoutingRingFile.RING_KEY);
        return value == null ? null : RoutingRingFile.decodeRing(value);
    }

    /**
     * @param knownVersion the version the caller holds.
     * @return the latest ring if its version differs from {@code knownVersion} (a publisher may also go back), else
     *         null.
     */
    public RingSnapshot readIfChanged(final long knownVersion)
    {
        final long version = version();
        if (version == NOT_PUBLISHED || version == knownVersion)
        {
            return null;
        }
        final RingSnapshot ring = read();
        return ring == null || ring.version() == knownVersion ? null : ring;
    }

    @Override
    public void close()
    {
        map.close();
    }
}
