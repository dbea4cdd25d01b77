package dev.pinwheel.gateway.web;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-bucket latency histogram with one writer (a shard thread) and any number of readers (the metrics
 * endpoint). Buckets follow a 1-2-5 series from 1 µs to 1 s plus an overflow bucket, which is what the
 * Prometheus {@code _bucket{le=...}} lines need and what a dashboard can turn into percentiles. Recording is
 * a scan of 19 longs and two lazy stores: no allocation, no lock.
 * <pre>
 *   bucket i counts values v with UPPER[i-1] &lt; v &lt;= UPPER[i]   (UPPER in nanoseconds)
 *   [1µs][2µs][5µs][10µs] ... [500ms][1s][+Inf]
 * </pre>
 * Counts are per bucket (not cumulative); {@link #cumulative(int)} adds them up for the exposition format.
 */
public final class LatencyHistogram
{
    /** Upper bounds of the finite buckets, in nanoseconds. */
    private static final long[] UPPER_NANOS = {
        1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
        1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000, 100_000_000, 200_000_000, 500_000_000,
        1_000_000_000,
    };
    private static final int COUNT_SLOT = UPPER_NANOS.length + 1;
    private static final int SUM_SLOT = COUNT_SLOT + 1;
    private static final int MAX_SLOT = SUM_SLOT + 1;

    /** Per-bucket counts, then count, sum (ns) and the largest value (ns) of the current window. */
    private final AtomicLongArray slots = new AtomicLongArray(MAX_SLOT + 1);
    private volatile long lastWindowMaxNanos;

    /**
     * @return finite buckets (the overflow bucket is {@code buckets()}).
     */
    public static int buckets()
    {
        return UPPER_NANOS.length;
    }

    /**
     * @param bucket finite bucket index.
     * @return its upper bound in nanoseconds.
     */
    public static long upperNanos(final int bucket)
    {
        return UPPER_NANOS[bucket];
    }

    /**
     * Records one value. Single writer: the owning shard thread.
     *
     * @param nanos latency in nanoseconds (negative values count as 0).
     */
    public void record(final long nanos)
    {
        final long v = Math.max(0, nanos);
        int b = 0;
        while (b < UPPER_NANOS.length && v > UPPER_NANOS[b])
        {
            b++;
        }
        slots.lazySet(b, slots.get(b) + 1);
        slots.lazySet(COUNT_SLOT, slots.get(COUNT_SLOT) + 1);
        slots.lazySet(SUM_SLOT, slots.get(SUM_SLOT) + v);
        if (v > slots.get(MAX_SLOT))
        {
            slots.lazySet(MAX_SLOT, v);
        }
    }

    /**
     * Closes the current max window (writer thread): {@link #lastWindowMaxNanos()} then shows its maximum.
     */
    public void rollWindow()
    {
        lastWindowMaxNanos = slots.get(MAX_SLOT);
        slots.lazySet(MAX_SLOT, 0);
    }

    /**
     * @param bucket bucket index, {@code 0..buckets()} (the last one is the overflow).
     * @return values recorded at or below that bucket's upper bound.
     */
    public long cumulative(final int bucket)
    {
        long n = 0;
        for (int i = 0; i <= bucket; i++)
        {
            n += slots.get(i);
        }
        return n;
    }

    /**
     * @return values recorded.
     */
    public long count()
    {
        return slots.get(COUNT_SLOT);
    }

    /**
     * @return sum of the recorded values in nanoseconds.
     */
    public long sumNanos()
    {
        return slots.get(SUM_SLOT);
    }

    /**
     * @return the largest value of the last closed window, in nanoseconds.
     */
    public long lastWindowMaxNanos()
    {
        return lastWindowMaxNanos;
    }
}
