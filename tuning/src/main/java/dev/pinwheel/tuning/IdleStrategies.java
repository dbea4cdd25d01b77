package dev.pinwheel.tuning;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * Agrona {@link IdleStrategy} instances for each {@link IdleMode}. The backoff values are the ones measured
 * on the 2-core dev VM (STACK.md): Agrona's defaults park for up to 1 ms, which put UDP round trips at
 * 0.3 to 1 ms at p99; 100 spins, 1000 yields and a 1 to 20 µs park gave a 13 µs median.
 * <p>
 * A shard blocks in its event loop (epoll wait, woken by producers), not in an {@code IdleStrategy}; the
 * {@link IdleMode#BLOCK} strategy here is for duty cycles that have nothing to block on.
 * Idle strategies hold per-thread state: create one per thread.
 */
public final class IdleStrategies
{
    /** Spins before the backoff strategy starts yielding. */
    public static final long BACKOFF_MAX_SPINS = 100;
    /** Yields before the backoff strategy starts parking. */
    public static final long BACKOFF_MAX_YIELDS = 1_000;
    /** First park period of the backoff strategy: 1 µs. */
    public static final long BACKOFF_MIN_PARK_NS = 1_000;
    /** Longest park period of the backoff strategy: 20 µs (Agrona's default is 1 ms). */
    public static final long BACKOFF_MAX_PARK_NS = 20_000;
    /** Sleep of the blocking strategy: 1 ms, so an idle thread costs nearly nothing. */
    public static final long BLOCK_SLEEP_MS = 1;

    private IdleStrategies()
    {
    }

    /**
     * @param mode how the thread should idle.
     * @return a new idle strategy for one thread.
     */
    public static IdleStrategy newIdleStrategy(final IdleMode mode)
    {
        return switch (mode)
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(
                BACKOFF_MAX_SPINS, BACKOFF_MAX_YIELDS, BACKOFF_MIN_PARK_NS, BACKOFF_MAX_PARK_NS);
            case BLOCK -> new SleepingMillisIdleStrategy(BLOCK_SLEEP_MS);
        };
    }
}
