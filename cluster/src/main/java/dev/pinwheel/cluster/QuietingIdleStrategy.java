package dev.pinwheel.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of the consensus agents (Aeron Cluster's consensus module and service container, Aeron Archive)
 * and of the membership agent:
 * a backoff — spins, yields, then parks from {@code minPark} doubling to {@code maxPark} — while the agent worked in the
 * last {@code activeWindow}, and a longer {@code quietPark} once it has not.
 * <p>
 * These agents carry only the cluster's membership and ring epochs, never chat traffic, and sit idle nearly all the
 * time; parked at most 1 ms they woke ≈ 1,000 times a second each, ≈ 1.3–1.6 % of a core apiece on this VM, a cost every
 * node paid whatever its load. A fixed longer sleep was tried before and slowed every step of the 300 ms snapshots
 * under load: here any work (an election's messages, a snapshot's steps, a leader heartbeat) switches the agent back to
 * the short parks at once, so a sequence of steps runs at the old pace and only the first step after a quiet spell
 * waits up to {@code quietPark}. The agents' own wait loops call {@link #idle()}: a wait is not quiet, so it backs off
 * as before and counts as activity.
 * <p>
 * Their UDP offers and client commands go through the node's media driver, which runs on the link thread and waits
 * for datagrams and shards' offers only ({@link SocketWaitIdleStrategy}): the strategy wakes it after the agent worked,
 * so what the agent sent leaves at once rather than at the link's next timeout.
 * <p>
 * One agent thread only (like every Agrona idle strategy with state).
 */
final class QuietingIdleStrategy implements IdleStrategy
{
    private static final int SPINS = 10;
    private static final int YIELDS = 20;
    /**
     * While an agent waits (a wait loop's parks, a connect under way) it wakes the driver at most this often: the
     * old longest wait of the link thread, so a wait that lasts (no leader for seconds) costs no more than before.
     */
    private static final long WAITING_WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(4);

    private final long minParkNanos;
    private final long maxParkNanos;
    private final long quietParkNanos;
    private final long activeWindowNanos;
    /**
     * Run when the agent worked, and (at most every 4 ms) before the parks of its wait loops and of its cycles with
     * something under way: wakes the link thread, whose media driver sends what the agent offered and answers its client
     * commands ({@link NodeLink#wakeDriver()}).
     */
    private final Runnable activity;
    private long lastWorkNanos = System.nanoTime();
    private long lastWaitingWakeNanos = lastWorkNanos - WAITING_WAKE_NANOS;
    /** {@link #busy()} was called: the next idle call parks {@code maxPark} at once, without spins and yields. */
    private boolean pollSoon;
    private int spins;
    private int yields;
    private long parkNanos;

    /**
     * @param minPark      first park after the spins and yields.
     * @param maxPark      longest park while active.
     * @param quietPark    the park once quiet.
     * @param activeWindow how long after its last work an agent counts as active.
     * @param unit         unit of the four.
     */
    QuietingIdleStrategy(final long minPark, final long maxPark, final long quietPark, final long activeWindow,
        final TimeUnit unit)
    {
        this(minPark, maxPark, quietPark, activeWindow, unit, () -> { });
    }

    /**
     * @param minPark      first park after the spins and yields.
     * @param maxPark      longest park while active.
     * @param quietPark    the park once quiet.
     * @param activeWindow how long after its last work an agent counts as active.
     * @param unit         unit of the four.
     * @param activity     run when the agent worked, and before the parks of its wait loops ({@link #idle()}) and of
     *                     the cycles it has something under way ({@link #busy()}): those two at most every 4 ms.
     */
    QuietingIdleStrategy(final long minPark, final long maxPark, final long quietPark, final long activeWindow,
        final TimeUnit unit, final Runnable activity)
    {
        this.activity = activity;
        this.minParkNanos = unit.toNanos(minPark);
        this.maxParkNanos = unit.toNanos(maxPark);
        this.quietParkNanos = unit.toNanos(quietPark);
        this.activeWindowNanos = unit.toNanos(activeWindow);
        reset();
    }

    /**
     * The consensus agents' strategy: 10 µs doubling to 1 ms while active, 8 ms after 10 ms without work. On an idle
     * node the consensus module still works every ≈ 45 ms (its timers, the leader's heartbeats), the archive every
     * ≈ 100 ms, the service every ≈ 150 ms: a longer window would keep them active nearly all the time.
     */
    static QuietingIdleStrategy forConsensus(final Runnable activity)
    {
        return new QuietingIdleStrategy(10, 1_000, 8_000, 10_000, TimeUnit.MICROSECONDS, activity);
    }

    /**
     * The membership agent's strategy: the same backoff while active (its parks up to 2 ms, the sleep it had before),
     * and once quiet a park of a quarter of its heartbeat interval (1–25 ms). The agent's inputs that cannot wait (a handover report from a shard, an epoch its
     * replica reached) unpark its thread; what is left to find by polling (the leader's egress, the heartbeat due)
     * tolerates that delay against a peer timeout of seconds.
     *
     * @param heartbeatIntervalNanos how often the agent sends its heartbeat.
     * @param activity               see the constructor.
     * @return a new strategy.
     */
    static QuietingIdleStrategy forMembership(final long heartbeatIntervalNanos, final Runnable activity)
    {
        final long quiet = Math.clamp(heartbeatIntervalNanos / 4, TimeUnit.MILLISECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(25));
        return new QuietingIdleStrategy(10_000, 2_000_000, quiet, 10_000_000, TimeUnit.NANOSECONDS, activity);
    }

    /**
     * The agent has something under way that gave no work this cycle (a connect in progress, an offer refused for
     * back-pressure): its next idle call parks {@code maxPark} without spinning or yielding (a connect attempt can last
     * seconds while there is no leader: the spins and yields of a backoff, every cycle, cost twice the CPU of the
     * plain 2 ms sleep the membership agent had), and it stays active after.
     */
    void busy()
    {
        lastWorkNanos = System.nanoTime();
        pollSoon = true;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            lastWorkNanos = System.nanoTime();
            reset();
            pollSoon = false;
            activity.run();
            return;
        }
        if (pollSoon)
        {
            pollSoon = false;
            wakeWhileWaiting(System.nanoTime());
            LockSupport.parkNanos(maxParkNanos);
            return;
        }
        if (quiet(System.nanoTime()))
        {
            LockSupport.parkNanos(quietParkNanos);
            return;
        }
        backoff(false);
    }

    @Override
    public void idle()
    {
        lastWorkNanos = System.nanoTime(); // an agent's wait loop: something is under way
        backoff(true);
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNanos = minParkNanos;
    }

    @Override
    public String alias()
    {
        return "quieting";
    }

    /**
     * @param waiting an agent's wait loop (for a driver's answer, an image, a position): the driver runs before a
     *                park (at most every 4 ms), not at every spin.
     */
    private void backoff(final boolean waiting)
    {
        if (spins < SPINS)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < YIELDS)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            if (waiting)
            {
                wakeWhileWaiting(System.nanoTime());
            }
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos << 1, maxParkNanos);
        }
    }

    private void wakeWhileWaiting(final long nowNanos)
    {
        if (nowNanos - lastWaitingWakeNanos >= WAITING_WAKE_NANOS)
        {
            lastWaitingWakeNanos = nowNanos;
            activity.run();
        }
    }

    /** @return the park once quiet, in nanoseconds. */
    long quietParkNanos()
    {
        return quietParkNanos;
    }

    /**
     * @param nowNanos {@link System#nanoTime()}.
     * @return whether an idle call without work parks for the quiet period: spun and yielded, and no work in the window.
     */
    boolean quiet(final long nowNanos)
    {
        return spins >= SPINS && yields >= YIELDS && nowNanos - lastWorkNanos > activeWindowNanos;
    }
}
