package dev.pinwheel.storage;

import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * The pinned messages of each channel, in the order they were pinned.
 * <pre>
 * key  +-------------+      value  +-----------+-----+--------------------------------------+
 *      | channel i64 |             | count i32 | pad | message id i64 × {@value #MAX_PINS} (oldest pin first) |
 *      +-------------+             +-----------+-----+--------------------------------------+
 * </pre>
 * Only channels that have had a pin have an entry. A pin is a message version with {@code pinned} set, so the order
 * of pins is journal order and the board is rebuilt with the other indexes.
 * <p>
 * <b>Not thread-safe:</b> owned by one {@link ChronicleShardStore}.
 */
final class PinBoard implements AutoCloseable
{
    /** Pins a channel can hold (Discord's limit is 250 since 2025; it was 50). */
    static final int MAX_PINS = 250;
    static final int KEY_BYTES = Long.BYTES;
    static final int VALUE_BYTES = Long.BYTES + MAX_PINS * Long.BYTES;
    private static final int COUNT_OFFSET = 0;
    private static final int IDS_OFFSET = Long.BYTES;

    private final OffHeapTable table;

    /**
     * @param table the map: keys of {@link #KEY_BYTES}, values of {@link #VALUE_BYTES}.
     */
    PinBoard(final OffHeapTable table)
    {
        this.table = table;
    }

    /**
     * @param channel the channel.
     * @param id      the message.
     * @return whether the message is pinned.
     */
    boolean contains(final long channel, final long id)
    {
        table.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = table.context())
        {
            final MapEntry<byte[], byte[]> entry = c.entry();
            return entry != null && indexOf(entry.value(), id) >= 0;
        }
    }

    /**
     * @param channel the channel.
     * @return pins in the channel.
     */
    int count(final long channel)
    {
        table.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = table.context())
        {
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                return 0;
            }
            final Data<byte[]> value = entry.value();
            return OffHeapTable.in(value).readInt(value.offset() + COUNT_OFFSET);
        }
    }

    /**
     * Pins a message (as the newest pin) unless it is pinned already.
     *
     * @param channel the channel.
     * @param id      the message.
     * @return false if it was pinned already.
     * @throws IllegalStateException if the channel has {@value #MAX_PINS} pins.
     */
    boolean pin(final long channel, final long id)
    {
        table.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = table.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                table.value().writeInt(COUNT_OFFSET, 1);
                table.value().writeInt(COUNT_OFFSET + Integer.BYTES, 0);
                table.value().writeLong(IDS_OFFSET, id);
                c.absentEntry().doInsert(table.valueData(c));
                return true;
            }
            final Data<byte[]> value = entry.value();
            if (indexOf(value, id) >= 0)
            {
                return false;
            }
            final long base = value.offset();
            final int count = OffHeapTable.in(value).readInt(base + COUNT_OFFSET);
            if (count == MAX_PINS)
            {
                throw new IllegalStateException("channel " + channel + " has " + MAX_PINS + " pins already");
            }
            final RandomDataOutput<?> out = OffHeapTable.out(value);
            out.writeLong(base + IDS_OFFSET + (long)count * Long.BYTES, id);
            out.writeInt(base + COUNT_OFFSET, count + 1);
            return true;
        }
    }

    /**
     * @param channel the channel.
     * @param id      the message.
     * @return false if it was not pinned.
     */
    boolean unpin(final long channel, final long id)
    {
        table.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = table.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                return false;
            }
            final Data<byte[]> value = entry.value();
            final int at = indexOf(value, id);
            if (at < 0)
            {
                return false;
            }
            final long base = value.offset();
            final RandomDataInput in = OffHeapTable.in(value);
            final RandomDataOutput<?> out = OffHeapTable.out(value);
            final int count = in.readInt(base + COUNT_OFFSET);
            for (int i = at + 1; i < count; i++)
            {
                out.writeLong(base + IDS_OFFSET + (long)(i - 1) * Long.BYTES,
                    in.readLong(base + IDS_OFFSET + (long)i * Long.BYTES));
            }
            out.writeInt(base + COUNT_OFFSET, count - 1);
            return true;
        }
    }

    /**
     * @param channel the channel.
     * @param into    receives the pinned ids, newest pin first; at least {@value #MAX_PINS} long.
     * @return number of pins.
     */
    int list(final long channel, final long[] into)
    {
        table.key().writeLong(0, channel);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = table.context())
        {
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                return 0;
            }
            final Data<byte[]> value = entry.value();
            final long base = value.offset();
            final RandomDataInput in = OffHeapTable.in(value);
            final int count = in.readInt(base + COUNT_OFFSET);
            for (int i = 0; i < count; i++)
            {
                into[count - 1 - i] = in.readLong(base + IDS_OFFSET + (long)i * Long.BYTES);
            }
            return count;
        }
    }

    @Override
    public void close()
    {
        table.close();
    }

    private static int indexOf(final Data<byte[]> value, final long id)
    {
        final long base = value.offset();
        final RandomDataInput in = OffHeapTable.in(value);
        final int count = in.readInt(base + COUNT_OFFSET);
        for (int i = 0; i < count; i++)
        {
            if (in.readLong(base + IDS_OFFSET + (long)i * Long.BYTES) == id)
            {
                return i;
            }
        }
        return -1;
    }
}
