package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardCounters;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.RestExchange;

/**
 * The REST rate limits as routes apply them: the node-wide per-user limit every authenticated route passes, and
 * Discord's 429 answer ({@code retry_after} in seconds, {@code global}, the limit's headers).
 */
final class RateLimits
{
    private final Shard shard;
    private final RateLimiter limiter;
    private final int perSecond;

    /**
     * @param shard     this shard.
     * @param limiter   the node's limiter.
     * @param perSecond requests a user may make per second.
     */
    RateLimits(final Shard shard, final RateLimiter limiter, final int perSecond)
    {
        this.shard = shard;
        this.limiter = limiter;
        this.perSecond = perSecond;
    }

    /**
     * @param ex the request.
     * @return whether it may go on (else it was answered 429).
     */
    boolean global(final RestExchange ex)
    {
        final long now = System.currentTimeMillis();
        final RateLimiter.Decision d = limiter.acquire(ex.userId(), RateLimiter.GLOBAL, 0, perSecond, 1000, now);
        if (!d.allowed())
        {
            rateLimited(shard, ex, d, now, true);
            return false;
        }
        return true;
    }

    /**
     * Answers 429 with Discord's body and the limit's headers.
     *
     * @param shard  this shard.
     * @param ex     the request.
     * @param d      the refusing decision.
     * @param now    epoch millis.
     * @param global whether the global limit refused.
     */
    static void rateLimited(final Shard shard, final RestExchange ex, final RateLimiter.Decision d, final long now,
        final boolean global)
    {
        shard.counters().increment(ShardCounters.RATE_LIMITED);
        ex.rateLimit(d, now);
        final ObjectNode body = Json.object();
        body.put("message", "You are being rate limited.");
        body.put("retry_after", Math.max(0.001, (d.resetAtMillis() - now) / 1000.0));
        body.put("global", global);
        body.put("code", 0);
        ex.reply(shard, 429, body);
    }
}
