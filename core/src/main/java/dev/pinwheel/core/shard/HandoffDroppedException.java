package dev.pinwheel.core.shard;

/**
 * A shard-to-shard hand-off was dropped: the target shard's overflow queue on the sending shard was full (the
 * target has been unable to take work for a long time). Passed to {@link ShardTask#failed}; the edge answers such
 * a request with 503. Carries no stack trace: it is a refusal, not a bug.
 */
public final class HandoffDroppedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param from   the sending shard.
     * @param target the shard the task was for.
     */
    public HandoffDroppedException(final int from, final int target)
    {
        super("shard " + from + ": overflow queue to shard " + target + " is full", null, false, false);
    }
}
