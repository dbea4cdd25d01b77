package dev.pinwheel.storage;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * One page of a channel's timeline: its layout in the pages map (the flyweight: offsets from an entry's base, read
 * and written in place) and the scratch copy that queries and writes work on.
 * <pre>
 *  key:   +-------------+------------+----------+
 *         | channel i64 | bucket i32 | page i32 |
 *         +-------------+------------+----------+
 *  value: 0           4               8              12             16          24
 *         +-----------+---------------+--------------+--------------+-----------+------------------------------+
 *         | count i32 | pages i32 (*) | prev i32 (*) | next i32 (*) | floor i64 | count × (id i64, address i64) |
 *         +-----------+---------------+--------------+--------------+-----------+------------------------------+
 *         (*) page 0 only: pages of the bucket, the channel's nearest older / newer bucket ({@link #NONE}: none)
 * </pre>
 * Entries are sorted by id; every id of page k is below the {@code floor} of page k+1 (the first id ever placed
 * there), so {@link #find} locates the page of an id by a binary search on floors.
 * <p>
 * The scratch ({@link #count}, {@link #bucketPages}, {@link #prev}, {@link #next}, {@link #floor}, {@link #ids},
 * {@link #indexes}) holds one page at a time: {@link #read} fills it, {@link #write} stores it. Its arrays have one
 * spare slot so an insertion may overflow the page by one entry before the caller carries it on.
 * <p>
 * <b>Not thread-safe</b>: part of one {@link ChannelTimeline}.
 */
final class TimelinePage
{
    /** Entries per page. */
    static final int CAPACITY = 32;
    /** No bucket. */
    static final int NONE = -1;

    static final int KEY_BYTES = Long.BYTES + 2 * Integer.BYTES;
    static final int COUNT_OFFSET = 0;
    static final int PAGES_OFFSET = 4;
    static final int PREV_OFFSET = 8;
    static final int NEXT_OFFSET = 12;
    static final int FLOOR_OFFSET = 16;
    static final int ENTRIES_OFFSET = 24;
    static final int ENTRY_BYTES = 2 * Long.BYTES;
    static final int BYTES = ENTRIES_OFFSET + CAPACITY * ENTRY_BYTES;

    /** {@link #appendInPlace}: the entry was appended. */
    static final int APPENDED = 0;
    /** {@link #appendInPlace}: the id is not above the page's last id (or below its floor). */
    static final int NOT_AN_APPEND = 1;
    /** {@link #appendInPlace}: the page has no room. */
    static final int PAGE_FULL = 2;

    private final OffHeapTable pages;

    /** Entries in the scratch page. */
    int count;
    /** Page 0: pages of its bucket. */
    int bucketPages;
    /** Page 0: the channel's nearest older bucket, or {@link #NONE}. */
    int prev;
    /** Page 0: the channel's nearest newer bucket, or {@link #NONE}. */
    int next;
    /** The first id ever placed in the page. */
    long floor;
    /** Ids, ascending. */
    final long[] ids = new long[CAPACITY + 1];
    /** Journal addresses, by the same position as {@link #ids}. */
    final long[] indexes = new long[CAPACITY + 1];

    /**
     * @param pages the pages map: keys of {@link #KEY_BYTES}, values of {@link #BYTES}.
     */
    TimelinePage(final OffHeapTable pages)
    {
        this.pages = pages;
    }

    /**
     * Copies a page into the scratch.
     *
     * @return false if there is no such page (the scratch is unchanged).
     */
    boolean read(final long channel, final int bucket, final int page)
    {
        key(channel, bucket, page);
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
            count = in.readInt(base + COUNT_OFFSET);
            bucketPages = in.readInt(base + PAGES_OFFSET);
            prev = in.readInt(base + PREV_OFFSET);
            next = in.readInt(base + NEXT_OFFSET);
            floor = in.readLong(base + FLOOR_OFFSET);
            for (int i = 0; i < count; i++)
            {
                final long at = entryOffset(base, i);
                ids[i] = in.readLong(at);
                indexes[i] = in.readLong(at + Long.BYTES);
            }
            return true;
        }
    }

    /** Writes the scratch page (header and live entries) over the stored one, or inserts it. */
    void write(final long channel, final int bucket, final int page)
    {
        key(channel, bucket, page);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = pages.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                final BytesStore<?, Void> value = pages.value();
                writeTo(value, 0);
                c.absentEntry().doInsert(pages.valueData(c));
            }
            else
            {
                final Data<byte[]> value = entry.value();
                writeTo(OffHeapTable.out(value), value.offset());
            }
        }
    }

    private void writeTo(final RandomDataOutput<?> out, final long base)
    {
        out.writeInt(base + COUNT_OFFSET, count);
        out.writeInt(base + PAGES_OFFSET, bucketPages);
        out.writeInt(base + PREV_OFFSET, prev);
        out.writeInt(base + NEXT_OFFSET, next);
        out.writeLong(base + FLOOR_OFFSET, floor);
        for (int i = 0; i < count; i++)
        {
            final long at = entryOffset(base, i);
            out.writeLong(at, ids[i]);
            out.writeLong(at + Long.BYTES, indexes[i]);
        }
    }

    /**
     * Appends at the end of a stored page if the id belongs there, in place (the scratch is not touched).
     *
     * @return {@link #APPENDED}, {@link #NOT_AN_APPEND} or {@link #PAGE_FULL}.
     */
    int appendInPlace(final long channel, final int bucket, final int page, final long id, final long index)
    {
        key(channel, bucket, page);
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
            final int stored = in.readInt(base + COUNT_OFFSET);
            if (stored > 0 ? id <= in.readLong(entryOffset(base, stored - 1)) : id < in.readLong(base + FLOOR_OFFSET))
            {
                return NOT_AN_APPEND;
            }
            if (stored == CAPACITY)
            {
                return PAGE_FULL;
            }
            final RandomDataOutput<?> out = OffHeapTable.out(value);
            final long at = entryOffset(base, stored);
            out.writeLong(at, id);
            out.writeLong(at + Long.BYTES, index);
            out.writeInt(base + COUNT_OFFSET, stored + 1);
            return APPENDED;
        }
    }

    /**
     * @return the page of the bucket that holds (or would hold) the id: a binary search on the pages' floors.
     */
    int find(final long channel, final int bucket, final int pagesOfBucket, final long id)
    {
        int lo = 0;
        int hi = pagesOfBucket - 1;
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
        key(channel, bucket, page);
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

    /** Stores the number of pages of a bucket in its page 0, in place. */
    void storeBucketPages(final long channel, final int bucket, final int value)
    {
        storeZeroInt(channel, bucket, PAGES_OFFSET, value);
    }

    /** Stores the older neighbour of a bucket in its page 0, in place. */
    void storePrev(final long channel, final int bucket, final int value)
    {
        storeZeroInt(channel, bucket, PREV_OFFSET, value);
    }

    /** Stores the newer neighbour of a bucket in its page 0, in place. */
    void storeNext(final long channel, final int bucket, final int value)
    {
        storeZeroInt(channel, bucket, NEXT_OFFSET, value);
    }

    private void storeZeroInt(final long channel, final int bucket, final int offset, final int value)
    {
        key(channel, bucket, 0);
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

    /** Empties the scratch as a new page of one page, with the given floor and neighbours. */
    void start(final long pageFloor, final int olderBucket, final int newerBucket)
    {
        count = 0;
        bucketPages = 1;
        prev = olderBucket;
        next = newerBucket;
        floor = pageFloor;
    }

    void append(final long id, final long index)
    {
        ids[count] = id;
        indexes[count] = index;
        count++;
    }

    void insert(final int at, final long id, final long index)
    {
        System.arraycopy(ids, at, ids, at + 1, count - at);
        System.arraycopy(indexes, at, indexes, at + 1, count - at);
        ids[at] = id;
        indexes[at] = index;
        count++;
    }

    void removeAt(final int at)
    {
        System.arraycopy(ids, at + 1, ids, at, count - at - 1);
        System.arraycopy(indexes, at + 1, indexes, at, count - at - 1);
        count--;
    }

    /**
     * @return the first position of the scratch whose id is &ge; the id ({@link #count} if none).
     */
    int lowerBound(final long id)
    {
        int lo = 0;
        int hi = count;
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (ids[mid] < id)
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

    void close()
    {
        pages.close();
    }

    private void key(final long channel, final int bucket, final int page)
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

    /**
     * @return the exception for a page the links promise but the map lacks.
     */
    static IllegalStateException corrupt(final long channel, final int bucket, final int page)
    {
        return new IllegalStateException("message index of channel " + channel + " is inconsistent: page " + page
            + " of bucket " + bucket + " is missing");
    }
}
