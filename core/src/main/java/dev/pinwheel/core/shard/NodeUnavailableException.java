package dev.pinwheel.core.shard;

/**
 * A command for a shard of another node could not be sent: that node is not connected (dead, restarting, or not
 * started yet), or the command's key is moving to a new owner during a ring epoch's handover ({@link #moving()}). The command's handler answers whoever waits with 503 (the guild's owner is unreachable). No stack
 * trace: a refusal on the hot path.
 */
public final class NodeUnavailableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int node;

    /**
     * @param node the unreachable node.
     */
    public NodeUnavailableException(final int node)
    {
        super(node == MOVING_NODE ? "the key is moving to another node" : "node " + node + " is unreachable", null,
            false, false);
        this.node = node;
    }

    /** The node a {@link dev.pinwheel.core.routing.ShardRoute#MOVING} route names (no node has it). */
    private static final int MOVING_NODE = dev.pinwheel.core.routing.ShardRoute.node(
        dev.pinwheel.core.routing.ShardRoute.MOVING);

    /**
     * @return whether the command was refused because its key is moving between owners during a ring epoch's
     *         handover (the owner is not unreachable: the key is served again once its new owner loaded it).
     */
    public boolean moving()
    {
        return node == MOVING_NODE;
    }

    /**
     * @return the unreachable node.
     */
    public int node()
    {
        return node;
    }
}
