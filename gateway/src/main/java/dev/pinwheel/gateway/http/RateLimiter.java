package dev.pinwheel.gateway.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

/**
 * Fixed-window rate limits for the whole node: one table shared by every shard's REST handler, so a client whose
 * connections land on different shards (SO_REUSEPORT) still gets the limit once, not once per shard. Answers
 * Discord's {@code X-RateLimit-*} headers.
 * <p>
 * A window is keyed by longs — (bucket kind, user, resource): {@link #GLOBAL} per user, {@link #CHANNEL_MESSAGES} per
 * user and channel — with no string built per request. The table is split in {@value #STRIPES} stripes by the key's
 * hash, each an Agrona {@link Long2ObjectHashMap} from the mixed key to its windows (a chain: distinct keys that mix to
 * the same long are told apart by their fields) behind its own lock, held for a lookup and a few stores: two shards
 * meet on one only when they hit the same stripe at the same moment. The answer writes a decision's headers
 * ({@code RestExchange#rateLimit}).
 * <pre>
 *   (kind, user, resource) ──mix──▶ h ──h &gt;&gt;&gt; 58──▶ stripe ──Long2ObjectHashMap.get(h)──▶ window chain
 *                                                                     ▼
 *                                            resetAt, used: a new window once the last one ended
 * </pre>
 * Windows that ended are forgotten once the table holds more than {@value #MAX_WINDOWS} (at most one sweep a second,
 * by one thread): their next request would open a fresh one anyway.
 */
public final class RateLimiter
{
    /** Bucket kind: every request of a user (resource 0). */
    public static final int GLOBAL = 1;
    /** Bucket kind: messages a user posts in one channel (resource: the channel id). */
    public static final int CHANNEL_MESSAGES = 2;
    /** Bucket kind of the windows named by a string ({@link #acquire(long, String, int, long, long)}). */
    private static final int NAMED = 0;

    private static final int MAX_WINDOWS = 100_000;
    private static final int STRIPES = 64;

    /**
     * Decision for one request.
     *
     * @param allowed       whether the request may go on.
     * @param limit         requests per window.
     * @param remaining     requests left in the window.
     * @param resetAtMillis when the window ends (epoch ms).
     * @param bucketId      the bucket, for {@code X-RateLimit-Bucket} ({@link #bucket()}).
     */
    public record Decision(boolean allowed, int limit, int remaining, long resetAtMillis, long bucketId)
    {
        /**
         * @return the bucket as {@code X-RateLimit-Bucket} names it.
         */
        public String bucket()
        {
            return Long.toHexString(bucketId);
        }
    }

    /** One window: its key's fields, its state (under its stripe's lock), the next window of the same mixed key. */
    private static final class Window
    {
        final int kind;
        final long user;
        final long resource;
        final String name;
        long resetAtMillis;
        int used;
        Window next;

        Window(final int kind, final long user, final long resource, final String name)
        {
            this.kind = kind;
            this.user = user;
            this.resource = resource;
            this.name = name;
        }

        boolean is(final int k, final long u, final long r, final String n)
        {
            return kind == k && user == u && resource == r && (n == null ? name == null : n.equals(name));
        }
    }

    /** One lock's share of the table. */
    private static final class Stripe
    {
        final Long2ObjectHashMap<Window> windows = new Long2ObjectHashMap<>();
    }

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final AtomicInteger windowCount = new AtomicInteger();
    private final AtomicLong lastSweepMillis = new AtomicLong();

    public RateLimiter()
    {
        for (int i = 0; i < STRIPES; i++)
        {
            stripes[i] = new Stripe();
        }
    }

    /** @return windows currently kept (tests). */
    int windowCount()
    {
        return windowCount.get();
    }

    /**
     * Takes one request from the window of (kind, user, resource), opening a new window when the last one ended.
     * Thread-safe; allocates nothing but the decision (and the window, the first time).
     *
     * @param userId       the user.
     * @param bucketKind   {@link #GLOBAL}, {@link #CHANNEL_MESSAGES}.
     * @param resourceId   what the bucket is per (the channel id), or 0.
     * @param limit        requests per window.
     * @param windowMillis window length.
     * @param nowMillis    now (epoch ms).
     * @return the decision.
     */
    public Decision acquire(final long userId, final int bucketKind, final long resourceId, final int limit,
        final long windowMillis, final long nowMillis)
    {
        if (bucketKind == NAMED)
        {
            throw new IllegalArgumentException("bucket kind 0 is for named windows");
        }
        return acquire(bucketKind, userId, resourceId, null, mix(bucketKind, userId, resourceId),
            mix(bucketKind, 0, resourceId), limit, windowMillis, nowMillis);
    }

    /**
     * Takes one request from the window of (user, bucket name), opening a new window when the last one ended: for
     * limits keyed by a text (the login limits: a client address, a username). The REST routes use the long-keyed
     * {@link #acquire(long, int, long, int, long, long)}.
     *
     * @param userId       the user (or 0 for a bucket keyed otherwise, e.g. by client address).
     * @param bucket       the bucket name.
     * @param limit        requests per window.
     * @param windowMillis window length.
     * @param nowMillis    now (epoch ms).
     * @return the decision.
     */
    public Decision acquire(final long userId, final String bucket, final int limit, final long windowMillis,
        final long nowMillis)
    {
        final int hash = bucket.hashCode();
        return acquire(NAMED, userId, hash, bucket, mix(NAMED, userId, hash), Integer.toUnsignedLong(hash), limit,
            windowMillis, nowMillis);
    }

    private Decision acquire(final int kind, final long userId, final long resourceId, final String name,
        final long key, final long bucketId, final int limit, final long windowMillis, final long nowMillis)
    {
        if (windowCount.get() > MAX_WINDOWS)
        {
            sweep(nowMillis);
        }
        final Stripe stripe = stripes[(int)(key >>> 58)];
        final boolean allowed;
        final int used;
        final long resetAt;
        synchronized (stripe)
        {
            final Window head = stripe.windows.get(key);
            Window w = head;
            while (w != null && !w.is(kind, userId, resourceId, name))
            {
                w = w.next;
            }
            if (w == null)
            {
                w = new Window(kind, userId, resourceId, name);
                w.next = head;
                stripe.windows.put(key, w);
                windowCount.incrementAndGet();
            }
            if (nowMillis >= w.resetAtMillis)
            {
                w.resetAtMillis = nowMillis + windowMillis;
                w.used = 0;
            }
            allowed = w.used < limit;
            if (allowed)
            {
                w.used++;
            }
            used = w.used;
            resetAt = w.resetAtMillis;
        }
        return new Decision(allowed, limit, Math.max(0, limit - used), resetAt, bucketId);
    }

    /**
     * Forgets the windows that have ended: at most once a second and by one thread, so a table full of live windows
     * costs one sweep per second, not one per request.
     */
    private void sweep(final long nowMillis)
    {
        final long swept = lastSweepMillis.get();
        if (nowMillis - swept < 1000 || !lastSweepMillis.compareAndSet(swept, nowMillis))
        {
            return;
        }
        final LongArrayList emptied = new LongArrayList();
        for (final Stripe stripe : stripes)
        {
            synchronized (stripe)
            {
                emptied.clear();
                final Long2ObjectHashMap<Window>.EntryIterator it = stripe.windows.entrySet().iterator();
                while (it.hasNext())
                {
                    it.next();
                    Window kept = null;
                    for (Window w = it.getValue(); w != null; )
                    {
                        final Window next = w.next;
                        if (w.resetAtMillis <= nowMillis)
                        {
                            windowCount.decrementAndGet();
                        }
                        else
                        {
                            w.next = kept;
                            kept = w;
                        }
                        w = next;
                    }
                    if (kept == null)
                    {
                        emptied.addLong(it.getLongKey());
                    }
                    else
                    {
                        it.setValue(kept);
                    }
                }
                for (int i = 0; i < emptied.size(); i++)
                {
                    stripe.windows.remove(emptied.getLong(i));
                }
            }
        }
    }

    /**
     * @return a well-mixed long of a window's key (MurmurHash3's finaliser over the combined fields); distinct keys
     *         may mix to the same long, the windows' fields tell them apart.
     */
    private static long mix(final int kind, final long user, final long resource)
    {
        long h = user * 0x9E37_79B9_7F4A_7C15L ^ Long.rotateLeft(resource * 0xC2B2_AE3D_27D4_EB4FL, 29) ^ kind;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }
}
