package dev.pinwheel.storage;

import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The persisted Chronicle Map that holds a host's published routing ring, shared by
 * {@link ChronicleRingPublisher} and {@link ChronicleRingReader} (in any process on the host).
 * <pre>
 *   key 0 (HEADER_KEY): | version i64 |                                      written last
 *   key 1 (RING_KEY):   | version i64 | n i32 | n × ( point i64 | owner i32 ) |  written first
 * </pre>
 * Little-endian. The ring value carries its own version, so a reader that reads it gets a consistent snapshot
 * (Chronicle Map locks the segment for each get/put); the header lets a poller learn the version cheaply.
 * <p>
 * Opening (or creating) the map takes seconds the first time in a JVM (Chronicle Map generates code): open once.
 */
final class RoutingRingFile
{
    /** File name under the data directory. */
    static final String FILE_NAME = "routing-ring.dat";
    /** Largest ring the file is sized for (Chronicle Map takes up to about twice its average value size). */
    static final int MAX_POINTS = 65_536;
    static final Integer HEADER_KEY = 0;
    static final Integer RING_KEY = 1;

    private static final int RING_HEADER_BYTES = Long.BYTES + Integer.BYTES;
    private static final int POINT_BYTES = Long.BYTES + Integer.BYTES;

    private RoutingRingFile()
    {
    }

    /**
     * @param file the map file (created with its parent directories if missing).
     * @return the open map; the caller closes it.
     */
    static ChronicleMap<Integer, byte[]> open(final Path file)
    {
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (parent != null)
            {
                Files.createDirectories(parent);
            }
            return ChronicleMapBuilder.of(Integer.class, byte[].class)
                .name("pinwheel-routing-ring")
                .entries(2)
                .averageValueSize(RING_HEADER_BYTES + (double)MAX_POINTS * POINT_BYTES)
                .createPersistedTo(file.toFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open routing ring map " + file, ex);
        }
    }

    static byte[] encodeHeader(final long version)
    {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(version).array();
    }

    static long decodeHeader(final byte[] header)
    {
        return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static byte[] encodeRing(final long version, final long[] points, final int[] owners)
    {
        final int n = points.length;
        final ByteBuffer out = ByteBuffer.allocate(RING_HEADER_BYTES + n * POINT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(version).putInt(n);
        for (int i = 0; i < n; i++)
        {
            out.putLong(points[i]).putInt(owners[i]);
        }
        return out.array();
    }

    static RingSnapshot decodeRing(final byte[] value)
    {
        final ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        final long version = in.getLong();
        final int n = in.getInt();
        if (n < 0 || in.remaining() != (long)n * POINT_BYTES)
        {
            throw new IllegalStateException("malformed routing ring value: n=" + n + ", " + value.length + " bytes");
        }
        final long[] points = new long[n];
        final int[] owners = new int[n];
        for (int i = 0; i < n; i++)
        {
            points[i] = in.getLong();
            owners[i] = in.getInt();
        }
        return new RingSnapshot(version, points, owners);
    }
}
