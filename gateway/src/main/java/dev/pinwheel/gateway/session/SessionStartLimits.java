package dev.pinwheel.gateway.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
 * Lock-free: a period is one {@code AtomicLong} ({@code periodEndMillis << 22 | used}), a bucket one slot of an
 * {@code AtomicLongArray} (the time its next start is allowed); each updated by compare-and-set.
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

    /** What {@code GET /gateway/bot} reports. */
    public record View(int total, int remaining, long resetAfterMillis, int maxConcurrency)
    {
    }

    /** One user's budget. */
    private static final class Budget
    {
        final AtomicLong period = new AtomicLong();
        final AtomicLongArray bucketNextMillis;

        Budget(final int buckets)
        {
            bucketNextMillis = new AtomicLongArray(buckets);
        }
    }

    private final int total;
    private final long periodMillis;
    private final int maxConcurrency;
    private final long windowMillis;
    private final ConcurrentHashMap<Long, Budget> budgets = new ConcurrentHashMap<>();

    /**
     * @param total          session starts per period (at most {@link #MAX_TOTAL}).
     * @param periodMillis   the period (24 h on Discord).
     * @param maxConcurrency buckets.
     * @param windowMillis   each bucket's identify window (5 s on Discord); 0 turns the concurrency limit off.
     */
    public SessionStartLimits(final int total, final long periodMillis, final int maxConcurrency,
        final long windowMillis)
    {
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
        final Budget b = budgets.computeIfAbsent(userId, k -> new Budget(maxConcurrency));
        if (used(b.period.get(), nowMillis) >= total)
        {
            return EXHAUSTED;
        }
        if (windowMillis > 0)
        {
            final int bucket = Math.floorMod(shardId, maxConcurrency);
            while (true)
            {
                final long next = b.bucketNextMillis.get(bucket);
                if (nowMillis < next)
                {
                    return CONCURRENCY_LIMITED;
                }
                if (b.bucketNextMillis.compareAndSet(bucket, next, nowMillis + windowMillis))
                {
                    break;
                }
            }
        }
        while (true)
        {
            final long current = b.period.get();
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
            if (b.period.compareAndSet(current, end << USED_BITS | (used + 1)))
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
        final long current = b == null ? 0 : b.period.get();
        final long end = current >>> USED_BITS;
        final int used = used(current, nowMillis);
        final long resetAfter = used == 0 ? periodMillis : Math.max(0, end - nowMillis);
        return new View(total, Math.max(0, total - used), resetAfter, maxConcurrency);
    }

    private static int used(final long period, final long nowMillis)
    {
        return nowMillis >= period >>> USED_BITS ? 0 : (int)(period & USED_MASK);
    }
}
