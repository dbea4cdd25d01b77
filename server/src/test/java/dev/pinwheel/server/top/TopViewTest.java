package dev.pinwheel.server.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code pinwheel top}'s parsing and one frame, from two hand-written scrapes one second apart.
 */
class TopViewTest
{
    private static String scrape(final long inbox, final long deliveries, final long refused, final long fast,
        final long slow)
    {
        return """
            # HELP pinwheel_shard_sessions Gateway sessions.
            # TYPE pinwheel_shard_sessions gauge
            pinwheel_shard_sessions{shard="0"} 3
            pinwheel_shard_sessions{shard="1"} 4
            pinwheel_shard_connections{shard="0"} 2
            pinwheel_shard_connections{shard="1"} 4
            pinwheel_shard_guilds_owned{shard="0"} 5
            pinwheel_shard_guilds_followed{shard="0"} 6
            pinwheel_shard_ring_depth{shard="0"} 7
            pinwheel_shard_ring_capacity{shard="0"} 65536
            pinwheel_shard_inbox_events_total{shard="0"} %d
            pinwheel_shard_deliveries_total{shard="0"} %d
            pinwheel_shard_inbox_refused_total{shard="0"} %d
            pinwheel_shard_busy_nanos_total{shard="0"} %d
            pinwheel_shard_busy_cycles_total{shard="0"} %d
            pinwheel_shard_handoff_latency_seconds_bucket{shard="0",le="0.00005"} %d
            pinwheel_shard_handoff_latency_seconds_bucket{shard="0",le="0.001"} %d
            pinwheel_shard_handoff_latency_seconds_bucket{shard="0",le="+Inf"} %d
            pinwheel_shard_handoff_latency_seconds_bucket{shard="1",le="0.00005"} 0
            pinwheel_shard_handoff_latency_seconds_bucket{shard="1",le="0.001"} 0
            pinwheel_shard_handoff_latency_seconds_bucket{shard="1",le="+Inf"} 0
            pinwheel_shard_handoff_latency_max_seconds{shard="0"} 0.0004
            pinwheel_node_shards 2
            pinwheel_node_sessions 7
            pinwheel_node_uptime_seconds 3725
            jvm_memory_used_bytes{area="heap"} 104857600
            jvm_memory_max_bytes{area="heap"} 1073741824
            jvm_gc_collection_seconds_count{gc="ZGC \\"Pauses\\""} 4
            jvm_gc_collection_seconds_sum{gc="ZGC \\"Pauses\\""} 0.002
            process_cpu_seconds_total %d
            """.formatted(inbox, deliveries, refused, inbox * 1000, inbox, fast, fast + slow, fast + slow, inbox / 100);
    }

    @Test
    void parsesLabelsWithEscapesAndSpecialValues()
    {
        final MetricsScrape s = MetricsScrape.parse(scrape(100, 10, 0, 9, 1)
            + "odd{a=\"x,y\",b=\"line\\nbreak\"} NaN\nbig 1.5E9\n", 0);
        assertEquals(3, s.value("pinwheel_shard_sessions", "shard", "0"));
        assertEquals(4, s.value("jvm_gc_collection_seconds_count", "gc", "ZGC \"Pauses\""));
        assertTrue(Double.isNaN(s.value("odd", "a", "x,y", "b", "line\nbreak")));
        assertEquals(1.5e9, s.value("big"));
        assertEquals(List.of("0", "1"), List.copyOf(s.labelValues("pinwheel_shard_sessions", "shard")));
        assertEquals(10.0, s.buckets("pinwheel_shard_handoff_latency_seconds").get(Double.POSITIVE_INFINITY));
    }

    @Test
    void rendersRatesPercentilesAndShardRows()
    {
        final MetricsScrape prev = MetricsScrape.parse(scrape(1000, 100, 1, 90, 0), 0);
        final MetricsScrape curr = MetricsScrape.parse(scrape(3000, 600, 3, 189, 1), TimeUnit.SECONDS.toNanos(1));
        final List<String> lines = new TopView("http://127.0.0.1:8080", false).render(prev, curr);
        final String frame = String.join("\n", lines);
        assertTrue(lines.get(0).startsWith("pinwheel top — http://127.0.0.1:8080   up 1h 02m"), frame);
        assertTrue(lines.get(1).contains("sessions 7") && lines.get(1).contains("heap 100.0 MiB / 1.0 GiB")
            && lines.get(1).contains("cpu 2000.0%"), frame);
        assertTrue(lines.get(2).contains("ZGC \"Pauses\" 4 (+0.0/s, 0.0 ms/s)"), frame);
        // 100 probes in the second: 99 at most 50 µs, one at most 1 ms.
        assertTrue(lines.get(3).contains("p50 50µs") && lines.get(3).contains("p99 50µs")
            && lines.get(3).contains("max 400µs") && lines.get(3).contains("(100 probes)"), frame);
        final String shard0 = lines.stream().filter(l -> l.startsWith("     0 ")).findFirst().orElseThrow();
        assertTrue(shard0.contains("2000.0") && shard0.contains("500.0"), shard0);       // in/s, out/s
        assertTrue(shard0.contains("7/65536") && shard0.contains("5/6"), shard0);        // ring, guilds
        assertTrue(shard0.contains("0.2%") && shard0.contains("1µs"), shard0);           // busy, mean cycle
        assertTrue(shard0.contains("inbox_refused 3 +2.0/s"), shard0);
        final String shard1 = lines.stream().filter(l -> l.startsWith("     1 ")).findFirst().orElseThrow();
        assertTrue(shard1.endsWith("  -"), shard1);
        assertTrue(!frame.contains("\033["), "no ANSI without color");
        assertTrue(new TopView("x", true).render(null, curr).get(0).contains("\033[1m"));
    }
}
