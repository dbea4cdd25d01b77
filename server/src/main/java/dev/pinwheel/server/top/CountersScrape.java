package dev.pinwheel.server.top;

import java.util.Locale;

import org.agrona.concurrent.status.CountersReader;

import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.CountersFileReader;

/**
 * One read of a node's counters file as if it were {@code /metrics}: every counter's label is already its sample, so
 * the lines are the labels and values; what {@code /metrics} derives is derived here the same way:
 * <pre>
 *   pinwheel_node_shards                     the file's header
 *   pinwheel_node_{connections,sessions}     the sum over the shards' gauges
 *   pinwheel_node_uptime_seconds             now (or the clean stop) minus the process's start
 *   pinwheel_shard_tick_age_seconds          now minus the shard's last tick
 *   X_seconds_total, X_seconds_sum           from X_nanoseconds_total, X_milliseconds_sum (the sampler's units)
 * </pre>
 * The inbox latency histogram is measured by the node's web probes and is not in the file.
 */
public final class CountersScrape
{
    private CountersScrape()
    {
    }

    /**
     * @param file      an open counters file.
     * @param nowMillis now (epoch ms).
     * @param nanos     when this read is made ({@link System#nanoTime()}), for rates.
     * @return the counters as a scrape.
     */
    public static MetricsScrape read(final CountersFileReader file, final long nowMillis, final long nanos)
    {
        return MetricsScrape.parse(text(file, nowMillis), nanos);
    }

    /**
     * @param file      an open counters file.
     * @param nowMillis now (epoch ms).
     * @return the counters in the exposition format (samples only).
     */
    static String text(final CountersFileReader file, final long nowMillis)
    {
        final CountersReader reader = file.counters();
        final StringBuilder out = new StringBuilder(16 * 1024);
        final long[] node = new long[2];
        reader.forEach((counterId, typeId, key, label) ->
        {
            final long value = reader.getCounterValue(counterId);
            sample(out, label, value);
            if (typeId == CounterTypes.SHARD_GAUGE)
            {
                if (label.startsWith("pinwheel_shard_connections{"))
                {
                    node[0] += value;
                }
                else if (label.startsWith("pinwheel_shard_sessions{"))
                {
                    node[1] += value;
                }
                else if (label.startsWith("pinwheel_shard_tick_epoch_millis{"))
                {
                    sample(out, "pinwheel_shard_tick_age_seconds" + label.substring(label.indexOf('{')),
                        value == 0 ? Double.NaN : Math.max(0, nowMillis - value) / 1e3);
                }
            }
            else if (label.contains("_nanoseconds_total"))
            {
                sample(out, label.replace("_nanoseconds_total", "_seconds_total"), value / 1e9);
            }
            else if (label.contains("_milliseconds_sum"))
            {
                sample(out, label.replace("_milliseconds_sum", "_seconds_sum"), value / 1e3);
            }
        });
        sample(out, "pinwheel_node_shards", file.shards());
        sample(out, "pinwheel_node_connections", node[0]);
        sample(out, "pinwheel_node_sessions", node[1]);
        if (file.startMillis() > 0)
        {
            final long end = file.stopMillis() > 0 ? file.stopMillis() : nowMillis;
            sample(out, "pinwheel_node_uptime_seconds", Math.max(0, end - file.startMillis()) / 1e3);
        }
        return out.toString();
    }

    private static void sample(final StringBuilder out, final String label, final double value)
    {
        out.append(label).append(' ');
        if (Double.isNaN(value))
        {
            out.append("NaN");
        }
        else if (value == Math.rint(value))
        {
            out.append((long)value);
        }
        else
        {
            out.append(String.format(Locale.ROOT, "%.9f", value));
        }
        out.append('\n');
    }

    /**
     * @param file      an open counters file.
     * @param nowMillis now (epoch ms).
     * @return one line on whose counters these are and whether that node runs.
     */
    public static String status(final CountersFileReader file, final long nowMillis)
    {
        final String who = "pid " + file.pid() + ", " + file.shards() + " shard(s)";
        return switch (file.liveness(nowMillis))
        {
            case RUNNING -> "node running (" + who + "), heartbeat " + Math.max(0, nowMillis - file.heartbeatMillis())
                + " ms ago";
            case STOPPED -> "node STOPPED cleanly at " + java.time.Instant.ofEpochMilli(file.stopMillis())
                + " (" + who + "): its last counters";
            case GONE -> "node GONE: process " + file.pid() + " is not running and did not stop cleanly (killed or "
                + "crashed); the counters it last wrote";
        };
    }
}
