package dev.pinwheel.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;

import org.agrona.DeadlineTimerWheel;
import org.junit.jupiter.api.Test;

/**
 * The session deadlines' wheel under a burst (issue 14): the wheel gives every slot the room of its fullest one, so
 * 200 deadlines in one slot among 5,000 spread over 5 s (heartbeats read together after a pause) would grow it to 256
 * per slot (1,024 × 256 longs, 2 MiB); each timer's spread keeps it at 32 or less. Every timer still fires, never
 * before its deadline and at most its spread, a slot and a ticker period after it.
 */
class SessionTimersTest
{
    private static final long START = 1_000_000_000L;

    @Test
    void aBurstInOneSlotDoesNotGrowTheWheelAndEveryDeadlineFiresInTime() throws ReflectiveOperationException
    {
        final SessionTimers timers = new SessionTimers(START);
        final int n = 5000;
        final int[] fired = new int[1];
        final long[] early = new long[1];
        final long[] lateMax = new long[1];
        for (int i = 0; i < n; i++)
        {
            final long deadline = i < 200 ? START + TimeUnit.SECONDS.toNanos(3)
                : START + TimeUnit.SECONDS.toNanos(1) + i * (TimeUnit.SECONDS.toNanos(5) / n);
            final SessionTimers.Timer t = timers.timer(now ->
            {
                fired[0]++;
                if (now < deadline)
                {
                    early[0]++;
                }
                lateMax[0] = Math.max(lateMax[0], now - deadline);
                return SessionTimers.NONE;
            });
            timers.schedule(t, deadline);
        }
        assertEquals(n, timers.armed());
        final int allocation = tickAllocation(timers);
        assertTrue(allocation <= 32, "slots per tick " + allocation + " (a burst of 200 in one slot alone needs 256)");

        final long period = TimeUnit.MILLISECONDS.toNanos(50);
        for (long now = START; now <= START + TimeUnit.SECONDS.toNanos(8); now += period)
        {
            timers.poll(now);
        }
        assertEquals(n, fired[0], "every timer fired");
        assertEquals(0, early[0], "none before its deadline");
        final long bound = SessionTimers.SPREAD_TICKS * SessionTimers.TICK_NANOS + period;
        assertTrue(lateMax[0] <= bound, "latest " + lateMax[0] + " ns after its deadline, bound " + bound);
        assertEquals(0, timers.armed());
    }

    private static int tickAllocation(final SessionTimers timers) throws ReflectiveOperationException
    {
        final Field w = SessionTimers.class.getDeclaredField("wheel");
        w.setAccessible(true);
        final Field a = DeadlineTimerWheel.class.getDeclaredField("tickAllocation");
        a.setAccessible(true);
        return a.getInt(w.get(timers));
    }
}
