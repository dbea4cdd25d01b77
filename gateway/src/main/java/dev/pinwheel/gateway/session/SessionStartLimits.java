package dev.pinwheel.gateway.session;

import java.util.concurrent.atomic.AtomicLong;

import org.agrona.collections.Hashing;

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
 * <p>
 * A user's budget is a few {@code long}s in one of {@link #STRIPES} open-addressed tables, each under its own lock: a
 * period ({@code periodEndMillis << 22 | used}) and, per bucket, the time its next start is allowed — 24 B per user
 * with one bucket, 32–64 B with the tables' free room, where a map node, a boxed key and a budget object were ≈ 96 B
 * (issue 14: every user with a session has one). A lock is held for a lookup and a few compares, by an IDENTIFY
 * (never a delivery): two shards meet on one only when their users share a stripe in the same microseconds. A budget whose period and windows have all ended is
 * the same as none and is forgotten: every {@link #SWEEP_EVERY}th start rebuilds the next stripes, at least
 * {@link #SWEEP_BUDGETS} budgets' worth, without the ones that are over (before, one was kept for every user who ever
 * identified, for the node's life).
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
    /** Starts between two sweeps (a power of two). */
    static final int SWEEP_EVERY = 256;
    /** Budgets a sweep looks at. */
    static final int SWEEP_BUDGETS = 2_048;

    /** What {@code GET /gateway/bot} reports. */
    public record View(int total, int remaining, long resetAfterMillis, int maxConcurrency)
    {
    }

    /** Tables of budgets (a power of two). */
    static final int STRIPES = 64;
    private static final int INITIAL_SLOTS = 16;

    /**
     * Budgets of the users whose ids hash to it, open-addressed with linear probing (at most three quarters full); used
     * under its own lock only.
     */
    private static final class Stripe
    {
        long[] users = new long[INITIAL_SLOTS];
        /** Each user's period; 0 marks a free slot (a budget's period, once it has one, never is). */
        long[] periods = new long[INITIAL_SLOTS];
        /** Per user, {@code buckets} longs: when each bucket may start its next session. */
        long[] buckets;
        int size;

        Stripe(final int bucketsPerUser)
        {
            buckets = new long[INITIAL_SLOTS * bucketsPerUser];
        }
    }

    private final int sweepMask;
    private final int total;
    private final long periodMillis;
    private final int maxConcurrency;
    private final long windowMillis;
    private final Stripe[] stripes = new Stripe[STRIPES];
    private final AtomicLong starts = new AtomicLong();
    /** The next stripe a sweep rebuilds (two sweeps at once may rebuild one stripe twice: harmless). */
    private volatile int sweepCursor;

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
        for (int i = 0; i < STRIPES; i++)
        {
            stripes[i] = new Stripe(maxConcurrency);
        }
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
        final int hash = Hashing.hash(userId);
        final Stripe st = stripes[hash & (STRIPES - 1)];
        synchronized (st)
        {
            int slot = find(st, userId, hash);
            long period = slot < 0 ? 0 : st.periods[slot];
            if (used(period, nowMillis) >= total)
            {
                return EXHAUSTED;
            }
            final int bucket = Math.floorMod(shardId, maxConcurrency);
            if (windowMillis > 0 && slot >= 0 && nowMillis < st.buckets[slot * maxConcurrency + bucket])
            {
                return CONCURRENCY_LIMITED;
            }
            long end = period >>> USED_BITS;
            int used = (int)(period & USED_MASK);
            if (nowMillis >= end)
            {
                end = nowMillis + periodMillis;
                used = 0;
            }
            if (slot < 0)
            {
                slot = insert(st, userId, hash);
            }
            st.periods[slot] = end << USED_BITS | (used + 1);
            if (windowMillis > 0)
            {
                st.buckets[slot * maxConcurrency + bucket] = nowMillis + windowMillis;
            }
            return STARTED;
        }
    }

    /**
     * @param userId    the user.
     * @param nowMillis now (epoch ms).
     * @return the user's {@code session_start_limit} as of now.
     */
    public View view(final long userId, final long nowMillis)
    {
        final int hash = Hashing.hash(userId);
        final Stripe st = stripes[hash & (STRIPES - 1)];
        final long current;
        synchronized (st)
        {
            final int slot = find(st, userId, hash);
            current = slot < 0 ? 0 : st.periods[slot];
        }
        final long end = current >>> USED_BITS;
        final int used = used(current, nowMillis);
        final long resetAfter = used == 0 ? periodMillis : Math.max(0, end - nowMillis);
        return new View(total, Math.max(0, total - used), resetAfter, maxConcurrency);
    }

    /** @return the user's slot in the stripe, or -1 (under its lock). */
    private static int find(final Stripe st, final long userId, final int hash)
    {
        final int mask = st.periods.length - 1;
        for (int i = (hash >>> 6) & mask; st.periods[i] != 0; i = (i + 1) & mask)
        {
            if (st.users[i] == userId)
            {
                return i;
            }
        }
        return -1;
    }

    /** @return a free slot for the user, the stripe grown first past three quarters full (under its lock). */
    private int insert(final Stripe st, final long userId, final int hash)
    {
        if (4 * (st.size + 1) > 3 * st.periods.length)
        {
            rebuild(st, st.periods.length * 2, Long.MIN_VALUE);
        }
        final int mask = st.periods.length - 1;
        int i = (hash >>> 6) & mask;
        while (st.periods[i] != 0)
        {
            i = (i + 1) & mask;
        }
        st.users[i] = userId;
        st.size++;
        return i;
    }

    /**
     * Copies the stripe's budgets into tables of the given size, leaving out those over at {@code nowMillis} (none
     * with {@link Long#MIN_VALUE}); under its lock.
     */
    private void rebuild(final Stripe st, final int slots, final long nowMillis)
    {
        final long[] users = st.users;
        final long[] periods = st.periods;
        final long[] buckets = st.buckets;
        st.users = new long[slots];
        st.periods = new long[slots];
        st.buckets = new long[slots * maxConcurrency];
        st.size = 0;
        final int mask = slots - 1;
        for (int j = 0; j < periods.length; j++)
        {
            if (periods[j] == 0 || over(periods[j], buckets, j * maxConcurrency, nowMillis))
            {
                continue;
            }
            int i = (Hashing.hash(users[j]) >>> 6) & mask;
            while (st.periods[i] != 0)
            {
                i = (i + 1) & mask;
            }
            st.users[i] = users[j];
            st.periods[i] = periods[j];
            System.arraycopy(buckets, j * maxConcurrency, st.buckets, i * maxConcurrency, maxConcurrency);
            st.size++;
        }
    }

    /** @return whether a budget's period and every bucket's window have ended: it is the same as a new budget. */
    private boolean over(final long period, final long[] buckets, final int from, final long nowMillis)
    {
        if (nowMillis < period >>> USED_BITS)
        {
            return false;
        }
        for (int b = 0; b < maxConcurrency; b++)
        {
            if (nowMillis < buckets[from + b])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Rebuilds the next stripes without the budgets that are over, until at least {@link #SWEEP_BUDGETS} were looked
     * at or every stripe was; each stripe under its own lock, so starts in the others go on meanwhile.
     */
    private void sweep(final long nowMillis)
    {
        int looked = 0;
        for (int n = 0; n < STRIPES && looked < SWEEP_BUDGETS; n++)
        {
            final int at = sweepCursor;
            sweepCursor = (at + 1) & (STRIPES - 1);
            final Stripe st = stripes[at];
            synchronized (st)
            {
                looked += st.size;
                int slots = st.periods.length;
                while (slots > INITIAL_SLOTS && 8 * st.size < slots)
                {
                    slots >>= 1; // a stripe that emptied gives its room back
                }
                rebuild(st, slots, nowMillis);
            }
        }
    }

    /** @return budgets kept (tests). */
    int budgets()
    {
        int n = 0;
        for (final Stripe st : stripes)
        {
            synchronized (st)
            {
                n += st.size;
            }
        }
        return n;
    }

    private static int used(final long period, final long nowMillis)
    {
        return nowMillis >= period >>> USED_BITS ? 0 : (int)(period & USED_MASK);
    }
}
