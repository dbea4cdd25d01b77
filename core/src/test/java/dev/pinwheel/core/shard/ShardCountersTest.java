package dev.pinwheel.core.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * A shard's numbers live in the node's counters: its counters, its gauges (sampled at every tick), its store's
 * health and its typed commands by type — named by the command handler, or by number for a type it does not name.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardCountersTest
{
    private static final int NAMED = 40;
    private static final int UNNAMED = 41;

    /** Runs every command; names one type. */
    private static final class Handler implements CommandHandler
    {
        @Override
        public void onCommand(final Shard shard, final CommandReader command)
        {
        }

        @Override
        public void failed(final Shard shard, final CommandReader command, final Throwable cause)
        {
        }

        @Override
        public String commandName(final int type)
        {
            return type == NAMED ? "named_thing" : null;
        }
    }

    private static Map<String, Long> labels(final NodeCounters counters, final int type)
    {
        final Map<String, Long> out = new LinkedHashMap<>();
        counters.reader().forEach((id, t, key, label) ->
        {
            if (t == type)
            {
                out.put(label, counters.reader().getCounterValue(id));
            }
        });
        return out;
    }

    @Test
    void aShardsNumbersAreInTheNodesCounters() throws Exception
    {
        final NodeCounters counters = NodeCounters.inMemory(NodeCounters.capacityFor(2));
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 2, 64), (v, p, o) -> { });
        final InMemoryShardStore store = new InMemoryShardStore();
        try (ShardGroup g = new ShardGroup(0, 2, 256, routing, id -> id == 1 ? store : new InMemoryShardStore(),
            (shard, thread) -> IoDriver.parking(), ThreadPlacement.unpinned(), null, null, counters))
        {
            g.shard(1).commandHandler(new Handler());
            assertEquals(Map.of("pinwheel_shard_commands_total{shard=\"1\",type=\"named_thing\"}", 0L),
                labels(counters, CounterTypes.COMMAND), "named types are registered with the handler");
            assertEquals(256,
                labels(counters, CounterTypes.SHARD_GAUGE).get("pinwheel_shard_ring_capacity{shard=\"1\"}"));
            assertEquals(1, labels(counters, CounterTypes.STORE_GAUGE).get("pinwheel_store_writable{shard=\"1\"}"));
            g.start(30, TimeUnit.SECONDS);

            final CountDownLatch sent = new CountDownLatch(1);
            assertTrue(g.send(0, s ->
            {
                for (int i = 0; i < 3; i++)
                {
                    s.send(1, s.commandWriter().begin(NAMED).putLong(i));
                }
                s.send(1, s.commandWriter().begin(UNNAMED).putLong(0));
                s.send(1, t -> sent.countDown());
            }));
            assertTrue(sent.await(10, TimeUnit.SECONDS));
            assertEquals(3, g.shard(1).commandCount(NAMED));
            assertEquals(1, g.shard(1).commandCount(UNNAMED));
            assertEquals(0, g.shard(1).commandCount(NAMED + 2));
            assertEquals(Map.of(
                "pinwheel_shard_commands_total{shard=\"1\",type=\"named_thing\"}", 3L,
                "pinwheel_shard_commands_total{shard=\"1\",type=\"" + UNNAMED + "\"}", 1L),
                labels(counters, CounterTypes.COMMAND));
            // counted when the inbox poll that ran them returns, just after the last one counted down: wait for it
            final long counted = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (labels(counters, CounterTypes.SHARD).get("pinwheel_shard_inbox_events_total{shard=\"1\"}") < 5)
            {
                assertTrue(System.nanoTime() < counted, "inbox events counted");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            assertEquals(g.shard(1).counters().get(ShardCounters.HANDOFFS_OUT),
                labels(counters, CounterTypes.SHARD).get("pinwheel_shard_handoffs_out_total{shard=\"1\"}"));

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (g.shard(1).gauges().get(ShardGauges.TICK_EPOCH_MILLIS) == 0) // sampled at the first tick
            {
                assertTrue(System.nanoTime() < deadline, "the shard never ticked");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertTrue(labels(counters, CounterTypes.SHARD_GAUGE).get("pinwheel_shard_tick_epoch_millis{shard=\"1\"}")
                <= System.currentTimeMillis());
            assertEquals(6, labels(counters, CounterTypes.STORE).size(), "each store's health counters");
            assertEquals(0,
                labels(counters, CounterTypes.STORE).get("pinwheel_store_refused_writes_total{shard=\"1\"}"));
        }
    }
}
