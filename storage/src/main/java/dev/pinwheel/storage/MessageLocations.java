package dev.pinwheel.storage;

import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * Message id → where its newest version is: the journal address of that version and the message's channel. Only live
 * messages are in it (a tombstone removes the id).
 * <pre>
 * key    +--------+          value  +-------------------+-------------+
 *        | id i64 |                 | journal address i64 | channel i64 |
 *        +--------+                 +-------------------+-------------+
 * </pre>
 * Lookups fill {@link #journalIndex()} and {@link #channelId()} instead of returning an object.
 * <p>
 * <b>Not thread-safe:</b> owned by one {@link ChronicleShardStore}.
 */
final class MessageLocations implements AutoCloseable
{
    static final int KEY_BYTES = Long.BYTES;
    static final int VALUE_BYTES = 2 * Long.BYTES;
    private static final int INDEX_OFFSET = 0;
    private static final int CHANNEL_OFFSET = Long.BYTES;

    private final OffHeapTable table;
    private long journalIndex;
    private long channelId;

    /**
     * @param table the map, keys of {@link #KEY_BYTES}, values of {@link #VALUE_BYTES}.
     */
    MessageLocations(final OffHeapTable table)
    {
        this.table = table;
    }

    /**
     * @param messageId the message.
     * @return true if live; then {@link #journalIndex()} and {@link #channelId()} describe it.
     */
    boolean find(final long messageId)
    {
        table.key().writeLong(0, messageId);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = table.context())
        {
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                return false;
            }
            final Data<byte[]> value = entry.value();
            final RandomDataInput in = OffHeapTable.in(value);
            journalIndex = in.readLong(value.offset() + INDEX_OFFSET);
            channelId = in.readLong(value.offset() + CHANNEL_OFFSET);
            return true;
        }
    }

    /**
     * Records the newest version of a message.
     *
     * @param messageId    the message.
     * @param channel      its channel.
     * @param index        journal address of the version.
     * @return true if the id was live before; then {@link #journalIndex()} and {@link #channelId()} describe the
     *         previous version.
     */
    boolean put(final long messageId, final long channel, final long index)
    {
        table.key().writeLong(0, messageId);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = table.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                table.value().writeLong(INDEX_OFFSET, index);
                table.value().writeLong(CHANNEL_OFFSET, channel);
                c.absentEntry().doInsert(table.valueData(c));
                return false;
            }
            final Data<byte[]> value = entry.value();
            final RandomDataInput in = OffHeapTable.in(value);
            final RandomDataOutput<?> out = OffHeapTable.out(value);
            journalIndex = in.readLong(value.offset() + INDEX_OFFSET);
            channelId = in.readLong(value.offset() + CHANNEL_OFFSET);
            out.writeLong(value.offset() + INDEX_OFFSET, index);
            out.writeLong(value.offset() + CHANNEL_OFFSET, channel);
            return true;
        }
    }

    /**
     * @param messageId the message.
     * @return true if it was live.
     */
    boolean remove(final long messageId)
    {
        table.key().writeLong(0, messageId);
        try (ExternalMapQueryContext<byte[], byte[], ?> c = table.context())
        {
            c.writeLock().lock();
            final MapEntry<byte[], byte[]> entry = c.entry();
            if (entry == null)
            {
                return false;
            }
            entry.doRemove();
            return true;
        }
    }

    /**
     * @return journal address of the version the last {@link #find}/{@link #put} saw.
     */
    long journalIndex()
    {
        return journalIndex;
    }

    /**
     * @return channel of the version the last {@link #find}/{@link #put} saw.
     */
    long channelId()
    {
        return channelId;
    }

    /**
     * @return live messages.
     */
    long size()
    {
        return table.size();
    }

    @Override
    public void close()
    {
        table.close();
    }
}
