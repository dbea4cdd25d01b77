package dev.pinwheel.core.fanout;

/**
 * The events of one guild delivered to all of its sessions on one shard, in order, each at a position (0, 1, 2, …):
 * one reference per event for the whole shard, where every session used to write the event into its own resume ring.
 * A session that receives a guild's events one after the other keeps only where its run in the log starts and ends
 * ({@link SessionEndpoint#dispatch(Dispatch, DispatchLog, long)}), so a delivery touches the session's own fields
 * and nothing else of it (issue 14: the resume rings of a busy guild's sessions, 512–2,048 slots each, spread the
 * sessions over hundreds of megabytes, and the slot each delivery wrote cost a page walk).
 * <p>
 * Retention: the log keeps every position a member still needs ({@link SessionEndpoint#oldestNeeded}), growing up to
 * its limit. It asks the guild's sessions on this shard when it is full, and, to release, again after as many appends
 * or acknowledgements as there are sessions. What no member needs is released, and a log whose members need little
 * shrinks again. At its limit, the sessions that still need its oldest quarter copy their events into their own resume
 * buffers ({@link SessionEndpoint#evictBefore}), which keep them as before the logs: no event a session needs is
 * dropped by the log. Confined to the shard thread.
 */
public final class DispatchLog
{
    private static final int INITIAL = 16;

    /** The guild's sessions on the shard, as the log asks them. */
    public interface Readers
    {
        /**
         * @return the oldest position any of them still needs ({@code Long.MAX_VALUE}: none); walks every one.
         */
        long oldestNeeded();

        /**
         * @return how many there are (asking them costs one touch each).
         */
        int count();

        /**
         * The log is at its limit: every reader that still needs a position before {@code position} copies what it
         * needs into a buffer of its own and stops reading the log there ({@link SessionEndpoint#evictBefore}).
         *
         * @param position the log's new oldest position.
         */
        void evictBefore(long position);
    }

    private final int limit;
    private final Readers readers;
    private Dispatch[] ring = new Dispatch[INITIAL];
    private int mask = INITIAL - 1;
    /** The position the next event gets. */
    private long next;
    /** Positions below it are released (null). */
    private long floor;
    /** When to ask the readers again although the log is not full (to release what none of them needs). */
    private long trimAt = INITIAL;
    /** While readers copy out what they need ({@link Readers#evictBefore}): their acknowledgements wait. */
    private boolean evicting;
    /** Readers' acknowledgements left before the log asks them all ({@link #readerAdvanced}). */
    private int advancesUntilTrim;

    /**
     * @param limit   the most events held (a power of two, at least 16).
     * @param readers the guild's sessions on the shard.
     */
    public DispatchLog(final int limit, final Readers readers)
    {
        if (limit < INITIAL || Integer.bitCount(limit) != 1)
        {
            throw new IllegalArgumentException("a dispatch log's limit must be a power of two >= 16: " + limit);
        }
        this.limit = limit;
        this.readers = readers;
    }

    /**
     * @param d the event.
     * @return its position.
     */
    public long append(final Dispatch d)
    {
        if (next - floor >= ring.length || next >= trimAt)
        {
            makeRoom();
        }
        ring[(int)(next & mask)] = d;
        return next++;
    }

    /**
     * Asks the readers what they still need (one touch of each) when the log is full, or to release, after at least as
     * many appends as there are readers; releases the rest, then grows when more than half is still needed, or shrinks
     * when less than an eighth is. A full log at its limit has the readers that still need its oldest quarter copy
     * their events out, then releases that quarter (so it asks once per quarter of it). A full log with more readers
     * than slots grows without asking.
     */
    private void makeRoom()
    {
        final int readerCount = readers.count();
        if (next - floor >= ring.length && ring.length < limit && readerCount > ring.length)
        {
            resize(ring.length * 2); // asking more readers than the log has slots would cost more than the slots
            trimAt = next + Math.max(ring.length / 2, readerCount);
            return;
        }
        release(Math.max(floor, Math.min(next, readers.oldestNeeded())));
        final long held = next - floor;
        if (held > ring.length / 2)
        {
            if (ring.length < limit)
            {
                resize(ring.length * 2);
            }
            else if (held >= ring.length)
            {
                // at the limit: the readers that still need the oldest quarter keep their events themselves
                final long cut = next - ring.length * 3L / 4;
                evicting = true;
                try
                {
                    readers.evictBefore(cut);
                }
                finally
                {
                    evicting = false;
                }
                release(cut);
            }
        }
        else
        {
            shrinkIfMostlyFree();
        }
        trimAt = next + Math.max(ring.length / 2, readerCount);
    }

    /**
     * A reader acknowledged events of the log or stopped reading it: once as many have done so as there are readers,
     * the log asks them all what they still need and releases the rest (so that a guild's last events are not kept
     * after its sessions acknowledged them, which the next append would otherwise do: about one touch per call).
     */
    public void readerAdvanced()
    {
        if (evicting || --advancesUntilTrim > 0)
        {
            return;
        }
        advancesUntilTrim = Math.max(1, readers.count());
        // never the newest: it may be the event being delivered right now, to sessions that have not noted it yet
        release(Math.max(floor, Math.min(next - 1, readers.oldestNeeded())));
        shrinkIfMostlyFree();
    }

    private void shrinkIfMostlyFree()
    {
        final long held = next - floor;
        if (ring.length > INITIAL && held < ring.length / 8)
        {
            resize(Math.max(INITIAL, Integer.highestOneBit((int)Math.max(1, held)) * 4));
        }
    }

    private void release(final long upTo)
    {
        for (long p = Math.max(floor, next - ring.length); p < upTo; p++)
        {
            ring[(int)(p & mask)] = null;
        }
        floor = Math.max(floor, upTo);
    }

    private void resize(final int capacity)
    {
        final Dispatch[] to = new Dispatch[capacity];
        final int toMask = capacity - 1;
        for (long p = floor; p < next; p++)
        {
            to[(int)(p & toMask)] = ring[(int)(p & mask)];
        }
        ring = to;
        mask = toMask;
    }

    /**
     * @return the position the next event will get.
     */
    public long next()
    {
        return next;
    }

    /**
     * @param position a position.
     * @return whether its event is still held.
     */
    public boolean holds(final long position)
    {
        return position >= floor && position < next;
    }

    /**
     * @param position a position {@link #holds held}.
     * @return its event.
     */
    public Dispatch at(final long position)
    {
        return ring[(int)(position & mask)];
    }

    /**
     * The log's slots as they are, for a reader that writes a stretch of held positions straight from them (the
     * gateway's flush: no copy of the events into a scratch array, whose reference stores cost a GC write barrier per
     * recipient). Position {@code p} is at {@code slots()[(int)(p & slotMask())]}. Valid until the next append; read
     * only.
     *
     * @return the slot array.
     */
    public Dispatch[] slots()
    {
        return ring;
    }

    /**
     * @return the index mask of {@link #slots()}.
     */
    public int slotMask()
    {
        return mask;
    }

    /**
     * @return the most positions it holds: at its limit the sessions that still need its oldest quarter copy what they
     *     need into their own resume buffers and it releases that quarter.
     */
    public int limit()
    {
        return limit;
    }

    /**
     * @return how many positions the log can hold now (grows up to its limit).
     */
    public int capacity()
    {
        return ring.length;
    }
}
