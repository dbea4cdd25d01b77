package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ReadPendingException;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Reads an asynchronous store has to fetch, on a real shard thread: the command (or task) that read is parked, the
 * shard serves other work meanwhile (its thread never waits for the database), and the command runs again once the
 * store has the answer — counted once as a command, once as a parked read; a re-run that misses again parks again;
 * a parked read still waiting at its deadline is answered with 503's {@code UNAVAILABLE}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardParkedReadTest
{
    private static final int READ = 7;
    private static final int ECHO = 8;

    /** Messages "in the database", fetched one per ticket; a test thread delivers a fetch as a driver thread would. */
    private static final class FetchingStore implements ShardStore
    {
        final Map<Long, String> database = new ConcurrentHashMap<>();
        final Map<Long, Long> ticketOf = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Long> arrived = new ConcurrentLinkedQueue<>();
        volatile Runnable wakeup = () -> { };
        volatile long ackTimeoutNanos = TimeUnit.SECONDS.toNanos(30);
        private final Map<Long, Long> idOf = new HashMap<>();
        private final Map<Long, String> memory = new HashMap<>();
        private final LongHashSet inFlight = new LongHashSet();
        private long tickets;

        /** From the test thread: the fetch of message {@code id} completed. */
        void deliver(final long id)
        {
            arrived.add(id);
            wakeup.run();
        }

        @Override
        public StoredMessage message(final long channelId, final long messageId)
        {
            final String known = memory.get(messageId);
            if (known != null)
            {
                return new StoredMessage(messageId, channelId, 1, 2, known, 0, 0, false, false);
            }
            Long t = ticketOf.get(messageId);
            if (t == null || !inFlight.contains(t))
            {
                t = ++tickets;
                ticketOf.put(messageId, t);
                idOf.put(t, messageId);
                inFlight.add(t);
            }
            throw new ReadPendingException(t);
        }

        @Override
        public int pollCompletions()
        {
            int n = 0;
            for (Long id = arrived.poll(); id != null; id = arrived.poll())
            {
                final long t = ticketOf.get(id);
                inFlight.remove(t);
                memory.put(idOf.get(t), database.get(id));
                n++;
            }
            return n;
        }

        @Override
        public boolean readComplete(final long ticket)
        {
            return !inFlight.contains(ticket);
        }

        @Override
        public boolean hasCompletions()
        {
            return !arrived.isEmpty();
        }

        @Override
        public boolean asynchronous()
        {
            return true;
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
        }

        @Override
        public void appendMessage(final StoredMessage message)
        {
        }

        @Override
        public boolean deleteMessage(final long channelId, final long messageId)
        {
            return false;
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

    /** READ id1 id2 (0: none) reads both and records their contents; ECHO n records n. */
    private static final class Reader implements CommandHandler
    {
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Throwable> failed = new CompletableFuture<>();

        @Override
        public void onCommand(final Shard shard, final CommandReader command)
        {
            final long a = command.getLong();
            if (command.type() == ECHO)
            {
                seen.add("echo " + a);
                return;
            }
            final long b = command.getLong();
            final String first = shard.store().message(1, a).content();
            final String second = b == 0 ? "" : " " + shard.store().message(1, b).content();
            seen.add("read " + first + second);
        }

        @Override
        public void failed(final Shard shard, final CommandReader command, final Throwable cause)
        {
            failed.complete(cause);
        }
    }

    private static ShardGroup group(final FetchingStore store, final Reader reader)
    {
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 1, 64), (v, p, o) -> { });
        final ShardGroup g = new ShardGroup(0, 1, 1024, routing, id -> store, (shard, thread) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), null, null);
        g.shard(0).commandHandler(reader);
        return g;
    }

    private static void send(final ShardGroup g, final int type, final long... fields)
    {
        final CommandWriter w = new CommandWriter(64).begin(type);
        for (final long f : fields)
        {
            w.putLong(f);
        }
        assertTrue(g.send(0, w));
    }

    private static void awaitSeen(final Reader r, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!r.seen.contains(what))
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for '" + what + "': " + r.seen);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** Runs on the shard thread, returns what it computed there. */
    private static <T> T onShard(final ShardGroup g, final java.util.function.Function<Shard, T> f)
        throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(1);
        final Object[] out = new Object[1];
        assertTrue(g.send(0, s ->
        {
            out[0] = f.apply(s);
            done.countDown();
        }));
        assertTrue(done.await(10, TimeUnit.SECONDS));
        @SuppressWarnings("unchecked")
        final T t = (T)out[0];
        return t;
    }

    @Test
    void aCommandThatMustWaitForAReadIsParkedWhileTheShardServesOthersThenRunsAgain() throws Exception
    {
        final FetchingStore store = new FetchingStore();
        store.database.put(10L, "ten");
        store.database.put(11L, "eleven");
        final Reader reader = new Reader();
        try (ShardGroup g = group(store, reader))
        {
            g.start(30, TimeUnit.SECONDS);
            send(g, READ, 10, 11);
            send(g, ECHO, 1); // served while the read waits: the shard thread does not
            awaitSeen(reader, "echo 1");
            assertEquals(1, (int)onShard(g, Shard::parkedReads));
            store.deliver(10L); // the first read is in; the re-run misses the second and parks again
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!store.ticketOf.containsKey(11L))
            {
                assertTrue(System.nanoTime() < deadline, "the re-run asked for the second message");
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            send(g, ECHO, 2);
            awaitSeen(reader, "echo 2");
            store.deliver(11L);
            awaitSeen(reader, "read ten eleven");
            assertEquals(0, (int)onShard(g, Shard::parkedReads));
            assertEquals(1, g.shard(0).commandCount(READ), "a re-run is not another command");
            assertEquals(2, g.shard(0).counters().get(ShardCounters.READS_PARKED));
            assertFalse(reader.failed.isDone());
            send(g, READ, 10, 0); // in memory now: answered at once
            awaitSeen(reader, "read ten");
        }
    }

    @Test
    void aParkedReadStillWaitingAtItsDeadlineIsAnsweredUnavailable() throws Exception
    {
        final FetchingStore store = new FetchingStore();
        store.ackTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(200);
        final Reader reader = new Reader();
        try (ShardGroup g = group(store, reader))
        {
            g.start(30, TimeUnit.SECONDS);
            final long t0 = System.nanoTime();
            send(g, READ, 20, 0); // never delivered
            final Throwable cause = reader.failed.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200), "not before its deadline");
            assertEquals(StoreUnavailableException.Reason.UNAVAILABLE,
                assertInstanceOf(StoreUnavailableException.class, cause).reason());
            assertEquals(0, (int)onShard(g, Shard::parkedReads));
            assertEquals(1, g.shard(0).counters().get(ShardCounters.STORE_REFUSED));
        }
    }

    @Test
    void aTaskThatMustWaitForAReadIsParkedAndRunsAgain() throws Exception
    {
        final FetchingStore store = new FetchingStore();
        store.database.put(30L, "thirty");
        final CompletableFuture<String> answer = new CompletableFuture<>();
        try (ShardGroup g = group(store, new Reader()))
        {
            g.start(30, TimeUnit.SECONDS);
            assertTrue(g.send(0, s -> answer.complete(s.store().message(1, 30).content())));
            assertEquals(1, (int)onShard(g, Shard::parkedReads));
            assertFalse(answer.isDone());
            store.deliver(30L);
            assertEquals("thirty", answer.get(10, TimeUnit.SECONDS));
        }
    }
}
