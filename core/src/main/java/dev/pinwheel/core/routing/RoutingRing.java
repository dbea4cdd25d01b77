package dev.pinwheel.core.routing;

import java.util.Arrays;

/**
 * An immutable consistent-hash ring: guild id → owner (node, shard). Built once, read lock-free by every
 * thread (Discord's FastGlobal): a sorted {@code long[]} of hash points and the owner of each point.
 * Changing the ring means building a new snapshot and swapping one reference ({@link RoutingTable}).
 * <p>
 * An owner is packed as {@code node << 16 | shard}.
 */
public final class RoutingRing
{
    /** Virtual nodes per shard by default: enough for an even spread (&lt; ~10% imbalance at 64). */
    public static final int DEFAULT_VIRTUAL_NODES = 128;

    private final long version;
    private final long[] points;
    /**
     * {@code bucketStart[b]}: the first point in bucket b, the points being cut into {@value #BUCKETS} buckets by their
     * top bits (the sorted, signed order). A lookup jumps to its bucket and walks the one or two points there instead
     * of a binary search over all of them (≈ 11 unpredictable branches for 1,536 points).
     */
    private final int[] bucketStart;
    private static final int BUCKET_BITS = 12;
    private static final int BUCKETS = 1 << BUCKET_BITS;
    private final int[] owners;
    private final int shardsPerNode;
    /** During a ring epoch's handover: the ring before it (keys whose owner changed are moving); else null. */
    private final RoutingRing from;
    /** During a handover: the nodes that hold the keys they gained (their keys are not moving any more). */
    private final int settledNodes;
    /**
     * During a handover: the nodes that held their keys throughout (a key of {@link #from} whose owner's node is not
     * one of them is moving even when its owner did not change).
     */
    private final int heldNodes;

    private RoutingRing(final long version, final long[] points, final int[] owners, final int shardsPerNode)
    {
        this(version, points, owners, shardsPerNode, null, 0, -1);
    }

    private RoutingRing(final long version, final long[] points, final int[] owners, final int shardsPerNode,
        final RoutingRing from, final int settledNodes, final int heldNodes)
    {
        this.version = version;
        this.points = points;
        this.bucketStart = buckets(points);
        this.owners = owners;
        this.shardsPerNode = shardsPerNode;
        this.from = from;
        this.settledNodes = settledNodes;
        this.heldNodes = heldNodes;
    }

    /** A ring without points: before a cluster node holds anything, every key is moving to it. */
    public static final RoutingRing EMPTY = new RoutingRing(0, new long[0], new int[0], 1);

    /**
     * The same ring during its epoch's handover: a key whose owner differs in {@code previous} is moving (its new
     * owner has not loaded it yet: {@link #route} says so) unless its new owner's node is in {@code settled}.
     *
     * @param previous the ring before ({@link #EMPTY}: nothing was held).
     * @param settled  nodes that finished loading what they gained.
     * @return the ring in transition (shares this one's arrays).
     */
    public RoutingRing inHandover(final RoutingRing previous, final int settled)
    {
        return inHandover(previous, settled, -1);
    }

    /**
     * The same ring during its epoch's handover, where a key keeps being served when its owner provably held it
     * throughout: its owner here is its owner in {@code held} too, and that owner's node is one of {@code heldNodes}.
     * Every other key is moving (refused) until its new owner's node is in {@code settled}.
     * <p>
     * For the rings of every epoch since the last one that settled (every node loaded what it owned): with
     * {@code held} the ring over the union of their live nodes and {@code heldNodes} the intersection, a key whose
     * owner in the union's ring is a node live in all of them had that same owner in each of them (each ring's points
     * are a subset of the union's that contains the owner's point), so that owner never gave it away.
     *
     * @param held      the ring over every node live in some epoch since the last settled one ({@link #EMPTY}:
     *                  nothing is held).
     * @param settled   nodes that finished loading what they gained.
     * @param heldNodes nodes live in every epoch since the last settled one (-1: every node of {@code held}).
     * @return the ring in transition (shares this one's arrays).
     */
    public RoutingRing inHandover(final RoutingRing held, final int settled, final int heldNodes)
    {
        return new RoutingRing(version, points, owners, shardsPerNode, held, settled, heldNodes);
    }

    /**
     * @return the ring before this epoch while its handover runs, else null.
     */
    public RoutingRing handoverFrom()
    {
        return from;
    }

    /**
     * The owner to send a key's commands to, or {@link #MOVING}: what {@code ShardGroup#ownerOf} asks. Outside a
     * handover this is {@link #owner}; during one, a key whose owner changed answers {@link #MOVING} until that
     * owner's node has loaded it.
     *
     * @param key a guild (user, pair, application) id.
     * @return the owner, {@code node << 16 | shard}, or {@link #MOVING}.
     */
    public int route(final long key)
    {
        final int owner = owner(key);
        if (from == null || (settledNodes & 1 << (owner >>> 16)) != 0)
        {
            return owner;
        }
        return (heldNodes & 1 << (owner >>> 16)) != 0 && from.points.length > 0 && from.owner(key) == owner ? owner
            : MOVING;
    }

    /** {@link #route}: the key is moving between owners. */
    public static final int MOVING = -1;

    /**
     * Builds a ring of {@code nodes × shards} owners with {@code virtualNodes} points each.
     *
     * @param version      ring version.
     * @param nodes        node count (≥ 1).
     * @param shards       shards per node (1..64).
     * @param virtualNodes points per owner.
     * @return the ring.
     */
    public static RoutingRing build(final long version, final int nodes, final int shards, final int virtualNodes)
    {
        if (nodes < 1 || nodes > 32)
        {
            throw new IllegalArgumentException("nodes must be 1..32: " + nodes);
        }
        return buildLive(version, nodes == 32 ? -1 : (1 << nodes) - 1, shards, virtualNodes);
    }

    /**
     * Builds a ring over the shards of the live nodes of a cluster (a ring epoch): every node has the same points in
     * every ring it is part of, so a node that leaves moves only its own keys (to the next points of the others), and
     * one that comes back takes back exactly those.
     *
     * @param version      ring version (the epoch).
     * @param liveNodes    bit k set: node k is live (at least one bit).
     * @param shards       shards per node (1..64).
     * @param virtualNodes points per owner.
     * @return the ring.
     */
    public static RoutingRing buildLive(final long version, final int liveNodes, final int shards,
        final int virtualNodes)
    {
        if (liveNodes == 0 || shards < 1 || shards > 64 || virtualNodes < 1)
        {
            throw new IllegalArgumentException("liveNodes != 0, 1<=shards<=64, virtualNodes>=1");
        }
        final int n = Integer.bitCount(liveNodes) * shards * virtualNodes;
        final long[] raw = new long[n];
        int i = 0;
        for (int node = 0; node < 32; node++)
        {
            if ((liveNodes & 1 << node) == 0)
            {
                continue;
            }
            for (int shard = 0; shard < shards; shard++)
            {
                for (int v = 0; v < virtualNodes; v++)
                {
                    final long point = mix(((long)node << 40) ^ ((long)shard << 20) ^ v ^ 0x5EED_0000_0000_0000L);
                    raw[i++] = (point & ~0xFFFF_FFFFL) | ((long)node << 16 | shard) & 0xFFFF_FFFFL;
                }
            }
        }
        Arrays.sort(raw);
        final long[] points = new long[n];
        final int[] owners = new int[n];
        for (int k = 0; k < n; k++)
        {
            points[k] = raw[k] & ~0xFFFF_FFFFL;
            owners[k] = (int)raw[k];
        }
        return new RoutingRing(version, points, owners, shards);
    }

    /**
     * Rebuilds a ring from published arrays (e.g. read from the host's Chronicle Map).
     *
     * @param version       version.
     * @param points        sorted points.
     * @param owners        owner per point.
     * @param shardsPerNode shards per node.
     * @return the ring.
     */
    public static RoutingRing of(final long version, final long[] points, final int[] owners, final int shardsPerNode)
    {
        return new RoutingRing(version, points.clone(), owners.clone(), shardsPerNode);
    }

    /**
     * @param key a guild (or user) id.
     * @return the owner, {@code node << 16 | shard}.
     */
    public int owner(final long key)
    {
        final long h = mix(key) & ~0xFFFF_FFFFL;
        final int b = bucket(h);
        final int end = bucketStart[b + 1];
        int idx = bucketStart[b];
        while (idx < end && points[idx] < h)
        {
            idx++;
        }
        // the first point >= h: in this bucket, else the first of a later one (every later point is greater)
        return owners[idx == points.length ? 0 : idx];
    }

    private static int bucket(final long point)
    {
        return (int)((point >> (64 - BUCKET_BITS)) + (BUCKETS >> 1)); // signed order → 0..BUCKETS-1, monotonic
    }

    private static int[] buckets(final long[] points)
    {
        final int[] start = new int[BUCKETS + 1];
        int k = 0;
        for (int b = 0; b <= BUCKETS; b++)
        {
            while (k < points.length && bucket(points[k]) < b)
            {
                k++;
            }
            start[b] = k;
        }
        return start;
    }

    /**
     * @param key a guild (or user) id.
     * @return the owning shard within its node.
     */
    public int shardOf(final long key)
    {
        return owner(key) & 0xFFFF;
    }

    /**
     * @param key a guild (or user) id.
     * @return the owning node.
     */
    public int nodeOf(final long key)
    {
        return owner(key) >>> 16;
    }

    /**
     * @return the ring version.
     */
    public long version()
    {
        return version;
    }

    /**
     * @return shards per node.
     */
    public int shardsPerNode()
    {
        return shardsPerNode;
    }

    /**
     * @return a copy of the sorted points.
     */
    public long[] points()
    {
        return points.clone();
    }

    /**
     * @return a copy of the owners.
     */
    public int[] owners()
    {
        return owners.clone();
    }

    /** SplitMix64 finaliser: cheap, well mixed, stable across JVMs and versions. */
    static long mix(final long x)
    {
        long z = x + 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
