package dev.pinwheel.cluster;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.GuildTable;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateRecords;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives what the other nodes send and puts it on this node's shard rings: one more producer of each ring, so a
 * peer's stream (one Aeron image per peer, in order) stays in order into every shard. A command goes to its shard; an
 * event is decoded once and handed to each shard of the frame's mask once (Manifold's second step).
 * <p>
 * A full ring is never waited on here and nothing is dropped: the message is held (with the shards it still has to
 * reach), polling stops, and the next duty cycle retries it before reading anything newer. Aeron's flow control then
 * pushes back on the sending node, whose shards hold their frames and retry in order.
 * <p>
 * Runs in the link's duty cycle ({@link LinkAgent}): on the link's thread, or on the receiving shard's when the
 * link's data socket woke that shard; one of them at a time.
 */
final class LinkReceiver implements Agent, ControlledFragmentHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(LinkReceiver.class);
    private static final int FRAGMENT_LIMIT = 64;
    private static final long WATCH_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);

    private final Subscription subscription;
    private final ShardGroup group;
    private final NodeState node;
    private final Runnable watch;
    private long nextWatchNanos;
    private final LinkCounters counters;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final LinkFrameFlyweight frame = new LinkFrameFlyweight();
    private final long validShards;
    private byte[] heldCommand;
    private int heldShard;
    private Dispatch heldDispatch;
    private long heldMask;
    /**
     * While node-wide records are read again from a shared store ({@link #holdStatesUntil}): what applies them, once
     * read; the live state records that arrive meanwhile wait in {@link #heldStates} and are applied after them.
     */
    private java.util.concurrent.CompletableFuture<Runnable> stateReplay;
    private Runnable afterReplay;
    private final java.util.ArrayList<HeldState> heldStates = new java.util.ArrayList<>();

    /** A live state record that waits while older ones are read again. */
    private record HeldState(int type, byte[] payload)
    {
    }

    /** Test only (fault injection): how long after its arrival each frame is handled (0: at once). */
    private volatile long delayNanos;
    /** Frames waiting out {@link #delayNanos}, in arrival order. */
    private final java.util.ArrayDeque<Delayed> delayed = new java.util.ArrayDeque<>();
    private final org.agrona.concurrent.UnsafeBuffer delayedView = new org.agrona.concurrent.UnsafeBuffer(new byte[0]);

    /** A frame that arrived and waits to be handled. */
    private record Delayed(long dueNanos, byte[] bytes, int sessionId)
    {
    }

    /** Told on this thread of each peer that asked for this node's node-wide records. */
    private final CatchUpRequests catchUpRequests;
    /** Told on this thread of each shard of a peer that follows this node's start again. */
    private final Following following;
    /** Told on this thread of each peer whose stream here comes from a new start of it. */
    private final java.util.function.IntConsumer restarts;
    /**
     * The Aeron session ids of the streams each peer sent from (one per start of the peer: its publication to this
     * node is created once per start): a session not seen before from a known peer is a new start of it.
     */
    private final org.agrona.collections.IntHashSet[] sessionsOf;

    LinkReceiver(final Subscription subscription, final ShardGroup group, final NodeState node,
        final LinkCounters counters, final Runnable watch, final CatchUpRequests catchUpRequests,
        final int nodes, final java.util.function.IntConsumer restarts, final Following following)
    {
        this.catchUpRequests = catchUpRequests;
        this.following = following;
        this.restarts = restarts;
        this.sessionsOf = new org.agrona.collections.IntHashSet[nodes];
        for (int i = 0; i < nodes; i++)
        {
            sessionsOf[i] = new org.agrona.collections.IntHashSet();
        }
        this.watch = watch;
        this.node = node;
        this.subscription = subscription;
        this.group = group;
        this.counters = counters;
        this.validShards = group.shardCount() == 64 ? -1L : (1L << group.shardCount()) - 1;
    }

    @Override
    public int doWork()
    {
        final long now = System.nanoTime();
        if (now - nextWatchNanos >= 0)
        {
            nextWatchNanos = now + WATCH_INTERVAL_NANOS;
            watch.run();
        }
        if (stateReplay != null && stateReplay.isDone())
        {
            replayStates();
        }
        return pollFrames();
    }

    /**
     * What arrived, onto the shard rings (after what a full ring held back): {@link #doWork} without the watch of the
     * peers and the replay of node-wide records, which stay on the link's thread. The receiving shard's thread runs
     * this when the link's data socket woke it ({@link LinkAgent#runOnShard}); one thread at a time.
     *
     * @return fragments read.
     */
    int pollFrames()
    {
        if (!releaseHeld() || !releaseDelayed())
        {
            return 0;
        }
        return subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
    }

    /**
     * <b>Test only</b> (fault injection): every frame from now on is handled {@code nanos} after it arrived, in
     * order — a slow path between the nodes, or a receiver far behind on a loaded box. 0 ends it (what waits is
     * handled at once). Any thread.
     *
     * @param nanos the delay.
     */
    void delay(final long nanos)
    {
        delayNanos = nanos;
    }

    /** @return whether nothing delayed is held back by a full ring (what is not due yet waits, newer frames behind). */
    private boolean releaseDelayed()
    {
        final long now = System.nanoTime();
        for (Delayed d = delayed.peek(); d != null && (now - d.dueNanos() >= 0 || delayNanos == 0); d = delayed.peek())
        {
            delayed.poll();
            delayedView.wrap(d.bytes());
            if (handle(delayedView, 0, d.bytes().length, d.sessionId()) == Action.BREAK)
            {
                return false; // held (copied) by a full ring: released first next time
            }
        }
        return true;
    }

    /** @return whether nothing is held any more. */
    private boolean releaseHeld()
    {
        if (heldCommand != null)
        {
            if (!group.offerFromNode(heldShard, new org.agrona.concurrent.UnsafeBuffer(heldCommand), 0,
                heldCommand.length))
            {
                return false;
            }
            heldCommand = null;
        }
        if (heldDispatch != null)
        {
            heldMask = handOut(heldDispatch, heldMask);
            if (heldMask != 0)
            {
                return false;
            }
            heldDispatch = null;
        }
        return true;
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (delayNanos > 0 || !delayed.isEmpty())
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            delayed.add(new Delayed(System.nanoTime() + delayNanos, copy, header.sessionId()));
            return Action.CONTINUE;
        }
        return handle(buffer, offset, length, header.sessionId());
    }

    private Action handle(final DirectBuffer buffer, final int offset, final int length, final int sessionId)
    {
        counters.increment(LinkCounters.RECEIVED);
        if (length < LinkFrameFlyweight.HEADER_LENGTH)
        {
            counters.increment(LinkCounters.MALFORMED);
            return Action.CONTINUE;
        }
        frame.wrap(buffer, offset);
        noteSession(frame.sourceNode(), sessionId);
        final int payload = frame.payloadOffset();
        final int payloadLength = length - LinkFrameFlyweight.HEADER_LENGTH;
        if (frame.kind() == LinkFrameFlyweight.COMMAND)
        {
            final long shard = frame.target();
            if (shard < 0 || shard >= group.shardCount())
            {
                counters.increment(LinkCounters.MALFORMED);
                return Action.CONTINUE;
            }
            if (!group.offerFromNode((int)shard, buffer, payload, payloadLength))
            {
                counters.increment(LinkCounters.RECEIVER_HELD);
                heldCommand = new byte[payloadLength];
                buffer.getBytes(payload, heldCommand);
                heldShard = (int)shard;
                return Action.BREAK;
            }
            return Action.CONTINUE;
        }
        if (frame.kind() == LinkFrameFlyweight.DISPATCH)
        {
            final Dispatch d;
            try
            {
                d = DispatchFlyweight.decode(buffer, payload);
            }
            catch (final RuntimeException ex)
            {
                counters.increment(LinkCounters.MALFORMED);
                LOG.warn("cluster: a malformed event from node {} skipped: {}", frame.sourceNode(), ex.toString());
                return Action.CONTINUE;
            }
            final long left = handOut(d, frame.target() & validShards);
            if (left != 0)
            {
                counters.increment(LinkCounters.RECEIVER_HELD);
                heldDispatch = d;
                heldMask = left;
                return Action.BREAK;
            }
            return Action.CONTINUE;
        }
        if (frame.kind() == LinkFrameFlyweight.STATE)
        {
            if (stateReplay != null)
            {
                // older records are being read again: this one is applied after them, not overwritten by them
                final byte[] copy = new byte[payloadLength];
                buffer.getBytes(payload, copy);
                heldStates.add(new HeldState((int)frame.target(), copy));
                return Action.CONTINUE;
            }
            applyState((int)frame.target(), buffer, payload, payloadLength);
            return Action.CONTINUE;
        }
        if (frame.kind() == LinkFrameFlyweight.CATCH_UP_REQUEST)
        {
            final int addressLength = Math.min(payloadLength - Integer.BYTES,
                LinkFrameFlyweight.MAX_HTTP_ADDRESS_LENGTH);
            catchUpRequests.requested(frame.sourceNode(), frame.target(),
                payloadLength >= Integer.BYTES && (buffer.getInt(payload) & LinkFrameFlyweight.SEEN_DOWN) != 0,
                addressLength > 0 ? buffer.getStringWithoutLengthAscii(payload + Integer.BYTES, addressLength) : null);
            return Action.CONTINUE;
        }
        if (frame.kind() == LinkFrameFlyweight.FOLLOWING_AGAIN
            && payloadLength >= LinkFrameFlyweight.FOLLOWING_AGAIN_LENGTH)
        {
            // every command the peer's shard sent before it is on this node's rings already (read in stream order)
            following.followingAgain(frame.sourceNode(), frame.target(), buffer.getInt(payload),
                buffer.getInt(payload + Integer.BYTES));
            return Action.CONTINUE;
        }
        if (frame.kind() == LinkFrameFlyweight.CATCH_UP_DONE)
        {
            // every record the peer's shard scanned was applied above, in stream order
            following.caughtUp(frame.sourceNode(), (int)frame.target());
            return Action.CONTINUE;
        }
        counters.increment(LinkCounters.MALFORMED);
        return Action.CONTINUE;
    }

    /**
     * A peer's first frame from a stream not seen before, when an earlier one was: the peer started again (faster
     * than the link noticed, or not). Told before the frame is handled, so before anything the new start answers
     * reaches a shard here; the old stream's last frames, if any are still unread, change nothing.
     */
    private void noteSession(final int source, final int session)
    {
        if (source < 0 || source >= sessionsOf.length)
        {
            return;
        }
        final org.agrona.collections.IntHashSet seen = sessionsOf[source];
        if (seen.add(session) && seen.size() > 1)
        {
            restarts.accept(source);
        }
    }

    /**
     * Another node journaled a state record: its node-wide part (accounts, tokens, directory) applies here too; its
     * guild part does not (the guild lives on its owner: the record is applied to an empty guild table, which every
     * record's change skips). The node-wide state is concurrent (read by every shard, written rarely).
     */
    private void applyState(final int type, final DirectBuffer buffer, final int at, final int length)
    {
        if (node == null)
        {
            return;
        }
        final byte[] payload = new byte[length];
        buffer.getBytes(at, payload);
        try
        {
            StateRecords.apply(type, payload, new GuildTable(), node);
        }
        catch (final RuntimeException ex)
        {
            counters.increment(LinkCounters.MALFORMED);
            LOG.warn("cluster link: state record of type {} from another node not applied: {}", type, ex.toString());
        }
    }

    /**
     * Holds the live state records that arrive from now on until {@code replay} completes, then runs what it gives
     * (which applies node-wide records read again from a shared store), then applies the held ones in their order,
     * then runs {@code afterwards}: a live record is never overwritten by an older one read meanwhile. Another hold
     * while one runs waits for both. This thread only.
     *
     * @param replay     completes with what applies the records read again (on this thread).
     * @param afterwards run on this thread once every held record is applied.
     */
    void holdStatesUntil(final java.util.concurrent.CompletableFuture<Runnable> replay, final Runnable afterwards)
    {
        if (stateReplay == null)
        {
            stateReplay = replay;
            afterReplay = afterwards;
            return;
        }
        stateReplay = stateReplay.thenCombine(replay, (a, b) -> () ->
        {
            a.run();
            b.run();
        });
        final Runnable before = afterReplay;
        afterReplay = () ->
        {
            before.run();
            afterwards.run();
        };
    }

    /** @return whether records are being read again (live ones held meanwhile). */
    boolean replayingStates()
    {
        return stateReplay != null;
    }

    private void replayStates()
    {
        try
        {
            stateReplay.join().run();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cluster link: node-wide records could not be read again; the live ones held meanwhile are "
                + "applied", ex);
        }
        stateReplay = null;
        final org.agrona.concurrent.UnsafeBuffer view = new org.agrona.concurrent.UnsafeBuffer(0, 0);
        for (final HeldState held : heldStates)
        {
            view.wrap(held.payload());
            applyState(held.type(), view, 0, held.payload().length);
        }
        heldStates.clear();
        final Runnable after = afterReplay;
        afterReplay = null;
        try
        {
            after.run();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cluster link: what follows a replay of node-wide records failed", ex);
        }
    }

    /** Told of a {@link LinkFrameFlyweight#CATCH_UP_REQUEST} frame. */
    @FunctionalInterface
    interface CatchUpRequests
    {
        /**
         * @param node     the asking peer.
         * @param token    its start's token.
         * @param seenDown whether it saw this node's link go down since it last asked
         *                 ({@link LinkFrameFlyweight#SEEN_DOWN}).
         * @param httpAddress where the asking node answers HTTP ({@code host:port}), or null if it did not say.
         */
        void requested(int node, long token, boolean seenDown, String httpAddress);
    }

    /** Told of a {@link LinkFrameFlyweight#FOLLOWING_AGAIN} frame. */
    @FunctionalInterface
    interface Following
    {
        /**
         * @param node   the peer.
         * @param token  the start token it answers.
         * @param shard  its shard that sent it.
         * @param shards how many shards the peer has.
         */
        void followingAgain(int node, long token, int shard, int shards);

        /**
         * A peer's shard sent every state record of its journal that this node asked for, and they are applied.
         *
         * @param node  the peer.
         * @param shard its shard.
         */
        default void caughtUp(final int node, final int shard)
        {
        }
    }

    /** @return the shards of the mask whose ring was full (still to be handed the event). */
    private long handOut(final Dispatch d, final long shards)
    {
        long mask = shards;
        long left = 0;
        while (mask != 0)
        {
            final int target = Long.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            if (!group.offerFromNode(target, d))
            {
                left |= 1L << target;
            }
        }
        return left;
    }

    @Override
    public String roleName()
    {
        return "pinwheel-cluster-receiver";
    }
}
