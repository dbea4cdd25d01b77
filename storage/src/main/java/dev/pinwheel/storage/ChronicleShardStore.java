package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoreCounters;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.LongArrayList;
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
 * (small) state journal: the index files are reused. After the process died on the same boot (kill -9, a JVM crash)
 * the index files are reused at their recovery point: the message records after it are replayed before the shard
 * serves and the ones before it are verified by a {@link JournalVerifier} in the background, whose findings this
 * store reports and applies on its thread ({@link #idle()} and every call). After a machine crash, or an index update
 * the process died inside, the indexes are rebuilt from the message journal before the shard serves (see
 * {@link ShardIndexes}).
 * <p>
 * <b>Deferred index writes.</b> A message version is acknowledged once it is in the journal; its index writes (the
 * Chronicle Map updates of the id cache, the timeline and the pins, about two thirds of an append's time) wait in a
 * small queue of this store ({@code pendingIndex}: id, channel, address, length and checksum, pinned) and run, in
 * append order, when the shard idles ({@link #idle()}: after it published and flushed the event), before anything
 * reads or changes the indexes (every read, a delete, a pin, {@link #close()}), or when the queue is full. Every
 * read therefore sees every acknowledged version (read-your-writes) and the indexes change in journal order; a kill
 * with versions still queued leaves the recovery point before them, so the reopened store replays them from the
 * journal like any record after its recovery point.
 * <p>
 * <b>The recovery point.</b> Every access to the index maps runs between {@link IndexRecoveryPoint#enter()} and
 * {@link IndexRecoveryPoint#exit()} (the journal writes and reads stay outside), and a message record's index updates
 * advance the point's applied record in that same critical section: two plain stores and a fence per operation.
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
    /** A deferred index write: id, channel, journal address, length &lt;&lt; 32 | checksum, pinned (0/1). */
    private static final int PENDING_LONGS = 5;

    private final int shardId;
    private final Path shardDir;
    private final Journal state;
    private final Journal messages;
    private final ShardIndexes indexes;
    private final MessageLocations locations;
    private final ChannelTimeline timeline;
    private final PinBoard pins;
    private final IndexRecoveryPoint point;
    private final IndexRecovery recovery;
    private final boolean sync;
    private final Runnable onClose;
    /** Message versions journaled but not yet indexed: {@link #PENDING_LONGS} longs each, in append order. */
    private final long[] pendingIndex;
    private final int pendingLimit;
    private int pendingCount;
    private final JournalRecordCodec codec = new JournalRecordCodec();
    private final JournalRecord record = new JournalRecord();
    private final JournalScanner scanner = new JournalScanner(codec);
    private final List<JournalDamage> damageFound = new ArrayList<>();
    /** Addresses of records whose damage was counted (by a read or the background verification): once each. */
    private final LongHashSet damageCounted = new LongHashSet();
    /** (channel, id, address) of damaged records found by the reads of one call, dropped after it. */
    private final LongArrayList damagedReads = new LongArrayList();
    /** Damaged records, repaired headers, refused writes: the node's counters once the shard binds them. */
    private volatile StoreCounters health = StoreCounters.standalone();
    private long damagedBytes;
    private volatile boolean writable = true;
    private String faulted;
    private final boolean refuseOnDamage;
    private final long[] pinScratch = new long[MAX_PINS];
    private final long[] pinAddresses = new long[MAX_PINS];
    private JournalVerifier verifier;
    private long verifiedDamage;
    private boolean firstCycleKnown;
    private int retentionSeen;
    private long replayedAddress = -1;
    private int replayedLength;
    private int replayedChecksum;
    private long replayedId;
    /** Test hook: run between two map writes of one message version (a test halts the JVM there). */
    private Runnable betweenIndexWrites;
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
     * @param deferredIndexWrites how many journaled message versions may wait for their index writes (0: none).
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
        final int deferredIndexWrites,
        final Runnable onClose)
    {
        this.pendingLimit = deferredIndexWrites;
        this.pendingIndex = new long[Math.max(1, deferredIndexWrites) * PENDING_LONGS];
        this.refuseOnDamage = refuseOnDamage;
        this.shardId = shardId;
        this.shardDir = shardDir;
        this.state = state;
        this.messages = messages;
        this.indexes = indexes;
        this.locations = indexes.locations();
        this.timeline = indexes.timeline();
        this.pins = indexes.pins();
        this.point = indexes.point();
        this.recovery = indexes.recovery();
        this.sync = durability == Durability.SYNC;
        this.onClose = onClose;
        this.indexCurrent = recovery == IndexRecovery.REUSED_CLEAN;
        this.firstCycleKnown = point.firstCycle() != IndexRecoveryPoint.NO_CYCLE;
        this.retentionSeen = messages.deletedAfterOpen();
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
     * @return true if the indexes were reopened (after a clean shutdown, or at their recovery point after the process
     *         died) instead of rebuilt from the journal.
     */
    public boolean indexesReused()
    {
        return recovery != IndexRecovery.REBUILT;
    }

    /**
     * @return how the indexes came back when the store was opened.
     */
    public IndexRecovery indexRecovery()
    {
        return recovery;
    }

    /**
     * @return why the indexes came back the way {@link #indexRecovery()} says (the line logged at open).
     */
    String indexRecoveryReason()
    {
        return indexes.reason();
    }

    /**
     * Owner thread: applies what the background verification found so far.
     *
     * @return true while the background verification of the journal before the recovery point runs (or has
     *         findings this store has not reported yet).
     */
    public boolean verifying()
    {
        claim();
        pollVerifier();
        return verifier != null;
    }

    /**
     * @return number of live messages the indexes know.
     */
    public int liveMessageCount()
    {
        claim();
        applyPendingIndex();
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
        applyPendingIndex();
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
        applyPendingIndex();
        final long start = System.nanoTime();
        final long stateRecords = replayState(handler);
        final boolean replayed = !indexCurrent;
        long replayedRecords = 0;
        if (replayed && recovery == IndexRecovery.REBUILT)
        {
            point.enter();
            timeline.beginBulk();
            rebuilding = true;
            liveMessages = 0;
            try
            {
                indexedRecords = replayMessages(Integer.MIN_VALUE, 0, false);
                replayedRecords = indexedRecords;
            }
            catch (final RuntimeException | Error ex)
            {
                indexFailed(ex);
            }
            finally
            {
                rebuilding = false;
                timeline.endBulk();
            }
            appliedReplay();
            point.validate(); // the maps hold the whole journal: a kill from now on can reuse them
            point.exit();
            indexCurrent = true;
        }
        else if (replayed)
        {
            replayedRecords = replayAfterRecoveryPoint();
            indexCurrent = true;
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        final DiskFootprint footprint = footprint();
        final String how = switch (recovery)
        {
            case REBUILT -> "rebuilt";
            case REUSED_CLEAN -> "reused clean";
            case REUSED_AT_RECOVERY_POINT -> "reused at recovery point";
        };
        LOG.info("shard {}: recovered {} state records and {} message records ({} indexes) in {} ms{}: {}",
            shardId, stateRecords, indexedRecords, how, millis, recovery == IndexRecovery.REUSED_AT_RECOVERY_POINT
            ? ", " + replayedRecords + " replayed after the recovery point" : "", footprint);
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
        pollVerifier();
        if (message.pinned())
        {
            applyPendingIndex(); // the pin count below reads the indexes
            final boolean full;
            point.enter();
            try
            {
                full = pins.count(message.channelId()) >= MAX_PINS && !pins.contains(message.channelId(), message.id());
            }
            finally
            {
                point.exit();
            }
            if (full)
            {
                throw new IllegalStateException("channel " + message.channelId() + " has " + MAX_PINS + " pins");
            }
        }
        final int length = codec.encodeMessage(message);
        final long address = write(messages, length);
        if (pendingLimit > 0)
        {
            final int at = pendingCount * PENDING_LONGS;
            pendingIndex[at] = message.id();
            pendingIndex[at + 1] = message.channelId();
            pendingIndex[at + 2] = address;
            pendingIndex[at + 3] = (long)length << 32 | (codec.sealedChecksum() & 0xFFFF_FFFFL);
            pendingIndex[at + 4] = message.pinned() ? 1 : 0;
            if (++pendingCount == pendingLimit)
            {
                applyPendingIndex();
            }
            return;
        }
        point.enter();
        try
        {
            indexVersion(message.id(), message.channelId(), message.pinned(), address);
            indexedRecords++;
            applied(address, length, codec.sealedChecksum(), message.id());
        }
        catch (final RuntimeException | Error ex)
        {
            indexFailed(ex);
        }
        finally
        {
            point.exit();
        }
    }

    @Override
    public boolean deleteMessage(final long channelId, final long messageId)
    {
        claim();
        applyPendingIndex();
        pollVerifier();
        final long live;
        point.enter();
        try
        {
            live = journalIndexOf(channelId, messageId);
        }
        finally
        {
            point.exit();
        }
        if (live < 0)
        {
            return false;
        }
        final int length = codec.encodeTombstone(channelId, messageId);
        final long address = write(messages, length);
        point.enter();
        try
        {
            indexTombstone(channelId, messageId);
            indexedRecords++;
            applied(address, length, codec.sealedChecksum(), messageId);
        }
        catch (final RuntimeException | Error ex)
        {
            indexFailed(ex);
        }
        finally
        {
            point.exit();
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
        applyPendingIndex();
        pollVerifier();
        final long index;
        point.enter();
        try
        {
            index = journalIndexOf(channelId, messageId);
        }
        finally
        {
            point.exit();
        }
        if (index < 0)
        {
            return null;
        }
        final StoredMessage message = readMessageAt(index, channelId, messageId);
        dropDamagedReads();
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
        applyPendingIndex();
        pollVerifier();
        final int n;
        point.enter();
        try
        {
            n = timeline.query(channelId, query, anchorId, limit);
        }
        finally
        {
            point.exit();
        }
        if (n == 0)
        {
            return List.of();
        }
        final StoredMessage[] page = new StoredMessage[n];
        int missing = 0;
        for (int i = n - 1; i >= 0; i--) // oldest first: ascending file positions; the result stays in the query
        {
            final StoredMessage message = readMessageAt(timeline.resultIndex(i), channelId, timeline.resultId(i));
            if (message == null)
            {
                missing++;
            }
            page[i] = message;
        }
        dropDamagedReads();
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
        applyPendingIndex();
        pollVerifier();
        final int n;
        point.enter();
        try
        {
            n = pins.list(channelId, pinScratch);
            for (int i = 0; i < n; i++)
            {
                pinAddresses[i] = journalIndexOf(channelId, pinScratch[i]);
            }
        }
        finally
        {
            point.exit();
        }
        if (n == 0)
        {
            return List.of();
        }
        final StoredMessage[] page = new StoredMessage[n];
        int missing = 0;
        for (int i = 0; i < n; i++)
        {
            final long index = pinAddresses[i];
            final StoredMessage message = index < 0 ? null : readMessageAt(index, channelId, pinScratch[i]);
            if (message == null)
            {
                missing++;
            }
            page[i] = message;
        }
        dropDamagedReads();
        return missing == 0 ? List.of(page) : withoutNulls(page, missing);
    }

    @Override
    public long lastMessageId(final long channelId)
    {
        claim();
        applyPendingIndex();
        pollVerifier();
        point.enter();
        try
        {
            return timeline.newestId(channelId);
        }
        finally
        {
            point.exit();
        }
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
            applyPendingIndex();
            pollVerifier();
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
            try
            {
                applyPendingIndex();
            }
            catch (final RuntimeException ex)
            {
                // logged by indexFailed; the indexes are not clean now and are rebuilt at the next start
            }
            scanner.releaseKept(); // a catch-up's journal file, if one was mid-scan
            pollVerifier();
            final boolean verified = verifier == null;
            if (!verified)
            {
                // Stopped half-way: no clean marker, so the next start (same boot) reuses the maps at their recovery
                // point and verifies again, or (another boot) rebuilds and verifies everything.
                verifier.close();
                verifier = null;
            }
            commit();
            final boolean clean = indexCurrent && indexConsistent && messages.deletedAfterOpen() == 0 && verified;
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

    @Override
    public long scanState(final StateRecordHandler handler)
    {
        // a damaged record was reported (and counted) by recovery; a later read skips it quietly
        return scanner.scan(state, (address, kind, in, offset, length) ->
        {
            if (kind == JournalRecordCodec.STATE)
            {
                handler.onStateRecord(JournalRecordCodec.stateType(in, offset, length),
                    JournalRecordCodec.statePayload(in, offset));
            }
        }, damage -> { });
    }

    @Override
    public long stateJournalEnd()
    {
        claim();
        final long end = state.endAddress();
        return end < 0 ? STATE_SCAN_START : end;
    }

    @Override
    public long scanState(final long from, final long until, final int maxRecords, final int maxBytes,
        final StateRecordHandler handler)
    {
        claim();
        if (maxRecords < 1 || maxBytes < 1)
        {
            throw new IllegalArgumentException("a slice reads at least one record: " + maxRecords + ", " + maxBytes);
        }
        if (until == STATE_SCAN_START || from == STATE_SCAN_DONE || from != STATE_SCAN_START && from >= until)
        {
            return STATE_SCAN_DONE;
        }
        final long mask = (1L << Journal.POSITION_BITS) - 1;
        final int cycle = from == STATE_SCAN_START ? Integer.MIN_VALUE : (int)(from >>> Journal.POSITION_BITS);
        final long[] next = {from};
        // a damaged record was reported (and counted) by recovery; a later read skips it quietly
        scanner.scanSlice(state, cycle, from & mask, (int)(until >>> Journal.POSITION_BITS), until & mask, maxRecords,
            maxBytes, (address, kind, in, offset, length) ->
            {
                next[0] = address + scanner.lastLength();
                if (kind == JournalRecordCodec.STATE)
                {
                    handler.onStateRecord(JournalRecordCodec.stateType(in, offset, length),
                        JournalRecordCodec.statePayload(in, offset));
                }
            }, damage -> { });
        return scanner.sliceFilled() ? next[0] : STATE_SCAN_DONE;
    }

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

    /**
     * Replays message records into the indexes: every record, or the ones after a given record.
     *
     * @return records visited.
     */
    private long replayMessages(final int fromCycle, final long fromEnd, final boolean checked)
    {
        return scanner.scanFrom(messages, fromCycle, fromEnd, checked, (address, kind, in, offset, length) ->
        {
            replayedAddress = address;
            replayedLength = scanner.lastLength();
            replayedChecksum = scanner.lastChecksum();
            replayedId = length >= JournalRecordCodec.TOMBSTONE_LENGTH
                ? JournalRecordCodec.messageIdOf(kind, in, offset) : 0;
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
     * The indexes were reopened at their recovery point: the records after it are indexed (verified, as any replay),
     * then a {@link JournalVerifier} starts on the ones before it.
     *
     * @return records replayed.
     */
    private long replayAfterRecoveryPoint()
    {
        final long applied = point.appliedAddress();
        final boolean fromStart = applied == IndexRecoveryPoint.NOTHING_APPLIED;
        final int cycle = fromStart ? Integer.MIN_VALUE : (int)(applied >>> Journal.POSITION_BITS);
        final long end = fromStart ? 0 : (applied & ((1L << Journal.POSITION_BITS) - 1)) + point.appliedLength();
        final long replayed;
        point.enter();
        try
        {
            replayed = replayMessages(cycle, end, indexes.appliedChecked());
            indexedRecords += replayed;
            appliedReplay();
        }
        catch (final RuntimeException | Error ex)
        {
            indexFailed(ex);
            throw ex; // not reached
        }
        finally
        {
            point.exit();
        }
        if (!fromStart)
        {
            verifier = new JournalVerifier(shardId, scanner.extents(messages, cycle), cycle, end);
            verifier.start();
        }
        return replayed;
    }

    /** Inside the critical section of a replay: the last record it visited is the recovery point. */
    private void appliedReplay()
    {
        if (replayedAddress >= 0)
        {
            applied(replayedAddress, replayedLength, replayedChecksum, replayedId);
        }
        else
        {
            point.liveMessages(liveMessages);
        }
    }

    /**
     * Inside the critical section of a record's index updates: the recovery point moves to it.
     */
    private void applied(final long address, final int length, final int crc, final long id)
    {
        if (!firstCycleKnown)
        {
            final int cycle = (int)(address >>> Journal.POSITION_BITS);
            point.journal(cycle, ShardIndexes.fileKey(messages.cycleFile(cycle)));
            firstCycleKnown = true;
        }
        if (messages.deletedAfterOpen() != retentionSeen)
        {
            retentionSeen = messages.deletedAfterOpen();
            point.invalidate(IndexRecoveryPoint.STATE_RETENTION); // the maps point into deleted files: rebuild
        }
        point.applied(address, length, crc, id, liveMessages, indexedRecords);
    }

    /**
     * Owner thread: reports and applies what the background verification found; at its end, logs the summary.
     */
    private void pollVerifier()
    {
        final JournalVerifier v = verifier;
        if (v == null)
        {
            return;
        }
        applyPendingIndex(); // a drop must see the newest version of its message
        v.drain(this::verified);
        if (v.finished())
        {
            verifier = null;
            v.close();
            if (v.failure() != null)
            {
                LOG.error("shard {}: the background verification of the message journal failed; the records before "
                    + "the recovery point are checked only when read (restart with -D{}=false to verify them all "
                    + "before serving)", shardId, StorageConfiguration.REUSE_INDEX_AFTER_KILL_PROP_NAME, v.failure());
            }
            else
            {
                LOG.info("shard {}: background verification of the message journal before the recovery point: {} "
                    + "records checked in {} ms, {} damaged region(s) found", shardId, v.verified(), v.millis(),
                    verifiedDamage);
            }
        }
    }

    /**
     * A damaged region the background verification found: reported as recovery would (once per record, even if a
     * read found it first), and a message whose newest version lay in it is dropped from the indexes, as a rebuild
     * would have left it out.
     */
    private void verified(final JournalVerifier.Found found)
    {
        final JournalDamage damage = found.damage();
        verifiedDamage++;
        if (damage.headerOnly())
        {
            damaged(damage);
            return;
        }
        if (damageCounted.add(Journal.address(found.cycle(), damage.from() + Integer.BYTES)))
        {
            damaged(damage);
        }
        else
        {
            LOG.error("shard {}: journal damage, LOST (already counted when it was read): {}", shardId, damage);
        }
        if (found.claimedKind() == JournalRecordCodec.MESSAGE)
        {
            drop(found.claimedChannel(), damage.lostRecord(), found.cycle(), damage.from(), damage.to());
        }
    }

    /**
     * Drops a message from the indexes if its newest version lies in the given damaged region of a cycle file (as a
     * rebuild would not have indexed that version).
     */
    private void drop(final long channel, final long id, final int cycle, final long from, final long to)
    {
        point.enter();
        try
        {
            final long at = timeline.indexOf(channel, id);
            final long position = at & ((1L << Journal.POSITION_BITS) - 1);
            if (at >= 0 && (int)(at >>> Journal.POSITION_BITS) == cycle && position >= from && position < to)
            {
                indexTombstone(channel, id);
                point.liveMessages(liveMessages);
                LOG.warn("shard {}: message {} of channel {} is no longer served: its newest version is damaged",
                    shardId, id, channel);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            indexFailed(ex);
        }
        finally
        {
            point.exit();
        }
    }

    /** After the reads of one call: drops the messages whose records they found damaged. */
    private void dropDamagedReads()
    {
        final int n = damagedReads.size();
        for (int i = 0; i + 2 < n; i += 3)
        {
            final long address = damagedReads.getLong(i + 2);
            final long position = address & ((1L << Journal.POSITION_BITS) - 1);
            drop(damagedReads.getLong(i), damagedReads.getLong(i + 1), (int)(address >>> Journal.POSITION_BITS),
                position - Integer.BYTES, position + 1);
        }
        damagedReads.clear();
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
     * Runs the deferred index writes, oldest first, in one critical section of the recovery point.
     */
    private void applyPendingIndex()
    {
        final int n = pendingCount;
        if (n == 0)
        {
            return;
        }
        pendingCount = 0;
        final long[] p = pendingIndex;
        point.enter();
        try
        {
            for (int i = 0, at = 0; i < n; i++, at += PENDING_LONGS)
            {
                indexVersion(p[at], p[at + 1], p[at + 4] != 0, p[at + 2]);
                indexedRecords++;
                applied(p[at + 2], (int)(p[at + 3] >>> 32), (int)p[at + 3], p[at]);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            indexFailed(ex); // the versions after the failed one stay unindexed until the rebuild at the next start
        }
        finally
        {
            point.exit();
        }
    }

    /**
     * @return message versions journaled whose index writes have not run yet.
     */
    int pendingIndexWrites()
    {
        return pendingCount;
    }

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
        final Runnable hook = betweenIndexWrites;
        if (hook != null)
        {
            hook.run();
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
        point.invalidate(IndexRecoveryPoint.STATE_INDEX_FAILED);
        LOG.error("shard {}: a journal record could not be indexed; it is durable and will be indexed when the "
            + "store is next opened", shardId, ex);
        if (ex instanceof RuntimeException runtime)
        {
            throw runtime;
        }
        throw (Error)ex;
    }

    // ----------------------------------------------------------------------------------------------- reads

    /**
     * Reads a message version from the journal (no map access). A damaged record is reported once and queued to be
     * dropped from the indexes ({@link #dropDamagedReads()}, after the caller's reads).
     */
    private StoredMessage readMessageAt(final long address, final long channelId, final long messageId)
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
            if (damageCounted.add(address)) // each damaged record is reported once
            {
                health.increment(StoreCounters.DAMAGED_RECORDS);
                LOG.error("shard {}: journal damage found on read, message {} at journal address {} in {} is not "
                    + "served: {}", shardId, messageId, Long.toHexString(address), messages.dir(), ex.getMessage());
            }
            damagedReads.addLong(channelId);
            damagedReads.addLong(messageId);
            damagedReads.addLong(address);
            return null;
        }
    }

    /**
     * Test hook: runs between two map writes of every message version indexed from now on (a test halts the JVM
     * there, as a kill inside an index update would).
     *
     * @param hook the hook, or null.
     */
    void betweenIndexWrites(final Runnable hook)
    {
        betweenIndexWrites = hook;
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
