package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.counters.NodeCounters;

/**
 * The link's cycle, run by the link thread and by shards ({@link LinkAgent}): one at a time, and a thread that finds it
 * taken never waits and never loses its turn — the holder runs again (the link thread) or wakes the link thread (a
 * shard).
 */
@Timeout(60)
class LinkAgentTest
{
    /** A long wait, so that a wait that returns at once was woken. */
    private final SocketWaitIdleStrategy waits = new SocketWaitIdleStrategy(TimeUnit.SECONDS.toNanos(10), false, null);
    private final LinkCounters counters = new LinkCounters(NodeCounters.inMemory(64));

    @AfterEach
    void close()
    {
        waits.close();
    }

    /** A driver whose cycle can be held open, and which fails if two threads are ever inside it. */
    private static final class Driver implements Agent
    {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger cycles = new AtomicInteger();
        volatile CountDownLatch entered;
        volatile CountDownLatch release;
        volatile int work;

        @Override
        public int doWork() throws InterruptedException
        {
            if (inside.incrementAndGet() != 1)
            {
                throw new AssertionError("two threads in the driver's cycle");
            }
            try
            {
                cycles.incrementAndGet();
                final CountDownLatch in = entered;
                final CountDownLatch out = release;
                if (in != null && out != null)
                {
                    entered = null;
                    in.countDown();
                    assertTrue(out.await(30, TimeUnit.SECONDS));
                }
                return work;
            }
            finally
            {
                inside.decrementAndGet();
            }
        }

        @Override
        public String roleName()
        {
            return "test-driver";
        }
    }

    private static AgentInvoker invoker(final Driver driver)
    {
        final AgentInvoker invoker = new AgentInvoker(ex ->
        {
            throw new AssertionError(ex);
        }, null, driver);
        invoker.start();
        return invoker;
    }

    /**
     * @return {@code holder}'s result, run on another thread, once it is inside the driver's cycle, where it stays until
     *         {@code release} opens.
     */
    private static <T> CompletableFuture<T> insideTheCycle(final Driver driver, final CountDownLatch release,
        final Supplier<T> holder) throws InterruptedException
    {
        final CountDownLatch entered = new CountDownLatch(1);
        driver.entered = entered;
        driver.release = release;
        final CompletableFuture<T> result = CompletableFuture.supplyAsync(holder);
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        return result;
    }

    @Test
    void aShardThatFindsTheLinkThreadInTheCycleLeavesAtOnceAndTheLinkThreadRunsAgain() throws Exception
    {
        final Driver driver = new Driver();
        final LinkAgent agent = new LinkAgent(invoker(driver), waits, counters);
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<Integer> link = insideTheCycle(driver, release, agent::doWork);

        assertEquals(0, agent.runOnShard(LinkCounters.SHARD_RECEIVED, false), "the shard does not wait");
        release.countDown();
        assertTrue(link.get(30, TimeUnit.SECONDS) > 0, "the link thread goes round again for the shard's arrival");
        assertEquals(0, counters.get(LinkCounters.SHARD_RECEIVED));
        assertEquals(0, agent.doWork(), "and then idles: nothing is wanted any more");
    }

    @Test
    void aLinkThreadThatFindsAShardInTheCycleIsWokenWhenTheShardLetsGo() throws Exception
    {
        final Driver driver = new Driver();
        final LinkAgent agent = new LinkAgent(invoker(driver), waits, counters);
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<Integer> shard = insideTheCycle(driver, release,
            () -> agent.runOnShard(LinkCounters.SHARD_SENT, false));

        assertEquals(0, agent.doWork(), "the link thread does not wait for the shard");
        release.countDown();
        shard.get(30, TimeUnit.SECONDS);
        assertEquals(1, counters.get(LinkCounters.SHARD_SENT));
        // the shard woke the link thread: its wait returns at once instead of after the longest wait (10 s)
        final long start = System.nanoTime();
        waits.idle();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "woken, not timed out");
    }

    @Test
    void aShardRunsCyclesUntilOneFindsNothingAndHandsTheRestToTheLinkThread()
    {
        final Driver driver = new Driver();
        final LinkAgent agent = new LinkAgent(invoker(driver), waits, counters);
        driver.work = 1; // a datagram in every cycle, for ever
        assertEquals(LinkAgent.SHARD_CYCLES, agent.runOnShard(LinkCounters.SHARD_RECEIVED, false));
        assertEquals(LinkAgent.SHARD_CYCLES, driver.cycles.get(), "bounded: the shard goes back to its sessions");
        driver.work = 0;
        assertEquals(0, agent.runOnShard(LinkCounters.SHARD_RECEIVED, false));
        assertEquals(LinkAgent.SHARD_CYCLES + 1, driver.cycles.get());
    }

    @Test
    void aShardThatReadFramesDeliversThemBeforeTheRestOfTheCycle()
    {
        final Driver driver = new Driver();
        final LinkAgent agent = new LinkAgent(invoker(driver), waits, counters);
        driver.work = 1;
        // no receiver here: a cycle with driver work but no frames goes on as before
        assertEquals(LinkAgent.SHARD_CYCLES, agent.runOnShard(LinkCounters.SHARD_RECEIVED, true));
        assertTrue(!agent.receivedFirst(), "it did not stop early: no frames were read");
    }

    @Test
    void manyThreadsNeverRunTheCycleTogether() throws Exception
    {
        final Driver driver = new Driver();
        final LinkAgent agent = new LinkAgent(invoker(driver), waits, counters);
        final int rounds = 20_000;
        final Thread[] threads = new Thread[3];
        for (int t = 0; t < threads.length; t++)
        {
            final boolean link = t == 0;
            threads[t] = new Thread(() ->
            {
                for (int i = 0; i < rounds; i++)
                {
                    if (link)
                    {
                        agent.doWork();
                    }
                    else
                    {
                        agent.runOnShard(LinkCounters.SHARD_SENT, false);
                    }
                    if ((i & 255) == 0)
                    {
                        Thread.yield();
                    }
                }
            });
            threads[t].start();
        }
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(50));
        }
        assertEquals(0, driver.inside.get());
        assertTrue(driver.cycles.get() >= rounds, "the link thread's own cycles at least");
    }

    @Test
    void noShardRunsTheCycleOnceTheLinkCloses()
    {
        final Driver driver = new Driver();
        final LinkAgent agent = new LinkAgent(invoker(driver), waits, counters);
        agent.closeShardSide();
        assertEquals(0, agent.runOnShard(LinkCounters.SHARD_RECEIVED, false));
        assertEquals(0, driver.cycles.get());
        agent.doWork();
        assertEquals(1, driver.cycles.get(), "the link thread still runs the driver until it is closed");
    }
}
