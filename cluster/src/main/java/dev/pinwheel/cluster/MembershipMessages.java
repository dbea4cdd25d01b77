package dev.pinwheel.cluster;

import org.agrona.MutableDirectBuffer;

/**
 * The messages a node sends to the membership service through the cluster's ingress (little-endian, as Agrona
 * buffers write them).
 * <pre>
 *   0                   4                   8
 *   ├─ type (int) ──────┼─ node id (int) ───┤        HEARTBEAT: "node id is alive"
 * </pre>
 */
final class MembershipMessages
{
    static final int TYPE_OFFSET = 0;
    static final int NODE_OFFSET = 4;
    static final int HEARTBEAT_LENGTH = 8;
    /** A node is alive. */
    static final int HEARTBEAT = 1;

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
}
