package dev.pinwheel.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.shard.ShardTask;

/**
 * Puts a task on a shard's ring from a thread that is not a shard's (the link receiver's, a timer's) and must not
 * wait: a full ring is asked again {@value #RETRY_MS} ms later, a bounded number of times. What the cluster's signals
 * to every shard use ({@link PeerSignals}, {@link NodeWideCatchUp}, {@link StartHoldRelease}).
 */
final class ShardRetries
{
    /** How long before a refused task is offered again. */
    static final long RETRY_MS = 20;
    private static final Executor LATER = CompletableFuture.delayedExecutor(RETRY_MS, TimeUnit.MILLISECONDS);

    private ShardRetries()
    {
    }

    /**
     * @param group       the node's shards.
     * @param shard       the shard.
     * @param task        the task for an attempt (1, 2, …: a task may itself ask {@link #later} with its attempt).
     * @param attempt     this attempt.
     * @param maxAttempts attempts at most.
     * @param gaveUp      told after the last attempt, with the shard.
     */
    static void send(final ShardGroup group, final int shard, final IntFunction<ShardTask> task, final int attempt,
        final int maxAttempts, final java.util.function.IntConsumer gaveUp)
    {
        if (!group.send(shard, task.apply(attempt)))
        {
            later(group, shard, task, attempt, maxAttempts, gaveUp);
        }
    }

    /** As {@link #send}, {@value #RETRY_MS} ms from now, unless {@code attempt} was the last. */
    static void later(final ShardGroup group, final int shard, final IntFunction<ShardTask> task, final int attempt,
        final int maxAttempts, final java.util.function.IntConsumer gaveUp)
    {
        if (attempt >= maxAttempts)
        {
            gaveUp.accept(shard);
            return;
        }
        LATER.execute(() -> send(group, shard, task, attempt + 1, maxAttempts, gaveUp));
    }
}
