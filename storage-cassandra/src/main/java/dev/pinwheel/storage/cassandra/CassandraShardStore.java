package dev.pinwheel.storage.cassandra;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.LongHashSet;

import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ReadPendingException;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoreCounters;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's {@link ShardStore} on Cassandra: an asynchronous store ({@link #asynchronous()}) whose writes are
 * applied to the owner's memory at once and acknowledged to clients by the durable watermark of its
 * {@link WritePipeline}, and whose reads are served from the owner's memory when it holds the answer.
 * <pre>
 *   owner shard thread
 *     append* / delete ──▶ versions (id → newest version, kept while not durable) + hot window of the channel
 *                     └──▶ WritePipeline.submit(INSERT/DELETE … USING TIMESTAMP t) ──▶ Cassandra (async, bounded)
 *     history LATEST  ──▶ hot window (newest ≥ 100 messages of the channel): no round trip
 *     older pages, cold channels, get-by-id misses ──▶ ReadPipeline.issue ──▶ Cassandra (async, bounded)
 *                     └──▶ ReadPendingException: the shard parks the request, serves others, runs it again once
 *                          the fetch is in memory (overlaid with versions not yet durable), or answers 503 if it failed
 *     recover         ──▶ scopes owned by this shard → their state logs, replayed in write-time order (before serving)
 * </pre>
 * <b>Neither reads nor writes wait for Cassandra on the owner thread</b> (only {@link #recover} does, before the shard
 * serves). Every read happens before a command's first write, also inside {@link #appendMessage} (a first write to a
 * cold channel loads its window; a pin change loads the channel's pins): a read that must be fetched issues nothing.
 * <p>
 * <b>Thread confinement:</b> as every {@link ShardStore}: the owner shard's thread only, except {@link #writable()},
 * {@link #hasCompletions()} and the counters.
 */
public final class CassandraShardStore implements ShardStore
{
    private static final Logger LOG = LoggerFactory.getLogger(CassandraShardStore.class);
    /** A cold channel's first load: at least this many of its newest messages. */
    private static final int FILL = 50;
    private static final StoredMessage DELETED = new StoredMessage(0, 0, 0, 0, "", 0, 0, false, false);

    private final CqlSession session;
    private final CassandraStatements st;
    private final CassandraStoreContext ctx;
    private final int shard;
    private final WritePipeline writes;
    private final ReadPipeline reads;
    private final long readTimeoutNanos;
    private final int maxVersions;
    /** Write sequence numbers of deletes not yet durable, oldest first: a page read asks for that many more rows. */
    private final LongArrayQueue pendingDeletes = new LongArrayQueue();
    private final Long2ObjectHashMap<ChannelWindow> windows = new Long2ObjectHashMap<>();
    private ChannelWindow newestUsed;
    private ChannelWindow oldestUsed;
    private final Long2ObjectHashMap<Version> versions = new Long2ObjectHashMap<>();
    private final LongArrayQueue versionOrder = new LongArrayQueue();
    private final Long2ObjectHashMap<PinList> pins = new Long2ObjectHashMap<>();
    /** Messages Cassandra said it does not have: id → the channel asked. */
    private final Long2LongHashMap absent = new Long2LongHashMap(Long.MIN_VALUE);
    private final LongHashSet knownScopes = new LongHashSet();
    private StoreCounters counters = StoreCounters.standalone();
    private long lastTimestamp;
    private volatile boolean closed;
    private volatile Thread owner;

    /** The newest version of a message the owner wrote or read, and the write that made it (0: read). */
    private static final class Version
    {
        final long channelId;
        final StoredMessage message;
        final long seq;

        Version(final long channelId, final StoredMessage message, final long seq)
        {
            this.channelId = channelId;
            this.message = message;
            this.seq = seq;
        }
    }

    /**
     * @return writes sent to Cassandra and not yet answered (as of the last {@link #pollCompletions}); queued ones
     *         beyond the pipeline's bound and answered ones behind the watermark are not counted.
     */
    public int writesInFlight()
    {
        return writes.inFlight();
    }

    /** A channel's pinned ids and when each was pinned (write timestamp, micros). */
    private static final class PinList
    {
        final Long2LongHashMap pinnedAt = new Long2LongHashMap(0);
    }

    CassandraShardStore(final CqlSession session, final CassandraStatements statements,
        final CassandraStoreContext ctx, final int shard)
    {
        this.session = session;
        this.st = statements;
        this.ctx = ctx;
        this.shard = shard;
        this.writes = new WritePipeline(session, shard, ctx.backlog(), ctx.maxInFlight(), ctx.fence());
        this.reads = new ReadPipeline(session, statements, shard, ctx.maxReads(), new Fetched());
        this.readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(ctx.requestTimeoutMillis() + 500);
        this.maxVersions = ctx.cachedVersions();
    }

    // ------------------------------------------------------------------ asynchronous durability

    @Override
    public boolean asynchronous()
    {
        return true;
    }

    @Override
    public long issuedSequence()
    {
        return writes.issued();
    }

    @Override
    public boolean abandoned(final long from, final long to)
    {
        return writes.abandoned(from, to);
    }

    /**
     * <b>Test only</b> (fault injection): every write handed to the Cassandra driver from now on goes out
     * {@code millis} later, whatever happens to this node meanwhile (a write in the driver's buffer when the process
     * stalls). 0 ends it.
     *
     * @param millis the delay.
     */
    public static void delayWritesInDriver(final long millis)
    {
        WritePipeline.delayInDriver(millis);
    }

    @Override
    public boolean abandonedAfterSending(final long from, final long to)
    {
        return writes.abandonedAfterSending(from, to);
    }

    @Override
    public long durableSequence()
    {
        return writes.durable();
    }

    @Override
    public int pollCompletions()
    {
        return writes.poll() + reads.poll();
    }

    @Override
    public boolean hasCompletions()
    {
        return writes.hasCompletions() || reads.hasCompletions();
    }

    @Override
    public void bindWakeup(final Runnable wakeup)
    {
        writes.wakeup(wakeup);
        reads.wakeup(wakeup);
    }

    @Override
    public long ackTimeoutNanos()
    {
        return TimeUnit.MILLISECONDS.toNanos(ctx.ackTimeoutMillis());
    }

    @Override
    public boolean writable()
    {
        return !closed && !writes.unavailable();
    }

    @Override
    public long refusedWrites()
    {
        return counters.get(StoreCounters.REFUSED_WRITES);
    }

    @Override
    public void bindCounters(final StoreCounters value)
    {
        counters = value;
    }

    @Override
    public void confineToCurrentThread()
    {
        owner = Thread.currentThread();
    }

    /**
     * @return writes re-sent after a failure, so far.
     */
    public long retriedWrites()
    {
        return writes.retries();
    }

    // ------------------------------------------------------------------ state

    @Override
    public long recover(final StateRecordHandler handler)
    {
        checkThread();
        final List<Long> owned = new ArrayList<>();
        for (int part = 0; part < CassandraSchema.SCOPE_PARTS; part++)
        {
            for (final Row row : session.execute(st.bind(st.selectScopes, part)))
            {
                final long scope = row.getLong(0);
                if (ctx.ownerOf().applyAsInt(scope) == shard)
                {
                    knownScopes.add(scope);
                    owned.add(scope);
                }
            }
        }
        // every owned scope's log, read 32 at a time, then replayed in write-time order (the seq is the owner's
        // write timestamp): the order the embedded journal would have
        final List<long[]> order = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        final List<CompletableFuture<AsyncResultSet>> inFlight = new ArrayList<>();
        int next = 0;
        while (next < owned.size() || !inFlight.isEmpty())
        {
            while (next < owned.size() && inFlight.size() < 32)
            {
                inFlight.add(session.executeAsync(st.bind(st.selectState, owned.get(next++))).toCompletableFuture());
            }
            AsyncResultSet page = await(inFlight.remove(0));
            while (true)
            {
                for (final Row row : page.currentPage())
                {
                    final ByteBuffer b = row.getByteBuffer(2);
                    final byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    order.add(new long[] {row.getLong(0), row.getInt(1), payloads.size()});
                    payloads.add(bytes);
                }
                if (!page.hasMorePages())
                {
                    break;
                }
                page = await(page.fetchNextPage().toCompletableFuture());
            }
        }
        order.sort((a, b) -> Long.compare(a[0], b[0]));
        for (final long[] r : order)
        {
            lastTimestamp = Math.max(lastTimestamp, r[0]);
            handler.onStateRecord((int)r[1], payloads.get((int)r[2]));
        }
        LOG.info("shard {}: recovered {} state records of {} scopes from Cassandra", shard, order.size(), owned.size());
        return order.size();
    }

    /**
     * This shard now owns these scopes (a cluster ring epoch moved them here and their logs were replayed into the
     * shard's state): their next records append to the same logs, after the previous owner's.
     *
     * @param scopes the routing keys.
     * @param maxSeq the newest seq of their logs.
     */
    public void adopt(final long[] scopes, final long maxSeq)
    {
        checkThread();
        for (final long scope : scopes)
        {
            knownScopes.add(scope);
        }
        lastTimestamp = Math.max(lastTimestamp, maxSeq);
    }

    @Override
    public void forget(final long channelId, final long messageId)
    {
        checkThread();
        final long durable = writes.durable();
        final ChannelWindow w = windows.get(channelId);
        if (w != null && w.lastWriteSeq <= durable) // one with writes in flight stays: it is their only reader
        {
            unlink(w);
            windows.remove(channelId);
        }
        absent.remove(messageId);
        final Version v = versions.get(messageId);
        if (v != null && v.seq <= durable)
        {
            versions.remove(messageId);
        }
    }

    /**
     * Forgets what this shard read from Cassandra (channel windows, pins, known-absent ids, read versions) and the
     * versions of its writes that are durable, so that a key this shard gave away in a ring epoch, and may get back
     * later, is read afresh then. Writes not yet durable keep their versions and their channels' windows.
     */
    public void dropCaches()
    {
        checkThread();
        final long durable = writes.durable();
        // a window with writes in flight stays (as in evictWindows): it is their only reader. Only a key this shard
        // keeps serving through the handover can have any (every write to a key it gave away was durable before)
        for (ChannelWindow w = oldestUsed; w != null; )
        {
            final ChannelWindow next = w.newer;
            if (w.lastWriteSeq <= durable)
            {
                unlink(w);
                windows.remove(w.channelId);
            }
            w = next;
        }
        pins.clear();
        absent.clear();
        versions.entrySet().removeIf(e -> e.getValue().seq <= durable);
        versionOrder.clear();
        versions.forEach((k, v) -> versionOrder.addLong(k));
    }

    @Override
    public void appendState(final int type, final byte[] payload)
    {
        checkThread();
        final long scope = StateRecords.scopeOf(type, payload);
        final boolean newScope = !knownScopes.contains(scope);
        checkWritable(newScope ? 2 : 1);
        final long ts = nextTimestamp();
        if (newScope)
        {
            knownScopes.add(scope);
            writes.submit(st.bind(st.insertScope, CassandraSchema.scopePart(scope), scope));
        }
        writes.submit(st.bind(st.insertState, scope, ts, type, ByteBuffer.wrap(payload.clone()), ts));
    }
    // ------------------------------------------------------------------ message writes

    @Override
    public void appendMessage(final StoredMessage m)
    {
        checkThread();
        checkWritable(2);
        final long channel = m.channelId();
        // every read first (a fetch throws ReadPendingException, a failed one StoreUnavailableException: then nothing
        // is issued and nothing in memory changed), then the writes
        final ChannelWindow w = windows.containsKey(channel) ? windows.get(channel)
            : window(channel, 1); // a first write to a cold channel: its newest page, so that pages see the write
        final Version known = versions.get(m.id());
        final StoredMessage previous;
        if (known != null && known.channelId == channel)
        {
            previous = known.message == DELETED ? null : known.message;
        }
        else
        {
            previous = w.covers(m.id()) ? w.get(m.id()) : null; // else unknown: every caller reads a message first
        }
        final boolean wasPinned = previous != null && previous.pinned();
        final PinList p = m.pinned() != wasPinned ? pins(channel) : pins.get(channel);
        final long ts = nextTimestamp();
        long seq = writes.submit(st.insert(m, ts));
        if (m.pinned() && !wasPinned)
        {
            if (!p.pinnedAt.containsKey(m.id()))
            {
                p.pinnedAt.put(m.id(), ts);
                seq = writes.submit(st.bind(st.insertPin, channel, m.id(), ts, ts));
            }
        }
        else if (!m.pinned() && (wasPinned || p != null && p.pinnedAt.containsKey(m.id())))
        {
            if (p != null)
            {
                p.pinnedAt.remove(m.id());
            }
            seq = writes.submit(st.bind(st.deletePin, ts, channel, m.id()));
        }
        putVersion(channel, m.id(), m, seq);
        if (w.covers(m.id()) || m.id() > w.newestId())
        {
            w.put(m, seq, writes.durable());
            w.lastWriteSeq = seq;
        }
    }

    @Override
    public boolean deleteMessage(final long channelId, final long messageId)
    {
        checkThread();
        final StoredMessage m = message(channelId, messageId);
        if (m == null)
        {
            return false;
        }
        checkWritable(2);
        final long ts = nextTimestamp();
        long seq = writes.submit(st.bind(st.deleteMessage, ts, channelId, Buckets.of(messageId), messageId));
        final PinList p = pins.get(channelId);
        if (m.pinned() || p != null && p.pinnedAt.containsKey(messageId))
        {
            if (p != null)
            {
                p.pinnedAt.remove(messageId);
            }
            seq = writes.submit(st.bind(st.deletePin, ts, channelId, messageId));
        }
        putVersion(channelId, messageId, DELETED, seq);
        pendingDeletes.addLong(seq);
        final ChannelWindow w = windows.get(channelId);
        if (w != null)
        {
            w.remove(messageId);
            w.lastWriteSeq = seq;
        }
        return true;
    }
    // ------------------------------------------------------------------ reads

    @Override
    public StoredMessage message(final long channelId, final long messageId)
    {
        checkThread();
        final Version v = versions.get(messageId);
        if (v != null)
        {
            return v.channelId != channelId || v.message == DELETED ? null : v.message;
        }
        final ChannelWindow w = windows.get(channelId);
        if (w != null && w.covers(messageId))
        {
            touch(w);
            return w.get(messageId);
        }
        if (absent.get(messageId) == channelId)
        {
            return null;
        }
        final ReadFetch f = fetched(new ReadFetch.Key(ReadFetch.Kind.MESSAGE, channelId, messageId, 0), 0, 0);
        final Version got = versions.get(messageId); // taken in when the fetch completed
        if (got != null)
        {
            return got.channelId != channelId || got.message == DELETED ? null : got.message;
        }
        return f.message;
    }

    @Override
    public void prefetch(final long channelId, final long[] messageIds)
    {
        checkThread();
        ReadPendingException pending = null;
        for (final long id : messageIds)
        {
            try
            {
                message(channelId, id);
            }
            catch (final ReadPendingException ex)
            {
                pending = ex; // every fetch issued first, then one wait
            }
        }
        if (pending != null)
        {
            throw pending;
        }
    }

    @Override
    public List<StoredMessage> history(final long channelId, final HistoryQuery query, final long anchorId,
        final int limit)
    {
        checkThread();
        if (limit < 1)
        {
            return List.of();
        }
        final List<StoredMessage> out = new ArrayList<>(Math.min(limit, 100));
        switch (query)
        {
            case LATEST -> window(channelId, limit).collectBelow(Long.MAX_VALUE, limit, out);
            case BEFORE -> before(channelId, anchorId, limit, out);
            case AFTER -> after(channelId, anchorId, limit, out);
            case AROUND ->
            {
                final int older = limit / 2;
                ReadPendingException pending = null;
                try
                {
                    after(channelId, anchorId == Long.MIN_VALUE ? anchorId : anchorId - 1, limit - older, out);
                }
                catch (final ReadPendingException ex)
                {
                    pending = ex; // both halves' fetches issued together
                }
                if (older > 0)
                {
                    before(channelId, anchorId, older, out);
                }
                if (pending != null)
                {
                    throw pending;
                }
            }
            default -> throw new IllegalArgumentException("unknown query " + query);
        }
        return out;
    }

    @Override
    public List<StoredMessage> pinned(final long channelId)
    {
        checkThread();
        final PinList p = pins(channelId);
        final List<long[]> order = new ArrayList<>(p.pinnedAt.size());
        p.pinnedAt.forEach((id, at) -> order.add(new long[] {id, at}));
        order.sort((a, b) -> Long.compare(b[1], a[1]));
        ReadPendingException pending = null;
        final List<StoredMessage> out = new ArrayList<>(order.size());
        for (final long[] e : order)
        {
            try
            {
                final StoredMessage m = message(channelId, e[0]);
                if (m != null && m.pinned())
                {
                    out.add(m);
                }
            }
            catch (final ReadPendingException ex)
            {
                pending = ex; // the messages not in memory are fetched together
            }
        }
        if (pending != null)
        {
            throw pending;
        }
        return out;
    }

    @Override
    public long lastMessageId(final long channelId)
    {
        checkThread();
        return window(channelId, 1).newestId();
    }

    @Override
    public boolean readComplete(final long ticket)
    {
        return reads.complete(ticket);
    }

    /**
     * @return reads that failed (Cassandra unreachable, a timeout) so far; their requests were answered 503.
     */
    public long failedReads()
    {
        return reads.failures();
    }

    /** Ids &lt; anchor, newest first, appended to out. */
    private void before(final long channel, final long anchor, final int limit, final List<StoredMessage> out)
    {
        if (anchor == Long.MIN_VALUE)
        {
            return;
        }
        final ChannelWindow w = windows.get(channel);
        long max = anchor;
        int need = limit;
        if (w != null && w.covers(anchor - 1))
        {
            touch(w);
            need -= w.collectBelow(anchor, limit, out);
            if (need == 0 || w.complete())
            {
                return;
            }
            max = Math.min(anchor, w.floor());
        }
        final ReadFetch f = fetched(new ReadFetch.Key(ReadFetch.Kind.BEFORE, channel, max, need), need,
            need + deletesInFlight());
        for (final StoredMessage m : f.rows)
        {
            final StoredMessage now = overlay(channel, m); // a re-run may come after further writes
            if (now != null)
            {
                out.add(now);
            }
        }
    }

    /** The oldest {@code limit} ids &gt; anchor, appended to out newest first. */
    private void after(final long channel, final long anchor, final int limit, final List<StoredMessage> out)
    {
        if (anchor == Long.MAX_VALUE)
        {
            return;
        }
        final List<StoredMessage> asc = new ArrayList<>(limit);
        final ChannelWindow w = windows.get(channel);
        if (w != null && w.covers(anchor + 1))
        {
            touch(w);
            w.collectAbove(anchor, limit, asc);
        }
        else
        {
            final ReadFetch f = fetched(new ReadFetch.Key(ReadFetch.Kind.AFTER, channel, anchor, limit), limit,
                limit + deletesInFlight());
            for (final StoredMessage m : f.rows)
            {
                final StoredMessage now = overlay(channel, m);
                if (now != null)
                {
                    asc.add(now);
                }
            }
            if (w != null)
            {
                final long floor = w.floor();
                asc.removeIf(m -> m.id() >= floor);
                w.collectAbove(Math.max(anchor, floor - 1), limit - asc.size(), asc);
            }
        }
        for (int i = asc.size() - 1; i >= 0; i--)
        {
            out.add(asc.get(i));
        }
    }

    /**
     * The channel's hot window, loaded (or extended) so it holds at least {@code want} messages or all of them.
     *
     * @throws ReadPendingException while Cassandra is asked for them.
     */
    private ChannelWindow window(final long channel, final int want)
    {
        ChannelWindow w = windows.get(channel);
        if (w == null)
        {
            final int fill = Math.max(want, FILL);
            final ReadFetch f = fetched(new ReadFetch.Key(ReadFetch.Kind.WINDOW, channel, 0, 0), fill,
                fill + deletesInFlight());
            w = windows.get(channel);
            if (w == null) // taken in when the fetch completed, and evicted since
            {
                w = installWindow(f);
            }
        }
        touch(w);
        if (w.size() < want && !w.complete())
        {
            final long floor = w.floor();
            final int more = want - w.size();
            final ReadFetch f = fetched(new ReadFetch.Key(ReadFetch.Kind.EXTEND, channel, floor, 0), more,
                more + deletesInFlight());
            if (w.floor() == floor) // not taken in: the window was evicted and loaded again meanwhile
            {
                w.extendOlder(f.rows, f.exhausted);
            }
        }
        return w;
    }

    /**
     * The completed fetch of {@code key}: one completed since the last poll, or issued now and completed at once.
     *
     * @throws ReadPendingException     while it is in flight (issued now if it was not).
     * @throws StoreUnavailableException if it failed (Cassandra unreachable, a timeout): the client hears 503.
     */
    private ReadFetch fetched(final ReadFetch.Key key, final int want, final int rowLimit)
    {
        ReadFetch f = reads.find(key);
        if (f == null)
        {
            f = reads.issue(key, want, rowLimit, writes.durable());
        }
        if (!f.done)
        {
            throw new ReadPendingException(f.ticket);
        }
        if (f.error != null)
        {
            throw unavailable(f.error instanceof DriverException ? f.error.getMessage() : String.valueOf(f.error));
        }
        return f;
    }

    /** A fetch completed: its answer goes into memory (pages before/after an id are taken by their readers). */
    private void onFetched(final ReadFetch f)
    {
        final long channel = f.key.channel();
        switch (f.key.kind())
        {
            case MESSAGE ->
            {
                final long id = f.key.anchor();
                if (!versions.containsKey(id)) // else the owner wrote it meanwhile: its version is newer
                {
                    if (f.message != null)
                    {
                        putVersion(channel, id, f.message, 0);
                    }
                    else
                    {
                        if (absent.size() >= maxVersions)
                        {
                            absent.clear();
                        }
                        absent.put(id, channel);
                    }
                }
            }
            case PINS -> installPins(f);
            case WINDOW -> installWindow(f);
            case EXTEND ->
            {
                final ChannelWindow w = windows.get(channel);
                if (w != null && w.floor() == f.key.anchor())
                {
                    w.extendOlder(f.rows, f.exhausted);
                }
            }
            default ->
            {
            }
        }
    }

    private ChannelWindow installWindow(final ReadFetch f)
    {
        final long channel = f.key.channel();
        ChannelWindow w = windows.get(channel);
        if (w != null)
        {
            return w;
        }
        w = new ChannelWindow(channel, ctx.hotMessages());
        w.extendOlder(f.rows, f.exhausted);
        mergePending(w, f.durableAtIssue);
        windows.put(channel, w);
        link(w);
        evictWindows();
        return w;
    }

    /**
     * The owner's writes Cassandra's answer may lack (not durable when the fetch was issued) go into a window just
     * loaded.
     */
    private void mergePending(final ChannelWindow w, final long durableAtIssue)
    {
        final long durable = writes.durable();
        versions.forEach((id, v) ->
        {
            if (v.channelId == w.channelId && v.seq > durableAtIssue)
            {
                if (v.message == DELETED)
                {
                    w.remove(id);
                }
                else if (w.covers(id) || id > w.newestId())
                {
                    w.put(v.message, v.seq, durable);
                }
                w.lastWriteSeq = Math.max(w.lastWriteSeq, v.seq);
            }
        });
    }

    /** @return deletes Cassandra has not acknowledged yet (at most 64: beyond, pages are re-read from the last row). */
    private int deletesInFlight()
    {
        final long durable = writes.durable();
        while (!pendingDeletes.isEmpty() && pendingDeletes.peekLong() <= durable)
        {
            pendingDeletes.pollLong();
        }
        return Math.min(64, pendingDeletes.size());
    }

    /** What the owner knows better than Cassandra: a newer version, or a delete not yet durable. */
    private StoredMessage overlay(final long channel, final StoredMessage fromCassandra)
    {
        final Version v = versions.get(fromCassandra.id());
        if (v == null || v.channelId != channel)
        {
            return fromCassandra;
        }
        return v.message == DELETED ? null : v.message;
    }

    /**
     * @throws ReadPendingException while Cassandra is asked for them.
     */
    private PinList pins(final long channel)
    {
        final PinList p = pins.get(channel);
        if (p != null)
        {
            return p;
        }
        return installPins(fetched(new ReadFetch.Key(ReadFetch.Kind.PINS, channel, 0, 0), 0, 0));
    }

    private PinList installPins(final ReadFetch f)
    {
        final long channel = f.key.channel();
        PinList p = pins.get(channel);
        if (p != null)
        {
            return p;
        }
        p = new PinList();
        if (f.pins != null)
        {
            f.pins.forEach(p.pinnedAt::put);
        }
        if (pins.size() >= ctx.hotChannels())
        {
            pins.clear(); // rare: reloaded on demand
        }
        pins.put(channel, p);
        return p;
    }

    /** Taken in by the {@link ReadPipeline}, on the owner thread. */
    private final class Fetched implements ReadPipeline.Owner
    {
        @Override
        public StoredMessage overlay(final long channel, final StoredMessage fromCassandra)
        {
            return CassandraShardStore.this.overlay(channel, fromCassandra);
        }

        @Override
        public void fetched(final ReadFetch fetch)
        {
            onFetched(fetch);
        }
    }

    // ------------------------------------------------------------------ caches

    private void putVersion(final long channel, final long id, final StoredMessage m, final long seq)
    {
        versions.put(id, new Version(channel, m, seq));
        absent.remove(id);
        versionOrder.addLong(id);
        if (versions.size() > maxVersions)
        {
            final long durable = writes.durable();
            for (int tries = 0; tries < 8 && versions.size() > maxVersions && !versionOrder.isEmpty(); tries++)
            {
                final long old = versionOrder.pollLong();
                final Version v = versions.get(old);
                if (v != null && v.seq > durable)
                {
                    versionOrder.addLong(old); // not durable yet: must stay
                }
                else if (v != null)
                {
                    versions.remove(old);
                }
            }
        }
        if (versionOrder.size() > 4 * Math.max(maxVersions, versions.size())) // stale order entries: rebuild
        {
            versionOrder.clear();
            versions.forEach((k, v) -> versionOrder.addLong(k));
        }
    }

    private void link(final ChannelWindow w)
    {
        w.older = newestUsed;
        w.newer = null;
        if (newestUsed != null)
        {
            newestUsed.newer = w;
        }
        newestUsed = w;
        if (oldestUsed == null)
        {
            oldestUsed = w;
        }
    }

    private void unlink(final ChannelWindow w)
    {
        if (w.newer != null)
        {
            w.newer.older = w.older;
        }
        else
        {
            newestUsed = w.older;
        }
        if (w.older != null)
        {
            w.older.newer = w.newer;
        }
        else
        {
            oldestUsed = w.newer;
        }
        w.newer = null;
        w.older = null;
    }

    private void touch(final ChannelWindow w)
    {
        if (newestUsed != w)
        {
            unlink(w);
            link(w);
        }
    }

    private void evictWindows()
    {
        final long durable = writes.durable();
        ChannelWindow w = oldestUsed;
        int scanned = 0;
        while (windows.size() > ctx.hotChannels() && w != null && scanned++ < 16)
        {
            final ChannelWindow next = w.newer;
            if (w.lastWriteSeq <= durable) // a window with writes in flight stays: it is their only reader
            {
                unlink(w);
                windows.remove(w.channelId);
            }
            w = next;
        }
    }
    // ------------------------------------------------------------------ plumbing

    private long nextTimestamp()
    {
        final long now = System.currentTimeMillis() * 1000;
        lastTimestamp = now > lastTimestamp ? now : lastTimestamp + 1;
        return lastTimestamp;
    }

    private void checkWritable(final int writesNeeded)
    {
        if (closed)
        {
            counters.increment(StoreCounters.REFUSED_WRITES);
            throw new StoreUnavailableException(StoreUnavailableException.Reason.CLOSED, "store closed");
        }
        if (writes.unavailable())
        {
            counters.increment(StoreCounters.REFUSED_WRITES);
            final Throwable e = writes.lastError();
            throw new StoreUnavailableException(StoreUnavailableException.Reason.UNAVAILABLE,
                "Cassandra does not acknowledge writes" + (e == null ? "" : ": " + e.getMessage()));
        }
        if (!writes.hasRoom(writesNeeded))
        {
            counters.increment(StoreCounters.REFUSED_WRITES);
            throw new StoreUnavailableException(StoreUnavailableException.Reason.UNAVAILABLE,
                "Cassandra write backlog full (" + ctx.backlog() + " writes not yet acknowledged)");
        }
    }

    private void checkThread()
    {
        final Thread t = owner;
        if (t != null && t != Thread.currentThread())
        {
            throw new IllegalStateException("Cassandra store of shard " + shard + " used from "
                + Thread.currentThread().getName() + ", owned by " + t.getName());
        }
    }

    /** A bounded wait for a read of {@link #recover} (before the shard serves): a failure or a timeout ends the start. */
    private AsyncResultSet await(final CompletableFuture<AsyncResultSet> f)
    {
        try
        {
            return f.get(readTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
        catch (final TimeoutException ex)
        {
            f.cancel(false);
            throw unavailable("timed out");
        }
        catch (final ExecutionException ex)
        {
            final Throwable c = ex.getCause();
            throw unavailable(c instanceof DriverException ? c.getMessage() : String.valueOf(c));
        }
    }

    private static StoreUnavailableException unavailable(final String why)
    {
        return new StoreUnavailableException(StoreUnavailableException.Reason.UNAVAILABLE, "Cassandra read failed: "
            + why);
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!writes.drain(ackTimeoutNanos()))
        {
            LOG.warn("shard {}: closing with {} writes Cassandra has not acknowledged", shard,
                writes.issued() - writes.durable());
        }
        windows.clear();
        versions.clear();
    }
}
