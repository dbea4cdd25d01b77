package dev.pinwheel.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Discord's session start limit with a clock in the test's hands: one start per bucket per window, buckets by
 * {@code shard % max_concurrency}, a total per period that counts down and resets.
 */
class SessionStartLimitsTest
{
    private static final long T0 = 1_900_000_000_000L;
    private static final long DAY = 86_400_000L;

    @Test
    void eachBucketStartsOneSessionPerWindow()
    {
        final SessionStartLimits limits = new SessionStartLimits(1000, DAY, 2, 5000);
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(7, 0, T0));
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(7, 1, T0), "shard 1 is bucket 1");
        assertEquals(SessionStartLimits.CONCURRENCY_LIMITED, limits.tryStart(7, 2, T0), "shard 2 is bucket 0 again");
        assertEquals(SessionStartLimits.CONCURRENCY_LIMITED, limits.tryStart(7, 0, T0 + 4999));
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(7, 2, T0 + 5000), "next window");
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(8, 0, T0), "another user has its own buckets");
        assertEquals(997, limits.view(7, T0 + 5000).remaining(), "refused IDENTIFYs take no start");
    }

    @Test
    void theTotalRunsOutThenResetsAfterThePeriod()
    {
        final SessionStartLimits limits = new SessionStartLimits(2, DAY, 1, 0);
        final SessionStartLimits.View fresh = limits.view(7, T0);
        assertEquals(2, fresh.total());
        assertEquals(2, fresh.remaining());
        assertEquals(DAY, fresh.resetAfterMillis());
        assertEquals(1, fresh.maxConcurrency());
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(7, 0, T0));
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(7, 0, T0 + 1000));
        assertEquals(SessionStartLimits.EXHAUSTED, limits.tryStart(7, 0, T0 + 2000));
        final SessionStartLimits.View spent = limits.view(7, T0 + 2000);
        assertEquals(0, spent.remaining());
        assertEquals(DAY - 2000, spent.resetAfterMillis(), "the period opened with the first start");
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(7, 0, T0 + DAY));
        assertEquals(1, limits.view(7, T0 + DAY).remaining());
    }

    @Test
    void oneBucketStartsOneSessionPerWindow()
    {
        final SessionStartLimits limits = new SessionStartLimits(1000, DAY, 1, 5000);
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(7, 0, T0));
        assertEquals(SessionStartLimits.CONCURRENCY_LIMITED, limits.tryStart(7, 3, T0 + 4999),
            "every shard is bucket 0");
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(7, 3, T0 + 5000), "next window");
        assertEquals(998, limits.view(7, T0 + 5000).remaining());
    }

    @Test
    void startsRacingFromSeveralThreadsTakeExactlyTheTotal() throws Exception
    {
        final int total = 1500;
        final SessionStartLimits limits = new SessionStartLimits(total, DAY, 1, 0);
        final int threads = 4;
        final int each = 1000;
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try
        {
            final java.util.List<java.util.concurrent.Future<Integer>> started = new java.util.ArrayList<>();
            final java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int t = 0; t < threads; t++)
            {
                started.add(pool.submit(() ->
                {
                    go.await();
                    int n = 0;
                    for (int i = 0; i < each; i++)
                    {
                        n += limits.tryStart(7, i, T0) == SessionStartLimits.STARTED ? 1 : 0;
                    }
                    return n;
                }));
            }
            go.countDown();
            int sum = 0;
            for (final java.util.concurrent.Future<Integer> f : started)
            {
                sum += f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals(total, sum, "every start counted once, none past the total");
            assertEquals(0, limits.view(7, T0).remaining());
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
