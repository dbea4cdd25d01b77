package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The consensus and membership agents' idle strategy: short parks while work came within the active window, the quiet
 * park after it; work, the agents' own wait loops ({@code idle()}) and something under way ({@code busy()}) make it
 * active again at once; it wakes the link's driver after work and, at most every 4 ms, while the agent waits. Time is
 * passed to {@link QuietingIdleStrategy#quiet} rather than waited for; the wake tests park a microsecond at a time and
 * bound the wakes by the time they measured, never by a time they expect.
 */
class QuietingIdleStrategyTest
{
    private static final long WINDOW = TimeUnit.MILLISECONDS.toNanos(20);

    /** Idle calls without work through the spins and yields, short of any park. */
    private static void spinAndYield(final QuietingIdleStrategy s)
    {
        for (int i = 0; i < 30; i++)
        {
            s.idle(0);
        }
    }

    @Test
    void quietOnlyAfterTheActiveWindowWithoutWorkAndActiveAgainAtOnce()
    {
        final QuietingIdleStrategy s = new QuietingIdleStrategy(1, 100, 200, 20, TimeUnit.MILLISECONDS);
        s.idle(1);
        final long worked = System.nanoTime();
        spinAndYield(s);
        assertFalse(s.quiet(worked), "within the window after work");
        assertTrue(s.quiet(System.nanoTime() + 2 * WINDOW), "quiet once the window passed without work");
        s.idle(1);
        assertFalse(s.quiet(System.nanoTime() + 2 * WINDOW), "work ends the quiet: back to the spins");
        spinAndYield(s);
        assertTrue(s.quiet(System.nanoTime() + 2 * WINDOW));
        s.idle(); // an agent waiting for something in a loop
        assertFalse(s.quiet(System.nanoTime()), "a wait loop is activity");
    }

    @Test
    void somethingUnderWayKeepsTheAgentActive()
    {
        final QuietingIdleStrategy s = new QuietingIdleStrategy(1, 100, 200, 20, TimeUnit.MILLISECONDS);
        spinAndYield(s);
        assertTrue(s.quiet(System.nanoTime() + 2 * WINDOW));
        s.busy(); // a connect in progress, an offer refused
        assertFalse(s.quiet(System.nanoTime()), "retried at the backoff's pace, not the quiet park's");
        assertTrue(s.quiet(System.nanoTime() + 2 * WINDOW), "quiet again once nothing is under way");
    }

    @Test
    void aCycleWithSomethingUnderWayParksAtOnceAndRunsTheDriver()
    {
        final int[] wakes = new int[1];
        final QuietingIdleStrategy s = new QuietingIdleStrategy(1, 1, 200, 20, TimeUnit.MICROSECONDS,
            () -> wakes[0]++);
        s.idle(0); // no work: the first of the spins, no wake
        assertEquals(0, wakes[0]);
        s.busy(); // a connect under way
        s.idle(0);
        assertEquals(1, wakes[0], "the park, not a spin: the driver is run before it");
    }

    @Test
    void theMembershipAgentParksAQuarterOfItsHeartbeatIntervalBetweenOneAnd25Milliseconds()
    {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(25),
            QuietingIdleStrategy.forMembership(TimeUnit.MILLISECONDS.toNanos(400), () -> { }).quietParkNanos());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(5),
            QuietingIdleStrategy.forMembership(TimeUnit.MILLISECONDS.toNanos(20), () -> { }).quietParkNanos());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1),
            QuietingIdleStrategy.forMembership(TimeUnit.MILLISECONDS.toNanos(2), () -> { }).quietParkNanos());
    }

    @Test
    void theDriverIsWokenAfterWorkAndBeforeAWaitLoopParksNotWhileIdleOrSpinning()
    {
        final int[] wakes = new int[1];
        final QuietingIdleStrategy s = new QuietingIdleStrategy(1, 1, 200, 20, TimeUnit.MICROSECONDS,
            () -> wakes[0]++);
        s.idle(3);
        assertEquals(1, wakes[0], "work: what the agent offered is sent");
        for (int i = 0; i < 40; i++)
        {
            s.idle(0); // the agent's loop without work: spins, yields, then 1 µs parks
        }
        assertEquals(1, wakes[0], "no work, nothing to send");
        s.reset();
        for (int i = 0; i < 30; i++)
        {
            s.idle(); // a wait loop's spins and yields
        }
        assertEquals(1, wakes[0], "a wait loop's spins do not wake the driver");
        final long began = System.nanoTime();
        s.idle();
        assertEquals(2, wakes[0], "a wait loop's park runs the driver first");
        for (int i = 0; i < 500; i++)
        {
            s.idle(); // 1 µs parks
            s.busy();
            s.idle(0); // a cycle with a connect under way: parks at once
        }
        final long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertTrue(wakes[0] - 2 <= waitedMillis / 4 + 1, "while waiting, at most one wake per 4 ms: " + wakes[0]
            + " wakes in " + waitedMillis + " ms of 1,000 parks (a wait that lasts costs no more than the old timeout)");
        final int before = wakes[0];
        s.idle(1);
        assertEquals(before + 1, wakes[0], "work always does");
    }
}
