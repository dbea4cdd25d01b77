package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Acknowledgements on an asynchronous store ({@link ShardStore#asynchronous()}), on a real shard thread: an
 * acknowledgement runs only once the store's durable watermark reaches the writes issued before it, in registration
 * order; a completion reported from another thread (a database driver's) wakes a blocked shard at once; an
 * acknowledgement still waiting at its deadline fails its task with 503's {@code UNAVAILABLE}, and the ones after it
 * run when their writes are durable.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardDurableWatermarkTest
{
    /** Issues a sequence number per write; a test thread acknowledges them as a driver thread would. */
    private static final class ScriptedAsyncStore implements ShardStore
    {
        final ConcurrentLinkedQueue<Long> completions = new ConcurrentLinkedQueue<>();
        volatile Runnable wakeup = () -> { };
        volatile long ackTimeoutNanos = TimeUnit.SECONDS.toNanos(30);
        /** Writes the store abandoned (its node fenced), as a Cassandra store's pipeline marks them. */
        final java.util.Set<Long> abandoned = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private long issued;
        private volatile long durable;

        @Override
        public boolean abandoned(final long from, final long to)
        {
            for (long seq = from; seq <= to; seq++)
            {
                if (abandoned.contains(seq))
                {
                    return true;
                }
            }
            return false;
        }

        /** From any thread: the database acknowledged every write up to {@code seq}. */
        void acknowledge(final long seq)
        {
            completions.add(seq);
            wakeup.run();
        }

        @Override
        public boolean asynchronous()
        {
            return true;
        }

        @Override
        public long issuedSequence()
        {
            return issued;
        }

        @Override
        public long durableSequence()
        {
            return durable;
        }

        @Override
        public int pollCompletions()
        {
            int n = 0;
            for (Long seq = completions.poll(); seq != null; seq = completions.poll())
            {
                durable = Math.max(durable, seq);
                n++;
            }
            return n;
        }

        @Override
        public boolean hasCompletions()
        {
            return !completions.isEmpty();
        }

        @Override
        public void bindWakeup(final Runnable value)
        {
            wakeup = value;
        }

        @Override
        public long ackTimeoutNanos()
        {
            return ackTimeoutNanos;
        }

        @Override
        public long recover(final StateRecordHandler handler)
        {
            return 0;
        }

        @Override
        public void appendState(final int type, final byte[] payload)
        {
            issued++;
        }

        @Override
        public void appendMessage(final StoredMessage message)
        {
            issued++;
        }

        @Override
        public boolean deleteMessage(final long channelId, final long messageId)
        {
            return false;
        }

        @Override
        public StoredMessage message(final long channelId, final long messageId)
        {
            return null;
        }

        @Override
        public List<StoredMessage> history(final long channelId, final HistoryQuery query, final long anchorId,
            final int limit)
        {
            return List.of();
        }

        @Override
        public void close()
        {
        }
    }

    /** A write and its acknowledgement; records what happened to it. */
    private static final class Write implements ShardTask
    {
        final CompletableFuture<Throwable> failed = new CompletableFuture<>();
        final CountDownLatch acked = new CountDownLatch(1);
        private final List<String> order;
        private final String name;

        private final int writes;

        Write(final String name, final List<String> order)
        {
            this(name, order, 1);
        }

        Write(final String name, final List<String> order, final int writes)
        {
            this.name = name;
            this.order = order;
            this.writes = writes;
        }

        @Override
        public void run(final Shard shard)
        {
            for (int i = 0; i < writes; i++)
            {
                shard.store().appendState(1, new byte[1]);
            }
            shard.afterCommit(() ->
            {
                order.add(name);
                acked.countDown();
            });
        }

        @Override
        public void failed(final Shard shard, final Throwable cause)
        {
            failed.complete(cause);
        }
    }

    private static ShardGroup group(final ScriptedAsyncStore store)
    {
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 1, 64), (v, p, o) -> { });
        return new ShardGroup(0, 1, 1024, routing, id -> store, (shard, thread) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), null, null);
    }

    @Test
    void acknowledgementsWaitForTheWatermarkAndRunInOrder() throws Exception
    {
        final ScriptedAsyncStore store = new ScriptedAsyncStore();
        final List<String> order = new CopyOnWriteArrayList<>();
        try (ShardGroup g = group(store))
        {
            g.start(30, TimeUnit.SECONDS);
            final Write a = new Write("a", order);
            final Write b = new Write("b", order);
            final Write c = new Write("c", order);
            assertTrue(g.send(0, a));
            assertTrue(g.send(0, b));
            assertTrue(g.send(0, c));
            assertFalse(a.acked.await(100, TimeUnit.MILLISECONDS), "nothing is durable yet");
            store.acknowledge(2); // a and b
            assertTrue(b.acked.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("a", "b"), order);
            assertFalse(c.acked.await(100, TimeUnit.MILLISECONDS));
            final long t0 = System.nanoTime();
            store.acknowledge(3);
            assertTrue(c.acked.await(10, TimeUnit.SECONDS));
            // the completion woke the parked shard: no wait for the next 50 ms tick (generous on a shared box)
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(45), "woken by the completion");
            assertEquals(List.of("a", "b", "c"), order);
            assertFalse(a.failed.isDone());
        }
    }

    @Test
    void anAcknowledgementPastItsDeadlineFailsItsTaskWithUnavailable() throws Exception
    {
        final ScriptedAsyncStore store = new ScriptedAsyncStore();
        store.ackTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(200);
        final List<String> order = new CopyOnWriteArrayList<>();
        try (ShardGroup g = group(store))
        {
            g.start(30, TimeUnit.SECONDS);
            final Write late = new Write("late", order);
            assertTrue(g.send(0, late));
            final Throwable cause = late.failed.get(10, TimeUnit.SECONDS);
            assertEquals(StoreUnavailableException.Reason.UNAVAILABLE,
                assertInstanceOf(StoreUnavailableException.class, cause).reason());
            assertEquals(0, late.acked.getCount() == 0 ? 1 : 0, "a failed acknowledgement never runs");
            store.ackTimeoutNanos = TimeUnit.SECONDS.toNanos(30);
            final Write next = new Write("next", order);
            assertTrue(g.send(0, next));
            store.acknowledge(2); // the late write became durable after all, then the next one
            assertTrue(next.acked.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("next"), order);
        }
    }

    /**
     * An acknowledgement covers its own task's writes: one of them abandoned (the first of two, here) fails it, though
     * its last write was taken; a later task's acknowledgement runs, though a write before its own was abandoned.
     * Before, only the acknowledgement's last write was asked about: the first task was told its writes were durable.
     */
    @Test
    void anAcknowledgementFailsIfAnyWriteOfItsTaskWasAbandoned() throws Exception
    {
        final ScriptedAsyncStore store = new ScriptedAsyncStore();
        final List<String> order = new CopyOnWriteArrayList<>();
        try (ShardGroup g = group(store))
        {
            g.start(30, TimeUnit.SECONDS);
            final Write two = new Write("two", order, 2); // writes 1 and 2
            final Write one = new Write("one", order); // write 3
            assertTrue(g.send(0, two));
            assertTrue(g.send(0, one));
            store.abandoned.add(1L); // the node was declared lost with write 1 unanswered; 2 and 3 went out after
            store.acknowledge(3);
            assertTrue(one.acked.await(10, TimeUnit.SECONDS), "the later task's own write was taken");
            final Throwable cause = two.failed.get(10, TimeUnit.SECONDS);
            assertEquals(StoreUnavailableException.Reason.UNAVAILABLE,
                assertInstanceOf(StoreUnavailableException.class, cause).reason());
            assertEquals(List.of("one"), order, "the task with an abandoned write is never acknowledged");
        }
    }
}
