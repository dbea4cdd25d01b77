package dev.pinwheel.core.shard;

/**
 * Work sent to a shard: runs on that shard's thread with access to the state it owns.
 * <p>
 * <b>Failure seam.</b> A task that somebody waits for (a REST exchange, a session waiting for a guild snapshot)
 * overrides {@link #failed} so that the waiter always hears back, whatever went wrong. Typed commands implement it
 * themselves; lambdas get the no-op default. {@link #failed} is called exactly once per failure:
 * <ul>
 *   <li>on the shard that ran the task, when {@link #run} threw (any {@link Throwable}, see {@link ShardFaults});</li>
 *   <li>on the same shard, when an acknowledgement the task registered with {@link Shard#afterCommit} threw or the
 *   group commit under it failed;</li>
 *   <li>on the <em>sending</em> shard, when the hand-off was dropped because the target's overflow queue was full
 *   ({@link HandoffDroppedException}).</li>
 * </ul>
 */
@FunctionalInterface
public interface ShardTask
{
    /**
     * @param shard the shard whose thread runs the task.
     */
    void run(Shard shard);

    /**
     * The task did not complete: answer whoever waits for it (on the calling shard's thread, through the same
     * ordered paths as a normal answer). Must be quick; a throw from here is logged and counted, never propagated.
     *
     * @param shard the shard whose thread calls this (see the type's Javadoc for which one).
     * @param cause why: what {@link #run} threw, the store's refusal, or {@link HandoffDroppedException}.
     */
    default void failed(final Shard shard, final Throwable cause)
    {
    }
}
