package dev.pinwheel.cluster;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

/**
 * What the catch-ups of node-wide records did ({@link CatchUpScan}), in the node's counters ({@code /metrics},
 * {@code pinwheel top}), named like the link's own ({@link LinkCounters}): scans begun, finished and abandoned, the
 * records they sent, the slices they took, how many run now and the longest a slice held its shard. Written by every
 * shard thread: atomic adds and a compare-and-set maximum.
 */
final class CatchUpCounters
{
    /** The scope of these counters among the node's {@link CounterTypes#NODE_COUNTER}s and gauges. */
    static final int SCOPE = 1002;
    static final int STARTED = 0;
    static final int COMPLETED = 1;
    static final int ABANDONED = 2;
    static final int RECORDS = 3;
    static final int SLICES = 4;
    /** Gauges. */
    static final int RUNNING = 0;
    static final int SLICE_MAX_NANOS = 1;

    private final CounterBlock counters;
    private final CounterBlock gauges;

    CatchUpCounters(final NodeCounters counters)
    {
        this.counters = new CounterBlock(counters, CounterTypes.NODE_COUNTER, SCOPE,
            "pinwheel_cluster_catch_up_started_total",
            "pinwheel_cluster_catch_up_completed_total",
            "pinwheel_cluster_catch_up_abandoned_total",
            "pinwheel_cluster_catch_up_records_total",
            "pinwheel_cluster_catch_up_slices_total");
        this.gauges = new CounterBlock(counters, CounterTypes.NODE_GAUGE, SCOPE,
            "pinwheel_cluster_catch_up_running",
            "pinwheel_cluster_catch_up_slice_max_nanoseconds");
    }

    void increment(final int id)
    {
        counters.incrementConcurrent(id);
    }

    void add(final int id, final long delta)
    {
        counters.addConcurrent(id, delta);
    }

    void running(final int delta)
    {
        gauges.addConcurrent(RUNNING, delta);
    }

    void slice(final long nanos)
    {
        counters.incrementConcurrent(SLICES);
        gauges.proposeMaxConcurrent(SLICE_MAX_NANOS, nanos);
    }

    long get(final int id)
    {
        return counters.get(id);
    }

    long gauge(final int id)
    {
        return gauges.get(id);
    }
}
