package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Typed commands as bytes between real shard threads: fields round-trip, order holds with tasks sent on the same
 * path, a command to the sending shard itself runs at once from a copy (its handler may reuse the writer), commands
 * are counted by type, and a command that throws or is dropped reaches the handler's {@code failed}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardCommandsTest
{
    private static final int ECHO = 7;
    private static final int BOOM = 8;
    private static final int BOUNCE = 9;
    private static final int DURABLE = 10;

    /** Records what it ran and what failed, as strings. */
    private static final class Recorder implements CommandHandler
    {
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        @Override
        public void onCommand(final Shard shard, final CommandReader command)
        {
            switch (command.type())
            {
                case ECHO -> seen.add(shard.id() + ":" + command.getLong() + ":" + command.getString());
                case BOOM -> throw new IllegalStateException("boom " + command.getLong());
                case BOUNCE ->
                {
                    final long n = command.getLong();
                    // reuses this shard's writer while handling a command that came from that same writer
                    shard.send(shard.id(), shard.commandWriter().begin(ECHO).putLong(n + 1).putString("bounced"));
                    seen.add(shard.id() + ":bounce:" + n);
                }
                case DURABLE ->
                {
                    final long n = command.getLong();
                    shard.afterCommit(() -> seen.add(shard.id() + ":acked:" + n));
                }
                default -> throw new IllegalArgumentException("type " + command.type());
            }
        }

        @Override
        public void failed(final Shard shard, final CommandReader command, final Throwable cause)
        {
            failures.add(shard.id() + ":" + command.type() + ":" + command.getLong() + ":"
                + cause.getClass().getSimpleName());
        }
    }

    private static ShardGroup group(final Recorder[] handlers, final int ringSize)
    {
        return group(handlers, ringSize, new InMemoryShardStore[handlers.length]);
    }

    private static ShardGroup group(final Recorder[] handlers, final int ringSize, final InMemoryShardStore[] stores)
    {
        for (int i = 0; i < handlers.length; i++)
        {
            stores[i] = new InMemoryShardStore();
            handlers[i] = new Recorder();
        }
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, handlers.length, 64), (v, p, o) -> { });
        final ShardGroup g = new ShardGroup(0, handlers.length, ringSize, routing, id -> stores[id],
            (shard, thread) -> IoDriver.parking(), ThreadPlacement.unpinned(), null, null);
        for (int i = 0; i < handlers.length; i++)
        {
            g.shard(i).commandHandler(handlers[i]);
        }
        return g;
    }

    private static void await(final ShardGroup g, final int shard) throws InterruptedException
    {
        final CountDownLatch ran = new CountDownLatch(1);
        assertTrue(g.send(shard, s -> ran.countDown()));
        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }

    private static void awaitNonEmpty(final java.util.Collection<?> c)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.isEmpty())
        {
            assertTrue(System.nanoTime() < deadline, "timed out");
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void fieldsRoundTrip()
    {
        final CommandWriter w = new CommandWriter(8);
        w.begin(42).putLong(-5).putInt(7).putBoolean(true).putString("héllo ✓ 𝄞").putString(null)
            .putBytes(new byte[] {1, 2, 3}).putBytes(null).putLongs(new long[] {9, 10}).putString("x".repeat(5000));
        final CommandReader r = new CommandReader().wrap(w.buffer(), 0, w.length());
        assertEquals(42, r.type());
        assertEquals(-5, r.getLong());
        assertEquals(7, r.getInt());
        assertTrue(r.getBoolean());
        assertEquals("héllo ✓ 𝄞", r.getString());
        assertNull(r.getString());
        assertArrayEquals(new byte[] {1, 2, 3}, r.getBytes());
        assertNull(r.getBytes());
        assertArrayEquals(new long[] {9, 10}, r.getLongs());
        assertEquals("x".repeat(5000), r.getString());
        assertEquals(42, r.rewind().type());
    }

    @Test
    void aByteFieldIsReadWhereItLies()
    {
        final CommandWriter w = new CommandWriter(8);
        w.begin(43).putBytes(new byte[] {4, 5, 6, 7}).putBytes(null).putBytes(new byte[0]).putInt(11);
        final CommandReader r = new CommandReader().wrap(w.buffer(), 0, w.length());
        final org.agrona.concurrent.UnsafeBuffer view = new org.agrona.concurrent.UnsafeBuffer(new byte[0]);
        assertEquals(4, r.getBytes(view));
        assertEquals(4, view.capacity());
        final byte[] copy = new byte[4];
        view.getBytes(0, copy);
        assertArrayEquals(new byte[] {4, 5, 6, 7}, copy);
        assertEquals(-1, r.getBytes(view));
        assertEquals(4, view.capacity(), "a null field leaves the view as it was");
        assertEquals(0, r.getBytes(view));
        assertEquals(11, r.getInt());
    }

    /**
     * Issue 14: a command's buffer goes back to the shard once it ran, so commands that went round a ring many times
     * were carried by as many buffers as were in flight at once, not one per slot the ring ever used (before: each slot
     * kept the buffer of the first command through it, ≈ 20 MB per shard of 65,536 slots).
     */
    @Test
    void commandsRoundARingTakeAsManyBuffersAsWereInFlightNotOnePerSlot() throws Exception
    {
        final Recorder[] h = new Recorder[1];
        try (ShardGroup g = group(h, 1024))
        {
            g.start(30, TimeUnit.SECONDS);
            final CommandWriter w = new CommandWriter(64);
            for (int round = 0; round < 40; round++)
            {
                for (int i = 0; i < 100; i++) // 4,000 commands: the 1,024-slot ring wraps almost four times
                {
                    assertTrue(g.send(0, w.begin(ECHO).putLong(round * 100L + i).putString("x")));
                }
                await(g, 0); // at most 100 in flight at once
            }
            assertEquals(4000, h[0].seen.size());
            final long allocated = g.shard(0).counters().get(ShardCounters.INBOX_BUFFERS_ALLOCATED);
            assertTrue(allocated >= 1 && allocated <= 101, "buffers allocated: " + allocated);
        }
    }

    @Test
    void commandsKeepOrderWithTasksAndAreCountedByType() throws Exception
    {
        final Recorder[] h = new Recorder[2];
        try (ShardGroup g = group(h, 64))
        {
            g.start(30, TimeUnit.SECONDS);
            final List<String> order = new ArrayList<>();
            final CountDownLatch done = new CountDownLatch(1);
            assertTrue(g.send(0, s ->
            {
                for (int i = 0; i < 500; i++) // more than the target's ring: some wait aside, in order
                {
                    if (i % 3 == 0)
                    {
                        final int n = i;
                        s.send(1, t -> h[1].seen.add("1:" + n + ":task"));
                    }
                    else
                    {
                        s.send(1, s.commandWriter().begin(ECHO).putLong(i).putString("cmd"));
                    }
                }
                s.send(1, t -> done.countDown());
            }));
            assertTrue(done.await(30, TimeUnit.SECONDS));
            for (int i = 0; i < 500; i++)
            {
                order.add("1:" + i + (i % 3 == 0 ? ":task" : ":cmd"));
            }
            assertEquals(order, List.copyOf(h[1].seen));
            assertEquals(333, g.shard(1).commandCount(ECHO));
        }
    }

    @Test
    void heldCommandsWaitInOrderUntilReleasedWhileOthersRun() throws Exception
    {
        final Recorder[] h = new Recorder[2];
        try (ShardGroup g = group(h, 64))
        {
            g.shard(1).holdCommands(type -> type == ECHO, TimeUnit.MINUTES.toNanos(5));
            g.start(30, TimeUnit.SECONDS);
            final CountDownLatch sent = new CountDownLatch(1);
            assertTrue(g.send(0, s ->
            {
                for (int i = 0; i < 100; i++) // more than the target's ring: some wait aside, in order
                {
                    s.send(1, s.commandWriter().begin(ECHO).putLong(i).putString("held"));
                }
                s.send(1, s.commandWriter().begin(DURABLE).putLong(1000)); // not held: runs at once
                s.send(1, t -> sent.countDown());
            }));
            assertTrue(sent.await(30, TimeUnit.SECONDS));
            assertEquals(List.of("1:acked:1000"), List.copyOf(h[1].seen), "only the type not held ran");
            assertEquals(0, g.shard(1).commandCount(ECHO), "a held command is counted when it runs");
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (g.shard(1).gauges().get(ShardGauges.HELD_COMMANDS) != 100) // sampled at the shard's next tick
            {
                assertTrue(System.nanoTime() < until, "held_commands gauge at 100");
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            final CountDownLatch released = new CountDownLatch(1);
            final int[] count = new int[1];
            assertTrue(g.send(1, s ->
            {
                count[0] = s.releaseHeldCommands();
                s.send(1, s.commandWriter().begin(ECHO).putLong(100).putString("after"));
                released.countDown();
            }));
            assertTrue(released.await(30, TimeUnit.SECONDS));
            assertEquals(100, count[0]);
            assertEquals(0, g.shard(1).gauges().get(ShardGauges.HELD_COMMANDS), "the gauge falls with the release");
            awaitSize(h[1].seen, 102);
            final List<String> order = new ArrayList<>(List.of("1:acked:1000"));
            for (int i = 0; i < 100; i++)
            {
                order.add("1:" + i + ":held");
            }
            order.add("1:100:after");
            assertEquals(order, List.copyOf(h[1].seen), "released in arrival order, before what came after");
            assertEquals(101, g.shard(1).commandCount(ECHO));
        }
    }

    @Test
    void aHoldNobodyReleasesEndsAtItsDeadline() throws Exception
    {
        final Recorder[] h = new Recorder[1];
        try (ShardGroup g = group(h, 64))
        {
            g.shard(0).holdCommands(type -> true, TimeUnit.MILLISECONDS.toNanos(200));
            g.start(30, TimeUnit.SECONDS);
            assertTrue(g.send(0, new CommandWriter(64).begin(ECHO).putLong(1).putString("late")));
            awaitNonEmpty(h[0].seen);
            assertEquals(List.of("0:1:late"), List.copyOf(h[0].seen));
        }
    }

    private static void awaitSize(final java.util.Collection<?> c, final int size)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.size() < size)
        {
            assertTrue(System.nanoTime() < deadline, "timed out at " + c.size() + " of " + size);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void aCommandToItselfRunsNowFromACopyAndFailuresReachTheHandler() throws Exception
    {
        final Recorder[] h = new Recorder[2];
        try (ShardGroup g = group(h, 64))
        {
            g.start(30, TimeUnit.SECONDS);
            final CommandWriter outside = new CommandWriter();
            assertTrue(g.send(0, outside.begin(BOUNCE).putLong(1)));
            assertTrue(g.send(1, outside.begin(BOOM).putLong(99)));
            await(g, 0);
            await(g, 1);
            assertEquals(List.of("0:2:bounced", "0:bounce:1"), List.copyOf(h[0].seen));
            assertEquals(List.of("1:8:99:IllegalStateException"), List.copyOf(h[1].failures));
            assertEquals(1, g.shard(1).counters().get(ShardCounters.TASK_ERRORS));
        }
    }

    @Test
    void aCommandWhoseGroupCommitFailsIsTold() throws Exception
    {
        final Recorder[] h = new Recorder[2];
        final InMemoryShardStore[] stores = new InMemoryShardStore[2];
        try (ShardGroup g = group(h, 64, stores))
        {
            g.start(30, TimeUnit.SECONDS);
            stores[1].failCommit = new IllegalStateException("fdatasync failed");
            assertTrue(g.send(1, new CommandWriter().begin(DURABLE).putLong(5)));
            awaitNonEmpty(h[1].failures); // the commit runs after the batch that ran the command
            assertEquals(List.of("1:10:5:IllegalStateException"), List.copyOf(h[1].failures));
            assertTrue(h[1].seen.isEmpty(), "nothing acknowledged");
            stores[1].failCommit = null;
            assertTrue(g.send(1, new CommandWriter().begin(DURABLE).putLong(6)));
            awaitNonEmpty(h[1].seen);
            assertEquals(List.of("1:acked:6"), List.copyOf(h[1].seen));
        }
    }

    @Test
    void aDroppedCommandIsReportedOnTheSender() throws Exception
    {
        final Recorder[] h = new Recorder[2];
        try (ShardGroup g = group(h, 64))
        {
            g.shard(0).maxDeferred(16);
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
            final CountDownLatch sent = new CountDownLatch(1);
            assertTrue(g.send(0, s ->
            {
                for (int i = 0; i < 64 + 16 + 5; i++)
                {
                    s.send(1, s.commandWriter().begin(ECHO).putLong(i).putString("x"));
                }
                sent.countDown();
            }));
            assertTrue(sent.await(10, TimeUnit.SECONDS));
            release.countDown();
            await(g, 0);
            final List<String> failures = List.copyOf(h[0].failures);
            assertTrue(failures.size() >= 5, failures.toString());
            for (final String f : failures)
            {
                assertTrue(f.matches("0:7:\\d+:HandoffDroppedException"), f);
            }
        }
    }
}
