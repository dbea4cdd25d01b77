package dev.pinwheel.cluster;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.aeron.Publication;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer's catch-up from one shard: the state records the shard journaled before the peer asked, read from its
 * journal a bounded slice per duty cycle ({@link ShardStore#scanState(long, long, int, int, StateRecordHandler)}) and
 * sent as STATE frames, so that the shard never pauses for the whole journal.
 * <pre>
 *   CATCH_UP_REQUEST ─▶ begin: until = the journal's end now; from then on everything the shard sends the peer
 *                      waits in its held queue, behind the scan
 *   each duty cycle  ─▶ frames the publication pushed back last time, then one slice: ≤ maxRecords / maxBytes
 *                      records from the cursor ─▶ publication (pushed back: kept, in order, for the next cycle)
 *   cursor at until  ─▶ done: the held queue (the shard's later records among it) goes out behind the scan
 *   peer gone        ─▶ abandoned: it asks again when its link comes up
 * </pre>
 * Records journaled after the scan began are not read by it: their live sends wait behind it, so the peer gets each
 * once, after every record scanned. Memory: one slice's frames at most, whatever the journal's size. Its shard's
 * thread only.
 */
final class CatchUpScan implements StateRecordHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpScan.class);
    /** {@link #slice}: more to send on a later cycle. */
    static final int SENDING = 0;
    /** {@link #slice}: every record before the scan's end went out. */
    static final int DONE = 1;
    /** {@link #slice}: the peer's link is down: the scan is over. */
    static final int LOST = 2;

    private final int shard;
    private final int node;
    private final int nodeId;
    private final ShardStore store;
    private final long until;
    private final LinkCounters link;
    private final CatchUpCounters counters;
    private final ArrayDeque<byte[]> pushedBack = new ArrayDeque<>();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private ExpandableArrayBuffer frame;
    private Publication publication;
    private long cursor = ShardStore.STATE_SCAN_START;
    private long startNanos;
    private long sent;
    private long slices;
    private long longestNanos;
    private boolean lost;
    /**
     * Frames the shard queued for the peer (back-pressure) before it asked: they go out before the scan, which waits
     * for them (its shard's {@code NodeLink} outbox counts them down).
     */
    int behind;

    /**
     * @param shard    the shard that scans (its thread).
     * @param node     the peer.
     * @param nodeId   this node (the frames' source).
     * @param store    the shard's store.
     * @param until    {@link ShardStore#stateJournalEnd()} when the peer asked.
     * @param link     the link's counters (every frame counts as sent).
     * @param counters the catch-up counters.
     */
    CatchUpScan(final int shard, final int node, final int nodeId, final ShardStore store, final long until,
        final LinkCounters link, final CatchUpCounters counters)
    {
        this.shard = shard;
        this.node = node;
        this.nodeId = nodeId;
        this.store = store;
        this.until = until;
        this.link = link;
        this.counters = counters;
        this.startNanos = System.nanoTime();
        counters.increment(CatchUpCounters.STARTED);
        counters.running(1);
    }

    /**
     * The peer asked again while this scan ran (it restarted: what it was sent may be lost): read again from the
     * beginning, up to the same end, since what the shard journaled after it waits behind this scan already.
     */
    void restart()
    {
        pushedBack.clear();
        cursor = ShardStore.STATE_SCAN_START;
        startNanos = System.nanoTime();
        sent = 0;
        counters.increment(CatchUpCounters.STARTED);
        LOG.info("cluster: catch-up for node {}: shard {} starts again (the node asked again)", node, shard);
    }

    /**
     * One turn of the shard's duty cycle: what was pushed back, then a slice.
     *
     * @param pub        the peer's publication.
     * @param scratch    the shard's frame buffer.
     * @param maxRecords records a slice reads at most.
     * @param maxBytes   bytes a slice reads at most (at least one record).
     * @return {@link #SENDING}, {@link #DONE} or {@link #LOST}; at {@link #DONE} or {@link #LOST} the scan is over
     *         (logged and counted).
     */
    int slice(final Publication pub, final ExpandableArrayBuffer scratch, final int maxRecords, final int maxBytes)
    {
        final long t0 = System.nanoTime();
        publication = pub;
        frame = scratch;
        while (!pushedBack.isEmpty() && !lost)
        {
            final byte[] head = pushedBack.peek();
            view.wrap(head);
            if (!offer(view, head.length))
            {
                return lost ? end(LOST) : SENDING; // still pushed back: the journal is not read further meanwhile
            }
            pushedBack.poll();
        }
        if (cursor != ShardStore.STATE_SCAN_DONE && !lost)
        {
            cursor = store.scanState(cursor, until, maxRecords, maxBytes, this);
            final long took = System.nanoTime() - t0;
            slices++;
            longestNanos = Math.max(longestNanos, took);
            counters.slice(took);
        }
        if (lost)
        {
            return end(LOST);
        }
        return cursor == ShardStore.STATE_SCAN_DONE && pushedBack.isEmpty() ? end(DONE) : SENDING;
    }

    @Override
    public void onStateRecord(final int type, final byte[] payload)
    {
        if (lost)
        {
            return;
        }
        LinkFrameFlyweight.putHeader(frame, 0, LinkFrameFlyweight.STATE, nodeId, type);
        frame.putBytes(LinkFrameFlyweight.HEADER_LENGTH, payload);
        final int length = LinkFrameFlyweight.HEADER_LENGTH + payload.length;
        if (pushedBack.isEmpty() && offer(frame, length) || lost)
        {
            return;
        }
        final byte[] copy = new byte[length]; // only while the peer pushes back: one slice at most
        frame.getBytes(0, copy);
        pushedBack.add(copy);
    }

    /** @return whether the frame went out; false when pushed back, or the peer is gone ({@link #lost}). */
    private boolean offer(final org.agrona.DirectBuffer bytes, final int length)
    {
        final long r = publication.offer(bytes, 0, length);
        if (r > 0)
        {
            sent++;
            link.increment(LinkCounters.SENT);
            counters.increment(CatchUpCounters.RECORDS);
            return true;
        }
        if (r == Publication.BACK_PRESSURED || r == Publication.ADMIN_ACTION)
        {
            link.increment(LinkCounters.BACK_PRESSURED);
        }
        else
        {
            lost = true;
        }
        return false;
    }

    /**
     * The shard stops scanning (its node link closes, or the store failed under the scan).
     *
     * @param why what happened.
     */
    void abandon(final String why)
    {
        counters.increment(CatchUpCounters.ABANDONED);
        counters.running(-1);
        LOG.warn("cluster: catch-up for node {}: shard {} stopped after {} state records: {}", node, shard, sent, why);
    }

    private int end(final int outcome)
    {
        counters.running(-1);
        if (outcome == DONE)
        {
            counters.increment(CatchUpCounters.COMPLETED);
            LOG.info("cluster: catch-up for node {}: shard {} sent its {} state records in {} ms ({} slices, the "
                + "longest {} µs)", node, shard, sent, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                slices, TimeUnit.NANOSECONDS.toMicros(longestNanos));
        }
        else
        {
            counters.increment(CatchUpCounters.ABANDONED);
            LOG.warn("cluster: catch-up for node {}: shard {} stopped after {} state records: the node went away (it "
                + "asks again when its link comes up)", node, shard, sent);
        }
        return outcome;
    }

    /** @return frames sent so far (the shard's outbox tells a turn that sent nothing: the peer pushes back). */
    long sent()
    {
        return sent;
    }
}
