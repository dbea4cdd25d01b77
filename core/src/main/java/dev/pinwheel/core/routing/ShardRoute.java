package dev.pinwheel.core.routing;

/**
 * Where a typed command goes, as one {@code int}: a shard of this node (its index, 0..63), or a shard of a node of
 * the cluster ({@link #CLUSTER} | node &lt;&lt; 16 | shard). The owner of a guild ({@code ShardGroup#ownerOf}) and
 * the origin written into a request (the shard a reply goes back to: {@code Shard#address}) are routes, so code that
 * sends to "the owner of guild G" or answers "the origin" does not know whether that shard is on this node.
 * <pre>
 *   bit 30 = CLUSTER │ bits 16..29 node │ bits 0..15 shard        (bit 30 clear: a shard index of this node)
 * </pre>
 * A clustered route naming this very node is this node's shard: {@code Shard#send} treats both forms alike.
 */
public final class ShardRoute
{
    /** Marks a route that names its node. */
    public static final int CLUSTER = 1 << 30;
    /** Largest node id a route can name (the snowflake worker field has 5 bits: 0..31). */
    public static final int MAX_NODE = 31;
    /**
     * The route of a key that is moving to a new owner during a ring epoch's handover: it names no node that exists,
     * so a command sent there is refused like one to an unreachable node (503, {@code Retry-After}).
     */
    public static final int MOVING = CLUSTER | 0x3FFF << 16;

    private ShardRoute()
    {
    }

    /**
     * @param node  node id, 0..{@value #MAX_NODE}.
     * @param shard shard of that node.
     * @return the route.
     */
    public static int of(final int node, final int shard)
    {
        return CLUSTER | node << 16 | shard;
    }

    /**
     * @param route a route.
     * @return whether it names its node.
     */
    public static boolean clustered(final int route)
    {
        return (route & CLUSTER) != 0;
    }

    /**
     * @param route a route.
     * @param node  a node of a cluster.
     * @return whether it is a clustered route to a shard of that node (a local route, or {@link #MOVING}, is not).
     */
    public static boolean onNode(final int route, final int node)
    {
        return clustered(route) && node(route) == node;
    }

    /**
     * @param route a clustered route.
     * @return its node.
     */
    public static int node(final int route)
    {
        return (route >>> 16) & 0x3FFF;
    }

    /**
     * @param route a route.
     * @return its shard within its node.
     */
    public static int shard(final int route)
    {
        return route & 0xFFFF;
    }

    /**
     * @param route  a route.
     * @param nodeId this node.
     * @return whether it names a shard of another node.
     */
    public static boolean remote(final int route, final int nodeId)
    {
        return (route & CLUSTER) != 0 && node(route) != nodeId;
    }
}
