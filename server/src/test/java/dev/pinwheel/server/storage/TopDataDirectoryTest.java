package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.counters.CountersFileReader;
import dev.pinwheel.core.counters.CountersFileReader.Liveness;
import dev.pinwheel.server.top.CountersScrape;
import dev.pinwheel.server.top.MetricsScrape;

/**
 * {@code pinwheel top --data DIR} against a real node in a child JVM: its counters file (in its data directory)
 * shows its counters move as it serves — read here through the reader, and by the command line in another JVM,
 * without HTTP or a token — says it runs; after SIGTERM it says the node stopped cleanly and keeps its last values;
 * a restart replaces the file; after SIGKILL it says the node is gone.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TopDataDirectoryTest
{
    private static final int POSTS = 20;

    @TempDir
    Path dir;

    @Test
    void topReadsALiveNodeFromItsCountersFileAndTellsAStoppedNodeFromAGoneOne() throws Exception
    {
        final Path data = dir.resolve("data");
        final double posted;
        final CountersFileReader first;
        try (ServerProcess node = ServerProcess.start(data, 2, "os", dir.resolve("first.log"), 180))
        {
            first = CountersFileReader.open(data);
            assertEquals(node.pid(), first.pid());
            assertEquals(2, first.shards());
            assertEquals(Liveness.RUNNING, first.liveness(System.currentTimeMillis()));
            final MetricsScrape before = scrape(first);
            assertEquals(2, before.value("pinwheel_node_shards"));
            assertTrue(before.value("pinwheel_shard_ring_capacity", "shard", "1") > 0, "gauges are there");

            final RestClient rest = new RestClient(node.restBase());
            final RestClient.User user = rest.register("watched");
            final String channelId = rest.ok("POST", "guilds", user.token(), "{\"name\":\"watched\"}")
                .get("channels").get(0).get("id").asText();
            for (int i = 0; i < POSTS; i++)
            {
                rest.ok("POST", "channels/" + channelId + "/messages", user.token(), "{\"content\":\"m" + i + "\"}");
            }
            // Counted on the owner shard before it answered: visible here once the answers came.
            final MetricsScrape after = scrape(first);
            posted = sum(after, "pinwheel_shard_commands_total", "type", "message_post");
            assertEquals(sum(before, "pinwheel_shard_commands_total", "type", "message_post") + POSTS, posted,
                "one message_post command per post");
            assertTrue(sum(after, "pinwheel_shard_inbox_events_total", null, null)
                + sum(after, "pinwheel_shard_busy_cycles_total", null, null)
                > sum(before, "pinwheel_shard_inbox_events_total", null, null)
                + sum(before, "pinwheel_shard_busy_cycles_total", null, null), "the shards worked");
            // Sampled: the shards' gauges at every tick, the node's at every second.
            awaitScrape(first, s -> sum(s, "pinwheel_shard_guilds_owned", null, null) == 1
                && s.value("pinwheel_node_accounts") == 1 && s.value("pinwheel_node_guilds") == 1
                && s.value("jvm_memory_used_bytes", "area", "heap") > 0);

            final String frame = ServerProcess.runCli(120, "top", "--data", data.toString(), "--once", "--no-color",
                "--interval", "0.3");
            assertTrue(frame.contains("node running (pid " + node.pid() + ", 2 shard(s))"), frame);
            assertTrue(frame.contains("accounts 1   guilds 1"), frame);
            assertTrue(frame.lines().anyMatch(l -> l.matches("\\s+0\\s+\\d+\\s+\\d+\\s+\\d+/\\d+\\s+\\d+/65536 .*")),
                "a row for shard 0:\n" + frame);

            node.stop();
            assertEquals(Liveness.STOPPED, first.liveness(System.currentTimeMillis()));
            assertTrue(first.stopMillis() > 0);
            assertEquals(posted, sum(scrape(first), "pinwheel_shard_commands_total", "type", "message_post"),
                "a stopped node's last counters stay readable");
            assertTrue(CountersScrape.status(first, System.currentTimeMillis()).contains("STOPPED"));
        }

        try (ServerProcess again = ServerProcess.start(data, 2, "os", dir.resolve("second.log"), 180))
        {
            assertTrue(first.replaced(), "a restart writes a new file");
            final CountersFileReader second = CountersFileReader.open(data);
            assertEquals(again.pid(), second.pid());
            assertEquals(Liveness.RUNNING, second.liveness(System.currentTimeMillis()));
            assertEquals(0, sum(scrape(second), "pinwheel_shard_commands_total", "type", "message_post"),
                "counters start afresh");
            again.kill();
            assertEquals(Liveness.GONE, second.liveness(System.currentTimeMillis()));
            assertTrue(CountersScrape.status(second, System.currentTimeMillis()).contains("GONE"));
            final String frame = ServerProcess.runCli(120, "top", "--data", data.toString(), "--once", "--no-color",
                "--interval", "0.1");
            assertTrue(frame.contains("node GONE: process " + again.pid()), frame);
        }
    }

    private static MetricsScrape scrape(final CountersFileReader file)
    {
        return CountersScrape.read(file, System.currentTimeMillis(), System.nanoTime());
    }

    /** Waits (20 s at most) until a scrape of the file satisfies the condition. */
    private static void awaitScrape(final CountersFileReader file, final Predicate<MetricsScrape> condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        MetricsScrape s = scrape(file);
        while (!condition.test(s))
        {
            assertTrue(System.nanoTime() < deadline, "the sampled counters never showed the node's state");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            s = scrape(file);
        }
    }

    /** The sum of a family's samples over the shards (and the label value, when given). */
    private static double sum(final MetricsScrape s, final String family, final String label, final String value)
    {
        double total = 0;
        for (final String shard : s.labelValues(family, "shard"))
        {
            final double v = label == null ? s.value(family, "shard", shard) : s.value(family, "shard", shard, label,
                value);
            total += Double.isNaN(v) ? 0 : v;
        }
        return total;
    }
}
