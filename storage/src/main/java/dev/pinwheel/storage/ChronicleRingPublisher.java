package dev.pinwheel.storage;

import dev.pinwheel.core.store.RingPublisher;
import net.openhft.chronicle.map.ChronicleMap;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Publishes the routing ring, with the cluster epoch it belongs to, into the host's persisted Chronicle Map
 * ({@code <dataDir>/routing-ring.dat}, layout in {@link RoutingRingFile}), where every process on the host and a
 * restarted node read it with a {@link ChronicleRingReader} (or {@code pinwheel ring --data DIR}).
 * <p>
 * The map is opened once by the constructor (seconds, the first time in a JVM); {@link #publish} then costs one
 * encode and two map puts (sub-millisecond for thousands of points once warm). Each publication gets the next
 * sequence number of the file (continuing after the one a previous publisher left), and replaces the previous ring
 * whatever its version: the publisher is the authority.
 * <p>
 * One publisher per data directory (the node that holds its lock); not thread-safe: publish from one thread.
 */
public final class ChronicleRingPublisher implements RingPublisher
{
    /** Largest ring {@link #publish} accepts. */
    public static final int MAX_POINTS = RoutingRingFile.MAX_POINTS;

    private final Path file;
    private final ChronicleMap<Integer, byte[]> map;
    private long sequence;

    /**
     * Opens (or creates) {@code <dataDir>/routing-ring.dat}.
     *
     * @param dataDir the node's data directory.
     */
    public ChronicleRingPublisher(final Path dataDir)
    {
        this.file = Objects.requireNonNull(dataDir, "dataDir").resolve(RoutingRingFile.FILE_NAME);
        this.map = RoutingRingFile.open(file);
        final long[] header = RoutingRingFile.decodeHeader(map.get(RoutingRingFile.HEADER_KEY));
        this.sequence = header == null ? 0 : header[0];
    }

    /**
     * @return the map file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * Publishes a ring without a cluster epoch: epoch 0, every node of the ring live, nodes and shards per node as
     * the owners show them.
     *
     * @throws IllegalArgumentException if the arrays differ in length or hold more than {@link #MAX_POINTS}.
     */
    @Override
    public void publish(final long version, final long[] points, final int[] owners)
    {
        int nodes = 1;
        int shards = 1;
        for (final int owner : owners)
        {
            nodes = Math.max(nodes, (owner >>> 16) + 1);
            shards = Math.max(shards, (owner & 0xFFFF) + 1);
        }
        publish(version, 0, RingSnapshot.ALL_LIVE, nodes, shards, points, owners);
    }

    /**
     * Publishes one epoch: its ring and membership as one value (readers see all of it or none of it).
     *
     * @param version       ring version.
     * @param epoch         the cluster's ring epoch (0: none).
     * @param liveNodes     bit k: node k live in it ({@link RingSnapshot#ALL_LIVE}: no membership).
     * @param nodes         members of the cluster.
     * @param shardsPerNode shards per node.
     * @param points        sorted hash points.
     * @param owners        owner ({@code node << 16 | shard}) of each point.
     * @return the publication's sequence number.
     * @throws IllegalArgumentException if the arrays differ in length or hold more than {@link #MAX_POINTS}.
     */
    public long publish(final long version, final long epoch, final int liveNodes, final int nodes,
        final int shardsPerNode, final long[] points, final int[] owners)
    {
        if (points.length != owners.length)
        {
            throw new IllegalArgumentException("points and owners differ: " + points.length + " != " + owners.length);
        }
        if (points.length > MAX_POINTS)
        {
            throw new IllegalArgumentException("ring too large: " + points.length + " > " + MAX_POINTS + " points");
        }
        final long next = sequence + 1;
        map.put(RoutingRingFile.RING_KEY,
            RoutingRingFile.encodeRing(next, version, epoch, liveNodes, nodes, shardsPerNode, points, owners));
        map.put(RoutingRingFile.HEADER_KEY, RoutingRingFile.encodeHeader(next, version, epoch));
        sequence = next;
        return next;
    }

    @Override
    public void close()
    {
        map.close();
    }
}
