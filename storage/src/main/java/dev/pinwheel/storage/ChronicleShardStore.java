package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The embedded store of one shard: one Chronicle Queue (the journal) holds every record of the shard, and two
 * in-heap indexes are rebuilt from it by {@link #recover} and kept up to date by every write.
 * <pre>
 *   appendState ----------------------------+
 *   appendMessage / deleteMessage --+       |          journal (Chronicle Queue, rolls daily)
 *                                   |       +--------> [STATE][MESSAGE][MESSAGE][TOMBSTONE][MESSAGE]...
 *                                   |       |                       ^ journal index
 *                                   +-------+------------+          |
 *                                                        v          |
 *   message id  --> journal index of its newest version  (Long2LongHashMap)
 *   channel id  --> sorted long[] of live message ids    (Long2ObjectHashMap of ChannelMessageIds)
 *
 *   message()/history(): ids from the channel's array -> journal indexes -> one tailer moveToIndex + decode each
 * </pre>
 * Records are written through {@link ExcerptAppender#writingDocument()} in the layout of
 * {@link JournalRecordCodec}; the indexes change only after the record is in the journal, so a failed write leaves
 * them as they were. A page of history reads its records in ascending journal order, which lets the tailer scan
 * forward from the previous record instead of looking each one up in Chronicle's index.
 * <p>
 * Semantics beyond the SPI: a version whose id is live in another channel moves the message to the new channel; a
 * version appended after a tombstone makes the id live again (callers check {@link #message} before an edit);
 * {@link #recover} may be called again and replays from the start (the handler sees every state record again).
 * <p>
 * <b>Thread confinement:</b> NOT thread-safe. Every method must be called by the owning shard thread (see
 * {@link ShardStore}). Ownership moves with the calling thread: a store opened and recovered on one thread and
 * then handed (with a happens-before edge) to a shard thread follows it; Chronicle's own single-thread checks on
 * the appender and tailer are reset when that happens.
 * <p>
 * <b>Durability:</b> every {@code append*}/{@code delete*} returns once the record is in the memory-mapped journal
 * ({@link Durability#OS}) and, with {@link Durability#SYNC}, once its pages are msync'ed.
 */
public final class ChronicleShardStore implements ShardStore
{
    /** Largest page {@link #history} returns. */
    public static final int MAX_PAGE = 100;

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleShardStore.class);
    private static final long NO_INDEX = -1;

    private final int shardId;
    private final Path journalDir;
    private final SingleChronicleQueue queue;
    private final boolean sync;
    private final Runnable onClose;
    private final ExcerptAppender appender;
    private final ExcerptTailer tailer;
    private final JournalRecordCodec codec = new JournalRecordCodec();
    private final Long2LongHashMap journalIndexById = new Long2LongHashMap(NO_INDEX);
    private final Long2ObjectHashMap<ChannelMessageIds> channels = new Long2ObjectHashMap<>();
    private Thread owner;
    private boolean closed;

    /**
     * @param shardId    the shard.
     * @param journalDir the queue's directory.
     * @param queue      the shard's journal, owned (closed) by this store from now on.
     * @param durability durability of writes.
     * @param onClose    run once when the store closes (the factory forgets it).
     */
    ChronicleShardStore(
        final int shardId,
        final Path journalDir,
        final SingleChronicleQueue queue,
        final Durability durability,
        final Runnable onClose)
    {
        this.shardId = shardId;
        this.journalDir = journalDir;
        this.queue = queue;
        this.sync = durability == Durability.SYNC;
        this.onClose = onClose;
        this.appender = queue.createAppender();
        this.tailer = queue.createTailer();
        this.owner = Thread.currentThread();
    }

    /**
     * @return the shard this store belongs to.
     */
    public int shardId()
    {
        return shardId;
    }

    /**
     * @return the directory of the shard's journal.
     */
    public Path journalDir()
    {
        return journalDir;
    }

    /**
     * @return number of live messages the indexes know.
     */
    public int liveMessageCount()
    {
        return journalIndexById.size();
    }

    @Override
    public long recover(final StateRecordHandler handler)
    {
        Objects.requireNonNull(handler, "handler");
        claim();
        journalIndexById.clear();
        channels.clear();
        long replayed = 0;
        long skipped = 0;
        try (ExcerptTailer replay = queue.createTailer())
        {
            while (true)
            {
                byte[] statePayload = null;
                int stateType = 0;
                try (DocumentContext dc = replay.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final long index = dc.index();
                    final Bytes<?> in = dc.wire().bytes();
                    try
                    {
                        if (in.readRemaining() < 1)
                        {
                            throw new IllegalStateException("empty record");
                        }
                        final byte kind = in.readByte(in.readPosition());
                        switch (kind)
                        {
                            case JournalRecordCodec.STATE ->
                            {
                                JournalRecordCodec.readKind(in);
                                stateType = JournalRecordCodec.readStateType(in);
                                statePayload = JournalRecordCodec.readStatePayload(in);
                            }
                            case JournalRecordCodec.MESSAGE -> indexMessage(
                                JournalRecordCodec.peekMessageId(in),
                                JournalRecordCodec.peekMessageChannelId(in),
                                index);
                            case JournalRecordCodec.TOMBSTONE ->
                            {
                                JournalRecordCodec.readKind(in);
                                final long channelId = JournalRecordCodec.readTombstoneChannelId(in);
                                unindexMessage(channelId, in.readLong());
                            }
                            default -> throw new IllegalStateException("unknown record kind " + kind);
                        }
                        replayed++;
                    }
                    catch (final RuntimeException ex)
                    {
                        skipped++;
                        LOG.warn("shard {}: skipping undecodable journal record at index {} in {}: {}",
                            shardId, Long.toHexString(index), journalDir, ex.toString());
                        LOG.debug("undecodable record", ex);
                        statePayload = null;
                    }
                }
                if (statePayload != null)
                {
                    handler.onStateRecord(stateType, statePayload); // outside the catch: handler bugs propagate
                }
            }
        }
        LOG.info("shard {}: recovered {} records ({} skipped), {} live messages in {} channels from {}",
            shardId, replayed, skipped, journalIndexById.size(), channels.size(), journalDir);
        return replayed;
    }

    @Override
    public void appendState(final int type, final byte[] payload)
    {
        if (type <= 0)
        {
            throw new IllegalArgumentException("state record type must be > 0: " + type);
        }
        Objects.requireNonNull(payload, "payload");
        claim();
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                JournalRecordCodec.writeState(dc.wire().bytes(), type, payload);
            }
            catch (final RuntimeException | Error ex)
            {
                dc.rollbackOnClose(); // never leave half a record in the journal
                throw ex;
            }
        }
        afterWrite();
    }

    @Override
    public void appendMessage(final StoredMessage message)
    {
        Objects.requireNonNull(message, "message");
        claim();
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                codec.writeMessage(dc.wire().bytes(), message);
            }
            catch (final RuntimeException | Error ex)
            {
                dc.rollbackOnClose(); // never leave half a record in the journal
                throw ex;
            }
        }
        afterWrite();
        indexMessage(message.id(), message.channelId(), appender.lastIndexAppended());
    }

    @Override
    public boolean deleteMessage(final long channelId, final long messageId)
    {
        claim();
        final ChannelMessageIds ids = channels.get(channelId);
        if (ids == null || !ids.contains(messageId))
        {
            return false;
        }
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                JournalRecordCodec.writeTombstone(dc.wire().bytes(), channelId, messageId);
            }
            catch (final RuntimeException | Error ex)
            {
                dc.rollbackOnClose(); // never leave half a record in the journal
                throw ex;
            }
        }
        afterWrite();
        unindexMessage(channelId, messageId);
        return true;
    }

    @Override
    public StoredMessage message(final long channelId, final long messageId)
    {
        claim();
        final long index = journalIndexById.get(messageId);
        if (index == NO_INDEX)
        {
            return null;
        }
        final StoredMessage message = readMessageAt(index, messageId);
        return message != null && message.channelId() == channelId ? message : null;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code limit} is outside 1..{@value #MAX_PAGE}.
     */
    @Override
    public List<StoredMessage> history(
        final long channelId, final HistoryQuery query, final long anchorId, final int limit)
    {
        if (limit < 1 || limit > MAX_PAGE)
        {
            throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + ": " + limit);
        }
        Objects.requireNonNull(query, "query");
        claim();
        final ChannelMessageIds ids = channels.get(channelId);
        if (ids == null || ids.size() == 0)
        {
            return List.of();
        }
        final long range = ids.pageRange(query, anchorId, limit);
        final int from = ChannelMessageIds.rangeFrom(range);
        final int to = ChannelMessageIds.rangeTo(range);
        if (from >= to)
        {
            return List.of();
        }
        final StoredMessage[] page = new StoredMessage[to - from];
        int missing = 0;
        for (int i = from; i < to; i++) // oldest first: ascending journal order, the tailer scans forward
        {
            final long id = ids.get(i);
            final StoredMessage message = readMessageAt(journalIndexById.get(id), id);
            if (message == null)
            {
                missing++;
            }
            page[to - 1 - i] = message;
        }
        return missing == 0 ? List.of(page) : withoutNulls(page, missing);
    }

    @Override
    public long lastMessageId(final long channelId)
    {
        claim();
        final ChannelMessageIds ids = channels.get(channelId);
        return ids == null || ids.size() == 0 ? 0 : ids.get(ids.size() - 1);
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        claim();
        try
        {
            tailer.close();
            appender.close();
            queue.close();
        }
        finally
        {
            onClose.run();
        }
    }

    private void indexMessage(final long messageId, final long channelId, final long index)
    {
        final long previous = journalIndexById.put(messageId, index);
        if (previous != NO_INDEX)
        {
            final ChannelMessageIds current = channels.get(channelId);
            if (current != null && current.contains(messageId))
            {
                return; // a new version in the same channel: only the journal index changed
            }
            final StoredMessage old = readMessageAt(previous, messageId);
            if (old != null)
            {
                final ChannelMessageIds oldChannel = channels.get(old.channelId());
                if (oldChannel != null)
                {
                    oldChannel.remove(messageId); // the id moved to another channel
                }
            }
        }
        channels.computeIfAbsent(channelId, ignore -> new ChannelMessageIds()).add(messageId);
    }

    private void unindexMessage(final long channelId, final long messageId)
    {
        final ChannelMessageIds ids = channels.get(channelId);
        if (ids != null && ids.remove(messageId))
        {
            journalIndexById.remove(messageId);
        }
    }

    private StoredMessage readMessageAt(final long index, final long messageId)
    {
        if (index == NO_INDEX)
        {
            return null;
        }
        try
        {
            if (!tailer.moveToIndex(index))
            {
                LOG.error("shard {}: journal index {} of message {} not found in {}",
                    shardId, Long.toHexString(index), messageId, journalDir);
                return null;
            }
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return null;
                }
                final Bytes<?> in = dc.wire().bytes();
                final byte kind = JournalRecordCodec.readKind(in);
                if (kind != JournalRecordCodec.MESSAGE)
                {
                    throw new IllegalStateException("record kind " + kind + ", expected a message");
                }
                final StoredMessage message = codec.readMessage(in);
                if (message.id() != messageId)
                {
                    throw new IllegalStateException("record holds message " + message.id());
                }
                return message;
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("shard {}: cannot read message {} at journal index {} in {}",
                shardId, messageId, Long.toHexString(index), journalDir, ex);
            return null;
        }
    }

    private void afterWrite()
    {
        if (sync)
        {
            appender.sync();
        }
    }

    /**
     * Ownership follows the calling thread; Chronicle's appender and tailer are told when it moves.
     */
    private void claim()
    {
        final Thread current = Thread.currentThread();
        if (current != owner)
        {
            owner = current;
            appender.singleThreadedCheckReset();
            tailer.singleThreadedCheckReset();
        }
    }

    private static List<StoredMessage> withoutNulls(final StoredMessage[] page, final int missing)
    {
        final StoredMessage[] present = new StoredMessage[page.length - missing];
        int n = 0;
        for (final StoredMessage message : page)
        {
            if (message != null)
            {
                present[n++] = message;
            }
        }
        return List.of(present);
    }
}
