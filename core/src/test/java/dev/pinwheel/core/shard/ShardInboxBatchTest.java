package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * The inbox batch is bounded: entries that piled up while a shard was busy are run at most {@link Shard#MAX_BATCH}
 * (here: a small limit) per duty cycle, with an I/O poll between every two batches, so a full ring cannot keep the
 * shard's sockets unread while it drains. Counted, not timed: every task records which I/O poll preceded it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardInboxBatchTest
{
    /** Counts I/O polls (on the shard thread) and parks when idle, like the parking driver. */
    private static final class CountingIoDriver implements IoDriver
    {
        private final Shard shard;
        private volatile Thread owner;
        private volatile boolean sleeping;
        int polls;

        CountingIoDriver(final Shard shard)
        {
            this.shard = shard;
        }

        @Override
        public int poll()
        {
            polls++;
            return 0;
        }

        @Override
        public int await(final long timeoutNanos)
        {
            owner = Thread.currentThread();
            sleeping = true;
            try
            {
                if (!shard.hasPendingInbox())
                {
                    LockSupport.parkNanos(this, timeoutNanos);
                }
            }
            finally
            {
                sleeping = false;
            }
            return 0;
        }

        @Override
        public void wakeup()
        {
            final Thread t = owner;
            if (sleeping && t != null)
            {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void close()
        {
        }
    }

    @Test
    void entriesThatPiledUpAreRunAtMostMaxBatchPerCycleWithIoBetween() throws Exception
    {
        final int limit = 100;
        final int entries = 1_000;
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 1, 64), (v, p, o) -> { });
        try (ShardGroup g = new ShardGroup(0, 1, 4096, routing, id -> new InMemoryShardStore(),
            (shard, thread) -> new CountingIoDriver(shard), ThreadPlacement.unpinned(), null))
        {
            g.shard(0).maxBatch(limit);
            g.start(30, TimeUnit.SECONDS);
            final CountDownLatch blocked = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            assertTrue(g.send(0, s ->
            {
                blocked.countDown();
                try
                {
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }));
            assertTrue(blocked.await(30, TimeUnit.SECONDS));

            // While the shard is busy, its inbox fills: every entry notes the I/O poll that came before it.
            final int[] pollOf = new int[entries];
            final CountDownLatch done = new CountDownLatch(1);
            for (int i = 0; i < entries; i++)
            {
                final int n = i;
                assertTrue(g.send(0, s ->
                {
                    pollOf[n] = ((CountingIoDriver)s.io()).polls;
                    if (n == entries - 1)
                    {
                        done.countDown();
                    }
                }));
            }
            release.countDown();
            assertTrue(done.await(30, TimeUnit.SECONDS));

            final TreeMap<Integer, Integer> perPoll = new TreeMap<>();
            for (final int poll : pollOf) // safe to read: the last task counted down the latch after writing
            {
                perPoll.merge(poll, 1, Integer::sum);
            }
            final int largest = perPoll.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            assertEquals(limit, largest, "entries run between two I/O polls: " + perPoll);
            assertTrue(perPoll.size() >= entries / limit, "batches: " + perPoll);
        }
    }
}
