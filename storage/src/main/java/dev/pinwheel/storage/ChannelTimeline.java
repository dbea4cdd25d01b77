package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * The live messages of every channel of a shard, in id order, off-heap: Discord's time buckets split into fixed-size
 * pages of (message id, journal address) entries, plus one head per channel.
 * <pre>
 *  heads: channel ──&gt; +---------------+----------+-------------------+-------------------+---------------+-----+
 *                     | newest id i64 | live i64 | newest bucket i32 | oldest bucket i32 | last page i32 | pad |
 *                     +---------------+----------+-------------------+-------------------+---------------+-----+
 *  pages: (channel i64, bucket i32, page i32) ──&gt;
 *         +-----------+---------------+--------------+--------------+-----------+------------------------------+
 *         | count i32 | pages i32 (*) | prev i32 (*) | next i32 (*) | floor i64 | count × (id i64, address i64) |
 *         +-----------+---------------+--------------+--------------+-----------+------------------------------+
 *         (*) page 0 only: pages of the bucket, the channel's nearest older / newer bucket (-1: none)
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
 * Deleting shifts one page; emptied pages and buckets stay (they cost a read during scans, nothing else). A history
 * page walks pages backward or forward from its start and follows the bucket links across empty stretches of time.
 * <p>
 * Queries put their result, newest first, in {@link #resultId(int)}/{@link #resultIndex(int)}: no allocation.
 * While the journal is replayed ({@link #beginBulk()}), appends keep each channel's last page on the heap and write it
 * once full, so a rebuild costs about one map update per {@value #PAGE_CAPACITY} messages.
 * <p>
 * <b>Not thread-safe</b> (scratch state): owned by one {@link ChronicleShardStore}.
 */
final class ChannelTimeline implements AutoCloseable
{
    /** Width of a bucket, as Discord: 10 days of snowflake time. */
    static final long BUCKET_MILLIS = 10L * 24 * 60 * 60 * 1000;
    /** Entries per page. */
    static final int PAGE_CAPACITY = 32;
    /** No bucket. */
    static final int NONE = -1;
    /** Largest page a query returns. */
    static final int MAX_RESULT = 100;

    static final int PAGE_KEY_BYTES = Long.BYTES + 2 * Integer.BYTES;
    private static final int COUNT_OFFSET = 0;
    private static final int PAGES_OFFSET = 4;
    private static final int PREV_OFFSET = 8;
    private static final int NEXT_OFFSET = 12;
    private static final int FLOOR_OFFSET = 16;
    private static final int ENTRIES_OFFSET = 24;
    private static final int ENTRY_BYTES = 2 * Long.BYTES;
    static final int PAGE_BYTES = ENTRIES_OFFSET + PAGE_CAPACITY * ENTRY_BYTES;

    static final int HEAD_KEY_BYTES = Long.BYTES;
    private static final int NEWEST_ID_OFFSET = 0;
    private static final int LIVE_OFFSET = 8;
    private static final int NEWEST_BUCKET_OFFSET = 16;
    private static final int OLDEST_BUCKET_OFFSET = 20;
    private static final int LAST_PAGE_OFFSET = 24;
    static final int HEAD_BYTES = 32;

    private static final int APPENDED = 0;
    private static final int NOT_AN_APPEND = 1;
    private static final int PAGE_FULL = 2;
    private static final long NO_POSITION = -1;

    private final OffHeapTable pages;
    private final OffHeapTable heads;

    private boolean headPresent;
    private long headNewestId;
    private long headLive;
    private int headNewestBucket;
    private int headOldestBucket;
    private int headLastPage;

    private int pageCount;
    private int pagePages;
    private int pagePrev;
    private int pageNext;
    private long pageFloor;
    private final long[] pageIds = new long[PAGE_CAPACITY + 1];
    private final long[] pageIndexes = new long[PAGE_CAPACITY + 1];

    private final long[] resultIds = new long[MAX_RESULT];
    private final long[] resultIndexes = new long[MAX_RESULT];

    /**
     * @param pages the pages map: keys of {@link #PAGE_KEY_BYTES}, values of {@link #PAGE_BYTES}.
     * @param heads the heads map: keys of {@link #HEAD_KEY_BYTES}, values of {@link #HEAD_BYTES}.
     */
    ChannelTimeline(final OffHeapTable pages, final OffHeapTable heads)
    {
        this.pages = pages;
        this.heads = heads;
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
        if (bulk != null)
        {
            if (bulkAppend(channel, id, index))
            {
                return true;
            }
            flushBulk(channel);
        }
        return appendAtHead(channel, id, index) || addSlowly(channel, id, index);
    }

    /**
     * @param channel the channel.
     * @param id      the message.
     * @return the journal address of its newest version, or -1 if it is not live in the channel.
     */
    long indexOf(final long channel, final long id)
    {
        flushBulk(channel);
        return locate(channel, id) ? pageIndexes[lowerBound(id)] : -1;
    }

    /**
     * The common case in one pass over the head: the id is the channel's newest and its bucket is the head's, so it
     * goes at the end of the last page, which has room.
     *
     * @return false if the slow path must add it.
     */
    private boolean appendAtHead(final long channel, final long id, final long index)
    {
        heads.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = heads.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                return false;
            }
            final Data<byte[]> value = entry.value();
            final long base = value.offset();
            final RandomDataInput in = OffHeapTable.in(value);
            final int newestBucket = in.readInt(base + NEWEST_BUCKET_OFFSET);
            if (bucket(id) != newestBucket ||
                appendInPlace(channel, newestBucket, in.readInt(base + LAST_PAGE_OFFSET), id, index) != APPENDED)
            {
                return false;
            }
            final RandomDataOutput<?> out = OffHeapTable.out(value);
            final long live = in.readLong(base + LIVE_OFFSET);
            if (live == 0 || id > in.readLong(base + NEWEST_ID_OFFSET))
            {
                out.writeLong(base + NEWEST_ID_OFFSET, id);
            }
            out.writeLong(base + LIVE_OFFSET, live + 1);
            return true;
        }
    }

    private boolean addSlowly(final long channel, final long id, final long index)
    {
        loadHead(channel);
        final int b = bucket(id);
        if (!headPresent)
        {
            startPage(id, NONE, NONE);
            appendToScratch(id, index);
            writePage(channel, b, 0);
            headPresent = true;
            headNewestId = id;
            headLive = 1;
            headNewestBucket = b;
            headOldestBucket = b;
            headLastPage = 0;
            storeHead(channel);
            return true;
        }
        final boolean added;
        if (b > headNewestBucket)
        {
            startPage(id, headNewestBucket, NONE);
            appendToScratch(id, index);
            writePage(channel, b, 0);
            setPageZeroInt(channel, headNewestBucket, NEXT_OFFSET, b);
            headNewestBucket = b;
            headLastPage = 0;
            added = true;
        }
        else if (b == headNewestBucket)
        {
            final int appended = appendInPlace(channel, b, headLastPage, id, index);
            if (appended == APPENDED)
            {
                added = true;
            }
            else if (appended == PAGE_FULL)
            {
                startPage(id, NONE, NONE);
                appendToScratch(id, index);
                writePage(channel, b, headLastPage + 1);
                headLastPage++;
                setPageZeroInt(channel, b, PAGES_OFFSET, headLastPage + 1);
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
            if (headLive == 0 || id > headNewestId)
            {
                headNewestId = id;
            }
            headLive++;
        }
        storeHead(channel);
        return added;
    }

    /**
     * @param channel the channel.
     * @param id      the message.
     * @return false if the id is not live in the channel.
     */
    boolean remove(final long channel, final long id)
    {
        flushBulk(channel);
        if (!locate(channel, id))
        {
            return false;
        }
        final int at = lowerBound(id);
        System.arraycopy(pageIds, at + 1, pageIds, at, pageCount - at - 1);
        System.arraycopy(pageIndexes, at + 1, pageIndexes, at, pageCount - at - 1);
        pageCount--;
        writePage(channel, locatedBucket, locatedPage);
        headLive--;
        if (id == headNewestId)
        {
            headNewestId = headLive == 0 ? 0 : newestByScan(channel);
        }
        storeHead(channel);
        return true;
    }

    /**
     * Points a live message at its newest version.
     *
     * @param channel the channel.
     * @param id      the message.
     * @param index   journal address of the new version.
     * @return false if the id is not live in the channel.
     */
    boolean updateIndex(final long channel, final long id, final long index)
    {
        flushBulk(channel);
        if (!locate(channel, id))
        {
            return false;
        }
        pageIndexes[lowerBound(id)] = index;
        writePage(channel, locatedBucket, locatedPage);
        return true;
    }

    /**
     * @param channel the channel.
     * @return its newest live message id, or 0.
     */
    long newestId(final long channel)
    {
        flushBulk(channel);
        loadHead(channel);
        return headPresent && headLive > 0 ? headNewestId : 0;
    }

    /**
     * @param channel the channel.
     * @return its live messages.
     */
    long liveCount(final long channel)
    {
        flushBulk(channel);
        loadHead(channel);
        return headPresent ? headLive : 0;
    }

    /**
     * Runs a history query; read the result with {@link #resultId(int)} and {@link #resultIndex(int)}.
     *
     * @param channel the channel.
     * @param query   which page (semantics of {@link HistoryQuery}; AROUND: {@code limit / 2} older ids, the anchor
     *                if live, the rest newer, a short side not filled from the other, as Discord).
     * @param anchor  the before/after/around id.
     * @param limit   1..{@value #MAX_RESULT}.
     * @return number of entries, newest first.
     */
    int query(final long channel, final HistoryQuery query, final long anchor, final int limit)
    {
        flushBulk(channel);
        loadHead(channel);
        if (!headPresent || headLive == 0)
        {
            return 0;
        }
        switch (query)
        {
            case LATEST ->
            {
                return collectBackward(channel, headNewestBucket, headLastPage, Long.MAX_VALUE, limit, 0);
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
     * @param i 0 (newest) .. count-1 of the last {@link #query}.
     * @return the message id.
     */
    long resultId(final int i)
    {
        return resultIds[i];
    }

    /**
     * @param i 0 (newest) .. count-1 of the last {@link #query}.
     * @return the journal address of the message's newest version.
     */
    long resultIndex(final int i)
    {
        return resultIndexes[i];
    }

    /**
     * @return pages stored (every channel, every bucket).
     */
    long pageCount()
    {
        return pages.size();
    }

    @Override
    public void close()
    {
        endBulk();
        try
        {
            pages.close();
        }
        finally
        {
            heads.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- queries

    /** Ids &lt; anchor, newest first, written from result position {@code out}. */
    private int before(final long channel, final long anchor, final int limit, final int out)
    {
        if (anchor == Long.MIN_VALUE)
        {
            return 0;
        }
        final long max = anchor - 1;
        final int b = bucket(max);
        final long start;
        if (b > headNewestBucket)
        {
            start = position(headNewestBucket, headLastPage);
        }
        else if (b < headOldestBucket)
        {
            start = NO_POSITION;
        }
        else if (readPage(channel, b, 0))
        {
            start = position(b, findPage(channel, b, pagePages, max));
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
        final int b = bucket(min);
        final long start;
        if (b < headOldestBucket)
        {
            start = position(headOldestBucket, 0);
        }
        else if (b > headNewestBucket)
        {
            start = NO_POSITION;
        }
        else if (readPage(channel, b, 0))
        {
            start = position(b, findPage(channel, b, pagePages, min));
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
        int b = startBucket;
        int p = startPage;
        int taken = 0;
        boolean loaded = false;
        while (true)
        {
            if (!loaded && !readPage(channel, b, p))
            {
                throw corrupt(channel, b, p);
            }
            for (int i = pageCount - 1; i >= 0 && taken < limit; i--)
            {
                if (pageIds[i] <= max)
                {
                    resultIds[out + taken] = pageIds[i];
                    resultIndexes[out + taken] = pageIndexes[i];
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
            final int prev = pagePrev; // the scratch holds page 0 of bucket b
            if (prev == NONE)
            {
                return taken;
            }
            b = prev;
            if (!readPage(channel, b, 0))
            {
                throw corrupt(channel, b, 0);
            }
            p = pagePages - 1;
            loaded = p == 0;
        }
    }

    /** Ids &ge; min from (bucket, page) forward, oldest first, into the result from 0. */
    private int collectForward(final long channel, final int startBucket, final int startPage, final long min,
        final int limit)
    {
        int b = startBucket;
        int p = startPage;
        if (!readPage(channel, b, 0))
        {
            throw corrupt(channel, b, 0);
        }
        int bucketPages = pagePages;
        int next = pageNext;
        if (p != 0 && !readPage(channel, b, p))
        {
            throw corrupt(channel, b, p);
        }
        int taken = 0;
        while (true)
        {
            for (int i = 0; i < pageCount && taken < limit; i++)
            {
                if (pageIds[i] >= min)
                {
                    resultIds[taken] = pageIds[i];
                    resultIndexes[taken] = pageIndexes[i];
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
                if (!readPage(channel, b, p))
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
            if (!readPage(channel, b, 0))
            {
                throw corrupt(channel, b, 0);
            }
            bucketPages = pagePages;
            next = pageNext;
        }
    }

    private long lastPageOfBucketBelow(final long channel, final int bucket)
    {
        for (int k = bucket - 1; k >= headOldestBucket; k--)
        {
            if (readPage(channel, k, 0))
            {
                return position(k, pagePages - 1);
            }
        }
        return NO_POSITION;
    }

    private long firstPageOfBucketAbove(final long channel, final int bucket)
    {
        for (int k = bucket + 1; k <= headNewestBucket; k++)
        {
            if (readPage(channel, k, 0))
            {
                return position(k, 0);
            }
        }
        return NO_POSITION;
    }

    private long newestByScan(final long channel)
    {
        final int n = collectBackward(channel, headNewestBucket, headLastPage, Long.MAX_VALUE, 1, 0);
        return n == 0 ? 0 : resultIds[0];
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


    // ---------------------------------------------------------------------------------------------------- bulk load

    /** Channels whose last page a bulk load holds on the heap at most; more and they are all written out. */
    static final int MAX_BULK_TAILS = 4096;

    /**
     * The last page and head of a channel while a bulk load holds them on the heap: authoritative, the maps' copies
     * are stale until {@link #flushBulk(long)}.
     */
    private static final class Tail
    {
        boolean present;
        long newestId;
        long live;
        int newestBucket;
        int oldestBucket;
        int lastPage;
        int bucketPages;
        int count;
        int prev;
        int next;
        long floor;
        final long[] ids = new long[PAGE_CAPACITY];
        final long[] indexes = new long[PAGE_CAPACITY];
    }

    private org.agrona.collections.Long2ObjectHashMap<Tail> bulk;
    private final java.util.ArrayDeque<Tail> spareTails = new java.util.ArrayDeque<>();

    /**
     * Starts a bulk load (rebuilding from the journal): appends in id order keep each channel's last page on the
     * heap and write it once full, so that a message costs a heap write instead of two map updates. Every other
     * operation on a channel writes its page first; {@link #endBulk()} writes them all.
     */
    void beginBulk()
    {
        if (bulk == null)
        {
            bulk = new org.agrona.collections.Long2ObjectHashMap<>();
        }
    }

    /**
     * Writes every page held by the bulk load and ends it.
     */
    void endBulk()
    {
        if (bulk == null)
        {
            return;
        }
        final org.agrona.collections.Long2ObjectHashMap<Tail> tails = bulk;
        bulk = null;
        final org.agrona.collections.Long2ObjectHashMap<Tail>.KeyIterator channels = tails.keySet().iterator();
        while (channels.hasNext())
        {
            final long channel = channels.nextLong();
            writeTail(channel, tails.get(channel));
        }
        tails.clear();
        spareTails.clear();
    }

    private void flushBulk(final long channel)
    {
        if (bulk != null)
        {
            final Tail tail = bulk.remove(channel);
            if (tail != null)
            {
                writeTail(channel, tail);
                spareTails.add(tail);
            }
        }
    }

    /** @return false if the id is not an append to the channel's last page or a new newest bucket. */
    private boolean bulkAppend(final long channel, final long id, final long index)
    {
        Tail tail = bulk.get(channel);
        if (tail == null)
        {
            if (bulk.size() >= MAX_BULK_TAILS)
            {
                final org.agrona.collections.Long2ObjectHashMap<Tail> tails = bulk;
                bulk = null;
                final org.agrona.collections.Long2ObjectHashMap<Tail>.KeyIterator channels = tails.keySet().iterator();
                while (channels.hasNext())
                {
                    final long c = channels.nextLong();
                    final Tail t = tails.get(c);
                    writeTail(c, t);
                    spareTails.add(t);
                }
                tails.clear();
                bulk = tails;
            }
            tail = loadTail(channel);
            bulk.put(channel, tail);
        }
        final int b = bucket(id);
        if (!tail.present)
        {
            tail.present = true;
            tail.newestBucket = b;
            tail.oldestBucket = b;
            startTailPage(tail, 0, id, NONE);
        }
        else if (b > tail.newestBucket)
        {
            final int previous = tail.newestBucket;
            writeTailPage(channel, tail, b);
            tail.newestBucket = b;
            startTailPage(tail, 0, id, previous);
        }
        else if (b == tail.newestBucket && (tail.count == 0 ? id >= tail.floor : id > tail.ids[tail.count - 1]))
        {
            if (tail.count == PAGE_CAPACITY)
            {
                tail.bucketPages++;
                writeTailPage(channel, tail, NONE);
                startTailPage(tail, tail.lastPage + 1, id, NONE);
            }
        }
        else
        {
            return false;
        }
        tail.ids[tail.count] = id;
        tail.indexes[tail.count] = index;
        tail.count++;
        if (tail.live == 0 || id > tail.newestId)
        {
            tail.newestId = id;
        }
        tail.live++;
        return true;
    }

    private Tail loadTail(final long channel)
    {
        final Tail tail = spareTails.isEmpty() ? new Tail() : spareTails.poll();
        loadHead(channel);
        tail.present = headPresent;
        tail.count = 0;
        if (!headPresent)
        {
            tail.live = 0;
            tail.newestId = 0;
            return tail;
        }
        tail.newestId = headNewestId;
        tail.live = headLive;
        tail.newestBucket = headNewestBucket;
        tail.oldestBucket = headOldestBucket;
        tail.lastPage = headLastPage;
        if (!readPage(channel, headNewestBucket, 0))
        {
            throw corrupt(channel, headNewestBucket, 0);
        }
        tail.bucketPages = pagePages;
        if (headLastPage != 0 && !readPage(channel, headNewestBucket, headLastPage))
        {
            throw corrupt(channel, headNewestBucket, headLastPage);
        }
        tail.count = pageCount;
        tail.prev = pagePrev;
        tail.next = pageNext;
        tail.floor = pageFloor;
        System.arraycopy(pageIds, 0, tail.ids, 0, pageCount);
        System.arraycopy(pageIndexes, 0, tail.indexes, 0, pageCount);
        return tail;
    }

    private static void startTailPage(final Tail tail, final int page, final long floor, final int prev)
    {
        tail.lastPage = page;
        if (page == 0)
        {
            tail.bucketPages = 1;
            tail.prev = prev;
            tail.next = NONE;
        }
        tail.count = 0;
        tail.floor = floor;
    }

    /**
     * Writes the tail's page; when it leaves its bucket ({@code nextBucket != NONE}) page 0 of the bucket learns its
     * page count and the next bucket.
     */
    private void writeTailPage(final long channel, final Tail tail, final int nextBucket)
    {
        pageCount = tail.count;
        pagePrev = tail.lastPage == 0 ? tail.prev : NONE;
        pageNext = tail.lastPage == 0 ? nextBucket == NONE ? tail.next : nextBucket : NONE;
        pagePages = tail.lastPage == 0 ? tail.bucketPages : 1;
        pageFloor = tail.floor;
        System.arraycopy(tail.ids, 0, pageIds, 0, tail.count);
        System.arraycopy(tail.indexes, 0, pageIndexes, 0, tail.count);
        writePage(channel, tail.newestBucket, tail.lastPage);
        if (tail.lastPage != 0)
        {
            setPageZeroInt(channel, tail.newestBucket, PAGES_OFFSET, tail.bucketPages);
            if (nextBucket != NONE)
            {
                setPageZeroInt(channel, tail.newestBucket, NEXT_OFFSET, nextBucket);
            }
        }
    }

    private void writeTail(final long channel, final Tail tail)
    {
        if (!tail.present)
        {
            return;
        }
        writeTailPage(channel, tail, NONE);
        headPresent = true;
        headNewestId = tail.newestId;
        headLive = tail.live;
        headNewestBucket = tail.newestBucket;
        headOldestBucket = tail.oldestBucket;
        headLastPage = tail.lastPage;
        storeHead(channel);
    }

    // ---------------------------------------------------------------------------------------------------- writes

    private int locatedBucket;
    private int locatedPage;

    /**
     * Loads the head and the page that would hold the id into the scratch.
     *
     * @return true if the id is live there ({@link #locatedBucket}, {@link #locatedPage} say where).
     */
    private boolean locate(final long channel, final long id)
    {
        loadHead(channel);
        if (!headPresent)
        {
            return false;
        }
        final int b = bucket(id);
        if (b < headOldestBucket || b > headNewestBucket || !readPage(channel, b, 0))
        {
            return false;
        }
        final int p = findPage(channel, b, pagePages, id);
        if (p != 0 && !readPage(channel, b, p))
        {
            throw corrupt(channel, b, p);
        }
        final int at = lowerBound(id);
        if (at == pageCount || pageIds[at] != id)
        {
            return false;
        }
        locatedBucket = b;
        locatedPage = p;
        return true;
    }

    /** Appends at the end of the last page if the id belongs there, without copying the page. */
    private int appendInPlace(final long channel, final int bucket, final int page, final long id, final long index)
    {
        pageKey(channel, bucket, page);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = pages.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                throw corrupt(channel, bucket, page);
            }
            final Data<byte[]> value = entry.value();
            final long base = value.offset();
            final RandomDataInput in = OffHeapTable.in(value);
            final int count = in.readInt(base + COUNT_OFFSET);
            if (count > 0 ? id <= in.readLong(entryOffset(base, count - 1)) : id < in.readLong(base + FLOOR_OFFSET))
            {
                return NOT_AN_APPEND;
            }
            if (count == PAGE_CAPACITY)
            {
                return PAGE_FULL;
            }
            final RandomDataOutput<?> out = OffHeapTable.out(value);
            final long at = entryOffset(base, count);
            out.writeLong(at, id);
            out.writeLong(at + Long.BYTES, index);
            out.writeInt(base + COUNT_OFFSET, count + 1);
            return APPENDED;
        }
    }

    /** @return true if added, false if the id was there (its index is updated). */
    private boolean insertOutOfOrder(final long channel, final int bucket, final long id, final long index)
    {
        if (!readPage(channel, bucket, 0))
        {
            createBucket(channel, bucket, id);
        }
        final int bucketPages = pagePages;
        int p = findPage(channel, bucket, bucketPages, id);
        if (p != 0 && !readPage(channel, bucket, p))
        {
            throw corrupt(channel, bucket, p);
        }
        final int at = lowerBound(id);
        if (at < pageCount && pageIds[at] == id)
        {
            pageIndexes[at] = index;
            writePage(channel, bucket, p);
            return false;
        }
        insertIntoScratch(at, id, index);
        if (p == 0 && id < pageFloor)
        {
            pageFloor = id;
        }
        int total = bucketPages;
        while (pageCount > PAGE_CAPACITY) // carry the largest entry into the next page
        {
            final long carryId = pageIds[PAGE_CAPACITY];
            final long carryIndex = pageIndexes[PAGE_CAPACITY];
            pageCount = PAGE_CAPACITY;
            writePage(channel, bucket, p);
            p++;
            if (p == total)
            {
                startPage(carryId, NONE, NONE);
                appendToScratch(carryId, carryIndex);
                writePage(channel, bucket, p);
                total++;
                setPageZeroInt(channel, bucket, PAGES_OFFSET, total);
                if (bucket == headNewestBucket)
                {
                    headLastPage = total - 1;
                }
                return true;
            }
            if (!readPage(channel, bucket, p))
            {
                throw corrupt(channel, bucket, p);
            }
            insertIntoScratch(0, carryId, carryIndex);
            pageFloor = carryId;
        }
        writePage(channel, bucket, p);
        return true;
    }

    /** Creates an empty page 0 for a bucket older than the newest one, linked between its neighbours. */
    private void createBucket(final long channel, final int bucket, final long floor)
    {
        int prev = NONE;
        final int next;
        if (bucket < headOldestBucket)
        {
            next = headOldestBucket;
            headOldestBucket = bucket;
        }
        else
        {
            for (int k = bucket - 1; k >= headOldestBucket; k--)
            {
                if (readPage(channel, k, 0))
                {
                    prev = k;
                    break;
                }
            }
            if (prev == NONE)
            {
                throw corrupt(channel, headOldestBucket, 0);
            }
            next = pageNext;
            setPageZeroInt(channel, prev, NEXT_OFFSET, bucket);
        }
        if (next != NONE)
        {
            setPageZeroInt(channel, next, PREV_OFFSET, bucket);
        }
        startPage(floor, prev, next);
        writePage(channel, bucket, 0);
    }

    private int findPage(final long channel, final int bucket, final int bucketPages, final long id)
    {
        int lo = 0;
        int hi = bucketPages - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi + 1) >>> 1;
            if (floorOf(channel, bucket, mid) <= id)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private long floorOf(final long channel, final int bucket, final int page)
    {
        pageKey(channel, bucket, page);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = pages.context())
        {
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                throw corrupt(channel, bucket, page);
            }
            final Data<byte[]> value = entry.value();
            return OffHeapTable.in(value).readLong(value.offset() + FLOOR_OFFSET);
        }
    }

    private void setPageZeroInt(final long channel, final int bucket, final int offset, final int value)
    {
        pageKey(channel, bucket, 0);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = pages.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                throw corrupt(channel, bucket, 0);
            }
            final Data<byte[]> data = entry.value();
            OffHeapTable.out(data).writeInt(data.offset() + offset, value);
        }
    }

    // ---------------------------------------------------------------------------------------------------- scratch

    private void startPage(final long floor, final int prev, final int next)
    {
        pageCount = 0;
        pagePages = 1;
        pagePrev = prev;
        pageNext = next;
        pageFloor = floor;
    }

    private void appendToScratch(final long id, final long index)
    {
        pageIds[pageCount] = id;
        pageIndexes[pageCount] = index;
        pageCount++;
    }

    private void insertIntoScratch(final int at, final long id, final long index)
    {
        System.arraycopy(pageIds, at, pageIds, at + 1, pageCount - at);
        System.arraycopy(pageIndexes, at, pageIndexes, at + 1, pageCount - at);
        pageIds[at] = id;
        pageIndexes[at] = index;
        pageCount++;
    }

    private int lowerBound(final long id)
    {
        int lo = 0;
        int hi = pageCount;
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (pageIds[mid] < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private void pageKey(final long channel, final int bucket, final int page)
    {
        final BytesStore<?, Void> key = pages.key();
        key.writeLong(0, channel);
        key.writeInt(Long.BYTES, bucket);
        key.writeInt(Long.BYTES + Integer.BYTES, page);
    }

    private static long entryOffset(final long base, final int i)
    {
        return base + ENTRIES_OFFSET + (long)i * ENTRY_BYTES;
    }

    /** Copies a page into the scratch. */
    private boolean readPage(final long channel, final int bucket, final int page)
    {
        pageKey(channel, bucket, page);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = pages.context())
        {
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                return false;
            }
            final Data<byte[]> value = entry.value();
            final long base = value.offset();
            final RandomDataInput in = OffHeapTable.in(value);
            pageCount = in.readInt(base + COUNT_OFFSET);
            pagePages = in.readInt(base + PAGES_OFFSET);
            pagePrev = in.readInt(base + PREV_OFFSET);
            pageNext = in.readInt(base + NEXT_OFFSET);
            pageFloor = in.readLong(base + FLOOR_OFFSET);
            for (int i = 0; i < pageCount; i++)
            {
                final long at = entryOffset(base, i);
                pageIds[i] = in.readLong(at);
                pageIndexes[i] = in.readLong(at + Long.BYTES);
            }
            return true;
        }
    }

    /** Writes the scratch page (header and live entries) over the stored one, or inserts it. */
    private void writePage(final long channel, final int bucket, final int page)
    {
        pageKey(channel, bucket, page);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = pages.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                final BytesStore<?, Void> value = pages.value();
                writePageTo(value, 0);
                c.absentEntry().doInsert(pages.valueData(c));
            }
            else
            {
                final Data<byte[]> value = entry.value();
                writePageTo(OffHeapTable.out(value), value.offset());
            }
        }
    }

    private void writePageTo(final RandomDataOutput<?> out, final long base)
    {
        out.writeInt(base + COUNT_OFFSET, pageCount);
        out.writeInt(base + PAGES_OFFSET, pagePages);
        out.writeInt(base + PREV_OFFSET, pagePrev);
        out.writeInt(base + NEXT_OFFSET, pageNext);
        out.writeLong(base + FLOOR_OFFSET, pageFloor);
        for (int i = 0; i < pageCount; i++)
        {
            final long at = entryOffset(base, i);
            out.writeLong(at, pageIds[i]);
            out.writeLong(at + Long.BYTES, pageIndexes[i]);
        }
    }

    private void loadHead(final long channel)
    {
        heads.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = heads.context())
        {
            final MapEntry<byte[], byte[]> entry = c.entry();
            headPresent = entry != null;
            if (!headPresent)
            {
                return;
            }
            final Data<byte[]> value = entry.value();
            final long base = value.offset();
            final RandomDataInput in = OffHeapTable.in(value);
            headNewestId = in.readLong(base + NEWEST_ID_OFFSET);
            headLive = in.readLong(base + LIVE_OFFSET);
            headNewestBucket = in.readInt(base + NEWEST_BUCKET_OFFSET);
            headOldestBucket = in.readInt(base + OLDEST_BUCKET_OFFSET);
            headLastPage = in.readInt(base + LAST_PAGE_OFFSET);
        }
    }

    private void storeHead(final long channel)
    {
        heads.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = heads.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                writeHeadTo(heads.value(), 0);
                c.absentEntry().doInsert(heads.valueData(c));
            }
            else
            {
                final Data<byte[]> value = entry.value();
                writeHeadTo(OffHeapTable.out(value), value.offset());
            }
        }
    }

    private void writeHeadTo(final RandomDataOutput<?> out, final long base)
    {
        out.writeLong(base + NEWEST_ID_OFFSET, headNewestId);
        out.writeLong(base + LIVE_OFFSET, headLive);
        out.writeInt(base + NEWEST_BUCKET_OFFSET, headNewestBucket);
        out.writeInt(base + OLDEST_BUCKET_OFFSET, headOldestBucket);
        out.writeInt(base + LAST_PAGE_OFFSET, headLastPage);
        out.writeInt(base + LAST_PAGE_OFFSET + Integer.BYTES, 0);
    }

    private static IllegalStateException corrupt(final long channel, final int bucket, final int page)
    {
        return new IllegalStateException("message index of channel " + channel + " is inconsistent: page " + page
            + " of bucket " + bucket + " is missing");
    }
}
