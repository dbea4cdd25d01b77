package dev.pinwheel.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The session deadlines' wheel: every timer fires once, never before its deadline and at most a slot and a ticker
 * period after it, whatever the slots hold (a burst in one slot, deadlines turns ahead, a poll after a pause), and an
 * owner's callback may retire or move other timers due in the same poll.
 */
class SessionTimersTest
{
    private static final long START = 1_000_000_000L;
    private static final long PERIOD = TimeUnit.MILLISECONDS.toNanos(50);

    @Test
    void aBurstInOneSlotAndDeadlinesTurnsAheadEachFireOnceInTime()
    {
        final SessionTimers timers = new SessionTimers(START);
        final int n = 5000;
        final int[] fired = new int[n];
        final long[] early = new long[1];
        final long[] lateMax = new long[1];
        for (int i = 0; i < n; i++)
        {
            // 200 in one slot, the rest spread over 5 s, every tenth of those two to three turns (17.2 s) later
            final long spread = START + TimeUnit.SECONDS.toNanos(1) + i * (TimeUnit.SECONDS.toNanos(5) / n);
            final long deadline = i < 200 ? START + TimeUnit.SECONDS.toNanos(3)
                : i % 10 == 0 ? spread + TimeUnit.SECONDS.toNanos(40) : spread;
            final int k = i;
            final SessionTimers.Timer t = timers.timer(now ->
            {
                fired[k]++;
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

        for (long now = START; now <= START + TimeUnit.SECONDS.toNanos(50); now += PERIOD)
        {
            timers.poll(now);
        }
        for (int i = 0; i < n; i++)
        {
            assertEquals(1, fired[i], "timer " + i + " fired once");
        }
        assertEquals(0, early[0], "none before its deadline");
        final long bound = SessionTimers.TICK_NANOS + PERIOD;
        assertTrue(lateMax[0] <= bound, "latest " + lateMax[0] + " ns after its deadline, bound " + bound);
        assertEquals(0, timers.armed());
    }

    @Test
    void aPollAfterAPauseLongerThanATurnFiresWhatIsDueAndKeepsTheRest()
    {
        final SessionTimers timers = new SessionTimers(START);
        final List<Long> firedAt = new ArrayList<>();
        final long due = START + TimeUnit.SECONDS.toNanos(2);
        final long later = START + TimeUnit.SECONDS.toNanos(60);
        timers.schedule(timers.timer(now -> record(firedAt, now)), due);
        timers.schedule(timers.timer(now -> record(firedAt, now)), later);
        final long resumed = START + TimeUnit.SECONDS.toNanos(40); // more than two turns of the wheel later
        assertEquals(1, timers.poll(resumed));
        assertEquals(List.of(resumed), firedAt);
        assertEquals(1, timers.armed());
        for (long now = resumed; now < later; now += PERIOD)
        {
            timers.poll(now);
        }
        assertEquals(1, firedAt.size(), "not before its deadline");
        long now = later;
        while (firedAt.size() == 1)
        {
            now += PERIOD;
            timers.poll(now);
            assertTrue(now - later <= SessionTimers.TICK_NANOS + PERIOD, "fired in time");
        }
        assertEquals(0, timers.armed());
    }

    @Test
    void aCallbackMayRetireOrMoveOtherTimersDueInTheSamePoll()
    {
        final SessionTimers timers = new SessionTimers(START);
        final int[] fired = new int[3];
        final SessionTimers.Timer[] t = new SessionTimers.Timer[3];
        final long deadline = START + TimeUnit.MILLISECONDS.toNanos(100);
        t[1] = timers.timer(now ->
        {
            fired[1]++;
            return SessionTimers.NONE;
        });
        t[2] = timers.timer(now ->
        {
            fired[2]++;
            return fired[2] == 1 ? now + TimeUnit.SECONDS.toNanos(1) : SessionTimers.NONE;
        });
        t[0] = timers.timer(now ->
        {
            fired[0]++;
            timers.retire(t[1]); // its connection closed: due too, it must not fire
            timers.schedule(t[2], now - 1); // earlier than it is: it fires in this poll all the same, once
            return fired[0] == 1 ? now + TimeUnit.SECONDS.toNanos(1) : SessionTimers.NONE;
        });
        for (final SessionTimers.Timer each : t)
        {
            timers.schedule(each, deadline);
        }
        final long now = deadline + PERIOD;
        timers.poll(now);
        assertEquals(1, fired[0]);
        assertEquals(0, fired[1], "a timer retired before its turn does not fire");
        assertEquals(1, fired[2]);
        assertEquals(2, timers.armed(), "the first and the third re-armed, the second retired");
        timers.schedule(t[1], now); // retired for good
        assertEquals(2, timers.armed());

        timers.schedule(t[0], now + TimeUnit.MILLISECONDS.toNanos(200)); // moved earlier
        timers.poll(now + TimeUnit.MILLISECONDS.toNanos(300));
        assertEquals(2, fired[0]);
        assertEquals(1, fired[2], "the third's second deadline not yet due");
        timers.poll(now + TimeUnit.SECONDS.toNanos(2));
        assertEquals(2, fired[0], "the first fired once, at its moved deadline");
        assertEquals(2, fired[2]);
        assertEquals(0, timers.armed());
    }

    private static long record(final List<Long> firedAt, final long now)
    {
        firedAt.add(now);
        return SessionTimers.NONE;
    }
}
