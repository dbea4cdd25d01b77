package dev.pinwheel.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated state machine of a cluster's membership, run by Aeron Cluster on every node (one replica each; the
 * leader's consensus module orders its input): which nodes are live, and the ring epoch, which changes each time that
 * set changes.
 * <pre>
 *   node k's HeartbeatSender ── HEARTBEAT{k} (cluster ingress, every peerTimeout/5) ──▶ leader ──▶ Raft log
 *                                                                                          │ committed
 *   every replica:  onSessionMessage: lastSeen[k] = log time; k not live → live, epoch + 1 ◀┘
 *                   onTimerEvent (log time, every peerTimeout/4): live k silent > peerTimeout → not live, epoch + 1
 *                   onNewLeadershipTermEvent: lastSeen[*] = log time (no heartbeat reached the log during an election)
 *                   each change ──▶ {@link EpochListener} of this node (its own replica: no egress needed)
 * </pre>
 * Deterministic: every decision uses the log's timestamps and the cluster's timers, never a wall clock, so every
 * replica reaches the same epochs in the same order.
 * <p>
 * <b>Thread confinement:</b> the clustered service container's thread only.
 */
final class MembershipService implements ClusteredService
{
    private static final Logger LOG = LoggerFactory.getLogger(MembershipService.class);
    /** The one timer of the service. */
    static final long LIVENESS_TIMER = 1;
    /** A snapshot as written before {@link #HELD_OFFSET} was added (still read: the held nodes are then none). */
    private static final int SNAPSHOT_LENGTH_V1 = 8 + 4 + 4 + 8 + 32 * 8 + MembershipMessages.PHASES * 4 + 4;
    private static final int PHASES_OFFSET = 24 + 32 * 8;
    private static final int PREVIOUS_OFFSET = PHASES_OFFSET + MembershipMessages.PHASES * 4;
    private static final int HELD_OFFSET = PREVIOUS_OFFSET + 4;
    private static final int SNAPSHOT_LENGTH = SNAPSHOT_LENGTH_V1 + 8;

    private final long peerTimeoutMs;
    private final long checkIntervalMs;
    private final EpochListener listener;
    private final int ownNode;
    private final long incarnation;
    private final java.util.function.LongConsumer ownHeartbeat;
    private final long[] lastSeen = new long[32];
    /**
     * The log position each member's own replica had applied when it last sent a heartbeat (read by this node's log
     * keeper on another thread: no member's log is dropped below the smallest, so a lagging member can still be caught
     * up from the leader's recording). 0: not heard of since this replica started (nothing is dropped then).
     */
    private final java.util.concurrent.atomic.AtomicLongArray appliedByMember =
        new java.util.concurrent.atomic.AtomicLongArray(32);
    /** The log position this replica has applied (this node's heartbeats carry it). */
    private volatile long appliedPosition;
    /**
     * The log position this replica has processed: after its last session message, session event, timer or new term
     * (the node's membership agent applies no epoch until it reached the commit position: {@code ConsensusMembership}).
     */
    private volatile long processedPosition;
    /** The newest leadership term this replica saw begin, -1 before any (read by the membership client). */
    private volatile long latestTermId = -1;
    private final ExpandableArrayBuffer snapshotBuffer = new ExpandableArrayBuffer(SNAPSHOT_LENGTH);
    private Cluster cluster;
    private long epoch;
    private int liveNodes;
    /** The live nodes of the epoch before. */
    private int previousLive;
    /** For the current epoch: the nodes that finished each handover phase. */
    private final int[] phases = new int[MembershipMessages.PHASES];
    private boolean timerArmed;
    private long timerDeadline;
    /** Whether this replica started from a snapshot (read by tests). */
    private volatile boolean startedFromSnapshot;
    /** Session messages this replica applied since it started, replayed ones included (read by tests). */
    private volatile long messagesApplied;
    /** Nodes live in some epoch since the last settled one (0: none settled yet). */
    private int heldUnion;
    /** Nodes live in every epoch since the last settled one (0: none settled yet). */
    private int heldCommon;

    /**
     * @param peerTimeoutMs a live node whose heartbeats stop this long is no longer live.
     * @param listener      told of every epoch this replica applies.
     */
    MembershipService(final long peerTimeoutMs, final EpochListener listener)
    {
        this(peerTimeoutMs, listener, -1, 0, sent -> { });
    }

    /**
     * @param peerTimeoutMs a live node whose heartbeats stop this long is no longer live.
     * @param listener      told of every epoch this replica applies.
     * @param ownNode       this replica's node.
     * @param incarnation   this start of it.
     * @param ownHeartbeat  told the send time ({@code System.nanoTime()}) of each heartbeat of this node's start that
     *                      this replica applies (the log committed it): the node's ownership lease.
     */
    MembershipService(final long peerTimeoutMs, final EpochListener listener, final int ownNode,
        final long incarnation, final java.util.function.LongConsumer ownHeartbeat)
    {
        this.peerTimeoutMs = peerTimeoutMs;
        this.checkIntervalMs = Math.max(1, peerTimeoutMs / 4);
        this.listener = listener;
        this.ownNode = ownNode;
        this.incarnation = incarnation;
        this.ownHeartbeat = ownHeartbeat;
    }

    /** Tests: wait in {@link #onStart} until the container closes ({@link #stall()}). */
    private volatile boolean stall;

    /**
     * Tests: this replica waits in {@link #onStart}, serving its Aeron client (through the cluster's idle strategy)
     * but acknowledging nothing to its consensus module, until its container closes. Call before the container
     * starts.
     */
    void stall()
    {
        stall = true;
    }

    @Override
    public void onStart(final Cluster c, final Image snapshotImage)
    {
        this.cluster = c;
        if (stall)
        {
            LOG.warn("cluster: membership replica stalls in onStart until its container closes (test)");
            while (true)
            {
                c.idleStrategy().idle(); // ends with the container: an AgentTerminationException once interrupted
            }
        }
        if (snapshotImage != null)
        {
            loadSnapshot(snapshotImage);
            startedFromSnapshot = true;
            LOG.info("cluster: membership replica loaded a snapshot: ring epoch {}, live nodes {}", epoch,
                nodes(liveNodes));
            if (epoch > 0)
            {
                notifyListener();
            }
        }
    }

    private void notifyListener()
    {
        listener.epochChanged(new EpochState(epoch, liveNodes, previousLive, phases[0], phases[1], phases[2],
            phases[3], heldUnion, heldCommon));
    }

    private void loadSnapshot(final Image image)
    {
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            if (length >= SNAPSHOT_LENGTH_V1)
            {
                epoch = buffer.getLong(offset);
                liveNodes = buffer.getInt(offset + 8);
                timerArmed = buffer.getInt(offset + 12) != 0;
                timerDeadline = buffer.getLong(offset + 16);
                for (int k = 0; k < 32; k++)
                {
                    lastSeen[k] = buffer.getLong(offset + 24 + k * 8);
                }
                for (int p = 0; p < MembershipMessages.PHASES; p++)
                {
                    phases[p] = buffer.getInt(offset + PHASES_OFFSET + p * 4);
                }
                previousLive = buffer.getInt(offset + PREVIOUS_OFFSET);
                heldUnion = length >= SNAPSHOT_LENGTH ? buffer.getInt(offset + HELD_OFFSET) : 0;
                heldCommon = length >= SNAPSHOT_LENGTH ? buffer.getInt(offset + HELD_OFFSET + 4) : 0;
            }
        };
        final IdleStrategy idle = new SleepingMillisIdleStrategy(1);
        while (!image.isEndOfStream() && !image.isClosed())
        {
            idle.idle(image.poll(handler, 1));
        }
    }

    /** @return the log position this replica has applied (any thread). */
    long appliedPosition()
    {
        return appliedPosition;
    }

    /**
     * @param members how many members the cluster has.
     * @return the smallest log position every member reported applied, or 0 if one has not reported since this
     *         replica started (any thread).
     */
    long appliedByEveryMember(final int members)
    {
        long min = Long.MAX_VALUE;
        for (int k = 0; k < members; k++)
        {
            min = Math.min(min, appliedByMember.get(k));
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        processed();
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        // a node's liveness is its heartbeats: a session that closed stops them, and the liveness timer notices
        processed();
    }

    @Override
    public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        messagesApplied++; // the service thread is its only writer
        appliedPosition = header.position();
        processedPosition = header.position();
        if (length < MembershipMessages.HEARTBEAT_LENGTH)
        {
            return;
        }
        final int type = buffer.getInt(offset + MembershipMessages.TYPE_OFFSET);
        final int node = buffer.getInt(offset + MembershipMessages.NODE_OFFSET);
        if (node < 0 || node > 31)
        {
            return;
        }
        if (type == MembershipMessages.HANDOFF && length >= MembershipMessages.HANDOFF_LENGTH)
        {
            handoff(node, buffer.getLong(offset + MembershipMessages.EPOCH_OFFSET),
                buffer.getInt(offset + MembershipMessages.PHASE_OFFSET));
            return;
        }
        if (type != MembershipMessages.HEARTBEAT)
        {
            return;
        }
        lastSeen[node] = timestamp;
        if (node == ownNode && length >= MembershipMessages.HEARTBEAT_WITH_SENT_LENGTH
            && buffer.getLong(offset + MembershipMessages.INCARNATION_OFFSET) == incarnation)
        {
            ownHeartbeat.accept(buffer.getLong(offset + MembershipMessages.SENT_NANOS_OFFSET));
        }
        if (length >= MembershipMessages.HEARTBEAT_WITH_POSITION_LENGTH)
        {
            final long position = buffer.getLong(offset + MembershipMessages.APPLIED_POSITION_OFFSET);
            if (position > appliedByMember.get(node))
            {
                appliedByMember.set(node, position);
            }
        }
        if ((liveNodes & 1 << node) == 0)
        {
            previousLive = liveNodes;
            liveNodes |= 1 << node;
            newEpoch(timestamp, "node " + node + " joined");
        }
        armTimer(timestamp);
    }

    /** A node finished a handover phase: counted only for the current epoch and a live node (else stale). */
    private void handoff(final int node, final long forEpoch, final int phase)
    {
        if (forEpoch != epoch || phase < 0 || phase >= MembershipMessages.PHASES || (liveNodes & 1 << node) == 0
            || (phases[phase] & 1 << node) != 0)
        {
            return;
        }
        phases[phase] |= 1 << node;
        if (phase == MembershipMessages.SUBSCRIBED && (phases[phase] & liveNodes) == liveNodes)
        {
            heldUnion = liveNodes; // settled: every live node holds what this epoch's ring gives it
            heldCommon = liveNodes;
        }
        notifyListener();
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        processed();
        if (correlationId != LIVENESS_TIMER)
        {
            return;
        }
        timerArmed = false;
        int dead = 0;
        for (int node = 0; node < 32; node++)
        {
            if ((liveNodes & 1 << node) != 0 && timestamp - lastSeen[node] > peerTimeoutMs)
            {
                dead |= 1 << node;
            }
        }
        if (dead != 0)
        {
            previousLive = liveNodes;
            liveNodes &= ~dead;
            newEpoch(timestamp, "no heartbeat from " + nodes(dead) + " for more than " + peerTimeoutMs + " ms");
        }
        if (liveNodes != 0)
        {
            armTimer(timestamp);
        }
    }

    private void armTimer(final long timestamp)
    {
        if (!timerArmed)
        {
            timerArmed = true;
            timerDeadline = timestamp + checkIntervalMs;
            cluster.scheduleTimer(LIVENESS_TIMER, timerDeadline);
        }
    }

    private void newEpoch(final long timestamp, final String why)
    {
        epoch++;
        java.util.Arrays.fill(phases, 0);
        heldUnion |= heldCommon != 0 ? liveNodes : 0;
        heldCommon &= liveNodes;
        LOG.debug("membership replica: epoch {} at log time {}: {}", epoch, timestamp, why);
        notifyListener();
    }

    @Override
    public void onNewLeadershipTermEvent(final long leadershipTermId, final long logPosition, final long timestamp,
        final long termBaseLogPosition, final int leaderMemberId, final int logSessionId,
        final java.util.concurrent.TimeUnit timeUnit, final int appVersion)
    {
        // while there was no leader no heartbeat could reach the log: every live node gets a fresh peerTimeout
        for (int node = 0; node < 32; node++)
        {
            if ((liveNodes & 1 << node) != 0)
            {
                lastSeen[node] = Math.max(lastSeen[node], timestamp);
            }
        }
        if (leadershipTermId > latestTermId)
        {
            latestTermId = leadershipTermId; // single writer: the service thread
        }
        processed();
    }

    /** Notes how far this replica got in the log (service thread: the single writer). */
    private void processed()
    {
        final Cluster c = cluster;
        if (c != null)
        {
            processedPosition = Math.max(processedPosition, c.logPosition());
        }
    }

    /**
     * @return the log position this replica has processed (any thread).
     */
    long processedPosition()
    {
        return processedPosition;
    }

    /**
     * @return the newest leadership term this replica saw begin (replayed ones included), -1 before any: it grows
     *         when an election ended and this replica joined the new leader's log.
     */
    long latestTermId()
    {
        return latestTermId;
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        snapshotBuffer.putLong(0, epoch);
        snapshotBuffer.putInt(8, liveNodes);
        snapshotBuffer.putInt(12, timerArmed ? 1 : 0);
        snapshotBuffer.putLong(16, timerDeadline);
        for (int k = 0; k < 32; k++)
        {
            snapshotBuffer.putLong(24 + k * 8, lastSeen[k]);
        }
        for (int p = 0; p < MembershipMessages.PHASES; p++)
        {
            snapshotBuffer.putInt(PHASES_OFFSET + p * 4, phases[p]);
        }
        snapshotBuffer.putInt(PREVIOUS_OFFSET, previousLive);
        snapshotBuffer.putInt(HELD_OFFSET, heldUnion);
        snapshotBuffer.putInt(HELD_OFFSET + 4, heldCommon);
        final IdleStrategy idle = new SleepingMillisIdleStrategy(1);
        while (snapshotPublication.offer(snapshotBuffer, 0, SNAPSHOT_LENGTH) < 0)
        {
            idle.idle();
        }
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        LOG.info("cluster: this node's consensus role is {}", newRole);
    }

    @Override
    public void onTerminate(final Cluster c)
    {
    }

    /**
     * @return whether this replica started from a snapshot.
     */
    boolean startedFromSnapshot()
    {
        return startedFromSnapshot;
    }

    /**
     * @return session messages applied since start (replayed ones included).
     */
    long messagesApplied()
    {
        return messagesApplied;
    }

    /**
     * @param mask nodes.
     * @return "nodes [1, 2]".
     */
    static String nodes(final int mask)
    {
        final StringBuilder b = new StringBuilder("[");
        for (int node = 0; node < 32; node++)
        {
            if ((mask & 1 << node) != 0)
            {
                b.append(b.length() > 1 ? ", " : "").append(node);
            }
        }
        return b.append(']').toString();
    }

    /** Told by this node's replica of every change it applies (the service container's thread: never block). */
    @FunctionalInterface
    interface EpochListener
    {
        /**
         * @param state the epoch and its handover phases as they are now.
         */
        void epochChanged(EpochState state);
    }
}
