package dev.pinwheel.storage.cassandra;

import java.util.Arrays;
import java.util.List;

import dev.pinwheel.core.store.StoredMessage;

/**
 * The newest messages of one hot channel, on its owner shard: every live message with id &ge; {@link #floor()} (or
 * every live message at all once {@link #complete()}), oldest first. Writes go through it (the owner is the
 * channel's single writer), so latest-page reads need no round trip; older pages come from Cassandra.
 * <pre>
 *   ids/msgs:  [ floor ............................ newest ]   size ≤ capacity + slack, trimmed from the old end
 *   floor:     every message ≥ floor is here; nothing is known below it unless complete
 * </pre>
 * <b>Not thread-safe</b>: owner shard only.
 */
final class ChannelWindow
{
    private static final int SLACK = 32;
    final long channelId;
    private final int capacity;
    private long[] ids;
    /** The write that made each entry (0: read from Cassandra): an entry is dropped only once durable. */
    private long[] seqs;
    private StoredMessage[] msgs;
    private int size;
    private long floor;
    private boolean complete;
    /** Write sequence of the newest write that changed this window (not evictable while above the watermark). */
    long lastWriteSeq;
    /** LRU links (owner's cache). */
    ChannelWindow newer;
    ChannelWindow older;

    ChannelWindow(final long channelId, final int capacity)
    {
        this.channelId = channelId;
        this.capacity = capacity;
        this.ids = new long[16];
        this.seqs = new long[16];
        this.msgs = new StoredMessage[16];
        this.floor = Long.MAX_VALUE;
    }

    int size()
    {
        return size;
    }

    long floor()
    {
        return complete ? Long.MIN_VALUE : floor;
    }

    boolean complete()
    {
        return complete;
    }

    /**
     * @param id a message id.
     * @return whether the window knows for sure whether that id is live.
     */
    boolean covers(final long id)
    {
        return complete || id >= floor;
    }

    long newestId()
    {
        return size == 0 ? 0 : ids[size - 1];
    }

    /**
     * @param id a message id the window covers.
     * @return its version, or null if not live.
     */
    StoredMessage get(final long id)
    {
        final int i = Arrays.binarySearch(ids, 0, size, id);
        return i >= 0 ? msgs[i] : null;
    }

    /**
     * Loads what Cassandra holds for the channel's newest region: {@code page} newest first, {@code exhausted} if
     * there is nothing older than its last entry. Only on an empty window or to extend it downward.
     */
    void extendOlder(final List<StoredMessage> page, final boolean exhausted)
    {
        final long below = floor;
        int added = 0;
        for (final StoredMessage m : page)
        {
            if (m.id() < below)
            {
                added++;
            }
        }
        ensure(size + added);
        System.arraycopy(ids, 0, ids, added, size);
        System.arraycopy(seqs, 0, seqs, added, size);
        System.arraycopy(msgs, 0, msgs, added, size);
        int at = added;
        for (final StoredMessage m : page) // newest first: fill from the back of the new region
        {
            if (m.id() < below)
            {
                at--;
                ids[at] = m.id();
                seqs[at] = 0;
                msgs[at] = m;
            }
        }
        size += added;
        if (size > 0 && ids[0] < floor)
        {
            floor = ids[0];
        }
        if (exhausted)
        {
            complete = true;
        }
        else if (page.isEmpty() && size == 0)
        {
            floor = Long.MAX_VALUE;
        }
    }

    /** Marks an empty or loaded window as reaching {@code newFloor} with nothing else between. */
    void floor(final long newFloor)
    {
        if (newFloor < floor)
        {
            floor = newFloor;
        }
    }

    /**
     * A new version of a message the window covers, or a new message: placed in id order. Trims the oldest entries
     * beyond capacity that are durable (an entry Cassandra may not have yet is never dropped: the window is its only
     * reader).
     *
     * @param m       the version.
     * @param seq     the write that made it.
     * @param durable the store's durable watermark.
     */
    void put(final StoredMessage m, final long seq, final long durable)
    {
        final int i = Arrays.binarySearch(ids, 0, size, m.id());
        if (i >= 0)
        {
            msgs[i] = m;
            seqs[i] = Math.max(seqs[i], seq);
            return;
        }
        final int at = -i - 1;
        ensure(size + 1);
        System.arraycopy(ids, at, ids, at + 1, size - at);
        System.arraycopy(seqs, at, seqs, at + 1, size - at);
        System.arraycopy(msgs, at, msgs, at + 1, size - at);
        ids[at] = m.id();
        seqs[at] = seq;
        msgs[at] = m;
        size++;
        if (size > capacity + SLACK)
        {
            trim(durable);
        }
    }

    /**
     * @return whether the id was here (and is removed).
     */
    boolean remove(final long id)
    {
        final int i = Arrays.binarySearch(ids, 0, size, id);
        if (i < 0)
        {
            return false;
        }
        System.arraycopy(ids, i + 1, ids, i, size - i - 1);
        System.arraycopy(seqs, i + 1, seqs, i, size - i - 1);
        System.arraycopy(msgs, i + 1, msgs, i, size - i - 1);
        size--;
        msgs[size] = null;
        return true;
    }

    /** Drops the oldest durable messages beyond capacity: the window no longer reaches the channel's beginning. */
    private void trim(final long durable)
    {
        int drop = 0;
        while (drop < size - capacity && seqs[drop] <= durable)
        {
            drop++;
        }
        if (drop == 0)
        {
            return;
        }
        final int keep = size - drop;
        System.arraycopy(ids, drop, ids, 0, keep);
        System.arraycopy(seqs, drop, seqs, 0, keep);
        System.arraycopy(msgs, drop, msgs, 0, keep);
        Arrays.fill(msgs, keep, size, null);
        size = keep;
        floor = ids[0];
        complete = false;
    }

    private void ensure(final int n)
    {
        if (n > ids.length)
        {
            final int len = Math.max(n, ids.length * 2);
            ids = Arrays.copyOf(ids, len);
            seqs = Arrays.copyOf(seqs, len);
            msgs = Arrays.copyOf(msgs, len);
        }
    }

    /**
     * @param maxExclusive only ids below this.
     * @return how many window entries are below it.
     */
    int countBelow(final long maxExclusive)
    {
        final int i = Arrays.binarySearch(ids, 0, size, maxExclusive);
        return i >= 0 ? i : -i - 1;
    }

    /**
     * Appends to {@code out}, newest first, up to {@code limit} messages with id &lt; maxExclusive.
     *
     * @return how many were added.
     */
    int collectBelow(final long maxExclusive, final int limit, final List<StoredMessage> out)
    {
        int i = countBelow(maxExclusive) - 1;
        int n = 0;
        while (i >= 0 && n < limit)
        {
            out.add(msgs[i--]);
            n++;
        }
        return n;
    }

    /**
     * Appends to {@code out}, oldest first, up to {@code limit} messages with id &gt; minExclusive.
     *
     * @return how many were added.
     */
    int collectAbove(final long minExclusive, final int limit, final List<StoredMessage> out)
    {
        final int j = Arrays.binarySearch(ids, 0, size, minExclusive);
        int i = j >= 0 ? j + 1 : -j - 1;
        int n = 0;
        while (i < size && n < limit)
        {
            out.add(msgs[i++]);
            n++;
        }
        return n;
    }
}
