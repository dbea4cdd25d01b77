package dev.pinwheel.gateway.rest;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixed-window rate limits per (user, bucket), kept by each shard for the requests it receives
 * (shard-confined, no locks). Answers Discord's {@code X-RateLimit-*} headers.
 */
final class RateLimiter
{
    private static final int MAX_WINDOWS = 100_000;

    private static final class Window
    {
        long resetAtMillis;
        int used;
    }

    /** Decision for one request. */
    record Decision(boolean allowed, int limit, int remaining, long resetAtMillis, String bucket)
    {
        Map<String, String> headers(final long nowMillis)
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

    private final LinkedHashMap<String, Window> windows = new LinkedHashMap<>(1024, 0.75f, true)
    {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Window> eldest)
        {
            return size() > MAX_WINDOWS;
        }
    };

    Decision acquire(final long userId, final String bucket, final int limit, final long windowMillis,
        final long nowMillis)
    {
        final String key = userId + ":" + bucket;
        Window w = windows.get(key);
        if (w == null)
        {
            w = new Window();
            windows.put(key, w);
        }
        if (nowMillis >= w.resetAtMillis)
        {
            w.resetAtMillis = nowMillis + windowMillis;
            w.used = 0;
        }
        final boolean allowed = w.used < limit;
        if (allowed)
        {
            w.used++;
        }
        return new Decision(allowed, limit, Math.max(0, limit - w.used), w.resetAtMillis,
            Integer.toHexString(bucket.hashCode()));
    }
}
