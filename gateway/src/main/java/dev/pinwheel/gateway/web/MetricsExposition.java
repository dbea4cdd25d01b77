package dev.pinwheel.gateway.web;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.log.LogCounters;
import dev.pinwheel.core.shard.ShardCounters;
import dev.pinwheel.core.shard.ShardGauges;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayContext;

/**
 * Renders a node's numbers in the Prometheus text format. Reads only what is safe from any thread: the node's
 * counters (one Agrona counters buffer — the same values {@code pinwheel top --data} reads from the counters file),
 * the {@link ShardProbe} histograms, the directories' concurrent maps and the JVM's management beans.
 * <pre>
 *   from the node's counters, every counter's label is its sample (families in order of first appearance):
 *     per shard (shard="i"):     pinwheel_shard_{connections,sessions,guilds_owned,guilds_followed,ring_depth,
 *                                ring_capacity,tick_epoch_millis,held_commands}, pinwheel_shard_&lt;counter&gt;_total,
 *                                pinwheel_shard_commands_total{type}, pinwheel_store_writable,
 *                                pinwheel_store_{refused_writes,damaged_records,repaired_headers}_total,
 *                                pinwheel_edge_connections_{closed,refused}_total{reason},
 *                                pinwheel_gateway_identify_refused_total{reason}, pinwheel_auth_refused_total{reason}
 *     per media loop (loop="i"): pinwheel_voice_&lt;outcome&gt;_total (when voice runs)
 *   derived and live:            pinwheel_shard_tick_age_seconds, pinwheel_shard_handoff_latency_seconds
 *                                (histogram) + _max_seconds,
 *                                pinwheel_node_{shards,connections,sessions,accounts,guilds,uptime_seconds},
 *                                pinwheel_node_log_{dropped,suppressed}_total,
 *                                jvm_memory_{used,committed,max}_bytes{area}, jvm_gc_collection_seconds{gc},
 *                                jvm_threads_current, process_cpu_seconds_total
 * </pre>
 * The node-wide JVM and directory numbers the {@code NodeSampler} copies into the counters once a second (for the
 * counters file) are rendered live here instead.
 */
final class MetricsExposition
{
    private static final Map<String, String> HELP = help();

    private MetricsExposition()
    {
    }

    private static Map<String, String> help()
    {
        final Map<String, String> counters = Map.ofEntries(
            Map.entry("inbox_events", "Commands and fanouts taken from the shard's inbox ring."),
            Map.entry("deliveries", "Events queued to local gateway sessions."),
            Map.entry("handoffs_out", "Hand-offs published to other shards' rings."),
            Map.entry("handoffs_deferred",
                "Hand-offs that found the target ring full and waited in the overflow queue."),
            Map.entry("handoffs_dropped", "Hand-offs dropped because the overflow queue was full."),
            Map.entry("inbox_refused", "Requests refused because the shard's ring was full."),
            Map.entry("task_errors", "Tasks that threw."),
            Map.entry("busy_cycles", "Duty cycles that did work."),
            Map.entry("busy_nanos", "Nanoseconds spent in duty cycles that did work."),
            Map.entry("slow_consumer_closes", "Sessions closed because their socket stayed unwritable."),
            Map.entry("protocol_closes", "Gateway sessions closed with an error close code."),
            Map.entry("rate_limited", "Requests refused by a rate limit."),
            Map.entry("store_refused", "Writes the store refused before touching its journal (disk full, faulted)."),
            Map.entry("reads_parked", "Requests parked until a read of the database completed (Cassandra store)."),
            Map.entry("inbox_buffers_allocated",
                "Buffers made for commands' bytes on their way through the inbox because none was spare."));
        final Map<String, String> help = new java.util.HashMap<>();
        for (int c = 0; c < ShardCounters.size(); c++)
        {
            final String name = ShardCounters.name(c);
            help.put("pinwheel_shard_" + name + "_total", counters.getOrDefault(name, "Shard counter " + name + "."));
        }
        help.put("pinwheel_cluster_ring_epoch", "The ring epoch this node applied last (agreed by consensus).");
        help.put("pinwheel_cluster_live_nodes", "Live nodes in that ring epoch.");
        help.put("pinwheel_cluster_catch_up_started_total", "Catch-ups of this node's node-wide records a peer asked "
            + "for, per shard (a peer that asks again restarts its scan).");
        help.put("pinwheel_cluster_catch_up_completed_total", "Catch-ups that sent every record to the peer.");
        help.put("pinwheel_cluster_catch_up_abandoned_total", "Catch-ups stopped because the peer went away.");
        help.put("pinwheel_cluster_catch_up_records_total", "State records sent by catch-ups.");
        help.put("pinwheel_cluster_catch_up_slices_total", "Slices of the state journal read by catch-ups (one per "
            + "shard duty cycle at most).");
        help.put("pinwheel_cluster_catch_up_running", "Catch-ups running now (per shard and peer).");
        help.put("pinwheel_cluster_catch_up_slice_max_nanoseconds", "Longest a catch-up slice held its shard.");
        help.put("pinwheel_cluster_late_guilds_deferred_total", "Guild subscriptions of sessions that failed for a "
            + "reason that may heal (owner node unreachable, guild moving): the session waits for the guild.");
        help.put("pinwheel_cluster_late_guilds_retried_total", "Waiting guild subscriptions sent again.");
        help.put("pinwheel_cluster_late_guilds_healed_total", "Waiting guild subscriptions answered with GUILD_CREATE.");
        help.put("pinwheel_cluster_late_guilds_dropped_total", "Guild subscriptions not remembered for a retry (the "
            + "shard's table was full).");
        help.put("pinwheel_cluster_late_guilds_waiting", "(session, guild) pairs waiting to be subscribed again.");
        help.put("pinwheel_shard_connections", "Gateway WebSocket connections on the shard.");
        help.put("pinwheel_shard_sessions", "Gateway sessions on the shard (connected or awaiting RESUME).");
        help.put("pinwheel_shard_guilds_owned", "Guilds the shard owns (single writer).");
        help.put("pinwheel_shard_guilds_followed", "Guilds with at least one subscribed session on the shard.");
        help.put("pinwheel_shard_ring_depth", "Entries waiting in the shard's inbox ring (at its last tick).");
        help.put("pinwheel_shard_ring_capacity", "Inbox ring capacity.");
        help.put("pinwheel_shard_tick_epoch_millis", "Wall-clock time of the shard's last tick (epoch ms).");
        help.put("pinwheel_shard_held_commands", "Commands held back at the node's start until its cluster peers "
            + "follow it again (0 once the hold ended).");
        help.put("pinwheel_shard_commands_total", "Typed commands the shard ran, by type (owner operations, answers).");
        help.put("pinwheel_store_writable", "1 while the shard's store accepts writes, 0 while it refuses them "
            + "(disk below the reserve, a fault).");
        help.put("pinwheel_store_refused_writes_total", "Writes the store refused before touching its journal "
            + "(answered 507/503).");
        help.put("pinwheel_store_damaged_records_total", "Journal records lost to damage found at recovery or on "
            + "read (checksum mismatch, damaged region); the log lists each with its position and id.");
        help.put("pinwheel_store_repaired_headers_total", "Journal records recovered past a damaged header "
            + "(their own checksum proved them intact).");
        help.put(EdgeCounters.CLOSED_FAMILY, "Connections the edge closed, by reason (deadlines, malformed requests).");
        help.put(EdgeCounters.REFUSED_FAMILY, "Connections refused at accept, by reason (per-address cap).");
        help.put(EdgeCounters.IDENTIFY_FAMILY, "IDENTIFYs refused by the session start limits, by reason.");
        help.put(EdgeCounters.AUTH_FAMILY, "Logins and registrations refused, by reason, and failed logins.");
        return Map.copyOf(help);
    }

    static String render(final GatewayContext ctx, final NodeMetrics metrics, final ShardGroup group)
    {
        final int n = group.shardCount();
        final PrometheusText t = new PrometheusText();
        counters(t, group.counters().reader());
        final long nowMillis = System.currentTimeMillis();
        gauge(t, "pinwheel_shard_tick_age_seconds", "Seconds since the shard last ran its timers (a stuck shard grows).",
            n, i ->
            {
                final long last = group.shard(i).gauges().get(ShardGauges.TICK_EPOCH_MILLIS);
                return last == 0 ? Double.NaN : Math.max(0, nowMillis - last) / 1e3;
            });
        latency(t, metrics, n);
        node(t, ctx, group, n);
        return t.toString();
    }

    /** One family of the node's counters: its type and its samples' lines. */
    private record Family(String type, List<String> lines)
    {
    }

    /**
     * Every counter of the node but the sampled node-wide ones (those of the cluster module included): its label is its sample; families grouped, in the
     * order they first appear.
     */
    /**
     * Node-wide counters from this scope on belong to the cluster module (link 1000, membership 1001, catch-ups 1002).
     */
    private static final int CLUSTER_SCOPES = 1000;

    private static void counters(final PrometheusText t, final CountersReader reader)
    {
        final Map<String, Family> families = new LinkedHashMap<>();
        reader.forEach((counterId, typeId, key, label) ->
        {
            if ((typeId == CounterTypes.NODE_GAUGE || typeId == CounterTypes.NODE_COUNTER)
                && key.getInt(dev.pinwheel.core.counters.NodeCounters.KEY_SCOPE_OFFSET) < CLUSTER_SCOPES)
            {
                return; // the sampler's, written below; the cluster link's and membership's (scope 1000+) are here
            }
            final int brace = label.indexOf('{');
            final String family = brace < 0 ? label : label.substring(0, brace);
            families.computeIfAbsent(family,
                f -> new Family(CounterTypes.isGauge(typeId) ? "gauge" : "counter", new ArrayList<>()))
                .lines().add(label + " " + reader.getCounterValue(counterId));
        });
        for (final Map.Entry<String, Family> f : families.entrySet())
        {
            t.family(f.getKey(), f.getValue().type(), HELP.getOrDefault(f.getKey(), "Pinwheel counter."));
            for (final String line : f.getValue().lines())
            {
                t.line(line);
            }
        }
    }

    private static void latency(final PrometheusText t, final NodeMetrics metrics, final int n)
    {
        final String h = "pinwheel_shard_handoff_latency_seconds";
        t.family(h, "histogram", "Inbox hand-off latency measured by the node's own probes (publish to run).");
        for (int i = 0; i < n; i++)
        {
            final LatencyHistogram lh = metrics.probe(i).handoffLatency();
            final String shard = Integer.toString(i);
            for (int b = 0; b < LatencyHistogram.buckets(); b++)
            {
                t.sample(h + "_bucket", new String[] {"shard", shard, "le", seconds(LatencyHistogram.upperNanos(b))},
                    lh.cumulative(b));
            }
            final long total = lh.cumulative(LatencyHistogram.buckets());
            t.sample(h + "_bucket", new String[] {"shard", shard, "le", "+Inf"}, total);
            t.sample(h + "_sum", new String[] {"shard", shard}, lh.sumNanos() / 1e9);
            t.sample(h + "_count", new String[] {"shard", shard}, total);
        }
        gauge(t, "pinwheel_shard_handoff_latency_max_seconds", "Largest probe hand-off latency of the last second.",
            n, i -> metrics.probe(i).handoffLatency().lastWindowMaxNanos() / 1e9);
    }

    private static void node(final PrometheusText t, final GatewayContext ctx, final ShardGroup group,
        final int n)
    {
        long connections = 0;
        long sessions = 0;
        for (int i = 0; i < n; i++)
        {
            connections += group.shard(i).gauges().get(ShardGauges.CONNECTIONS);
            sessions += group.shard(i).gauges().get(ShardGauges.SESSIONS);
        }
        t.family("pinwheel_node_shards", "gauge", "Shards (one thread each).").sample("pinwheel_node_shards", n);
        t.family("pinwheel_node_connections", "gauge", "Gateway connections on the node.")
            .sample("pinwheel_node_connections", connections);
        t.family("pinwheel_node_sessions", "gauge", "Gateway sessions on the node.")
            .sample("pinwheel_node_sessions", sessions);
        t.family("pinwheel_node_accounts", "gauge", "Registered accounts.")
            .sample("pinwheel_node_accounts", ctx.node().accounts().size());
        t.family("pinwheel_node_guilds", "gauge", "Guilds.")
            .sample("pinwheel_node_guilds", ctx.node().directory().guildCount());
        t.family("pinwheel_node_log_dropped_total", "counter",
            "Log lines dropped because the async logger's queue was full (a shard never waits for the log).")
            .sample("pinwheel_node_log_dropped_total", LogCounters.droppedTotal());
        t.family("pinwheel_node_log_suppressed_total", "counter",
            "Log lines suppressed by rate-limited call sites (client-triggered lines).")
            .sample("pinwheel_node_log_suppressed_total", LogCounters.suppressedTotal());
        t.family("pinwheel_node_uptime_seconds", "gauge", "Seconds since the JVM started.")
            .sample("pinwheel_node_uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);

        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        final MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        t.family("jvm_memory_used_bytes", "gauge", "Used JVM memory.")
            .sample("jvm_memory_used_bytes", new String[] {"area", "heap"}, heap.getUsed())
            .sample("jvm_memory_used_bytes", new String[] {"area", "nonheap"}, nonHeap.getUsed());
        t.family("jvm_memory_committed_bytes", "gauge", "Committed JVM memory.")
            .sample("jvm_memory_committed_bytes", new String[] {"area", "heap"}, heap.getCommitted())
            .sample("jvm_memory_committed_bytes", new String[] {"area", "nonheap"}, nonHeap.getCommitted());
        t.family("jvm_memory_max_bytes", "gauge", "Maximum JVM memory (-1: undefined).")
            .sample("jvm_memory_max_bytes", new String[] {"area", "heap"}, heap.getMax())
            .sample("jvm_memory_max_bytes", new String[] {"area", "nonheap"}, nonHeap.getMax());
        t.family("jvm_gc_collection_seconds", "summary",
            "Collections and their time per collector (ZGC: 'Pauses' are stop-the-world, 'Cycles' concurrent).");
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            t.sample("jvm_gc_collection_seconds_count", new String[] {"gc", gc.getName()}, gc.getCollectionCount());
            t.sample("jvm_gc_collection_seconds_sum", new String[] {"gc", gc.getName()},
                gc.getCollectionTime() / 1e3);
        }
        t.family("jvm_threads_current", "gauge", "Live JVM threads.")
            .sample("jvm_threads_current", ManagementFactory.getThreadMXBean().getThreadCount());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            t.family("process_cpu_seconds_total", "counter", "CPU time of the process.")
                .sample("process_cpu_seconds_total", os.getProcessCpuTime() / 1e9);
        }
    }

    /** A per-shard value. */
    @FunctionalInterface
    private interface PerShard
    {
        double value(int shard);
    }

    private static void gauge(final PrometheusText t, final String name, final String help, final int n,
        final PerShard value)
    {
        t.family(name, "gauge", help);
        for (int i = 0; i < n; i++)
        {
            t.sample(name, shardLabel(i), value.value(i));
        }
    }

    private static String[] shardLabel(final int shard)
    {
        return new String[] {"shard", Integer.toString(shard)};
    }

    private static String seconds(final long nanos)
    {
        return java.math.BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }
}
