package dev.pinwheel.storage;

import static dev.pinwheel.storage.TimelinePage.NONE;
import static dev.pinwheel.storage.TimelinePage.corrupt;

import dev.pinwheel.core.store.HistoryQuery;

/**
 * History pages of one channel: walks its pages backward or forward from where a query starts and follows the bucket
 * links across empty stretches of time. The result, newest first, is read with {@link #resultId(int)} and
 * {@link #resultIndex(int)}: no allocation.
 * <pre>
 *   LATEST  from the head's last page backward          BEFORE  from the page holding anchor - 1 backward
 *   AFTER   from the page holding anchor + 1 forward    AROUND  AFTER-like from the anchor, then BEFORE it
 * </pre>
 * Works on the scratch {@link TimelineHead} (loaded by the caller) and {@link TimelinePage} of its timeline.
 * <p>
 * <b>Not thread-safe</b>: part of one {@link ChannelTimeline}.
 */
final class TimelineQuery
{
    /** Largest page a query returns. */
    static final int MAX_RESULT = 100;
    private static final long NO_POSITION = -1;

    private final TimelineHead head;
    private final TimelinePage page;
    private final long[] resultIds = new long[MAX_RESULT];
    private final long[] resultIndexes = new long[MAX_RESULT];

    TimelineQuery(final TimelineHead head, final TimelinePage page)
    {
        this.head = head;
        this.page = page;
    }

    /**
     * Runs a history query on the channel whose head is loaded.
     *
     * @return number of entries, newest first.
     * @see ChannelTimeline#query
     */
    int run(final long channel, final HistoryQuery query, final long anchor, final int limit)
    {
        if (!head.present || head.live == 0)
        {
            return 0;
        }
        switch (query)
        {
            case LATEST ->
            {
                return collectBackward(channel, head.newestBucket, head.lastPage, Long.MAX_VALUE, limit, 0);
            }
            case BEFORE ->
            {
                return before(channel, anchor, limit, 0);
            }
            case AFTER ->
            {
                return anchor == Long.MAX_VALUE ? 0 : fromOldest(channel, anchor + 1, limit);
            }
            case AROUND ->
            {
                final int older = limit / 2;
                final int newer = fromOldest(channel, anchor, limit - older); // the anchor itself if live
                return older == 0 ? newer : newer + before(channel, anchor, older, newer);
            }
            default -> throw new IllegalArgumentException("unknown query " + query);
        }
    }

    /**
     * @param i 0 (newest) .. count-1 of the last query.
     * @return the message id.
     */
    long resultId(final int i)
    {
        return resultIds[i];
    }

    /**
     * @param i 0 (newest) .. count-1 of the last query.
     * @return the journal address of the message's newest version.
     */
    long resultIndex(final int i)
    {
        return resultIndexes[i];
    }

    /**
     * @return the newest live id of the channel whose head is loaded, by a scan from its last page, or 0.
     */
    long newestByScan(final long channel)
    {
        final int n = collectBackward(channel, head.newestBucket, head.lastPage, Long.MAX_VALUE, 1, 0);
        return n == 0 ? 0 : resultIds[0];
    }

    /** Ids &lt; anchor, newest first, written from result position {@code out}. */
    private int before(final long channel, final long anchor, final int limit, final int out)
    {
        if (anchor == Long.MIN_VALUE)
        {
            return 0;
        }
        final long max = anchor - 1;
        final int b = ChannelTimeline.bucket(max);
        final long start;
        if (b > head.newestBucket)
        {
            start = position(head.newestBucket, head.lastPage);
        }
        else if (b < head.oldestBucket)
        {
            start = NO_POSITION;
        }
        else if (page.read(channel, b, 0))
        {
            start = position(b, page.find(channel, b, page.bucketPages, max));
        }
        else
        {
            start = lastPageOfBucketBelow(channel, b);
        }
        return start == NO_POSITION ? 0 : collectBackward(channel, bucketOf(start), pageOf(start), max, limit, out);
    }

    /** The oldest {@code limit} ids &ge; min, returned newest first from result position 0. */
    private int fromOldest(final long channel, final long min, final int limit)
    {
        final int b = ChannelTimeline.bucket(min);
        final long start;
        if (b < head.oldestBucket)
        {
            start = position(head.oldestBucket, 0);
        }
        else if (b > head.newestBucket)
        {
            start = NO_POSITION;
        }
        else if (page.read(channel, b, 0))
        {
            start = position(b, page.find(channel, b, page.bucketPages, min));
        }
        else
        {
            start = firstPageOfBucketAbove(channel, b);
        }
        if (start == NO_POSITION)
        {
            return 0;
        }
        final int n = collectForward(channel, bucketOf(start), pageOf(start), min, limit);
        for (int i = 0, j = n - 1; i < j; i++, j--)
        {
            final long id = resultIds[i];
            resultIds[i] = resultIds[j];
            resultIds[j] = id;
            final long index = resultIndexes[i];
            resultIndexes[i] = resultIndexes[j];
            resultIndexes[j] = index;
        }
        return n;
    }

    /** Ids &le; max from (bucket, page) backward, newest first, into the result from {@code out}. */
    private int collectBackward(
        final long channel, final int startBucket, final int startPage, final long max, final int limit, final int out)
    {
        final TimelinePage pg = page;
        int b = startBucket;
        int p = startPage;
        int taken = 0;
        boolean loaded = false;
        while (true)
        {
            if (!loaded && !pg.read(channel, b, p))
            {
                throw corrupt(channel, b, p);
            }
            for (int i = pg.count - 1; i >= 0 && taken < limit; i--)
            {
                if (pg.ids[i] <= max)
                {
                    resultIds[out + taken] = pg.ids[i];
                    resultIndexes[out + taken] = pg.indexes[i];
                    taken++;
                }
            }
            if (taken == limit)
            {
                return taken;
            }
            if (p > 0)
            {
                p--;
                loaded = false;
                continue;
            }
            final int prev = pg.prev; // the scratch holds page 0 of bucket b
            if (prev == NONE)
            {
                return taken;
            }
            b = prev;
            if (!pg.read(channel, b, 0))
            {
                throw corrupt(channel, b, 0);
            }
            p = pg.bucketPages - 1;
            loaded = p == 0;
        }
    }

    /** Ids &ge; min from (bucket, page) forward, oldest first, into the result from 0. */
    private int collectForward(final long channel, final int startBucket, final int startPage, final long min,
        final int limit)
    {
        final TimelinePage pg = page;
        int b = startBucket;
        int p = startPage;
        if (!pg.read(channel, b, 0))
        {
            throw corrupt(channel, b, 0);
        }
        int bucketPages = pg.bucketPages;
        int next = pg.next;
        if (p != 0 && !pg.read(channel, b, p))
        {
            throw corrupt(channel, b, p);
        }
        int taken = 0;
        while (true)
        {
            for (int i = 0; i < pg.count && taken < limit; i++)
            {
                if (pg.ids[i] >= min)
                {
                    resultIds[taken] = pg.ids[i];
                    resultIndexes[taken] = pg.indexes[i];
                    taken++;
                }
            }
            if (taken == limit)
            {
                return taken;
            }
            if (p + 1 < bucketPages)
            {
                p++;
                if (!pg.read(channel, b, p))
                {
                    throw corrupt(channel, b, p);
                }
                continue;
            }
            if (next == NONE)
            {
                return taken;
            }
            b = next;
            p = 0;
            if (!pg.read(channel, b, 0))
            {
                throw corrupt(channel, b, 0);
            }
            bucketPages = pg.bucketPages;
            next = pg.next;
        }
    }

    private long lastPageOfBucketBelow(final long channel, final int bucket)
    {
        for (int k = bucket - 1; k >= head.oldestBucket; k--)
        {
            if (page.read(channel, k, 0))
            {
                return position(k, page.bucketPages - 1);
            }
        }
        return NO_POSITION;
    }

    private long firstPageOfBucketAbove(final long channel, final int bucket)
    {
        for (int k = bucket + 1; k <= head.newestBucket; k++)
        {
            if (page.read(channel, k, 0))
            {
                return position(k, 0);
            }
        }
        return NO_POSITION;
    }

    private static long position(final int bucket, final int page)
    {
        return (long)bucket << 32 | page & 0xFFFF_FFFFL;
    }

    private static int bucketOf(final long position)
    {
        return (int)(position >>> 32);
    }

    private static int pageOf(final long position)
    {
        return (int)position;
    }
}
