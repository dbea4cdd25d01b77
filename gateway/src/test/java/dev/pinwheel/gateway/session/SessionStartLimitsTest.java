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
    void everyBudgetKeepsItsCountAndBucketsAsTheTablesGrowAndAreSwept()
    {
        // 20,000 users (ids as a snowflake's: spread high bits, a counter below) in tables that double many times,
        // swept every 256 starts with nothing over yet: none loses its starts or its buckets' windows
        final SessionStartLimits limits = new SessionStartLimits(3, DAY, 2, 5_000);
        final int users = 20_000;
        for (int round = 0; round < 2; round++)
        {
            for (long u = 0; u < users; u++)
            {
                assertEquals(SessionStartLimits.STARTED, limits.tryStart(snowflake(u), round, T0 + round), "user " + u);
            }
        }
        assertEquals(users, limits.budgets());
        for (long u = 0; u < users; u++)
        {
            assertEquals(SessionStartLimits.CONCURRENCY_LIMITED, limits.tryStart(snowflake(u), (int)(u & 1), T0 + 10),
                "both buckets started in this window: user " + u);
            assertEquals(1, limits.view(snowflake(u), T0 + 10).remaining(), "user " + u);
        }
        for (long u = 0; u < users; u++)
        {
            assertEquals(SessionStartLimits.STARTED, limits.tryStart(snowflake(u), 0, T0 + 5_000));
            assertEquals(SessionStartLimits.EXHAUSTED, limits.tryStart(snowflake(u), 1, T0 + 5_001), "user " + u);
        }
        // a day later every budget is over: 23 sweeps of at least 2,048 budgets each forget them all
        for (long u = 0; u < 6_000; u++)
        {
            limits.tryStart(snowflake(users + u), 0, T0 + DAY + 10_000);
        }
        assertEquals(6_000, limits.budgets(), "only the new users' budgets are left");
    }

    private static long snowflake(final long n)
    {
        return (1_500_000_000_000L + n * 7) << 22 | (n & 0xFFF);
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

    @Test
    void budgetsThatAreOverAreForgotten()
    {
        final SessionStartLimits limits = new SessionStartLimits(5, 1_000, 1, 100);
        for (long u = 1; u <= 5_000; u++)
        {
            limits.tryStart(u, 0, T0);
        }
        final long busy = 9_999_999;
        for (int i = 0; i < 5; i++)
        {
            assertEquals(SessionStartLimits.STARTED, limits.tryStart(busy, 0, T0 + 500 + i * 100));
        }
        assertEquals(5_001, limits.budgets());
        // later: the 5,000 first periods are over, the busy user's is not (it ends at T0 + 1,500)
        for (long u = 10_001; u <= 12_000; u++)
        {
            limits.tryStart(u, 0, T0 + 1_200);
        }
        assertEquals(2_001, limits.budgets(), "the 5,000 over are forgotten, the 2,000 new and the busy one kept");
        assertEquals(SessionStartLimits.EXHAUSTED, limits.tryStart(busy, 0, T0 + 1_200), "its count was kept");
        assertEquals(0, limits.view(busy, T0 + 1_200).remaining());
        assertEquals(5, limits.view(1, T0 + 1_200).remaining(), "a forgotten budget reads as a new one");
        assertEquals(SessionStartLimits.STARTED, limits.tryStart(busy, 0, T0 + 1_600), "a new period");
    }

    @Test
    void aStartRacingWithTheSweepThatForgetsItsBudgetCountsOnce() throws Exception
    {
        // one start per period of 5 ms; four threads start the same user at the same instant, round after round, each
        // round a new period (the last one over: the sweeps, here at every start, forget the budget while the other
        // threads start). Forgetting it without marking it dead first let two starts into one period in 3 runs of 3.
        final SessionStartLimits limits = new SessionStartLimits(1, 5, 1, 0, 1);
        final int threads = 4;
        final int rounds = 5_000;
        final java.util.concurrent.CyclicBarrier round = new java.util.concurrent.CyclicBarrier(threads);
        final java.util.concurrent.atomic.AtomicIntegerArray started =
            new java.util.concurrent.atomic.AtomicIntegerArray(rounds);
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try
        {
            final java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                done.add(pool.submit(() ->
                {
                    for (int i = 0; i < rounds; i++)
                    {
                        round.await(30, java.util.concurrent.TimeUnit.SECONDS);
                        if (limits.tryStart(7, 0, T0 + i * 10L) == SessionStartLimits.STARTED)
                        {
                            started.incrementAndGet(i);
                        }
                    }
                    return null;
                }));
            }
            for (final java.util.concurrent.Future<?> f : done)
            {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            for (int i = 0; i < rounds; i++)
            {
                assertEquals(1, started.get(i), "round " + i + ": exactly one start of the period");
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
