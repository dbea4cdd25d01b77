package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * What a shard does when work fails, on real shard threads: every failure reaches the task's {@link ShardTask#failed}
 * (so a waiting client can be answered), survivable failures leave the shard serving, fatal ones end its thread,
 * close its store on that thread and reach the group's {@link ShardDeathHandler}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardFailureTest
{
    /** A task with a body and a failure callback that records what it was told, and on which thread. */
    private static final class Probe implements ShardTask
    {
        final CompletableFuture<Throwable> failedWith = new CompletableFuture<>();
        volatile Thread failedOn;
        private final ShardTask body;

        Probe(final ShardTask body)
        {
            this.body = body;
        }

        @Override
        public void run(final Shard shard)
        {
            body.run(shard);
        }

        @Override
        public void failed(final Shard shard, final Throwable cause)
        {
            failedOn = Thread.currentThread();
            failedWith.complete(cause);
        }
    }

    /** A death handler that records the death. */
    private static final class Deaths implements ShardDeathHandler
    {
        final CompletableFuture<Integer> shard = new CompletableFuture<>();
        volatile Throwable cause;

        @Override
        public void shardDied(final int shardId, final Throwable why)
        {
            cause = why;
            shard.complete(shardId);
        }
    }

    private static ShardGroup group(final InMemoryShardStore[] stores, final int ringSize,
        final ShardDeathHandler deaths, final ShardTask recovery)
    {
        for (int i = 0; i < stores.length; i++)
        {
            stores[i] = new InMemoryShardStore();
        }
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, stores.length, 64), (v, p, o) -> { });
        return new ShardGroup(0, stores.length, ringSize, routing, id -> stores[id],
            (shard, thread) -> IoDriver.parking(), ThreadPlacement.unpinned(), recovery, deaths);
    }

    private static void await(final ShardGroup g, final int shard) throws InterruptedException
    {
        final CountDownLatch ran = new CountDownLatch(1);
        assertTrue(g.send(shard, s -> ran.countDown()));
        assertTrue(ran.await(10, TimeUnit.SECONDS), "shard " + shard + " still runs tasks");
    }

    @Test
    void aFailingTaskIsToldOnItsShardAndTheShardGoesOn() throws Exception
    {
        final InMemoryShardStore[] stores = new InMemoryShardStore[2];
        final Deaths deaths = new Deaths();
        try (ShardGroup g = group(stores, 1024, deaths, null))
        {
            g.start(30, TimeUnit.SECONDS);
            final IllegalStateException bug = new IllegalStateException("a bug in one task");
            final Probe task = new Probe(s ->
            {
                throw bug;
            });
            assertTrue(g.send(1, task));
            assertSame(bug, task.failedWith.get(10, TimeUnit.SECONDS));
            assertEquals("pinwheel-shard-1", task.failedOn.getName());
            final Probe refused = new Probe(s -> s.store().appendState(1, new byte[1]));
            stores[1].refuse = StoreUnavailableException.Reason.DISK_FULL;
            assertTrue(g.send(1, refused));
            assertInstanceOf(StoreUnavailableException.class, refused.failedWith.get(10, TimeUnit.SECONDS));
            final AssertionError broken = new AssertionError("an invariant of one task");
            final Probe asserted = new Probe(s ->
            {
                throw broken;
            });
            assertTrue(g.send(1, asserted));
            assertSame(broken, asserted.failedWith.get(10, TimeUnit.SECONDS));
            await(g, 1);
            assertEquals(3, g.shard(1).counters().get(ShardCounters.TASK_ERRORS));
            assertEquals(1, g.shard(1).counters().get(ShardCounters.STORE_REFUSED));
            assertFalse(deaths.shard.isDone(), "survivable failures kill nothing");
        }
    }

    @Test
    void aFatalErrorEndsTheShardThreadClosesItsStoreThereAndTellsTheDeathHandler() throws Exception
    {
        final InMemoryShardStore[] stores = new InMemoryShardStore[2];
        final Deaths deaths = new Deaths();
        try (ShardGroup g = group(stores, 1024, deaths, null))
        {
            g.start(30, TimeUnit.SECONDS);
            final Thread shardThread = g.shard(1).thread();
            final InternalError fault = new InternalError("a fault occurred in an unsafe memory access operation");
            final Probe fatal = new Probe(s ->
            {
                throw fault;
            });
            // The fatal task runs inline inside another task that swallows what it throws (as a Netty handler
            // would): the shard must die all the same.
            final Probe outer = new Probe(s ->
            {
                try
                {
                    s.send(s.id(), fatal);
                }
                catch (final Throwable swallowed)
                {
                    // what Netty's pipeline does with a handler's Throwable
                }
            });
            assertTrue(g.send(1, outer));
            assertEquals(1, deaths.shard.get(10, TimeUnit.SECONDS));
            assertSame(fault, deaths.cause);
            assertSame(fault, fatal.failedWith.get(10, TimeUnit.SECONDS), "the waiter still hears of it");
            shardThread.join(10_000);
            assertFalse(shardThread.isAlive(), "the shard thread ended");
            assertSame(shardThread, stores[1].closedBy, "its store was closed on its own thread");
            await(g, 0);
        }
        assertEquals("pinwheel-shard-0", stores[0].closedBy.getName());
    }

    @Test
    void withoutADeathHandlerTheWholeGroupStops() throws Exception
    {
        final InMemoryShardStore[] stores = new InMemoryShardStore[2];
        try (ShardGroup g = group(stores, 1024, null, null))
        {
            g.start(30, TimeUnit.SECONDS);
            final Thread other = g.shard(0).thread();
            assertTrue(g.send(1, s ->
            {
                throw new OutOfMemoryError("injected");
            }));
            other.join(20_000);
            assertFalse(other.isAlive(), "the surviving shard was stopped too: no half-serving node");
            assertEquals("pinwheel-shard-0", stores[0].closedBy.getName());
            assertEquals("pinwheel-shard-1", stores[1].closedBy.getName());
        }
    }

    @Test
    void aFailedGroupCommitFailsEveryWaitingTaskAndAcknowledgesNothing() throws Exception
    {
        final InMemoryShardStore[] stores = new InMemoryShardStore[1];
        try (ShardGroup g = group(stores, 1024, new Deaths(), null))
        {
            final StoreUnavailableException fault = new StoreUnavailableException(
                StoreUnavailableException.Reason.FAULTED, "fdatasync failed");
            stores[0].failCommit = fault;
            g.start(30, TimeUnit.SECONDS);
            final AtomicBoolean acknowledged = new AtomicBoolean();
            final Probe task = new Probe(s ->
            {
                s.store().appendState(1, new byte[1]);
                s.afterCommit(() -> acknowledged.set(true));
                s.afterCommit(() -> acknowledged.set(true));
            });
            assertTrue(g.send(0, task));
            assertSame(fault, task.failedWith.get(10, TimeUnit.SECONDS));
            await(g, 0);
            assertFalse(acknowledged.get(), "nothing is acknowledged before it is durable");
            assertEquals(1, g.shard(0).counters().get(ShardCounters.STORE_REFUSED), "one failure per task");
        }
    }

    @Test
    void aThrowingAcknowledgementFailsItsTask() throws Exception
    {
        final InMemoryShardStore[] stores = new InMemoryShardStore[1];
        try (ShardGroup g = group(stores, 1024, new Deaths(), null))
        {
            g.start(30, TimeUnit.SECONDS);
            final IllegalArgumentException bug = new IllegalArgumentException("cannot encode the reply");
            final Probe task = new Probe(s -> s.afterCommit(() ->
            {
                throw bug;
            }));
            assertTrue(g.send(0, task));
            assertSame(bug, task.failedWith.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aDroppedHandOffIsReportedToTheSenderOnItsThread() throws Exception
    {
        final InMemoryShardStore[] stores = new InMemoryShardStore[2];
        final int ring = 1024;
        final int maxDeferred = 8192;
        try (ShardGroup g = group(stores, ring, new Deaths(), null))
        {
            g.shard(0).maxDeferred(maxDeferred); // the real bound is a million: the same path, drained sooner
            g.start(30, TimeUnit.SECONDS);
            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch blocked = new CountDownLatch(1);
            assertTrue(g.send(1, s ->
            {
                blocked.countDown();
                try
                {
                    release.await(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }));
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            final AtomicInteger ran = new AtomicInteger();
            final ShardTask handOff = new ShardTask()
            {
                @Override
                public void run(final Shard shard)
                {
                    ran.incrementAndGet();
                }

                @Override
                public void failed(final Shard shard, final Throwable cause)
                {
                    assertTrue(shard.inShardThread());
                    failures.add(cause);
                }
            };
            final int extra = 100;
            final int sent = maxDeferred + ring + extra;
            final CountDownLatch sentAll = new CountDownLatch(1);
            assertTrue(g.send(0, s ->
            {
                for (int i = 0; i < sent; i++)
                {
                    s.send(1, handOff);
                }
                sentAll.countDown();
            }));
            assertTrue(sentAll.await(30, TimeUnit.SECONDS));
            final long dropped = g.shard(0).counters().get(ShardCounters.HANDOFFS_DROPPED);
            assertTrue(dropped >= extra, "dropped " + dropped);
            assertEquals(dropped, failures.size(), "every dropped task was told");
            for (final Throwable t : List.copyOf(failures))
            {
                assertInstanceOf(HandoffDroppedException.class, t);
            }
            release.countDown();
            // FIFO from shard 0 to shard 1: the last hand-off runs after every one deferred before it. While the
            // overflow is still full it is dropped too (and told): it then asks again from the back of shard 0's inbox.
            final CountDownLatch last = new CountDownLatch(1);
            final AtomicInteger ranBeforeLast = new AtomicInteger(-1);
            final ShardTask lastTask = new ShardTask()
            {
                @Override
                public void run(final Shard shard)
                {
                    ranBeforeLast.set(ran.get());
                    last.countDown();
                }

                @Override
                public void failed(final Shard shard, final Throwable cause)
                {
                    final ShardTask again = this;
                    assertTrue(shard.group().send(0, s -> s.send(1, again)));
                }
            };
            assertTrue(g.send(0, s -> s.send(1, lastTask)));
            assertTrue(last.await(50, TimeUnit.SECONDS));
            assertEquals(sent - dropped, ranBeforeLast.get(), "every hand-off not dropped ran before the last one");
            assertEquals(sent, ran.get() + dropped, "everything not dropped ran");
        }
    }

    @Test
    void storesAreClosedOnTheirShardThreadsAndAFailedRecoveryFailsTheStart() throws Exception
    {
        final InMemoryShardStore[] stores = new InMemoryShardStore[2];
        try (ShardGroup g = group(stores, 1024, new Deaths(), null))
        {
            g.start(30, TimeUnit.SECONDS);
        }
        assertEquals("pinwheel-shard-0", stores[0].closedBy.getName());
        assertEquals("pinwheel-shard-1", stores[1].closedBy.getName());

        final InMemoryShardStore[] broken = new InMemoryShardStore[2];
        final ShardGroup g = group(broken, 1024, new Deaths(), s ->
        {
            if (s.id() == 1)
            {
                throw new IllegalStateException("journal unreadable");
            }
        });
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> g.start(30, TimeUnit.SECONDS));
        assertTrue(ex.getMessage().contains("journal unreadable"), ex.getMessage());
        assertEquals("pinwheel-shard-1", broken[1].closedBy.getName());
        assertEquals("pinwheel-shard-0", broken[0].closedBy.getName());

        final InMemoryShardStore[] unstarted = new InMemoryShardStore[1];
        group(unstarted, 1024, null, null).close();
        assertSame(Thread.currentThread(), unstarted[0].closedBy, "never handed over: closed by its opener");
    }
}
