package dev.pinwheel.benchmarks.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The probe reads the node's Prometheus text and its sockets' peers from /proc.
 */
class NodeMetricsTest
{
    private static final String TEXT = """
        # HELP pinwheel_shard_tick_age_seconds Seconds since the shard last ran its timers.
        # TYPE pinwheel_shard_tick_age_seconds gauge
        pinwheel_shard_tick_age_seconds{shard="0"} 0.031
        pinwheel_shard_tick_age_seconds{shard="1"} 0.048
        # TYPE pinwheel_edge_connections_closed_total counter
        pinwheel_edge_connections_closed_total{shard="0",reason="first_request_timeout"} 60
        pinwheel_edge_connections_closed_total{shard="1",reason="first_request_timeout"} 40
        pinwheel_edge_connections_closed_total{shard="1",reason="header_timeout"} 7
        pinwheel_node_connections 4
        pinwheel_shard_handoff_latency_seconds_bucket{shard="0",le="+Inf"} 12
        jvm_gc_collection_seconds{gc="ZGC"} NaN
        """;

    @Test
    void sumsSamplesByNameAndLabels()
    {
        final NodeMetrics m = NodeMetrics.parse(TEXT);
        assertEquals(107, m.sum("pinwheel_edge_connections_closed_total"));
        assertEquals(7, m.sum("pinwheel_edge_connections_closed_total", "reason=\"header_timeout\""));
        assertEquals(4, m.sum("pinwheel_node_connections"));
        assertEquals(0.048, m.max("pinwheel_shard_tick_age_seconds"));
        assertTrue(Double.isNaN(m.max("pinwheel_no_such_metric")));
        assertEquals(12, m.sum("pinwheel_shard_handoff_latency_seconds_bucket"));
        assertEquals(Map.of("first_request_timeout", 100.0, "header_timeout", 7.0),
            m.byReason("pinwheel_edge_connections_closed_total"));
    }

    @Test
    void decodesProcNetAddresses()
    {
        assertEquals("127.0.0.1", NodeMetrics.ipv4("0100007F:1F90"));
        assertEquals("127.0.1.9", NodeMetrics.ipv4("0000000000000000FFFF00000901007F:9C40"));
        assertTrue(NodeMetrics.ipv4("00000000000000000000000001000000:1F90").startsWith("[v6]"));
        assertEquals(3, NodeMetrics.attackerConnections(Map.of("127.0.0.1", 9, "127.0.0.2", 2, "127.0.1.4", 1)));
    }
}
