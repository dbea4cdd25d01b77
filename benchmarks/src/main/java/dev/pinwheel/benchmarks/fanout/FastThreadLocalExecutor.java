package dev.pinwheel.benchmarks.fanout;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * JMH worker threads that are Netty {@code FastThreadLocalThread}s, like an event loop's. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=}this class. On any other thread Netty 4.2's
 * {@code Recycler} does not pool: every pooled buffer then costs a new {@code ByteBuf} object.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor
{
    /**
     * @param threads worker threads JMH needs.
     * @param prefix  thread name prefix.
     */
    public FastThreadLocalExecutor(final int threads, final String prefix)
    {
        super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix, true));
    }
}
