package dev.pinwheel.core.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Reads of a store by a thread that may wait: tools, tests and benchmarks that play the owner outside a shard. A read
 * an asynchronous store has to fetch ({@link ReadPendingException}) is waited out here: the calling thread polls the
 * store's completions and parks until the store's driver callback wakes it, then runs the read again. Never on a shard
 * thread: a shard parks the command instead and keeps serving.
 */
public final class BlockingReads
{
    private BlockingReads()
    {
    }

    /**
     * @param store   a store owned by the calling thread.
     * @param read    a read (or a write that reads first) of that store; run again after each fetch it waited for.
     * @param timeout how long to wait in all.
     * @param unit    its unit.
     * @param <T>     what the read returns.
     * @return the read's answer.
     * @throws StoreUnavailableException if a fetch failed or the answer took longer than the timeout.
     */
    public static <T> T await(final ShardStore store, final Supplier<T> read, final long timeout, final TimeUnit unit)
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        final Thread me = Thread.currentThread();
        store.bindWakeup(() -> LockSupport.unpark(me));
        while (true)
        {
            try
            {
                return read.get();
            }
            catch (final ReadPendingException pending)
            {
                while (!store.readComplete(pending.ticket()))
                {
                    final long left = deadline - System.nanoTime();
                    if (left <= 0)
                    {
                        throw new StoreUnavailableException(StoreUnavailableException.Reason.UNAVAILABLE,
                            "read " + pending.ticket() + " not answered in " + unit.toMillis(timeout) + " ms");
                    }
                    if (store.pollCompletions() == 0 && !store.hasCompletions())
                    {
                        LockSupport.parkNanos(left);
                    }
                }
            }
        }
    }

    /**
     * {@link #await(ShardStore, Supplier, long, TimeUnit)} for a write that may have to read first.
     *
     * @param store   a store owned by the calling thread.
     * @param write   the write.
     * @param timeout how long to wait in all.
     * @param unit    its unit.
     */
    public static void run(final ShardStore store, final Runnable write, final long timeout, final TimeUnit unit)
    {
        await(store, () ->
        {
            write.run();
            return null;
        }, timeout, unit);
    }
}
