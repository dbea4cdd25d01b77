package dev.pinwheel.gateway.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Discord's {@code session_start_limit}, per user (a bot is its application), node-wide: every shard's IDENTIFYs of
 * one user draw on the same budget.
 * <ul>
 *   <li>{@code total} session starts per period ({@code reset_after} counts down to the end of the period, which
 *   opens at the first start after the previous one ended);</li>
 *   <li>{@code max_concurrency} buckets: an IDENTIFY for shard {@code s} is in bucket {@code s % max_concurrency},
 *   and each bucket starts one session per identify window (5 s on Discord).</li>
 * </ul>
 * Outcomes, as Discord documents them: over the concurrency limit the gateway answers op 9 INVALID_SESSION
 * ({@code d: false}, the client waits 1-5 s and identifies again, the connection stays open); with the period's
 * starts used up Pinwheel closes with 4008 (rate limited) instead of Discord's token reset. RESUME is not limited.
 * Lock-free: a period is one {@code long} ({@code periodEndMillis << 22 | used}), a bucket one {@code long} (the time
 * its next start is allowed); each updated by compare-and-set. A budget whose period and windows have all ended is
 * the same as none and is forgotten: every {@link #SWEEP_EVERY}th start looks at up to {@link #SWEEP_BUDGETS} more
 * budgets (before, one was kept for every user who ever identified, for the node's life).
 */
public final class SessionStartLimits
{
    /** The IDENTIFY may start a session (one start taken). */
    public static final int STARTED = 0;
    /** Its bucket started a session in this window: answer op 9. */
    public static final int CONCURRENCY_LIMITED = 1;
    /** The user's starts for the period are used up: close 4008. */
    public static final int EXHAUSTED = 2;
    /** Most starts per period the encoding holds. */
    public static final int MAX_TOTAL = (1 << 22) - 1;
    private static final int USED_BITS = 22;
    private static final long USED_MASK = (1L << USED_BITS) - 1;
    /** A forgotten budget's period: a start that finds it takes a new budget. */
    private static final long DEAD = -1L;
    /** {@link #tryStart(Budget, int, long)}: the budget was forgotten meanwhile. */
    private static final int RETRY = -1;
    /** Starts between two sweeps (a power of two). */
    static final int SWEEP_EVERY = 256;
    /** Budgets a sweep looks at. */
    static final int SWEEP_BUDGETS = 2_048;

    /** What {@code GET /gateway/bot} reports. */
    public record View(int total, int remaining, long resetAfterMillis, int maxConcurrency)
    {
    }

    /**
     * One user's budget: its period and its first bucket in fields of its own, the other buckets (only with a
     * {@code max_concurrency} above 1) in an array — 32 B per user with Discord's default of one bucket, where an
     * {@code AtomicLong} and an {@code AtomicLongArray} made 88 B (issue 14: every user with a session has one).
     */
    private static final class Budget
    {
        private static final VarHandle PERIOD;
        private static final VarHandle FIRST_BUCKET;

        static
        {
            try
            {
                final MethodHandles.Lookup lookup = MethodHandles.lookup();
                PERIOD = lookup.findVarHandle(Budget.class, "period", long.class);
                FIRST_BUCKET = lookup.findVarHandle(Budget.class, "firstBucketNextMillis", long.class);
            }
            catch (final ReflectiveOperationException e)
            {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** {@code periodEndMillis << 22 | used}. */
        private volatile long period;
        /** When bucket 0 may start its next session. */
        private volatile long firstBucketNextMillis;
        /** Buckets 1 and up; null with one bucket. */
        private final AtomicLongArray moreBuckets;

        Budget(final int buckets)
        {
            moreBuckets = buckets > 1 ? new AtomicLongArray(buckets - 1) : null;
        }

        long period()
        {
            return period;
        }

        boolean casPeriod(final long expected, final long value)
        {
            return PERIOD.compareAndSet(this, expected, value);
        }

        long bucketNext(final int bucket)
        {
            return bucket == 0 ? firstBucketNextMillis : moreBuckets.get(bucket - 1);
        }

        boolean casBucketNext(final int bucket, final long expected, final long value)
        {
            return bucket == 0 ? FIRST_BUCKET.compareAndSet(this, expected, value)
                : moreBuckets.compareAndSet(bucket - 1, expected, value);
        }

        /** @return whether its period and every bucket's window have ended: it is the same as a new budget. */
        boolean over(final long nowMillis)
        {
            if (nowMillis < period >>> USED_BITS || nowMillis < firstBucketNextMillis)
            {
                return false;
            }
            for (int i = 0; moreBuckets != null && i < moreBuckets.length(); i++)
            {
                if (nowMillis < moreBuckets.get(i))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private final int sweepMask;
    private final int total;
    private final long periodMillis;
    private final int maxConcurrency;
    private final long windowMillis;
    private final ConcurrentHashMap<Long, Budget> budgets = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong starts = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.locks.ReentrantLock sweeping = new java.util.concurrent.locks.ReentrantLock();
    /** Where the last sweep stopped (used under {@link #sweeping} only). */
    private java.util.Iterator<java.util.Map.Entry<Long, Budget>> cursor;

    /**
     * @param total          session starts per period (at most {@link #MAX_TOTAL}).
     * @param periodMillis   the period (24 h on Discord).
     * @param maxConcurrency buckets.
     * @param windowMillis   each bucket's identify window (5 s on Discord); 0 turns the concurrency limit off.
     */
    public SessionStartLimits(final int total, final long periodMillis, final int maxConcurrency,
        final long windowMillis)
    {
        this(total, periodMillis, maxConcurrency, windowMillis, SWEEP_EVERY);
    }

    /**
     * @param sweepEvery starts between two sweeps, a power of two (tests sweep at every start).
     */
    SessionStartLimits(final int total, final long periodMillis, final int maxConcurrency, final long windowMillis,
        final int sweepEvery)
    {
        this.sweepMask = sweepEvery - 1;
        this.total = Math.min(total, MAX_TOTAL);
        this.periodMillis = periodMillis;
        this.maxConcurrency = maxConcurrency;
        this.windowMillis = windowMillis;
    }

    /**
     * Takes a session start for an IDENTIFY, if its bucket and the user's period allow one.
     *
     * @param userId    the user.
     * @param shardId   the {@code shard[0]} of the IDENTIFY (0 when unsharded).
     * @param nowMillis now (epoch ms).
     * @return {@link #STARTED}, {@link #CONCURRENCY_LIMITED} or {@link #EXHAUSTED}.
     */
    public int tryStart(final long userId, final int shardId, final long nowMillis)
    {
        if ((starts.incrementAndGet() & sweepMask) == 0)
        {
            sweep(nowMillis);
        }
        int outcome = tryStart(budgets.computeIfAbsent(userId, k -> new Budget(maxConcurrency)), shardId, nowMillis);
        while (outcome == RETRY)
        {
            // a sweep forgot the budget while this start looked at it (a new one is as over as a forgotten one, and
            // may be forgotten too before this start takes it): the start counts in a new one
            outcome = tryStart(budgets.compute(userId, (k, v) -> v == null || v.period() == DEAD
                ? new Budget(maxConcurrency) : v), shardId, nowMillis);
        }
        return outcome;
    }

    private int tryStart(final Budget b, final int shardId, final long nowMillis)
    {
        if (b.period() == DEAD)
        {
            return RETRY;
        }
        if (used(b.period(), nowMillis) >= total)
        {
            return EXHAUSTED;
        }
        if (windowMillis > 0)
        {
            final int bucket = Math.floorMod(shardId, maxConcurrency);
            while (true)
            {
                final long next = b.bucketNext(bucket);
                if (nowMillis < next)
                {
                    return CONCURRENCY_LIMITED;
                }
                if (b.casBucketNext(bucket, next, nowMillis + windowMillis))
                {
                    break;
                }
            }
        }
        while (true)
        {
            final long current = b.period();
            if (current == DEAD)
            {
                return RETRY;
            }
            long end = current >>> USED_BITS;
            int used = (int)(current & USED_MASK);
            if (nowMillis >= end)
            {
                end = nowMillis + periodMillis;
                used = 0;
            }
            if (used >= total)
            {
                return EXHAUSTED;
            }
            if (b.casPeriod(current, end << USED_BITS | (used + 1)))
            {
                return STARTED;
            }
        }
    }

    /**
     * @param userId    the user.
     * @param nowMillis now (epoch ms).
     * @return the user's {@code session_start_limit} as of now.
     */
    public View view(final long userId, final long nowMillis)
    {
        final Budget b = budgets.get(userId);
        final long current = b == null || b.period() == DEAD ? 0 : b.period();
        final long end = current >>> USED_BITS;
        final int used = used(current, nowMillis);
        final long resetAfter = used == 0 ? periodMillis : Math.max(0, end - nowMillis);
        return new View(total, Math.max(0, total - used), resetAfter, maxConcurrency);
    }

    /** Forgets the budgets that are over among the next {@link #SWEEP_BUDGETS}; skipped if another thread sweeps. */
    private void sweep(final long nowMillis)
    {
        if (!sweeping.tryLock())
        {
            return;
        }
        try
        {
            for (int n = 0; n < SWEEP_BUDGETS; n++)
            {
                if (cursor == null || !cursor.hasNext())
                {
                    cursor = budgets.entrySet().iterator();
                    if (!cursor.hasNext())
                    {
                        return;
                    }
                }
                final java.util.Map.Entry<Long, Budget> e = cursor.next();
                final Budget b = e.getValue();
                final long period = b.period();
                // marked dead first: a start that raced with the check fails its compare-and-set and starts anew
                if (period != DEAD && b.over(nowMillis) && b.casPeriod(period, DEAD))
                {
                    budgets.remove(e.getKey(), b);
                }
            }
        }
        finally
        {
            sweeping.unlock();
        }
    }

    /** @return budgets kept (tests). */
    int budgets()
    {
        return budgets.size();
    }

    private static int used(final long period, final long nowMillis)
    {
        return nowMillis >= period >>> USED_BITS ? 0 : (int)(period & USED_MASK);
    }
}
