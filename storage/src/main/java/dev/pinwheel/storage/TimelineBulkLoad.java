package dev.pinwheel.storage;

import static dev.pinwheel.storage.TimelinePage.CAPACITY;
import static dev.pinwheel.storage.TimelinePage.NONE;
import static dev.pinwheel.storage.TimelinePage.corrupt;

import java.util.ArrayDeque;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * A rebuild of the timelines from the journal: while it is {@link #active()}, appends in id order keep each channel's
 * last page and head on the heap (a {@link Tail}) and write the page once full, so that a message costs a heap write
 * instead of two map updates — about one map update per {@value TimelinePage#CAPACITY} messages.
 * <pre>
 *   add(channel, id) ──append?──▶ Tail of the channel (heap)  ──page full / new bucket──▶ pages map
 *          │ not an append (older id, delete, query...)                                  ▲
 *          └──▶ flush(channel): the tail's page and head are written, the map is authoritative again
 *   end(): every tail written; more than {@value #MAX_TAILS} channels at once: all written, then start afresh
 * </pre>
 * A tail is authoritative while it is held: the maps' copies of its page and head are stale until {@link #flush}.
 * <p>
 * <b>Not thread-safe</b>: part of one {@link ChannelTimeline}.
 */
final class TimelineBulkLoad
{
    /** Channels whose last page a bulk load holds on the heap at most; more and they are all written out. */
    static final int MAX_TAILS = 4096;

    /** The last page and head of a channel while the load holds them on the heap. */
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
        final long[] ids = new long[CAPACITY];
        final long[] indexes = new long[CAPACITY];
    }

    private final TimelineHead head;
    private final TimelinePage page;
    private final ArrayDeque<Tail> spareTails = new ArrayDeque<>();
    private Long2ObjectHashMap<Tail> tails;

    TimelineBulkLoad(final TimelineHead head, final TimelinePage page)
    {
        this.head = head;
        this.page = page;
    }

    /**
     * @return whether a bulk load is on.
     */
    boolean active()
    {
        return tails != null;
    }

    /** Starts a bulk load (no-op if one is on). */
    void begin()
    {
        if (tails == null)
        {
            tails = new Long2ObjectHashMap<>();
        }
    }

    /** Writes every tail held and ends the bulk load (no-op if none is on). */
    void end()
    {
        if (tails == null)
        {
            return;
        }
        final Long2ObjectHashMap<Tail> held = tails;
        tails = null;
        final Long2ObjectHashMap<Tail>.KeyIterator channels = held.keySet().iterator();
        while (channels.hasNext())
        {
            final long channel = channels.nextLong();
            writeTail(channel, held.get(channel));
        }
        held.clear();
        spareTails.clear();
    }

    /** Writes the channel's tail, if held, so that the maps are authoritative for it again. */
    void flush(final long channel)
    {
        if (tails != null)
        {
            final Tail tail = tails.remove(channel);
            if (tail != null)
            {
                writeTail(channel, tail);
                spareTails.add(tail);
            }
        }
    }

    /**
     * Appends to the channel's tail (bulk load on).
     *
     * @return false if the id is not an append to the channel's last page or a new newest bucket: the caller
     * flushes the channel and adds it the usual way.
     */
    boolean append(final long channel, final long id, final long index)
    {
        Tail tail = tails.get(channel);
        if (tail == null)
        {
            if (tails.size() >= MAX_TAILS)
            {
                final Long2ObjectHashMap<Tail> held = tails;
                tails = null;
                final Long2ObjectHashMap<Tail>.KeyIterator channels = held.keySet().iterator();
                while (channels.hasNext())
                {
                    final long c = channels.nextLong();
                    final Tail t = held.get(c);
                    writeTail(c, t);
                    spareTails.add(t);
                }
                held.clear();
                tails = held;
            }
            tail = loadTail(channel);
            tails.put(channel, tail);
        }
        final int b = ChannelTimeline.bucket(id);
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
            if (tail.count == CAPACITY)
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
        head.load(channel);
        tail.present = head.present;
        tail.count = 0;
        if (!head.present)
        {
            tail.live = 0;
            tail.newestId = 0;
            return tail;
        }
        tail.newestId = head.newestId;
        tail.live = head.live;
        tail.newestBucket = head.newestBucket;
        tail.oldestBucket = head.oldestBucket;
        tail.lastPage = head.lastPage;
        if (!page.read(channel, head.newestBucket, 0))
        {
            throw corrupt(channel, head.newestBucket, 0);
        }
        tail.bucketPages = page.bucketPages;
        if (head.lastPage != 0 && !page.read(channel, head.newestBucket, head.lastPage))
        {
            throw corrupt(channel, head.newestBucket, head.lastPage);
        }
        tail.count = page.count;
        tail.prev = page.prev;
        tail.next = page.next;
        tail.floor = page.floor;
        System.arraycopy(page.ids, 0, tail.ids, 0, page.count);
        System.arraycopy(page.indexes, 0, tail.indexes, 0, page.count);
        return tail;
    }

    private static void startTailPage(final Tail tail, final int pageNumber, final long floor, final int prev)
    {
        tail.lastPage = pageNumber;
        if (pageNumber == 0)
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
        page.count = tail.count;
        page.prev = tail.lastPage == 0 ? tail.prev : NONE;
        page.next = tail.lastPage == 0 ? nextBucket == NONE ? tail.next : nextBucket : NONE;
        page.bucketPages = tail.lastPage == 0 ? tail.bucketPages : 1;
        page.floor = tail.floor;
        System.arraycopy(tail.ids, 0, page.ids, 0, tail.count);
        System.arraycopy(tail.indexes, 0, page.indexes, 0, tail.count);
        page.write(channel, tail.newestBucket, tail.lastPage);
        if (tail.lastPage != 0)
        {
            page.storeBucketPages(channel, tail.newestBucket, tail.bucketPages);
            if (nextBucket != NONE)
            {
                page.storeNext(channel, tail.newestBucket, nextBucket);
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
        head.present = true;
        head.newestId = tail.newestId;
        head.live = tail.live;
        head.newestBucket = tail.newestBucket;
        head.oldestBucket = tail.oldestBucket;
        head.lastPage = tail.lastPage;
        head.store(channel);
    }
}
