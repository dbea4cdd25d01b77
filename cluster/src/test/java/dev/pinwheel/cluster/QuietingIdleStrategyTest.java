package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The consensus agents' idle strategy: short parks while work came within the active window, the quiet park after it;
 * work and the agents' own wait loops ({@code idle()}) make it active again at once.
 */
class QuietingIdleStrategyTest
{
    @Test
    void quietOnlyAfterTheActiveWindowWithoutWorkAndActiveAgainAtOnce() throws Exception
    {
        final QuietingIdleStrategy s = new QuietingIdleStrategy(1, 100, 200, 20, TimeUnit.MILLISECONDS);
        s.idle(1);
        for (int i = 0; i < 30; i++)
        {
            s.idle(0); // the spins and yields, then parks of 1 ms and up
        }
        assertFalse(s.quiet(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(100)), "within the window after work");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!s.quiet(System.nanoTime()))
        {
            assertTrue(System.nanoTime() < deadline, "never quiet");
            s.idle(0);
        }
        s.idle(1);
        assertFalse(s.quiet(System.nanoTime()), "work ends the quiet");
        for (int i = 0; i < 30; i++)
        {
            s.idle(0);
        }
        Thread.sleep(30);
        assertTrue(s.quiet(System.nanoTime()));
        s.idle(); // an agent waiting for something in a loop
        assertFalse(s.quiet(System.nanoTime()), "a wait loop is activity");
    }
}
