package dev.pinwheel.storage;

import static dev.pinwheel.storage.TimelinePage.NONE;
import static dev.pinwheel.storage.TimelinePage.corrupt;

import dev.pinwheel.core.store.HistoryQuery;

/**
 * The live messages of every channel of a shard, in id order, off-heap: Discord's time buckets split into fixed-size
 * pages of (message id, journal address) entries, plus one head per channel.
 * <pre>
 *  heads: channel ──&gt; newest id, live count, newest / oldest bucket, last page            ({@link TimelineHead})
 *  pages: (channel, bucket, page) ──&gt; count, [page 0: pages, prev, next], floor, entries  ({@link TimelinePage})
 *
 *  bucket = (id &gt;&gt; 22) / 10 days     (snowflake milliseconds since the Discord epoch, as Discord's Cassandra key)
 *
 *  channel C:  bucket 412 ◄──prev/next──► bucket 415 ◄──prev/next──► bucket 416   ◄── head: newest bucket, last page
 *              [p0][p1][p2]                 [p0]                          [p0][p1]
 * </pre>
 * Every page holds up to {@value #PAGE_CAPACITY} entries sorted by id; all ids of page k are below the {@code floor} of
 * page k+1 (the first id ever placed there), so the page holding an id is found by a binary search on floors. Ids
 * are snowflakes generated in order by the channel's owner shard, so adding a message is almost always an append to
 * the head's last page: one in-place write into the map (plus a new page every {@value #PAGE_CAPACITY} messages);
 * an id that arrives out of order is inserted at its place, carrying the page's last entry into the next page.
 * Deleting shifts one page; emptied pages and buckets stay (they cost a read during scans, nothing else).
 * <p>
 * The parts: {@link TimelineHead} and {@link TimelinePage} (layouts and scratch copies), {@link TimelineQuery} (history
 * pages: walks pages and follows the bucket links; results without allocation), {@link TimelineBulkLoad} (while the
 * journal is replayed, {@link #beginBulk()}: each channel's last page kept on the heap and written once full). This
 * class adds and removes messages.
 * <p>
 * <b>Not thread-safe</b> (scratch state): owned by one {@link ChronicleShardStore}.
 */
final class ChannelTimeline implements AutoCloseable
{
    /** Width of a bucket, as Discord: 10 days of snowflake time. */
    static final long BUCKET_MILLIS = 10L * 24 * 60 * 60 * 1000;
    /** Entries per page. */
    static final int PAGE_CAPACITY = TimelinePage.CAPACITY;
    /** Largest page a query returns. */
    static final int MAX_RESULT = TimelineQuery.MAX_RESULT;
    /** Channels whose last page a bulk load holds on the heap at most; more and they are all written out. */
    static final int MAX_BULK_TAILS = TimelineBulkLoad.MAX_TAILS;

    static final int PAGE_KEY_BYTES = TimelinePage.KEY_BYTES;
    static final int PAGE_BYTES = TimelinePage.BYTES;
    static final int HEAD_KEY_BYTES = TimelineHead.KEY_BYTES;
    static final int HEAD_BYTES = TimelineHead.BYTES;

    private final TimelineHead head;
    private final TimelinePage page;
    private final TimelineQuery query;
    private final TimelineBulkLoad bulk;
    /** Where {@link #locate} found the id. */
    private int locatedBucket;
    private int locatedPage;

    /**
     * @param pages the pages map: keys of {@link #PAGE_KEY_BYTES}, values of {@link #PAGE_BYTES}.
     * @param heads the heads map: keys of {@link #HEAD_KEY_BYTES}, values of {@link #HEAD_BYTES}.
     */
    ChannelTimeline(final OffHeapTable pages, final OffHeapTable heads)
    {
        this.head = new TimelineHead(heads);
        this.page = new TimelinePage(pages);
        this.query = new TimelineQuery(head, page);
        this.bulk = new TimelineBulkLoad(head, page);
    }

    /**
     * @param id a snowflake (any long: ids below 0 fall in bucket 0, so buckets never decrease with ids).
     * @return its 10-day bucket.
     */
    static int bucket(final long id)
    {
        return (int)(Math.max(0, id >> 22) / BUCKET_MILLIS);
    }

    /**
     * Adds a message to the channel, or points it at its newest version if it is live there already (an upsert).
     *
     * @param channel the channel.
     * @param id      the message.
     * @param index   journal address of its newest version.
     * @return true if the message was added, false if it was live and only its journal address changed.
     */
    boolean add(final long channel, final long id, final long index)
    {
        if (bulk.active())
        {
            if (bulk.append(channel, id, index))
            {
                return true;
            }
            bulk.flush(channel);
        }
        return head.appendInPlace(channel, id, index, page) || addSlowly(channel, id, index);
    }

    /**
     * @param channel the channel.
     * @param id      the message.
     * @return the journal address of its newest version, or -1 if it is not live in the channel.
     */
    long indexOf(final long channel, final long id)
    {
        bulk.flush(channel);
        return locate(channel, id) ? page.indexes[page.lowerBound(id)] : -1;
    }

    /**
     * @param channel the channel.
     * @param id      the message.
     * @return false if the id is not live in the channel.
     */
    boolean remove(final long channel, final long id)
    {
        bulk.flush(channel);
        if (!locate(channel, id))
        {
            return false;
        }
        page.removeAt(page.lowerBound(id));
        page.write(channel, locatedBucket, locatedPage);
        head.live--;
        if (id == head.newestId)
        {
            head.newestId = head.live == 0 ? 0 : query.newestByScan(channel);
        }
        head.store(channel);
        return true;
    }

    /**
     * @param channel the channel.
     * @return its newest live message id, or 0.
     */
    long newestId(final long channel)
    {
        bulk.flush(channel);
        head.load(channel);
        return head.present && head.live > 0 ? head.newestId : 0;
    }

    /**
     * Runs a history query; read the result with {@link #resultId(int)} and {@link #resultIndex(int)}.
     *
     * @param channel the channel.
     * @param kind    which page (semantics of {@link HistoryQuery}; AROUND: {@code limit / 2} older ids, the anchor
     *                if live, the rest newer, a short side not filled from the other, as Discord).
     * @param anchor  the before/after/around id.
     * @param limit   1..{@value #MAX_RESULT}.
     * @return number of entries, newest first.
     */
    int query(final long channel, final HistoryQuery kind, final long anchor, final int limit)
    {
        bulk.flush(channel);
        head.load(channel);
        return query.run(channel, kind, anchor, limit);
    }

    /**
     * @param i 0 (newest) .. count-1 of the last {@link #query}.
     * @return the message id.
     */
    long resultId(final int i)
    {
        return query.resultId(i);
    }

    /**
     * @param i 0 (newest) .. count-1 of the last {@link #query}.
     * @return the journal address of the message's newest version.
     */
    long resultIndex(final int i)
    {
        return query.resultIndex(i);
    }

    /**
     * Starts a bulk load (rebuilding from the journal): appends in id order keep each channel's last page on the
     * heap and write it once full, so that a message costs a heap write instead of two map updates. Every other
     * operation on a channel writes its page first; {@link #endBulk()} writes them all.
     */
    void beginBulk()
    {
        bulk.begin();
    }

    /**
     * Writes every page held by the bulk load and ends it.
     */
    void endBulk()
    {
        bulk.end();
    }

    @Override
    public void close()
    {
        bulk.end();
        try
        {
            page.close();
        }
        finally
        {
            head.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- writes

    private boolean addSlowly(final long channel, final long id, final long index)
    {
        head.load(channel);
        final int b = bucket(id);
        if (!head.present)
        {
            page.start(id, NONE, NONE);
            page.append(id, index);
            page.write(channel, b, 0);
            head.present = true;
            head.newestId = id;
            head.live = 1;
            head.newestBucket = b;
            head.oldestBucket = b;
            head.lastPage = 0;
            head.store(channel);
            return true;
        }
        final boolean added;
        if (b > head.newestBucket)
        {
            page.start(id, head.newestBucket, NONE);
            page.append(id, index);
            page.write(channel, b, 0);
            page.storeNext(channel, head.newestBucket, b);
            head.newestBucket = b;
            head.lastPage = 0;
            added = true;
        }
        else if (b == head.newestBucket)
        {
            final int appended = page.appendInPlace(channel, b, head.lastPage, id, index);
            if (appended == TimelinePage.APPENDED)
            {
                added = true;
            }
            else if (appended == TimelinePage.PAGE_FULL)
            {
                page.start(id, NONE, NONE);
                page.append(id, index);
                page.write(channel, b, head.lastPage + 1);
                head.lastPage++;
                page.storeBucketPages(channel, b, head.lastPage + 1);
                added = true;
            }
            else
            {
                added = insertOutOfOrder(channel, b, id, index);
            }
        }
        else
        {
            added = insertOutOfOrder(channel, b, id, index);
        }
        if (added)
        {
            if (head.live == 0 || id > head.newestId)
            {
                head.newestId = id;
            }
            head.live++;
        }
        head.store(channel);
        return added;
    }

    /**
     * Loads the head and the page that would hold the id into the scratch.
     *
     * @return true if the id is live there ({@link #locatedBucket}, {@link #locatedPage} say where).
     */
    private boolean locate(final long channel, final long id)
    {
        head.load(channel);
        if (!head.present)
        {
            return false;
        }
        final int b = bucket(id);
        if (b < head.oldestBucket || b > head.newestBucket || !page.read(channel, b, 0))
        {
            return false;
        }
        final int p = page.find(channel, b, page.bucketPages, id);
        if (p != 0 && !page.read(channel, b, p))
        {
            throw corrupt(channel, b, p);
        }
        final int at = page.lowerBound(id);
        if (at == page.count || page.ids[at] != id)
        {
            return false;
        }
        locatedBucket = b;
        locatedPage = p;
        return true;
    }

    /** @return true if added, false if the id was there (its index is updated). */
    private boolean insertOutOfOrder(final long channel, final int bucket, final long id, final long index)
    {
        if (!page.read(channel, bucket, 0))
        {
            createBucket(channel, bucket, id);
        }
        final int bucketPages = page.bucketPages;
        int p = page.find(channel, bucket, bucketPages, id);
        if (p != 0 && !page.read(channel, bucket, p))
        {
            throw corrupt(channel, bucket, p);
        }
        final int at = page.lowerBound(id);
        if (at < page.count && page.ids[at] == id)
        {
            page.indexes[at] = index;
            page.write(channel, bucket, p);
            return false;
        }
        page.insert(at, id, index);
        if (p == 0 && id < page.floor)
        {
            page.floor = id;
        }
        int total = bucketPages;
        while (page.count > PAGE_CAPACITY) // carry the largest entry into the next page
        {
            final long carryId = page.ids[PAGE_CAPACITY];
            final long carryIndex = page.indexes[PAGE_CAPACITY];
            page.count = PAGE_CAPACITY;
            page.write(channel, bucket, p);
            p++;
            if (p == total)
            {
                page.start(carryId, NONE, NONE);
                page.append(carryId, carryIndex);
                page.write(channel, bucket, p);
                total++;
                page.storeBucketPages(channel, bucket, total);
                if (bucket == head.newestBucket)
                {
                    head.lastPage = total - 1;
                }
                return true;
            }
            if (!page.read(channel, bucket, p))
            {
                throw corrupt(channel, bucket, p);
            }
            page.insert(0, carryId, carryIndex);
            page.floor = carryId;
        }
        page.write(channel, bucket, p);
        return true;
    }

    /** Creates an empty page 0 for a bucket older than the newest one, linked between its neighbours. */
    private void createBucket(final long channel, final int bucket, final long floor)
    {
        int prev = NONE;
        final int next;
        if (bucket < head.oldestBucket)
        {
            next = head.oldestBucket;
            head.oldestBucket = bucket;
        }
        else
        {
            for (int k = bucket - 1; k >= head.oldestBucket; k--)
            {
                if (page.read(channel, k, 0))
                {
                    prev = k;
                    break;
                }
            }
            if (prev == NONE)
            {
                throw corrupt(channel, head.oldestBucket, 0);
            }
            next = page.next;
            page.storeNext(channel, prev, bucket);
        }
        if (next != NONE)
        {
            page.storePrev(channel, next, bucket);
        }
        page.start(floor, prev, next);
        page.write(channel, bucket, 0);
    }
}
