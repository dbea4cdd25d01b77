package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Shards on real threads with the parking I/O driver: hand-offs cross threads, order per guild holds, a
 * session's state is only touched by its shard thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardGroupTest
{
    /** A session that checks it runs on its shard thread and that it sees events in production order. */
    static final class OrderCheckingSession extends SessionEndpoint
    {
        final Thread owner;
        final List<Long> seen = new ArrayList<>();
        final CountDownLatch done;
        volatile String violation;

        OrderCheckingSession(final Thread owner, final CountDownLatch done)
        {
            this.owner = owner;
            this.done = done;
        }

        @Override
        public long userId()
        {
            return 1;
        }

        @Override
        public void dispatch(final Dispatch d)
        {
            if (Thread.currentThread() != owner)
            {
                violation = "dispatched on " + Thread.currentThread().getName();
            }
            final long n = Long.parseLong(new String(d.data(), StandardCharsets.US_ASCII));
            if (!seen.isEmpty() && n != seen.get(seen.size() - 1) + 1)
            {
                violation = "out of order: " + n + " after " + seen.get(seen.size() - 1);
            }
            seen.add(n);
            if (n == 19_999)
            {
                done.countDown();
            }
        }

        @Override
        public void flush()
        {
        }
    }

    private static ShardGroup group(final int shards, final int ringSize)
    {
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, shards, 64), (v, p, o) -> { });
        final ShardGroup g = new ShardGroup(0, shards, ringSize, routing, id -> new InMemoryShardStore(),
            (shard, thread) -> IoDriver.parking(), ThreadPlacement.unpinned(), null);
        g.start(30, TimeUnit.SECONDS);
        return g;
    }

    private static <T> T onShard(final ShardGroup g, final int shard, final java.util.function.Function<Shard, T> f)
        throws InterruptedException
    {
        final CountDownLatch latch = new CountDownLatch(1);
        final Object[] out = new Object[1];
        assertTrue(g.send(shard, s ->
        {
            out[0] = f.apply(s);
            latch.countDown();
        }));
        assertTrue(latch.await(10, TimeUnit.SECONDS));
        @SuppressWarnings("unchecked")
        final T t = (T)out[0];
        return t;
    }

    @Test
    void fanoutKeepsGuildOrderAcrossShardsEvenWhenRingsOverflow() throws Exception
    {
        // A tiny ring (64) forces the owner's overflow path; order must still hold.
        try (ShardGroup g = group(3, 64))
        {
            final long guildId = 42;
            final int owner = g.ownerOf(guildId);
            final CountDownLatch done = new CountDownLatch(6);
            final List<OrderCheckingSession> sessions = new ArrayList<>();
            for (int s = 0; s < 3; s++)
            {
                final int shard = s;
                for (int k = 0; k < 2; k++)
                {
                    sessions.add(onShard(g, shard, sh ->
                    {
                        final OrderCheckingSession session = new OrderCheckingSession(Thread.currentThread(), done);
                        sh.sessions().subscribe(guildId, session);
                        return session;
                    }));
                }
            }
            onShard(g, owner, sh ->
            {
                final Guild guild = new Guild(guildId, "g", 1);
                for (int s = 0; s < 3; s++)
                {
                    guild.addInterest(s);
                }
                sh.guilds().put(guild);
                for (int i = 0; i < 20_000; i++)
                {
                    sh.publish(guild, new Dispatch("E", Integer.toString(i).getBytes(StandardCharsets.US_ASCII), null, 0,
                        guildId, 0, 0));
                }
                return null;
            });
            assertTrue(done.await(30, TimeUnit.SECONDS), "every session received all events");
            for (final OrderCheckingSession s : sessions)
            {
                assertEquals(null, s.violation);
                assertEquals(20_000, s.seen.size());
            }
            final long deferred = g.shard(owner).counters().get(ShardCounters.HANDOFFS_DEFERRED);
            assertTrue(deferred > 0, "the small ring overflowed into the ordered overflow queue");
            assertEquals(0, g.shard(owner).counters().get(ShardCounters.HANDOFFS_DROPPED));
        }
    }

    @Test
    void sendFromAnyThreadWakesABlockedShard() throws Exception
    {
        try (ShardGroup g = group(2, 1024))
        {
            final AtomicLong ran = new AtomicLong();
            final CountDownLatch latch = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++)
            {
                while (!g.send(i % 2, s ->
                {
                    ran.incrementAndGet();
                    latch.countDown();
                }))
                {
                    Thread.sleep(1);
                }
            }
            assertTrue(latch.await(10, TimeUnit.SECONDS));
            assertEquals(1000, ran.get());
        }
    }

    @Test
    void fullInboxRefusesInsteadOfBlocking() throws Exception
    {
        try (ShardGroup g = group(1, 64))
        {
            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch blocked = new CountDownLatch(1);
            g.send(0, s ->
            {
                blocked.countDown();
                try
                {
                    release.await(10, TimeUnit.SECONDS);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            int accepted = 0;
            for (int i = 0; i < 200; i++)
            {
                if (g.send(0, s -> { }))
                {
                    accepted++;
                }
            }
            release.countDown();
            assertEquals(63, accepted, "ring capacity less the slot of the task still running, then refusals");
            assertEquals(137, g.shard(0).counters().get(ShardCounters.INBOX_REFUSED));
        }
    }
}
