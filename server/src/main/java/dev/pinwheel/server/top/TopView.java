package dev.pinwheel.server.top;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One frame of {@code pinwheel top}: the node line, GC, the probe latency and a row per shard, computed from
 * two successive scrapes (rates are per second between them). Pure: text in, text out, so it is tested
 * without a terminal.
 * <pre>
 * pinwheel top — http://127.0.0.1:8080   up 1h 02m   12:00:01
 * node   2 shards   conns 3   sessions 3   accounts 4   guilds 1   heap 40 MiB / 1.0 GiB   cpu 12.0%
 * gc     ZGC Pauses 12 (+0.2/s, 0.01 ms/s)   ZGC Cycles 6 (+0.1/s, 3.1 ms/s)
 * probe  hand-off latency p50 50 µs   p99 200 µs   max 2.6 ms   (40 probes)
 *  SHARD  SESS  CONN  GUILDS   RING          IN/s   OUT/s  HOFF/s   BUSY   CYCLE    P50     P99   REFUSALS
 * </pre>
 */
public final class TopView
{
    static final String[] REFUSALS = {
        "inbox_refused", "handoffs_dropped", "handoffs_deferred", "rate_limited", "slow_consumer_closes",
        "protocol_closes", "task_errors",
    };
    private static final String LATENCY = "pinwheel_shard_handoff_latency_seconds";
    private static final String BOLD = "\033[1m";
    private static final String REVERSE = "\033[7m";
    private static final String RED = "\033[31m";
    private static final String RESET = "\033[0m";

    private final String url;
    private final boolean color;

    /**
     * @param url   what is being watched (shown in the title).
     * @param color whether to use ANSI attributes.
     */
    public TopView(final String url, final boolean color)
    {
        this.url = url;
        this.color = color;
    }

    /**
     * @param prev the previous scrape, or null (no rates yet).
     * @param curr the latest scrape.
     * @return the frame's lines.
     */
    public List<String> render(final MetricsScrape prev, final MetricsScrape curr)
    {
        final List<String> out = new ArrayList<>();
        final double dt = prev == null ? Double.NaN : (curr.nanos() - prev.nanos()) / 1e9;
        out.add(bold("pinwheel top") + " — " + url + "   up " + duration(curr.value("pinwheel_node_uptime_seconds"))
            + "   " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS));
        out.add(String.format(Locale.ROOT, "node   %s shards   conns %s   sessions %s   accounts %s   guilds %s   "
                + "heap %s / %s   cpu %s   threads %s",
            num(curr.value("pinwheel_node_shards")), num(curr.value("pinwheel_node_connections")),
            num(curr.value("pinwheel_node_sessions")), num(curr.value("pinwheel_node_accounts")),
            num(curr.value("pinwheel_node_guilds")), bytes(curr.value("jvm_memory_used_bytes", "area", "heap")),
            bytes(curr.value("jvm_memory_max_bytes", "area", "heap")),
            percent(rate(prev, curr, dt, "process_cpu_seconds_total") * 100),
            num(curr.value("jvm_threads_current"))));
        final StringBuilder gc = new StringBuilder("gc    ");
        for (final String name : curr.labelValues("jvm_gc_collection_seconds_count", "gc"))
        {
            if (!(curr.value("jvm_gc_collection_seconds_count", "gc", name) > 0))
            {
                continue; // collectors that have not run yet
            }
            gc.append(String.format(Locale.ROOT, " %s %s (+%s/s, %s ms/s)  ", name,
                num(curr.value("jvm_gc_collection_seconds_count", "gc", name)),
                dec(rate(prev, curr, dt, "jvm_gc_collection_seconds_count", "gc", name)),
                dec(rate(prev, curr, dt, "jvm_gc_collection_seconds_sum", "gc", name) * 1000)));
        }
        out.add(gc.toString().stripTrailing());
        final TreeMap<Double, Double> all = delta(prev, curr);
        double maxLatency = 0;
        for (final String shard : curr.labelValues("pinwheel_shard_sessions", "shard"))
        {
            final double max = curr.value("pinwheel_shard_handoff_latency_max_seconds", "shard", shard);
            if (max > maxLatency)
            {
                maxLatency = max;
            }
        }
        out.add(String.format(Locale.ROOT, "probe  hand-off latency p50 %s   p99 %s   max %s   (%s probes)",
            seconds(quantile(all, 0.5)), seconds(quantile(all, 0.99)), seconds(maxLatency), num(total(all))));
        out.add("");
        out.add(reverse(String.format(Locale.ROOT, "%6s %5s %5s %7s %13s %7s %7s %7s %6s %7s %7s %7s  %-24s",
            "SHARD", "SESS", "CONN", "GUILDS", "RING", "IN/s", "OUT/s", "HOFF/s", "BUSY", "CYCLE", "P50", "P99",
            "REFUSALS & DROPS")));
        for (final String shard : curr.labelValues("pinwheel_shard_sessions", "shard"))
        {
            out.add(shardRow(prev, curr, dt, shard));
        }
        return out;
    }

    private String shardRow(final MetricsScrape prev, final MetricsScrape curr, final double dt, final String shard)
    {
        final String[] l = {"shard", shard};
        final double busyNanos = rate(prev, curr, dt, "pinwheel_shard_busy_nanos_total", l);
        final double cycles = rate(prev, curr, dt, "pinwheel_shard_busy_cycles_total", l);
        final TreeMap<Double, Double> lat = prev == null ? curr.buckets(LATENCY, l)
            : minus(curr.buckets(LATENCY, l), prev.buckets(LATENCY, l));
        final StringBuilder refusals = new StringBuilder();
        boolean rising = false;
        for (final String r : REFUSALS)
        {
            final double v = curr.value("pinwheel_shard_" + r + "_total", l);
            if (v > 0)
            {
                final double per = rate(prev, curr, dt, "pinwheel_shard_" + r + "_total", l);
                rising |= per > 0;
                refusals.append(r).append(' ').append(num(v));
                if (per > 0)
                {
                    refusals.append(" +").append(dec(per)).append("/s");
                }
                refusals.append("  ");
            }
        }
        final String text = refusals.isEmpty() ? "-" : refusals.toString().stripTrailing();
        return String.format(Locale.ROOT, "%6s %5s %5s %7s %13s %7s %7s %7s %6s %7s %7s %7s  %s",
            shard,
            num(curr.value("pinwheel_shard_sessions", l)),
            num(curr.value("pinwheel_shard_connections", l)),
            num(curr.value("pinwheel_shard_guilds_owned", l)) + "/" + num(curr.value("pinwheel_shard_guilds_followed", l)),
            num(curr.value("pinwheel_shard_ring_depth", l)) + "/" + num(curr.value("pinwheel_shard_ring_capacity", l)),
            dec(rate(prev, curr, dt, "pinwheel_shard_inbox_events_total", l)),
            dec(rate(prev, curr, dt, "pinwheel_shard_deliveries_total", l)),
            dec(rate(prev, curr, dt, "pinwheel_shard_handoffs_out_total", l)),
            percent(busyNanos / 1e7),
            cycles > 0 ? seconds(busyNanos / cycles / 1e9) : "-",
            seconds(quantile(lat, 0.5)),
            seconds(quantile(lat, 0.99)),
            rising ? red(text) : text);
    }

    private static TreeMap<Double, Double> delta(final MetricsScrape prev, final MetricsScrape curr)
    {
        return prev == null ? curr.buckets(LATENCY) : minus(curr.buckets(LATENCY), prev.buckets(LATENCY));
    }

    private static TreeMap<Double, Double> minus(final TreeMap<Double, Double> a, final TreeMap<Double, Double> b)
    {
        final TreeMap<Double, Double> out = new TreeMap<>();
        for (final Map.Entry<Double, Double> e : a.entrySet())
        {
            out.put(e.getKey(), Math.max(0, e.getValue() - b.getOrDefault(e.getKey(), 0.0)));
        }
        return out;
    }

    private static double total(final TreeMap<Double, Double> cumulative)
    {
        return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    }

    /**
     * @param cumulative upper bound → cumulative count.
     * @param q          quantile, 0..1.
     * @return the upper bound of the bucket holding it, NaN without data.
     */
    static double quantile(final TreeMap<Double, Double> cumulative, final double q)
    {
        final double n = total(cumulative);
        if (n <= 0)
        {
            return Double.NaN;
        }
        for (final Map.Entry<Double, Double> e : cumulative.entrySet())
        {
            if (e.getValue() >= q * n)
            {
                return e.getKey();
            }
        }
        return cumulative.lastKey();
    }

    private static double rate(final MetricsScrape prev, final MetricsScrape curr, final double dt, final String name,
        final String... labels)
    {
        if (prev == null || !(dt > 0))
        {
            return Double.NaN;
        }
        final double d = curr.value(name, labels) - prev.value(name, labels);
        return d >= 0 ? d / dt : Double.NaN;
    }

    static String num(final double v)
    {
        if (Double.isNaN(v))
        {
            return "-";
        }
        if (Math.abs(v) >= 1e9)
        {
            return String.format(Locale.ROOT, "%.1fG", v / 1e9);
        }
        if (Math.abs(v) >= 1e6)
        {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (Math.abs(v) >= 1e5)
        {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return Long.toString(Math.round(v));
    }

    static String dec(final double v)
    {
        if (Double.isNaN(v))
        {
            return "-";
        }
        return Math.abs(v) >= 1e4 ? num(v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String percent(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", v);
    }

    static String seconds(final double s)
    {
        if (Double.isNaN(s))
        {
            return "-";
        }
        if (Double.isInfinite(s))
        {
            return ">1s";
        }
        if (s < 1e-3)
        {
            return String.format(Locale.ROOT, "%.0fµs", s * 1e6);
        }
        if (s < 1)
        {
            return String.format(Locale.ROOT, "%.1fms", s * 1e3);
        }
        return String.format(Locale.ROOT, "%.2fs", s);
    }

    static String bytes(final double v)
    {
        if (Double.isNaN(v) || v < 0)
        {
            return "-";
        }
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double x = v;
        int u = 0;
        while (x >= 1024 && u < units.length - 1)
        {
            x /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", x, units[u]);
    }

    static String duration(final double seconds)
    {
        if (Double.isNaN(seconds))
        {
            return "-";
        }
        final long s = (long)seconds;
        if (s >= 86_400)
        {
            return (s / 86_400) + "d " + (s % 86_400 / 3600) + "h";
        }
        if (s >= 3600)
        {
            return (s / 3600) + "h " + String.format(Locale.ROOT, "%02dm", s % 3600 / 60);
        }
        return (s / 60) + "m " + String.format(Locale.ROOT, "%02ds", s % 60);
    }

    private String bold(final String s)
    {
        return color ? BOLD + s + RESET : s;
    }

    private String reverse(final String s)
    {
        return color ? REVERSE + s + RESET : s;
    }

    private String red(final String s)
    {
        return color ? RED + s + RESET : s;
    }
}
