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
 *   key 1 (RING_KEY):   | magic i32 | sequence i64 | version i64 | epoch i64 | live i32 | nodes i32 | shards i32 |
 *                       | n i32 | n × ( point i64 | owner i32 ) |                                       written first
 *   key 0 (HEADER_KEY): | sequence i64 | version i64 | epoch i64 |                                  written last
 * </pre>
 * Little-endian. A whole epoch (its number, live nodes and ring) is <b>one value</b> written by one {@code put}: Chronicle
 * Map writes it under its segment's write lock and a {@code get} copies it under the read lock of the same lock word in
 * the mapped file, so a reader in any process gets the previous epoch or the new one, never half of one. The header
 * only tells a poller cheaply that something newer is there: it is flipped after the ring value, and the value carries
 * its own sequence, so a reader trusts the value it read, not the header. A value without {@link #MAGIC} (a file of an
 * older Pinwheel) reads as nothing published.
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
    /** "PWR2": the layout above. */
    static final int MAGIC = 0x3252_5750;

    private static final int RING_HEADER_BYTES = Integer.BYTES + 3 * Long.BYTES + 4 * Integer.BYTES;
    private static final int POINT_BYTES = Long.BYTES + Integer.BYTES;
    private static final int HEADER_BYTES = 3 * Long.BYTES;

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

    static byte[] encodeHeader(final long sequence, final long version, final long epoch)
    {
        return ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(sequence).putLong(version)
            .putLong(epoch).array();
    }

    /**
     * @param header a header value, or null.
     * @return {sequence, version, epoch}, or null if absent or of another layout.
     */
    static long[] decodeHeader(final byte[] header)
    {
        if (header == null || header.length != HEADER_BYTES)
        {
            return null;
        }
        final ByteBuffer in = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        return new long[] {in.getLong(), in.getLong(), in.getLong()};
    }

    static byte[] encodeRing(final long sequence, final long version, final long epoch, final int liveNodes,
        final int nodes, final int shardsPerNode, final long[] points, final int[] owners)
    {
        final int n = points.length;
        final ByteBuffer out = ByteBuffer.allocate(RING_HEADER_BYTES + n * POINT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putLong(sequence).putLong(version).putLong(epoch).putInt(liveNodes).putInt(nodes)
            .putInt(shardsPerNode).putInt(n);
        for (int i = 0; i < n; i++)
        {
            out.putLong(points[i]).putInt(owners[i]);
        }
        return out.array();
    }

    /**
     * @param value a ring value, or null.
     * @return the snapshot, or null if absent or of an older layout.
     * @throws IllegalStateException if it has this layout's magic but is malformed.
     */
    static RingSnapshot decodeRing(final byte[] value)
    {
        if (value == null || value.length < RING_HEADER_BYTES)
        {
            return null;
        }
        final ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt() != MAGIC)
        {
            return null;
        }
        final long sequence = in.getLong();
        final long version = in.getLong();
        final long epoch = in.getLong();
        final int live = in.getInt();
        final int nodes = in.getInt();
        final int shards = in.getInt();
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
        return new RingSnapshot(sequence, version, epoch, live, nodes, shards, points, owners);
    }
}
