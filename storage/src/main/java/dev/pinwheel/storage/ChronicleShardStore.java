package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The embedded store of one shard: two Chronicle Queue journals are the truth, off-heap Chronicle Map indexes
 * ({@link ShardIndexes}) answer the queries.
 * <pre>
 *   appendState ───────────────────────────&gt; state journal     [STATE][STATE]...          replayed to the handler
 *   appendMessage / deleteMessage ─────────&gt; message journal   [MESSAGE][MESSAGE][TOMBSTONE][MESSAGE]...
 *        │ after the record is in the journal                           ^ journal index
 *        v                                                              │
 *   MessageLocations   id ──&gt; (journal index of the newest version, channel)
 *   ChannelTimeline    channel ──&gt; head (newest id) ; (channel, 10-day bucket, page) ──&gt; 32 × (id, journal index)
 *   PinBoard           channel ──&gt; pinned ids in pin order
 *
 *   message(): id ──&gt; journal index ──&gt; tailer.moveToIndex + decode
 *   history(): timeline page (ids + journal indexes, newest first) ──&gt; decode each, oldest first (forward reads)
 * </pre>
 * State records (guilds, channels, members, accounts...) and messages live in separate journals so that retention
 * can delete old message cycles without losing state, and so that a restart after a clean shutdown replays only the
 * (small) state journal: the index files are reused. After a crash the indexes are rebuilt from the message journal
 * before the shard serves (see {@link ShardIndexes}).
 * <p>
 * Semantics beyond the SPI: a version whose id is live in another channel moves the message to the new channel; a
 * version appended after a tombstone makes the id live again (callers check {@link #message} before an edit); a
 * version with {@code pinned} set pins the message (newest pin first in {@link #pinned}), one without unpins it;
 * {@link #recover} may be called again (the handler sees every state record again; the indexes are kept).
 * <p>
 * <b>Thread confinement:</b> NOT thread-safe. Every method must be called by the owning shard thread (see
 * {@link ShardStore}). Ownership moves with the calling thread: a store opened and recovered on one thread and
 * then handed (with a happens-before edge) to a shard thread follows it; Chronicle's own single-thread checks on
 * the appenders and tailers are reset when that happens.
 * <p>
 * <b>Durability:</b> see {@link Durability}. With {@link Durability#SYNC} {@link #groupCommit()} is true: appends
 * do not sync, {@link #commit()} syncs everything appended since the previous commit once.
 */
public final class ChronicleShardStore implements ShardStore
{
    /** Largest page {@link #history} returns. */
    public static final int MAX_PAGE = ChannelTimeline.MAX_RESULT;

    /** Most pins a channel holds. */
    public static final int MAX_PINS = PinBoard.MAX_PINS;

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleShardStore.class);

    private final int shardId;
    private final Path shardDir;
    private final Journal state;
    private final Journal messages;
    private final ShardIndexes indexes;
    private final MessageLocations locations;
    private final ChannelTimeline timeline;
    private final PinBoard pins;
    private final boolean sync;
    private final Runnable onClose;
    private final JournalRecordCodec codec = new JournalRecordCodec();
    private final long[] pinScratch = new long[MAX_PINS];
    private boolean indexCurrent;
    private boolean indexConsistent = true;
    private long indexedRecords;
    private long syncs;
    private Thread owner;
    private boolean closed;

    /**
     * @param shardId    the shard.
     * @param shardDir   {@code <dataDir>/shard-N}.
     * @param state      the state journal, owned (closed) by this store from now on.
     * @param messages   the message journal, owned by this store from now on.
     * @param indexes    the message indexes, owned by this store from now on.
     * @param durability durability of writes.
     * @param onClose    run once when the store closes (the factory forgets it).
     */
    ChronicleShardStore(
        final int shardId,
        final Path shardDir,
        final Journal state,
        final Journal messages,
        final ShardIndexes indexes,
        final Durability durability,
        final Runnable onClose)
    {
        this.shardId = shardId;
        this.shardDir = shardDir;
        this.state = state;
        this.messages = messages;
        this.indexes = indexes;
        this.locations = indexes.locations();
        this.timeline = indexes.timeline();
        this.pins = indexes.pins();
        this.sync = durability == Durability.SYNC;
        this.onClose = onClose;
        this.indexCurrent = indexes.reused();
        this.indexedRecords = indexes.reusedRecords();
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
     * @return the shard's directory.
     */
    public Path shardDir()
    {
        return shardDir;
    }

    /**
     * @return the directory of the shard's message journal.
     */
    public Path journalDir()
    {
        return messages.dir();
    }

    /**
     * @return the directory of the shard's state journal.
     */
    public Path stateJournalDir()
    {
        return state.dir();
    }

    /**
     * @return true if the indexes were reopened from a clean shutdown instead of rebuilt from the journal.
     */
    public boolean indexesReused()
    {
        return indexes.reused();
    }

    /**
     * @return number of live messages the indexes know.
     */
    public int liveMessageCount()
    {
        claim();
        return (int)Math.min(Integer.MAX_VALUE, locations.size());
    }

    /**
     * How much disk the shard's data takes per live message; also logged by {@link #recover}.
     *
     * @return the footprint now.
     */
    public DiskFootprint footprint()
    {
        claim();
        return new DiskFootprint(messages.diskBytes(), state.diskBytes(), indexes.diskBytes(), locations.size());
    }

    /**
     * @return journal file syncs ({@code fdatasync}) issued by {@link #commit()} so far: one per file written per
     *         commit, none in {@link Durability#OS}.
     */
    public long syncCount()
    {
        return syncs;
    }

    @Override
    public long recover(final StateRecordHandler handler)
    {
        Objects.requireNonNull(handler, "handler");
        claim();
        final long start = System.nanoTime();
        final long stateRecords = replayState(handler);
        final boolean rebuilt = !indexCurrent;
        if (rebuilt)
        {
            indexedRecords = replayMessages();
            indexCurrent = true;
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        final DiskFootprint footprint = footprint();
        LOG.info("shard {}: recovered {} state records and {} message records ({} indexes) in {} ms: {}",
            shardId, stateRecords, indexedRecords, rebuilt ? "rebuilt" : "reused clean", millis, footprint);
        return stateRecords + indexedRecords;
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
        try (DocumentContext dc = state.appender().writingDocument())
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
        state.appended();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the version pins a message in a channel that has {@value #MAX_PINS} pins
     *                               (nothing is appended).
     */
    @Override
    public void appendMessage(final StoredMessage message)
    {
        Objects.requireNonNull(message, "message");
        claim();
        if (message.pinned() && pins.count(message.channelId()) >= MAX_PINS &&
            !pins.contains(message.channelId(), message.id()))
        {
            throw new IllegalStateException("channel " + message.channelId() + " has " + MAX_PINS + " pins");
        }
        try (DocumentContext dc = messages.appender().writingDocument())
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
        messages.appended();
        final long index = messages.appender().lastIndexAppended();
        try
        {
            indexVersion(message.id(), message.channelId(), message.pinned(), index);
            indexedRecords++;
        }
        catch (final RuntimeException | Error ex)
        {
            indexFailed(ex);
        }
    }

    @Override
    public boolean deleteMessage(final long channelId, final long messageId)
    {
        claim();
        if (!locations.find(messageId) || locations.channelId() != channelId)
        {
            return false;
        }
        try (DocumentContext dc = messages.appender().writingDocument())
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
        messages.appended();
        try
        {
            indexTombstone(channelId, messageId);
            indexedRecords++;
        }
        catch (final RuntimeException | Error ex)
        {
            indexFailed(ex);
        }
        return true;
    }

    @Override
    public StoredMessage message(final long channelId, final long messageId)
    {
        claim();
        if (!locations.find(messageId) || locations.channelId() != channelId)
        {
            return null;
        }
        final StoredMessage message = readMessageAt(locations.journalIndex(), messageId);
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
        final int n = timeline.query(channelId, query, anchorId, limit);
        if (n == 0)
        {
            return List.of();
        }
        final StoredMessage[] page = new StoredMessage[n];
        int missing = 0;
        for (int i = n - 1; i >= 0; i--) // oldest first: ascending journal order, the tailer scans forward
        {
            final StoredMessage message = readMessageAt(timeline.resultIndex(i), timeline.resultId(i));
            if (message == null)
            {
                missing++;
            }
            page[i] = message;
        }
        return missing == 0 ? List.of(page) : withoutNulls(page, missing);
    }

    /**
     * @param channelId the channel.
     * @return the channel's pinned messages, the most recently pinned first (at most {@value #MAX_PINS}).
     */
    @Override
    public List<StoredMessage> pinned(final long channelId)
    {
        claim();
        final int n = pins.list(channelId, pinScratch);
        if (n == 0)
        {
            return List.of();
        }
        final StoredMessage[] page = new StoredMessage[n];
        int missing = 0;
        for (int i = 0; i < n; i++)
        {
            final long id = pinScratch[i];
            final StoredMessage message = locations.find(id) && locations.channelId() == channelId
                ? readMessageAt(locations.journalIndex(), id) : null;
            if (message == null)
            {
                missing++;
            }
            page[i] = message;
        }
        return missing == 0 ? List.of(page) : withoutNulls(page, missing);
    }

    @Override
    public long lastMessageId(final long channelId)
    {
        claim();
        return timeline.newestId(channelId);
    }

    @Override
    public boolean groupCommit()
    {
        return sync;
    }

    @Override
    public void commit()
    {
        if (sync)
        {
            claim();
            syncs += state.sync() + messages.sync();
        }
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
            commit();
            final boolean clean = indexCurrent && indexConsistent && messages.deletedAfterOpen() == 0;
            final long lastIndex = clean ? messages.lastIndex() : -1;
            final long records = clean ? messages.recordCount() : 0;
            try
            {
                state.close();
            }
            finally
            {
                try
                {
                    messages.close();
                }
                finally
                {
                    if (clean)
                    {
                        indexes.closeClean(lastIndex, records, indexedRecords);
                    }
                    else
                    {
                        indexes.close();
                    }
                }
            }
        }
        finally
        {
            onClose.run();
        }
    }

    // ----------------------------------------------------------------------------------------------- recovery

    private long replayState(final StateRecordHandler handler)
    {
        long replayed = 0;
        long skipped = 0;
        try (ExcerptTailer replay = state.queue().createTailer())
        {
            while (true)
            {
                byte[] payload = null;
                int type = 0;
                try (DocumentContext dc = replay.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> in = dc.wire().bytes();
                    try
                    {
                        final byte kind = in.readRemaining() < 1 ? 0 : JournalRecordCodec.readKind(in);
                        if (kind != JournalRecordCodec.STATE)
                        {
                            throw new IllegalStateException("record kind " + kind + " in the state journal");
                        }
                        type = JournalRecordCodec.readStateType(in);
                        payload = JournalRecordCodec.readStatePayload(in);
                        replayed++;
                    }
                    catch (final RuntimeException ex)
                    {
                        skipped++;
                        undecodable(state, dc.index(), ex);
                        payload = null;
                    }
                }
                if (payload != null)
                {
                    handler.onStateRecord(type, payload); // outside the catch: handler bugs propagate
                }
            }
        }
        if (skipped > 0)
        {
            LOG.warn("shard {}: skipped {} undecodable state records", shardId, skipped);
        }
        return replayed;
    }

    private long replayMessages()
    {
        long replayed = 0;
        long skipped = 0;
        try (ExcerptTailer replay = messages.queue().createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = replay.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final long index = dc.index();
                    final Bytes<?> in = dc.wire().bytes();
                    byte kind = 0;
                    long id = 0;
                    long channel = 0;
                    boolean pinned = false;
                    try
                    {
                        kind = in.readRemaining() < 1 ? 0 : in.readByte(in.readPosition());
                        switch (kind)
                        {
                            case JournalRecordCodec.MESSAGE ->
                            {
                                id = JournalRecordCodec.peekMessageId(in);
                                channel = JournalRecordCodec.peekMessageChannelId(in);
                                pinned = JournalRecordCodec.peekMessagePinned(in);
                            }
                            case JournalRecordCodec.TOMBSTONE ->
                            {
                                JournalRecordCodec.readKind(in);
                                channel = JournalRecordCodec.readTombstoneChannelId(in);
                                id = in.readLong();
                            }
                            default -> throw new IllegalStateException("record kind " + kind
                                + " in the message journal");
                        }
                    }
                    catch (final RuntimeException ex)
                    {
                        skipped++;
                        undecodable(messages, index, ex);
                        continue;
                    }
                    if (kind == JournalRecordCodec.MESSAGE)
                    {
                        indexVersion(id, channel, pinned, index); // index failures propagate: not a bad record
                    }
                    else
                    {
                        indexTombstone(channel, id);
                    }
                    replayed++;
                }
            }
        }
        if (skipped > 0)
        {
            LOG.warn("shard {}: skipped {} undecodable message records", shardId, skipped);
        }
        return replayed;
    }

    private void undecodable(final Journal journal, final long index, final RuntimeException ex)
    {
        LOG.warn("shard {}: skipping undecodable journal record at index {} in {}: {}",
            shardId, Long.toHexString(index), journal.dir(), ex.toString());
        LOG.debug("undecodable record", ex);
    }

    // ----------------------------------------------------------------------------------------------- indexing

    private void indexVersion(final long id, final long channel, final boolean pinned, final long index)
    {
        final boolean wasLive = locations.put(id, channel, index);
        if (!wasLive)
        {
            timeline.add(channel, id, index);
        }
        else if (locations.channelId() == channel)
        {
            timeline.updateIndex(channel, id, index);
        }
        else
        {
            final long previousChannel = locations.channelId();
            timeline.remove(previousChannel, id);
            pins.unpin(previousChannel, id);
            timeline.add(channel, id, index);
        }
        if (pinned)
        {
            pins.pin(channel, id);
        }
        else if (wasLive)
        {
            pins.unpin(channel, id);
        }
    }

    private void indexTombstone(final long channel, final long id)
    {
        if (locations.find(id) && locations.channelId() == channel)
        {
            locations.remove(id);
            timeline.remove(channel, id);
            pins.unpin(channel, id);
        }
    }

    private void indexFailed(final Throwable ex)
    {
        indexConsistent = false; // the journal has the record: the indexes are rebuilt at the next start
        LOG.error("shard {}: a journal record could not be indexed; it is durable and will be indexed when the "
            + "store is next opened", shardId, ex);
        if (ex instanceof RuntimeException runtime)
        {
            throw runtime;
        }
        throw (Error)ex;
    }

    // ----------------------------------------------------------------------------------------------- reads

    private StoredMessage readMessageAt(final long index, final long messageId)
    {
        final ExcerptTailer tailer = messages.tailer();
        try
        {
            if (!tailer.moveToIndex(index))
            {
                LOG.error("shard {}: journal index {} of message {} not found in {} (deleted by retention?)",
                    shardId, Long.toHexString(index), messageId, messages.dir());
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
                shardId, messageId, Long.toHexString(index), messages.dir(), ex);
            return null;
        }
    }

    /**
     * Ownership follows the calling thread; Chronicle's appenders and tailers are told when it moves.
     */
    private void claim()
    {
        final Thread current = Thread.currentThread();
        if (current != owner)
        {
            owner = current;
            state.ownerChanged();
            messages.ownerChanged();
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
