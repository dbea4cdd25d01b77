package dev.pinwheel.cluster;

import org.agrona.MutableDirectBuffer;

/**
 * The messages a node sends to the membership service through the cluster's ingress (little-endian, as Agrona
 * buffers write them).
 * <pre>
 *   0                   4                   8
 *   ├─ type (int) ──────┼─ node id (int) ───┼─ applied log position (long) ──┤   HEARTBEAT: "node id is alive"
 *   ├─ type (int) ──────┼─ node id (int) ───┼─ epoch (long) ─────────────────┼─ phase (int) ──┤   HANDOFF
 * </pre>
 * HANDOFF: node id finished a phase of the guild handover of that ring epoch ({@link #APPLIED}, {@link #RELEASED},
 * {@link #LOADED}, {@link #SUBSCRIBED}; see {@code ConsensusMembership}).
 */
public final class MembershipMessages
{
    static final int TYPE_OFFSET = 0;
    static final int NODE_OFFSET = 4;
    static final int HEARTBEAT_LENGTH = 8;
    /** A heartbeat that also carries the log position the sender's own replica has applied (a long at 8). */
    static final int HEARTBEAT_WITH_POSITION_LENGTH = 16;
    static final int APPLIED_POSITION_OFFSET = 8;
    /** A heartbeat that also says when its sender sent it (its own {@code System.nanoTime()}) and which start sent it. */
    static final int HEARTBEAT_WITH_SENT_LENGTH = 32;
    static final int SENT_NANOS_OFFSET = 16;
    static final int INCARNATION_OFFSET = 24;
    /** A node is alive. */
    static final int HEARTBEAT = 1;
    /** A node finished a phase of an epoch's handover. */
    static final int HANDOFF = 2;
    static final int EPOCH_OFFSET = 8;
    static final int PHASE_OFFSET = 16;
    static final int HANDOFF_LENGTH = 20;
    /** The node routes by the epoch's ring (keys that move are refused until their new owner loaded them). */
    public static final int APPLIED = 0;
    /** The node's writes to the keys it lost are durable and it dropped them. */
    public static final int RELEASED = 1;
    /** The node loaded the keys it gained. */
    public static final int LOADED = 2;
    /** The node subscribed its sessions again at the new owners of the guilds they follow that moved. */
    public static final int SUBSCRIBED = 3;
    /** Number of handover phases. */
    static final int PHASES = 4;

    private MembershipMessages()
    {
    }

    /**
     * @param buffer where.
     * @param node   the sending node.
     * @return the message length.
     */
    static int heartbeat(final MutableDirectBuffer buffer, final int node)
    {
        buffer.putInt(TYPE_OFFSET, HEARTBEAT);
        buffer.putInt(NODE_OFFSET, node);
        return HEARTBEAT_LENGTH;
    }

    /**
     * @param buffer          where.
     * @param node            the sending node.
     * @param appliedPosition the log position the sender's replica has applied (the log it no longer needs replayed).
     * @return the message length.
     */
    static int heartbeat(final MutableDirectBuffer buffer, final int node, final long appliedPosition)
    {
        heartbeat(buffer, node);
        buffer.putLong(APPLIED_POSITION_OFFSET, appliedPosition);
        return HEARTBEAT_WITH_POSITION_LENGTH;
    }

    /**
     * @param buffer          where.
     * @param node            the sending node.
     * @param appliedPosition the log position the sender's replica has applied.
     * @param sentNanos       the sender's {@code System.nanoTime()} as it sends it.
     * @param incarnation     the sender's start (its own replica takes only its own start's heartbeats as its lease:
     *                        a replayed one of an earlier start has another process's clock).
     * @return the message length.
     */
    static int heartbeat(final MutableDirectBuffer buffer, final int node, final long appliedPosition,
        final long sentNanos, final long incarnation)
    {
        heartbeat(buffer, node, appliedPosition);
        buffer.putLong(SENT_NANOS_OFFSET, sentNanos);
        buffer.putLong(INCARNATION_OFFSET, incarnation);
        return HEARTBEAT_WITH_SENT_LENGTH;
    }

    /**
     * @param buffer where.
     * @param node   the sending node.
     * @param epoch  the epoch.
     * @param phase  the phase it finished.
     * @return the message length.
     */
    static int handoff(final MutableDirectBuffer buffer, final int node, final long epoch, final int phase)
    {
        buffer.putInt(TYPE_OFFSET, HANDOFF);
        buffer.putInt(NODE_OFFSET, node);
        buffer.putLong(EPOCH_OFFSET, epoch);
        buffer.putInt(PHASE_OFFSET, phase);
        return HANDOFF_LENGTH;
    }
}
