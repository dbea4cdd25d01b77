package dev.pinwheel.core.shard;

/**
 * A command for a shard of another node could not be sent: that node is not connected (dead, restarting, or not
 * started yet). The command's handler answers whoever waits with 503 (the guild's owner is unreachable). No stack
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
        super("node " + node + " is unreachable", null, false, false);
        this.node = node;
    }

    /**
     * @return the unreachable node.
     */
    public int node()
    {
        return node;
    }
}
