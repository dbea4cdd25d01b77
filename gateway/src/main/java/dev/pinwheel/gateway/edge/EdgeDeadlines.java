package dev.pinwheel.gateway.edge;

import java.util.Arrays;

/**
 * The HTTP connections of one shard that have a deadline, checked from the shard's existing 50 ms ticker: no
 * timer task per connection, no timer wheel, no allocation per tick. Each watched connection has one slot in two
 * parallel arrays: its deadline ({@code long}, 0 for none) and the connection itself. A connection's own events
 * move its deadline (bytes arrive, a head or body completes, a response goes out); each tick scans a fifth of the
 * deadline array — sequential {@code long} compares, touching a connection object only when its deadline has
 * passed — so every connection is checked about every 250 ms, the resolution of the edge deadlines (seconds).
 * Connections leave when they close or become WebSocket sessions (those keep their own identify and heartbeat
 * deadlines on the session timer wheel, {@code session.SessionTimers}).
 * <pre>
 *   tick (every 50 ms):  deadline[cursor .. cursor + n/5) passed? → connection[i].expire()
 *   add/remove:          O(1), swap-remove by the connection's slot
 * </pre>
 * Confined to the shard thread: every method MUST be called on it.
 */
public final class EdgeDeadlines
{
    private static final int TICKS_PER_SCAN = 5;
    private EdgeConnection[] tracked = new EdgeConnection[64];
    private long[] deadlines = new long[64];
    private int size;
    private int cursor;

    /**
     * Starts watching a connection.
     *
     * @param c            the connection (not watched yet).
     * @param deadlineNanos its deadline ({@link System#nanoTime()} scale), 0 for none.
     */
    void add(final EdgeConnection c, final long deadlineNanos)
    {
        if (size == tracked.length)
        {
            tracked = Arrays.copyOf(tracked, size * 2);
            deadlines = Arrays.copyOf(deadlines, size * 2);
        }
        c.slot = size;
        tracked[size] = c;
        deadlines[size] = deadlineNanos;
        size++;
    }

    /**
     * Moves a watched connection's deadline; no-op if it is not watched.
     *
     * @param c             the connection.
     * @param deadlineNanos its new deadline, 0 for none.
     */
    void set(final EdgeConnection c, final long deadlineNanos)
    {
        final int slot = c.slot;
        if (slot >= 0 && slot < size && tracked[slot] == c)
        {
            deadlines[slot] = deadlineNanos;
        }
    }

    /**
     * Stops watching a connection (closed or upgraded); no-op if it is not watched.
     *
     * @param c the connection.
     */
    void remove(final EdgeConnection c)
    {
        final int slot = c.slot;
        if (slot < 0 || slot >= size || tracked[slot] != c)
        {
            return;
        }
        final int last = --size;
        if (slot != last)
        {
            tracked[slot] = tracked[last];
            deadlines[slot] = deadlines[last];
            tracked[slot].slot = slot;
        }
        tracked[last] = null;
        deadlines[last] = 0;
        c.slot = -1;
    }

    /**
     * The ticker body: checks the next fifth of the connections against {@code now}.
     *
     * @param now {@link System#nanoTime()}.
     * @return connections whose deadline had passed.
     */
    public int tick(final long now)
    {
        if (size == 0)
        {
            return 0;
        }
        int expired = 0;
        int left = (size + TICKS_PER_SCAN - 1) / TICKS_PER_SCAN;
        while (left-- > 0 && size > 0)
        {
            if (cursor >= size)
            {
                cursor = 0;
            }
            final long d = deadlines[cursor];
            if (d != 0 && now - d >= 0)
            {
                final EdgeConnection c = tracked[cursor];
                expired++;
                c.expire(now);
                if (cursor < size && tracked[cursor] != c)
                {
                    continue; // c left its slot and another connection took it: look at that one next
                }
            }
            cursor++;
        }
        return expired;
    }

    /**
     * @return connections watched.
     */
    public int size()
    {
        return size;
    }
}
