package dev.pinwheel.core.store;

import java.util.List;

/**
 * The durable store of one shard: a journal that is the source of truth for every state change the shard
 * owns, and the message indexes built from it.
 * <p>
 * <b>Thread confinement:</b> an instance is owned by exactly one shard thread; every method MUST be called
 * on that thread (single writer, no locks). Other shards reach it only by sending commands to the owner. The store
 * is opened on the node's starting thread and handed to its shard thread (a happens-before edge: the thread's
 * start), which calls {@link #confineToCurrentThread()} first, then recovers it, serves from it and closes it as
 * the last act of its life.
 * <p>
 * <b>Durability:</b> every {@code append*}/{@code delete*} call returns once the record is in the journal.
 * If {@link #groupCommit()} is false that is the configured durability level already; if it is true (e.g.
 * {@code sync}: fdatasync before acknowledging) the records become durable when {@link #commit()} returns, and
 * the shard calls it once per duty-cycle batch (group commit). Callers acknowledge (HTTP reply, dispatch)
 * only through {@code Shard.afterCommit}, which honours both.
 * <p>
 * <b>Asynchronous stores</b> ({@link #asynchronous()}: a remote database such as Cassandra) never block the owner
 * thread on a write: an {@code append*}/{@code delete*} call applies the change to the store's in-memory view at once
 * (read-your-writes on the owner) and issues the remote write, numbered by {@link #issuedSequence()}. The owner
 * acknowledges by <em>durable watermark</em>: an acknowledgement registered after write {@code n} runs once
 * {@link #durableSequence()} &ge; {@code n}, i.e. once the database acknowledged every write issued up to it, in
 * order. Completions come back to the owner through {@link #pollCompletions()} (called every duty cycle; never on the
 * database driver's threads), which wakes the owner through the hook it was given ({@link #bindWakeup}). A write the
 * store cannot get acknowledged within {@link #ackTimeoutNanos()} fails the acknowledgements waiting on it (the
 * client hears 503); the store keeps re-issuing it (writes are idempotent) until the database takes it.
 * <p>
 * Their <b>reads never wait</b> either: a read whose answer is not in memory issues the fetch and throws
 * {@link ReadPendingException}; the owner parks what read and runs it again once {@link #readComplete(long)} (the fetch
 * completed on a driver thread, taken in by {@link #pollCompletions()}, its result put in memory). A command reads
 * before it writes, so that a re-run repeats no write; {@link #prefetch} asks for several messages at once.
 */
public interface ShardStore extends AutoCloseable
{
    /**
     * Replays the journal: state records go to {@code handler} in append order, message records rebuild the
     * message indexes. Called once, before the shard serves. A torn last record is skipped.
     *
     * @param handler receives state records.
     * @return number of records replayed (state and message).
     */
    long recover(StateRecordHandler handler);

    /**
     * Reads the state records journaled so far, in append order, without applying or changing anything: what a cluster
     * node sends a peer that (re)joined so that it learns the node-wide records (accounts, tokens…) it missed. On the
     * owner shard's thread, after {@link #recover}.
     *
     * @param handler receives each state record.
     * @return records read, or -1 if this store keeps no journal of its own to read (the peers read a shared store).
     */
    default long scanState(final StateRecordHandler handler)
    {
        return -1;
    }

    /** A cursor of {@link #scanState(long, long, int, int, StateRecordHandler)}: the state journal's beginning. */
    long STATE_SCAN_START = 0;
    /** What {@link #scanState(long, long, int, int, StateRecordHandler)} returns once it read up to its end. */
    long STATE_SCAN_DONE = Long.MAX_VALUE;

    /**
     * Where the state journal ends now: a record appended after this call lies at or past the cursor returned, so a
     * resumable scan bounded by it ({@link #scanState(long, long, int, int, StateRecordHandler)}) reads exactly the
     * records journaled before this call. On the owner shard's thread.
     *
     * @return the cursor ({@link #STATE_SCAN_START} for an empty journal), or -1 if this store keeps no journal of its
     *         own to read.
     */
    default long stateJournalEnd()
    {
        return -1;
    }

    /**
     * Reads one bounded slice of the state records journaled between two cursors, in append order, without changing
     * anything: a catch-up reads a large journal a slice per duty cycle, so its shard never pauses for the whole of it
     * (see {@link #scanState(StateRecordHandler)}). On the owner shard's thread, after {@link #recover}.
     *
     * @param from       {@link #STATE_SCAN_START}, or a cursor this method returned.
     * @param until      a cursor from {@link #stateJournalEnd()}: records journaled at or after it are not read.
     * @param maxRecords the slice ends after this many records (at least 1).
     * @param maxBytes   or once the payloads read reach this many bytes (at least one record is read).
     * @param handler    receives each state record.
     * @return the cursor to continue from, {@link #STATE_SCAN_DONE} once every record before {@code until} was read,
     *         or -1 if this store keeps no journal of its own.
     */
    default long scanState(final long from, final long until, final int maxRecords, final int maxBytes,
        final StateRecordHandler handler)
    {
        return -1;
    }

    /**
     * Appends an opaque state record (guild, channel, member, role, invite, account...).
     *
     * @param type    a writer-defined record type, &gt; 0.
     * @param payload the encoded record.
     */
    void appendState(int type, byte[] payload);

    /**
     * Appends a new message or a new version (edit, pin) of an existing one (same id).
     *
     * @param message the message version.
     */
    void appendMessage(StoredMessage message);

    /**
     * Appends a tombstone: the message disappears from reads.
     *
     * @param channelId channel of the message.
     * @param messageId the message.
     * @return false if no live message with that id exists in that channel (nothing appended).
     */
    boolean deleteMessage(long channelId, long messageId);

    /**
     * @param channelId channel to look in.
     * @param messageId message id.
     * @return the latest version of the message, or null if unknown, in another channel, or deleted.
     */
    StoredMessage message(long channelId, long messageId);

    /**
     * @param channelId channel to read.
     * @param query     which page.
     * @param anchorId  the before/after/around id (ignored for {@link HistoryQuery#LATEST}).
     * @param limit     1..100.
     * @return live messages, newest first.
     */
    List<StoredMessage> history(long channelId, HistoryQuery query, long anchorId, int limit);

    /**
     * The channel's pinned messages: a message is pinned by appending a version of it with
     * {@link StoredMessage#pinned()} set, and unpinned by a version without it; deleting it unpins it.
     *
     * @param channelId channel to read.
     * @return the live pinned messages, the most recently pinned first.
     * @throws UnsupportedOperationException if the store keeps no pin index (the default).
     */
    default List<StoredMessage> pinned(final long channelId)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no pin index");
    }

    /**
     * Makes {@link #message} of each id answer from memory: a store that must fetch some issues all those fetches
     * together, then throws {@link ReadPendingException} once (asynchronous stores). The default does nothing.
     *
     * @param channelId  channel of the messages.
     * @param messageIds the messages a command is about to read.
     */
    default void prefetch(final long channelId, final long[] messageIds)
    {
    }

    /**
     * @return the newest live message id of the channel, or 0.
     */
    default long lastMessageId(final long channelId)
    {
        final List<StoredMessage> page = history(channelId, HistoryQuery.LATEST, 0, 1);
        return page.isEmpty() ? 0 : page.get(0).id();
    }

    /**
     * @return true if appends are made durable by {@link #commit()} rather than on return.
     */
    default boolean groupCommit()
    {
        return false;
    }

    /**
     * Makes every record appended since the last call durable at the configured level (one fdatasync per journal file for the
     * whole batch). A no-op when {@link #groupCommit()} is false.
     */
    default void commit()
    {
    }

    /**
     * @return true if writes become durable asynchronously, by {@link #durableSequence()} (see the type's Javadoc);
     *         false (the default) for stores whose appends are durable on return or at {@link #commit()}.
     */
    default boolean asynchronous()
    {
        return false;
    }

    /**
     * @return the sequence number of the last write issued (asynchronous stores; 0 before any). Owner thread only.
     */
    default long issuedSequence()
    {
        return 0;
    }

    /**
     * @return every write with a sequence number up to this one is durable (asynchronous stores). Owner thread only.
     */
    default long durableSequence()
    {
        return Long.MAX_VALUE;
    }

    /**
     * Takes the completions the database driver reported since the last call: advances {@link #durableSequence()},
     * puts fetched reads in memory ({@link #readComplete(long)}); re-issues writes that failed when their retry is
     * due. Owner thread only, every duty cycle; cheap when nothing happened.
     *
     * @return completions handled (work done).
     */
    default int pollCompletions()
    {
        return 0;
    }

    /**
     * @return true while completions wait for {@link #pollCompletions()}: the owner must not block. Safe from any
     *         thread.
     */
    default boolean hasCompletions()
    {
        return false;
    }

    /**
     * @param ticket a fetch named by a {@link ReadPendingException}.
     * @return true once that fetch completed, successfully or not (a re-run of the read finds its answer or its
     *         failure); always true for stores whose reads answer at once. Owner thread only.
     */
    default boolean readComplete(final long ticket)
    {
        return true;
    }

    /**
     * @param wakeup wakes the owner thread if it is blocked; the store's I/O threads call it after queueing a
     *               completion. Set once by the owner shard when its thread starts. Asynchronous stores only.
     */
    default void bindWakeup(final Runnable wakeup)
    {
    }

    /**
     * @return how long an acknowledgement may wait for {@link #durableSequence()} before the request it answers is
     *         failed with {@link StoreUnavailableException} (asynchronous stores).
     */
    default long ackTimeoutNanos()
    {
        return Long.MAX_VALUE;
    }

    /**
     * The owner shard found no work in its duty cycle and is about to wait: do a little housekeeping that keeps
     * the next append fast (e.g. fault in the journal page the next record will land on), or report what background
     * work found, or run index writes deferred past the acknowledgement of an append (the embedded store: after the
     * shard published and flushed the event). Called on the first idle pass after work and once per tick (50 ms)
     * while the shard stays idle. Must be quick (microseconds per deferred write) and never block. Owner thread
     * only.
     */
    default void idle()
    {
    }

    /**
     * Hands the store the node's counters of its health ({@link StoreCounters}): from now on it counts damaged
     * records, repaired headers and refused writes there. Called once by the shard that owns the store, before
     * recovery; a store opened on its own counts in counters of its own. The default ignores them.
     *
     * @param counters the shard's store counters.
     */
    default void bindCounters(final StoreCounters counters)
    {
    }

    /**
     * Records lost to damage (a checksum mismatch, a damaged region of a journal) found by recovery or by a read;
     * they are reported in the log with their positions and ids and not served. Safe from any thread.
     *
     * @return damaged records found so far.
     */
    default long damagedRecords()
    {
        return 0;
    }

    /**
     * Records whose journal framing was damaged but whose own checksum proved them intact, so they were recovered.
     * Safe from any thread.
     *
     * @return records recovered past damage.
     */
    default long repairedHeaders()
    {
        return 0;
    }

    /**
     * Writes refused before touching the journal ({@link StoreUnavailableException}). Safe from any thread.
     *
     * @return refusals so far.
     */
    default long refusedWrites()
    {
        return 0;
    }

    /**
     * @return false while the store refuses writes (disk full, a fault); reads keep working. Safe from any thread.
     */
    default boolean writable()
    {
        return true;
    }

    /**
     * Binds the store to the calling thread for good: from now on a call from any other thread fails loudly
     * ({@link IllegalStateException}) instead of using the store behind its owner's back. Called first thing by
     * the shard thread the store was handed to.
     */
    default void confineToCurrentThread()
    {
    }

    /**
     * Closes the store; on its shard thread (or on the opening thread if it was never handed over).
     */
    @Override
    void close();

    /**
     * Asynchronous stores: whether a write numbered {@code from} to {@code to} (the writes an acknowledgement covers)
     * was abandoned, never to be sent again, because this node's ownership was fenced before it went out or was
     * answered ({@link WriteFence}): that acknowledgement fails instead of running once the watermark passes.
     *
     * @param from the first issued sequence number the acknowledgement covers.
     * @param to   the last ({@link #issuedSequence()} when the acknowledgement was registered).
     * @return whether one of those writes was abandoned.
     */
    default boolean abandoned(final long from, final long to)
    {
        return false;
    }

    /**
     * @param from the first issued sequence number, as for {@link #abandoned}.
     * @param to   the last.
     * @return whether one of those writes had gone out once before it was abandoned (it failed or timed out
     *         unanswered): the database may have applied it all the same.
     */
    default boolean abandonedAfterSending(final long from, final long to)
    {
        return false;
    }

    /**
     * Forgets what this store holds in memory of a channel and a message in it, so that the next read of them asks
     * the database: another writer may have written the message behind this store's back (a stalled former owner's
     * write that landed late). A store that is its own database holds nothing to forget. Owner thread.
     *
     * @param channelId the channel.
     * @param messageId the message.
     */
    default void forget(final long channelId, final long messageId)
    {
    }
}
