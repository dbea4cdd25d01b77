package dev.pinwheel.storage;

/**
 * A routing ring as published, with the cluster epoch it belongs to: build a core {@code RoutingRing} from it with
 * {@code RoutingRing.of(version, points, owners, shardsPerNode)}. The arrays are fresh copies owned by the caller
 * (record equality compares array references).
 *
 * @param sequence      the publication's number in this file (1, 2, …; grows across restarts of the publisher).
 * @param version       ring version (on the embedded store one ring over every member, so it stays while epochs pass;
 *                      on Cassandra the epoch whose ring it is).
 * @param epoch         the cluster's ring epoch agreed by consensus when this was published (0: none, e.g. a single
 *                      node).
 * @param liveNodes     bit k set: node k is live in that epoch ({@link #ALL_LIVE} when there is no membership).
 * @param nodes         members of the cluster (1 for a single node).
 * @param shardsPerNode shards per node.
 * @param points        sorted hash points.
 * @param owners        owner ({@code node << 16 | shard}) of each point.
 */
public record RingSnapshot(long sequence, long version, long epoch, int liveNodes, int nodes, int shardsPerNode,
    long[] points, int[] owners)
{
    /** {@link #liveNodes} of a ring published without a membership: every node of it counts as live. */
    public static final int ALL_LIVE = -1;

    /**
     * @param node a node id.
     * @return whether the node is live in this snapshot's epoch.
     */
    public boolean isLive(final int node)
    {
        return node >= 0 && node < 32 && (liveNodes & 1 << node) != 0;
    }
}
