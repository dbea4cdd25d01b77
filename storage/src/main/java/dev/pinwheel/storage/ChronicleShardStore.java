package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoreCounters;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.LongHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The embedded store of one shard: two Chronicle Queue journals are the truth, off-heap Chronicle Map indexes
 * ({@link ShardIndexes}) answer the queries.
 * <pre>
 *   appendState ───────────────────────────&gt; state journal     [STATE][STATE]...          replayed to the handler
 *   appendMessage / deleteMessage ─────────&gt; message journal   [MESSAGE][MESSAGE][TOMBSTONE][MESSAGE]...
 *        │ after the record is in the journal                           ^ journal address (cycle, position)
 *        v                                                              │
 *   MessageLocations   id ──&gt; (journal address of the newest version, channel): a cache of the timeline, filled by
 *                      appends and lookups, empty after a rebuild (which then costs one map update per ~32 messages)
 *   ChannelTimeline    channel ──&gt; head (newest id) ; (channel, 10-day bucket, page) ──&gt; 32 × (id, address)
 *   PinBoard           channel ──&gt; pinned ids in pin order
 *
 *   message(): id ──&gt; address (cache, else the channel's bucket page) ──&gt; read the mapped record + decode
 *   history(): timeline page (ids + addresses, newest first) ──&gt; decode each, oldest first
 * </pre>
 * State records (guilds, channels, members, accounts...) and messages live in separate journals so that retention
 * can delete old message cycles without losing state, and so that a restart after a clean shutdown replays only the
 * (small) state journal: the index files are reused. After a crash the indexes are rebuilt from the message journal
 * before the shard serves (see {@link ShardIndexes}).
 * <p>
 * Semantics beyond the SPI: a message never changes channel (a version naming another channel than the live
 * message's is a caller error, not detected in general); a version appended after a tombstone makes the id live again (callers check {@link #message} before an edit); a
 * version with {@code pinned} set pins the message (newest pin first in {@link #pinned}), one without unpins it;
 * {@link #recover} may be called again (the handler sees every state record again; the indexes are kept).
 * <p>
 * <b>Thread confinement:</b> NOT thread-safe. Every method must be called by the owning shard thread (see
 * {@link ShardStore}). Until {@link #confineToCurrentThread()} ownership moves with the calling thread: a store opened
 * on one thread and then handed (with a happens-before edge) to another follows it; Chronicle's own single-thread
 * checks on the appenders and readers are reset when that happens. Once confined (the shard thread does it first
 * thing), a call from any other thread throws {@link IllegalStateException} instead of silently taking it over.
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
    private static final int MAX_DAMAGE_KEPT = 1000;

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
    private final JournalRecord record = new JournalRecord();
    private final JournalScanner scanner = new JournalScanner(codec);
    private final List<JournalDamage> damageFound = new ArrayList<>();
    private final LongHashSet damagedOnRead = new LongHashSet();
    /** Damaged records, repaired headers, refused writes: the node's counters once the shard binds them. */
    private volatile StoreCounters health = StoreCounters.standalone();
    private long damagedBytes;
    private volatile boolean writable = true;
    private String faulted;
    private final boolean refuseOnDamage;
    private final long[] pinScratch = new long[MAX_PINS];
    private boolean indexCurrent;
    private boolean indexConsistent = true;
    private long indexedRecords;
    private long liveMessages;
    private boolean rebuilding;
    private long syncs;
    private volatile Thread owner;
    private volatile Thread confinedTo;
    private boolean closed;

    /**
     * @param shardId    the shard.
     * @param shardDir   {@code <dataDir>/shard-N}.
     * @param state      the state journal, owned (closed) by this store from now on.
     * @param messages   the message journal, owned by this store from now on.
     * @param indexes    the message indexes, owned by this store from now on.
     * @param durability durability of writes.
     * @param refuseOnDamage true: {@link #recover} fails if it finds damaged records (else it reports and skips them).
     * @param onClose    run once when the store closes (the factory forgets it).
     */
    ChronicleShardStore(
        final int shardId,
        final Path shardDir,
        final Journal state,
        final Journal messages,
        final ShardIndexes indexes,
        final Durability durability,
        final boolean refuseOnDamage,
        final Runnable onClose)
    {
        this.refuseOnDamage = refuseOnDamage;
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
        this.liveMessages = indexes.reusedLiveMessages();
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
        return (int)Math.min(Integer.MAX_VALUE, liveMessages);
    }

    /**
     * How much disk the shard's data takes per live message; also logged by {@link #recover}. A control-plane call:
     * it runs {@code du} (a few milliseconds).
     *
     * @return the footprint now.
     */
    public DiskFootprint footprint()
    {
        claim();
        return new DiskFootprint(messages.diskBytes(), state.diskBytes(), indexes.diskBytes(), liveMessages);
    }

    /**
     * @return the damage recovery found and reads met (at most the first thousand regions), owner thread only.
     */
    public List<JournalDamage> damage()
    {
        claim();
        return List.copyOf(damageFound);
    }

    /**
     * Counts from now on in the shard's store counters (carrying over what was counted so far).
     *
     * @param counters the shard's store counters.
     */
    @Override
    public void bindCounters(final StoreCounters counters)
    {
        claim();
        for (final int id : new int[] {StoreCounters.DAMAGED_RECORDS, StoreCounters.REPAIRED_HEADERS,
            StoreCounters.REFUSED_WRITES})
        {
            counters.add(id, health.get(id));
        }
        health = counters;
    }

    @Override
    public long damagedRecords()
    {
        return health.get(StoreCounters.DAMAGED_RECORDS);
    }

    @Override
    public long repairedHeaders()
    {
        return health.get(StoreCounters.REPAIRED_HEADERS);
    }

    @Override
    public long refusedWrites()
    {
        return health.get(StoreCounters.REFUSED_WRITES);
    }

    @Override
    public boolean writable()
    {
        return writable;
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
            timeline.beginBulk();
            rebuilding = true;
            liveMessages = 0;
            try
            {
                indexedRecords = replayMessages();
            }
            finally
            {
                rebuilding = false;
                timeline.endBulk();
            }
            indexCurrent = true;
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        final DiskFootprint footprint = footprint();
        LOG.info("shard {}: recovered {} state records and {} message records ({} indexes) in {} ms: {}",
            shardId, stateRecords, indexedRecords, rebuilt ? "rebuilt" : "reused clean", millis, footprint);
        if (damagedRecords() > 0 && refuseOnDamage)
        {
            throw new IllegalStateException("shard " + shardId + ": the journal has " + damagedRecords()
                + " damaged record(s), listed in the log with their positions and ids; with "
                + StorageConfiguration.ON_DAMAGE_PROP_NAME + "=refuse the node does not start. Keep a copy of "
                + shardDir + ", then start with -D" + StorageConfiguration.ON_DAMAGE_PROP_NAME
                + "=skip to serve everything else");
        }
        if (damagedRecords() > 0)
        {
            LOG.error("shard {}: recovery found {} damaged journal region(s) ({} bytes) whose records are LOST (listed "
                + "above with their positions and claimed ids); every other record was recovered and checked",
                shardId, damagedRecords(), damagedBytes);
        }
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
        write(state, codec.encodeState(type, payload));
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
        final long address = write(messages, codec.encodeMessage(message));
        try
        {
            indexVersion(message.id(), message.channelId(), message.pinned(), address);
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
        if (journalIndexOf(channelId, messageId) < 0)
        {
            return false;
        }
        write(messages, codec.encodeTombstone(channelId, messageId));
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

    /**
     * Appends the record the codec just encoded as one journal document.
     *
     * @param journal the journal.
     * @param length  the record's length in {@link JournalRecordCodec#scratch()}.
     * @return the record's address.
     */
    private long write(final Journal journal, final int length)
    {
        if (faulted != null)
        {
            health.increment(StoreCounters.REFUSED_WRITES);
            throw new StoreUnavailableException(StoreUnavailableException.Reason.FAULTED, faulted);
        }
        try
        {
            journal.beforeAppend(length);
        }
        catch (final StoreUnavailableException ex)
        {
            health.increment(StoreCounters.REFUSED_WRITES);
            writable = false;
            throw ex;
        }
        final long position;
        try (DocumentContext dc = journal.appender().writingDocument())
        {
            try
            {
                final Bytes<?> out = dc.wire().bytes();
                position = out.writePosition();
                out.write(codec.scratch(), 0, length);
            }
            catch (final RuntimeException | Error ex)
            {
                dc.rollbackOnClose(); // never leave half a record in the journal
                throw ex;
            }
        }
        catch (final RuntimeException | InternalError ex)
        {
            // An I/O fault under a mapped write (it cannot be "disk full": the bytes were reserved). The record was
            // rolled back; whether the journal's appender is sound is not known: refuse writes until a restart,
            // which recovers everything acknowledged.
            faulted = "the " + journal.dir().getFileName() + " journal failed under a write (" + ex + "); writes "
                + "are refused until the node restarts; reads keep working";
            writable = false;
            health.increment(StoreCounters.REFUSED_WRITES);
            LOG.error("shard {}: {}", shardId, faulted, ex);
            throw new StoreUnavailableException(StoreUnavailableException.Reason.FAULTED, faulted);
        }
        journal.appended(position, length);
        writable = true;
        return Journal.address(journal.appender().cycle(), position);
    }

    @Override
    public StoredMessage message(final long channelId, final long messageId)
    {
        claim();
        final long index = journalIndexOf(channelId, messageId);
        if (index < 0)
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
        final int n = timeline.query(channelId, query, anchorId, limit);
        if (n == 0)
        {
            return List.of();
        }
        final StoredMessage[] page = new StoredMessage[n];
        int missing = 0;
        for (int i = n - 1; i >= 0; i--) // oldest first: ascending file positions
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
            final long index = journalIndexOf(channelId, id);
            final StoredMessage message = index < 0 ? null : readMessageAt(index, id);
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

    /**
     * Pre-faults the page after each journal's write position (Chronicle's micro-toucher: a compare-and-swap of
     * 0 for 0 on that page), so the next append does not take the page fault of a fresh page — about one append
     * in twenty otherwise, at 5–30 µs each.
     */
    @Override
    public void idle()
    {
        if (!closed)
        {
            claim();
            messages.pretouch();
            state.pretouch();
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        claim();
        closed = true;
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
                        indexes.closeClean(lastIndex, records, indexedRecords, liveMessages);
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
        return scanner.scan(state, (address, kind, in, offset, length) ->
        {
            if (kind != JournalRecordCodec.STATE)
            {
                damaged(new JournalDamage(state.cycleFile((int)(address >>> Journal.POSITION_BITS)),
                    address & ((1L << Journal.POSITION_BITS) - 1), address & ((1L << Journal.POSITION_BITS) - 1),
                    "record kind " + kind + " in the state journal", 0, false));
                return;
            }
            final int type = JournalRecordCodec.stateType(in, offset, length);
            handler.onStateRecord(type, JournalRecordCodec.statePayload(in, offset)); // handler bugs propagate
        }, this::damaged);
    }

    private long replayMessages()
    {
        return scanner.scan(messages, (address, kind, in, offset, length) ->
        {
            switch (kind)
            {
                case JournalRecordCodec.MESSAGE -> indexVersion(
                    in.getLong(offset + JournalRecordCodec.MESSAGE_ID_OFFSET),
                    in.getLong(offset + JournalRecordCodec.MESSAGE_CHANNEL_OFFSET),
                    JournalRecordCodec.messagePinned(in, offset), address);
                case JournalRecordCodec.TOMBSTONE -> indexTombstone(in.getLong(offset), in.getLong(offset + 8));
                default -> damaged(new JournalDamage(messages.cycleFile((int)(address >>> Journal.POSITION_BITS)),
                    address & ((1L << Journal.POSITION_BITS) - 1), address & ((1L << Journal.POSITION_BITS) - 1),
                    "record kind " + kind + " in the message journal", 0, false));
            }
        }, this::damaged);
    }

    /**
     * A damaged region found by recovery: logged with exactly what it held as far as can be told, and counted.
     */
    private void damaged(final JournalDamage damage)
    {
        if (damage.headerOnly())
        {
            health.increment(StoreCounters.REPAIRED_HEADERS);
            LOG.warn("shard {}: journal damage, record recovered: {}", shardId, damage);
        }
        else
        {
            health.increment(StoreCounters.DAMAGED_RECORDS);
            damagedBytes += damage.bytes();
            LOG.error("shard {}: journal damage, LOST: {}", shardId, damage);
        }
        if (damageFound.size() < MAX_DAMAGE_KEPT)
        {
            damageFound.add(damage);
        }
    }

    // ----------------------------------------------------------------------------------------------- indexing

    /**
     * A message version: the timeline adds it or points it at this version; the id cache follows (not while
     * rebuilding: it fills again on demand); the pin board follows the version's pinned flag.
     */
    private void indexVersion(final long id, final long channel, final boolean pinned, final long address)
    {
        if (!rebuilding)
        {
            locations.put(id, channel, address);
        }
        final boolean added = timeline.add(channel, id, address);
        if (added)
        {
            liveMessages++;
        }
        if (pinned)
        {
            pins.pin(channel, id);
        }
        else if (!added)
        {
            pins.unpin(channel, id);
        }
    }

    private void indexTombstone(final long channel, final long id)
    {
        if (timeline.remove(channel, id))
        {
            liveMessages--;
            if (!rebuilding && locations.find(id) && locations.channelId() == channel)
            {
                locations.remove(id);
            }
            pins.unpin(channel, id);
        }
    }

    /**
     * Where the newest version of a live message is: the id cache first, else the channel's timeline (then cached).
     *
     * @return the journal address of its newest version, or -1 if the message is not live in that channel.
     */
    private long journalIndexOf(final long channel, final long id)
    {
        if (locations.find(id))
        {
            return locations.channelId() == channel ? locations.journalIndex() : -1;
        }
        final long index = timeline.indexOf(channel, id);
        if (index >= 0)
        {
            locations.put(id, channel, index);
        }
        return index;
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

    private StoredMessage readMessageAt(final long address, final long messageId)
    {
        final int status = messages.read(address, record, codec);
        if (status == Journal.READ_MISSING)
        {
            LOG.error("shard {}: no record at journal address {} of message {} in {} (deleted by retention?)",
                shardId, Long.toHexString(address), messageId, messages.dir());
            return null;
        }
        try
        {
            if (status == Journal.READ_DAMAGED)
            {
                throw new IllegalStateException(record.problem());
            }
            if (record.kind() != JournalRecordCodec.MESSAGE)
            {
                throw new IllegalStateException("record kind " + record.kind() + ", expected a message");
            }
            final StoredMessage message = codec.decodeMessage(record.buffer(), record.bodyOffset(),
                record.bodyLength());
            if (message.id() != messageId)
            {
                throw new IllegalStateException("record holds message " + message.id());
            }
            return message;
        }
        catch (final RuntimeException ex)
        {
            if (damagedOnRead.add(address)) // each damaged record is reported once
            {
                health.increment(StoreCounters.DAMAGED_RECORDS);
                LOG.error("shard {}: journal damage found on read, message {} at journal address {} in {} is not "
                    + "served: {}", shardId, messageId, Long.toHexString(address), messages.dir(), ex.getMessage());
            }
            return null;
        }
    }

    @Override
    public void confineToCurrentThread()
    {
        confinedTo = Thread.currentThread();
        claim();
    }

    /**
     * Ownership follows the calling thread until the store is confined; Chronicle's appenders and mapped readers are
     * told when it moves. A confined store refuses every other thread, loudly.
     */
    private void claim()
    {
        final Thread current = Thread.currentThread();
        if (current != owner)
        {
            final Thread confined = confinedTo;
            if (confined != null && confined != current)
            {
                throw new IllegalStateException("store of shard " + shardId + " belongs to thread " + confined.getName()
                    + "; called from " + current.getName());
            }
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
