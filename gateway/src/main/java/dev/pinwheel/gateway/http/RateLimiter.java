package dev.pinwheel.gateway.http;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fixed-window rate limits per (user, bucket) for the whole node: one table shared by every shard's REST
 * handler, so a client whose connections land on different shards (SO_REUSEPORT) still gets the limit once, not
 * once per shard. Lock-free: a window is one {@code AtomicLong} holding {@code resetAtMillis << 16 | used},
 * updated by compare-and-set. Answers Discord's {@code X-RateLimit-*} headers.
 */
public final class RateLimiter
{
    private static final int MAX_WINDOWS = 100_000;
    private static final int USED_BITS = 16;
    private static final long USED_MASK = (1L << USED_BITS) - 1;

    /**
     * Decision for one request.
     *
     * @param allowed       whether the request may go on.
     * @param limit         requests per window.
     * @param remaining     requests left in the window.
     * @param resetAtMillis when the window ends (epoch ms).
     * @param bucket        bucket id for {@code X-RateLimit-Bucket}.
     */
    public record Decision(boolean allowed, int limit, int remaining, long resetAtMillis, String bucket)
    {
        public Map<String, String> headers(final long nowMillis)
        {
            final Map<String, String> h = new HashMap<>();
            h.put("X-RateLimit-Limit", Integer.toString(limit));
            h.put("X-RateLimit-Remaining", Integer.toString(remaining));
            h.put("X-RateLimit-Reset", String.format(java.util.Locale.ROOT, "%.3f", resetAtMillis / 1000.0));
            h.put("X-RateLimit-Reset-After", String.format(java.util.Locale.ROOT, "%.3f",
                Math.max(0, resetAtMillis - nowMillis) / 1000.0));
            h.put("X-RateLimit-Bucket", bucket);
            if (!allowed)
            {
                h.put("Retry-After", Long.toString(Math.max(1, (resetAtMillis - nowMillis + 999) / 1000)));
                h.put("X-RateLimit-Scope", "user");
            }
            return h;
        }
    }

    private final ConcurrentHashMap<String, AtomicLong> windows = new ConcurrentHashMap<>();
    private final AtomicLong lastSweepMillis = new AtomicLong();

    /** @return windows currently kept (tests). */
    int windowCount()
    {
        return windows.size();
    }

    /**
     * Takes one request from the window of (user, bucket), opening a new window when the last one ended.
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
        final long swept = lastSweepMillis.get();
        if (windows.size() > MAX_WINDOWS && nowMillis - swept >= 1000 && lastSweepMillis.compareAndSet(swept, nowMillis))
        {
            // forget windows that have ended (their next request starts a fresh one anyway); at most once a second
            // and by one thread, so a table full of live windows costs one sweep per second, not one per request
            windows.values().removeIf(w -> (w.get() >>> USED_BITS) <= nowMillis);
        }
        final AtomicLong w = windows.computeIfAbsent(userId + ":" + bucket, k -> new AtomicLong());
        final int cap = (int)Math.min(limit, USED_MASK);
        while (true)
        {
            final long current = w.get();
            long resetAt = current >>> USED_BITS;
            int used = (int)(current & USED_MASK);
            if (nowMillis >= resetAt)
            {
                resetAt = nowMillis + windowMillis;
                used = 0;
            }
            final boolean allowed = used < cap;
            final long next = resetAt << USED_BITS | (allowed ? used + 1 : used);
            if (next == current || w.compareAndSet(current, next))
            {
                final int nowUsed = allowed ? used + 1 : used;
                return new Decision(allowed, limit, Math.max(0, limit - nowUsed), resetAt,
                    Integer.toHexString(bucket.hashCode()));
            }
        }
    }
}
