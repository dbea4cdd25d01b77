package dev.pinwheel.gateway.session;

import java.util.concurrent.TimeUnit;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The deadlines of one shard's gateway connections and sessions (identify timeout, heartbeat request and timeout,
 * slow consumer, close linger, resume window) on one Agrona {@link DeadlineTimerWheel}, polled from the shard's
 * 50 ms ticker: a tick costs the wheel slots that time passed over, not a walk over every session.
 * <pre>
 *   owner (connection, session) ──schedule(earliest deadline)──▶ wheel slot (deadline >> 24 &amp; 1023)
 *   ticker: poll(now) ──due──▶ owner.onDeadline(now): act on what is due, return its next deadline ──▶ re-armed
 * </pre>
 * Each owner has at most one timer, armed at its earliest deadline. Deadlines that move later (a heartbeat arrives, a
 * session is identified or resumed) move nothing: the timer fires at the old deadline, the owner finds nothing due
 * and names the new one. Only a deadline that moves earlier (a connection starts closing or becomes unwritable)
 * re-arms the timer. So the hot paths (heartbeats, dispatches) never touch the wheel, and at 20,000 sessions a tick
 * finds a few timers due (one per session per heartbeat interval), with no allocation.
 * <p>
 * Resolution: 2<sup>24</sup> ns (16.8 ms) per slot, 1,024 slots (17.2 s per turn; later deadlines wait in their slot
 * for their turn). Each timer fires a fixed 0–15 slots after its deadline (its spread, handed out in turn): the wheel
 * gives every slot the room of its fullest one, so a burst of deadlines in one slot — heartbeats read together after a
 * pause, a reconnect storm — grew the whole wheel (1,024 × 256 longs, 2 MiB, for 200 timers in a slot at 10,000
 * sessions: up to 0.9 KiB per idle session, issue 14); spread over 16 slots the same burst needs 1/16 of it. A
 * deadline acts at most one ticker period (50 ms) plus 16 slots (269 ms) late.
 * <p>
 * <b>Shard thread only.</b>
 */
public final class SessionTimers implements DeadlineTimerWheel.TimerHandler
{
    /** No deadline. */
    public static final long NONE = Long.MAX_VALUE;
    /** Nanoseconds per slot of the wheel. */
    static final long TICK_NANOS = 1L << 24;
    /** Slots per turn of the wheel. */
    static final int TICKS_PER_WHEEL = 1024;
    /** Timers are spread over this many slots after their deadline (a power of two). */
    static final int SPREAD_TICKS = 16;
    private static final long NO_TIMER = -1;

    /** Whatever has deadlines: a connection, a session. */
    @FunctionalInterface
    public interface Deadline
    {
        /**
         * Acts on what is due at {@code nowNanos}.
         *
         * @param nowNanos {@link System#nanoTime()}.
         * @return the next deadline ({@link System#nanoTime()} scale), or {@link #NONE}.
         */
        long onDeadline(long nowNanos);
    }

    /** The one timer of an owner. */
    public static final class Timer
    {
        private final Deadline owner;
        /** Slots after each deadline that it fires, 0 to {@code SPREAD_TICKS - 1} (a byte: the object stays 40 B). */
        private final byte spreadTicks;
        private long id = NO_TIMER;
        private long deadline = NONE;
        private boolean retired;

        private Timer(final Deadline owner, final int spreadTicks)
        {
            this.owner = owner;
            this.spreadTicks = (byte)spreadTicks;
        }

        /**
         * @return when it fires, or {@link #NONE} while not armed.
         */
        public long deadline()
        {
            return deadline;
        }
    }

    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Timer> armed = new Long2ObjectHashMap<>();
    private int nextSpread;

    /**
     * @param startNanos {@link System#nanoTime()} now.
     */
    public SessionTimers(final long startNanos)
    {
        wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNanos, TICK_NANOS, TICKS_PER_WHEEL);
    }

    /**
     * @param owner what the timer calls.
     * @return a timer for it, not armed.
     */
    public Timer timer(final Deadline owner)
    {
        nextSpread = (nextSpread + 1) & (SPREAD_TICKS - 1);
        return new Timer(owner, nextSpread);
    }

    /**
     * Arms the timer at {@code deadline} plus its spread unless it is armed earlier already (the owner names its next
     * deadline when it fires).
     *
     * @param timer    the timer.
     * @param deadline when ({@link System#nanoTime()} scale), or {@link #NONE} (no change).
     */
    public void schedule(final Timer timer, final long deadline)
    {
        if (deadline == NONE || timer.retired)
        {
            return;
        }
        final long at = deadline + timer.spreadTicks * TICK_NANOS;
        if (timer.deadline <= at)
        {
            return;
        }
        if (timer.id != NO_TIMER)
        {
            wheel.cancelTimer(timer.id);
            armed.remove(timer.id);
        }
        timer.id = wheel.scheduleTimer(at);
        timer.deadline = at;
        armed.put(timer.id, timer);
    }

    /**
     * Disarms the timer for good (its connection closed, its session ended).
     *
     * @param timer the timer.
     */
    public void retire(final Timer timer)
    {
        timer.retired = true;
        if (timer.id != NO_TIMER)
        {
            wheel.cancelTimer(timer.id);
            armed.remove(timer.id);
            timer.id = NO_TIMER;
            timer.deadline = NONE;
        }
    }

    /**
     * Fires every timer due at {@code nowNanos}; from the shard's ticker.
     *
     * @param nowNanos {@link System#nanoTime()}.
     * @return timers fired.
     */
    public int poll(final long nowNanos)
    {
        if (wheel.timerCount() == 0)
        {
            wheel.currentTickTime(nowNanos);
            return 0;
        }
        int fired = 0;
        do
        {
            fired += wheel.poll(nowNanos, this, Integer.MAX_VALUE);
        }
        while (wheel.currentTickTime() <= nowNanos);
        return fired;
    }

    /**
     * @return timers armed.
     */
    public int armed()
    {
        return armed.size();
    }

    @Override
    public boolean onTimerExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final Timer timer = armed.remove(timerId);
        if (timer != null)
        {
            timer.id = NO_TIMER;
            timer.deadline = NONE;
            final long next = timer.owner.onDeadline(now);
            schedule(timer, next);
        }
        return true;
    }
}
