package dev.pinwheel.storage;

import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * The head of a channel's timeline: its layout in the heads map (the flyweight: offsets from an entry's base) and
 * the scratch copy that queries and writes work on.
 * <pre>
 *  key:   +-------------+
 *         | channel i64 |
 *         +-------------+
 *  value: 0               8          16                  20                  24              28    32
 *         +---------------+----------+-------------------+-------------------+---------------+-----+
 *         | newest id i64 | live i64 | newest bucket i32 | oldest bucket i32 | last page i32 | pad |
 *         +---------------+----------+-------------------+-------------------+---------------+-----+
 * </pre>
 * The common write — a new message, newest of its channel, in the newest bucket, with room in the last page — is
 * {@link #appendInPlace}: one pass over the head and one in-place append to its last page, no copies.
 * <p>
 * <b>Not thread-safe</b>: part of one {@link ChannelTimeline}.
 */
final class TimelineHead
{
    static final int KEY_BYTES = Long.BYTES;
    static final int NEWEST_ID_OFFSET = 0;
    static final int LIVE_OFFSET = 8;
    static final int NEWEST_BUCKET_OFFSET = 16;
    static final int OLDEST_BUCKET_OFFSET = 20;
    static final int LAST_PAGE_OFFSET = 24;
    static final int BYTES = 32;

    private final OffHeapTable heads;

    /** Whether the channel has a head (it ever had a message). */
    boolean present;
    /** Its newest live message id (meaningless while {@link #live} is 0). */
    long newestId;
    /** Its live messages. */
    long live;
    /** Its newest bucket. */
    int newestBucket;
    /** Its oldest bucket. */
    int oldestBucket;
    /** The last page of its newest bucket. */
    int lastPage;

    /**
     * @param heads the heads map: keys of {@link #KEY_BYTES}, values of {@link #BYTES}.
     */
    TimelineHead(final OffHeapTable heads)
    {
        this.heads = heads;
    }

    /** Copies the channel's head into the scratch ({@link #present} false if it has none). */
    void load(final long channel)
    {
        heads.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = heads.context())
        {
            final MapEntry<byte[], byte[]> entry = c.entry();
            present = entry != null;
            if (!present)
            {
                return;
            }
            final Data<byte[]> value = entry.value();
            final long base = value.offset();
            final RandomDataInput in = OffHeapTable.in(value);
            newestId = in.readLong(base + NEWEST_ID_OFFSET);
            live = in.readLong(base + LIVE_OFFSET);
            newestBucket = in.readInt(base + NEWEST_BUCKET_OFFSET);
            oldestBucket = in.readInt(base + OLDEST_BUCKET_OFFSET);
            lastPage = in.readInt(base + LAST_PAGE_OFFSET);
        }
    }

    /** Writes the scratch over the channel's head, or inserts it. */
    void store(final long channel)
    {
        heads.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = heads.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                writeTo(heads.value(), 0);
                c.absentEntry().doInsert(heads.valueData(c));
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
        out.writeLong(base + NEWEST_ID_OFFSET, newestId);
        out.writeLong(base + LIVE_OFFSET, live);
        out.writeInt(base + NEWEST_BUCKET_OFFSET, newestBucket);
        out.writeInt(base + OLDEST_BUCKET_OFFSET, oldestBucket);
        out.writeInt(base + LAST_PAGE_OFFSET, lastPage);
        out.writeInt(base + LAST_PAGE_OFFSET + Integer.BYTES, 0);
    }

    /**
     * The common case in one pass over the stored head (the scratch is not touched): the id is in the head's newest
     * bucket and goes at the end of its last page, which has room.
     *
     * @param page the channel's pages.
     * @return false if the slow path must add it.
     */
    boolean appendInPlace(final long channel, final long id, final long index, final TimelinePage page)
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
            final int bucket = in.readInt(base + NEWEST_BUCKET_OFFSET);
            if (ChannelTimeline.bucket(id) != bucket ||
                page.appendInPlace(channel, bucket, in.readInt(base + LAST_PAGE_OFFSET), id, index)
                    != TimelinePage.APPENDED)
            {
                return false;
            }
            final RandomDataOutput<?> out = OffHeapTable.out(value);
            final long liveNow = in.readLong(base + LIVE_OFFSET);
            if (liveNow == 0 || id > in.readLong(base + NEWEST_ID_OFFSET))
            {
                out.writeLong(base + NEWEST_ID_OFFSET, id);
            }
            out.writeLong(base + LIVE_OFFSET, liveNow + 1);
            return true;
        }
    }

    void close()
    {
        heads.close();
    }
}
