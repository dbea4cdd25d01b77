package dev.pinwheel.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node-wide limiter: one window per (user, bucket) however many shard threads ask at once, and a fresh
 * window once the old one has ended; long-keyed windows (kind, user, resource) the same way.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RateLimiterTest
{
    @Test
    void shardsRacingForOneWindowGetTheLimitOnceBetweenThem() throws Exception
    {
        final RateLimiter limiter = new RateLimiter();
        final long now = 1_800_000_000_000L;
        final AtomicInteger allowed = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final Thread[] shards = new Thread[4];
        for (int t = 0; t < shards.length; t++)
        {
            shards[t] = Thread.ofPlatform().start(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException e)
                {
                    return;
                }
                for (int i = 0; i < 1_000; i++)
                {
                    if (limiter.acquire(42, "messages:7", 50, 5_000, now).allowed())
                    {
                        allowed.incrementAndGet();
                    }
                }
            });
        }
        start.countDown();
        for (final Thread t : shards)
        {
            t.join();
        }
        assertEquals(50, allowed.get());
        final RateLimiter.Decision refused = limiter.acquire(42, "messages:7", 50, 5_000, now + 10);
        assertFalse(refused.allowed());
        assertEquals(0, refused.remaining());
        assertEquals(now + 5_000, refused.resetAtMillis());
    }

    @Test
    void aNewWindowStartsWhenTheOldOneEndsAndBucketsAreSeparate()
    {
        final RateLimiter limiter = new RateLimiter();
        final long now = 1_800_000_000_000L;
        assertTrue(limiter.acquire(1, "global", 1, 1_000, now).allowed());
        assertFalse(limiter.acquire(1, "global", 1, 1_000, now + 999).allowed());
        assertTrue(limiter.acquire(1, "messages:9", 1, 1_000, now + 999).allowed(), "another bucket");
        assertTrue(limiter.acquire(2, "global", 1, 1_000, now + 999).allowed(), "another user");
        final RateLimiter.Decision next = limiter.acquire(1, "global", 1, 1_000, now + 1_000);
        assertTrue(next.allowed());
        assertEquals(now + 2_000, next.resetAtMillis());
    }

    @Test
    void longKeyedWindowsAreOnePerKindUserAndResourceAcrossThreads() throws Exception
    {
        final RateLimiter limiter = new RateLimiter();
        final long now = 1_800_000_000_000L;
        final AtomicInteger allowed = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final Thread[] shards = new Thread[4];
        for (int t = 0; t < shards.length; t++)
        {
            shards[t] = Thread.ofPlatform().start(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException e)
                {
                    return;
                }
                for (int i = 0; i < 1_000; i++)
                {
                    // 7 channels of one user: 7 windows of 5 each, shared by the racing threads
                    if (limiter.acquire(42, RateLimiter.CHANNEL_MESSAGES, 100 + i % 7, 5, 5_000, now).allowed())
                    {
                        allowed.incrementAndGet();
                    }
                }
            });
        }
        start.countDown();
        for (final Thread t : shards)
        {
            t.join();
        }
        assertEquals(7 * 5, allowed.get());
        assertEquals(7, limiter.windowCount());
        assertTrue(limiter.acquire(42, RateLimiter.GLOBAL, 0, 1, 1_000, now).allowed(), "another kind");
        assertTrue(limiter.acquire(43, RateLimiter.CHANNEL_MESSAGES, 100, 1, 1_000, now).allowed(), "another user");
        assertTrue(limiter.acquire(42, RateLimiter.CHANNEL_MESSAGES, 107, 1, 1_000, now).allowed(), "another channel");
        assertTrue(limiter.acquire(42, "messages:100", 1, 1_000, now).allowed(), "a named window is another");
        final RateLimiter.Decision refused = limiter.acquire(42, RateLimiter.CHANNEL_MESSAGES, 100, 5, 5_000, now + 1);
        assertFalse(refused.allowed());
        assertEquals(now + 5_000, refused.resetAtMillis());
        assertEquals(refused.bucket(), limiter.acquire(43, RateLimiter.CHANNEL_MESSAGES, 100, 5, 5_000, now).bucket(),
            "a channel's bucket is the same for every user");
    }

    @Test
    void endedWindowsAreForgottenOnceTheTableIsFull()
    {
        final RateLimiter limiter = new RateLimiter();
        final long now = 1_800_000_000_000L;
        for (int user = 0; user <= 100_000; user++)
        {
            limiter.acquire(user, "global", 5, 1_000, now);
        }
        assertEquals(100_001, limiter.windowCount());
        limiter.acquire(7, "global", 5, 1_000, now + 500); // full, but nothing has ended yet
        assertEquals(100_001, limiter.windowCount());
        limiter.acquire(7, "global", 5, 1_000, now + 1_500); // a second after that sweep: the ended windows go
        assertTrue(limiter.windowCount() <= 2, "left: " + limiter.windowCount());
    }
}
