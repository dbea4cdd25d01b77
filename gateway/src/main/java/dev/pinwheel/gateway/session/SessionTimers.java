package dev.pinwheel.gateway.session;

/**
 * The deadlines of one shard's gateway connections and sessions (identify timeout, heartbeat request and timeout,
 * slow consumer, close linger, resume window) on one hashed timer wheel, polled from the shard's 50 ms ticker: a tick
 * costs the wheel slots that time passed over, not a walk over every session.
 * <pre>
 *   owner (connection, session) ──schedule(earliest deadline)──▶ slot (deadline &gt;&gt; 24 &amp; 1023), linked in
 *   ticker: poll(now) ──due──▶ owner.onDeadline(now): act on what is due, return its next deadline ──▶ re-armed
 * </pre>
 * Each owner has at most one timer, armed at its earliest deadline. Deadlines that move later (a heartbeat arrives, a
 * session is identified or resumed) move nothing: the timer fires at the old deadline, the owner finds nothing due
 * and names the new one. Only a deadline that moves earlier (a connection starts closing or becomes unwritable)
 * re-arms the timer. So the hot paths (heartbeats, dispatches) never touch the wheel, and at 20,000 sessions a tick
 * finds a few timers due (one per session per heartbeat interval), with no allocation.
 * <p>
 * Resolution: 2<sup>24</sup> ns (16.8 ms) per slot, 1,024 slots (17.2 s per turn; later deadlines wait in their slot
 * for their turn). A slot is a doubly linked list through the timers themselves, so the wheel is 1,024 references
 * whatever it holds and a timer is one 40-byte object (issue 14: Agrona's {@code DeadlineTimerWheel} gives every slot
 * the room of its fullest one, and its timer ids needed a map back to the timers — 118 B of {@code long[]} and 38 B
 * of {@code Object[]} per idle session at 10,000 sessions; a burst in one slot grew it further). A deadline acts at
 * most one slot (16.8 ms) plus one ticker period (50 ms) late, never early.
 * <p>
 * <b>Shard thread only.</b>
 */
public final class SessionTimers
{
    /** No deadline. */
    public static final long NONE = Long.MAX_VALUE;
    /** Nanoseconds per slot of the wheel (a power of two). */
    static final long TICK_NANOS = 1L << 24;
    /** Slots per turn of the wheel (a power of two). */
    static final int TICKS_PER_WHEEL = 1024;
    private static final int TICK_SHIFT = Long.numberOfTrailingZeros(TICK_NANOS);
    private static final int SLOT_MASK = TICKS_PER_WHEEL - 1;
    /** {@link Timer#slot} of a timer that is not in a slot. */
    private static final short UNLINKED = -1;
    /** {@link Timer#slot} of a timer taken out of its slot to fire in the current poll. */
    private static final short FIRING = -2;

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

    /** The one timer of an owner, and its links in the slot it waits in. */
    public static final class Timer
    {
        private final Deadline owner;
        private long deadline = NONE;
        private Timer prev;
        private Timer next;
        /** The slot it is linked in, or {@link #UNLINKED} or {@link #FIRING}. */
        private short slot = UNLINKED;
        private boolean retired;

        private Timer(final Deadline owner)
        {
            this.owner = owner;
        }

        /**
         * @return when it fires, or {@link #NONE} while not armed.
         */
        public long deadline()
        {
            return deadline;
        }
    }

    private final Timer[] slots = new Timer[TICKS_PER_WHEEL];
    private final long startNanos;
    /** The first tick (since {@link #startNanos}) the next poll looks at. */
    private long tick;
    private int armed;

    /**
     * @param startNanos {@link System#nanoTime()} now.
     */
    public SessionTimers(final long startNanos)
    {
        this.startNanos = startNanos;
    }

    /**
     * @param owner what the timer calls.
     * @return a timer for it, not armed.
     */
    public Timer timer(final Deadline owner)
    {
        return new Timer(owner);
    }

    /**
     * Arms the timer at {@code deadline} unless it is armed earlier already (the owner names its next deadline when
     * it fires).
     *
     * @param timer    the timer.
     * @param deadline when ({@link System#nanoTime()} scale), or {@link #NONE} (no change).
     */
    public void schedule(final Timer timer, final long deadline)
    {
        if (deadline == NONE || timer.retired || timer.deadline <= deadline)
        {
            return;
        }
        if (timer.slot == FIRING)
        {
            timer.deadline = deadline; // fires in this poll anyway, earlier than asked
            return;
        }
        if (timer.slot != UNLINKED)
        {
            unlink(timer);
        }
        else
        {
            armed++;
        }
        timer.deadline = deadline;
        final long t = Math.max(tickOf(deadline), tick);
        final int s = (int)(t & SLOT_MASK);
        final Timer head = slots[s];
        timer.prev = null;
        timer.next = head;
        if (head != null)
        {
            head.prev = timer;
        }
        slots[s] = timer;
        timer.slot = (short)s;
    }

    /**
     * Disarms the timer for good (its connection closed, its session ended).
     *
     * @param timer the timer.
     */
    public void retire(final Timer timer)
    {
        timer.retired = true;
        if (timer.slot >= 0)
        {
            unlink(timer);
            armed--;
            timer.slot = UNLINKED;
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
        final long now = tickOf(nowNanos);
        if (armed == 0 || now < tick)
        {
            tick = Math.max(tick, now);
            return 0;
        }
        // a poll after more than a turn looks at each slot once: every timer in it whose deadline passed is due
        final long last = Math.min(now, tick + SLOT_MASK);
        Timer due = null; // chained through Timer#next
        for (long t = tick; t <= last; t++)
        {
            due = collectDue((int)(t & SLOT_MASK), nowNanos, due);
        }
        tick = now; // the slot of now is looked at again next time: its later deadlines are not due yet
        int fired = 0;
        Timer t;
        while ((t = due) != null)
        {
            due = t.next;
            t.next = null;
            t.slot = UNLINKED;
            armed--;
            t.deadline = NONE;
            if (!t.retired)
            {
                fired++;
                schedule(t, t.owner.onDeadline(nowNanos));
            }
        }
        return fired;
    }

    /**
     * @return timers armed.
     */
    public int armed()
    {
        return armed;
    }

    /** Moves the slot's timers whose deadline passed onto the chain {@code due}; returns the chain's new head. */
    private Timer collectDue(final int s, final long nowNanos, final Timer due)
    {
        Timer head = due;
        Timer t = slots[s];
        while (t != null)
        {
            final Timer next = t.next;
            if (t.deadline <= nowNanos)
            {
                unlink(t);
                t.slot = FIRING;
                t.next = head;
                head = t;
            }
            t = next;
        }
        return head;
    }

    private void unlink(final Timer timer)
    {
        final Timer p = timer.prev;
        final Timer n = timer.next;
        if (p == null)
        {
            slots[timer.slot] = n;
        }
        else
        {
            p.next = n;
        }
        if (n != null)
        {
            n.prev = p;
        }
        timer.prev = null;
        timer.next = null;
    }

    private long tickOf(final long nanos)
    {
        return (nanos - startNanos) >> TICK_SHIFT;
    }
}
