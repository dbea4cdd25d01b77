package dev.pinwheel.cluster;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The header of every message one node sends another over the link, followed by its payload.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         kind (i32)                            |
 *  +---------------------------------------------------------------+
 *  |                      source node (i32)                        |
 *  +---------------------------------------------------------------+
 *  |  target (i64): the shard (COMMAND), the mask of interested    |
 *  |  shards of the receiving node (DISPATCH), record type (STATE), |
 *  |  the asking start's token (CATCH_UP_REQUEST, FOLLOWING_AGAIN)  |
 *  +---------------------------------------------------------------+
 *  |  payload: a typed command's bytes (CommandWriter's layout), an  |
 *  |  event ({@link DispatchFlyweight}) or a state record        ...  |
 *  +---------------------------------------------------------------+
 *   little-endian (Agrona's native order on x86 and ARM)
 * </pre>
 * A flyweight: wraps the bytes where they are (the sender's scratch buffer, the received fragment).
 */
public final class LinkFrameFlyweight
{
    /** A typed command for one shard of the receiving node. */
    public static final int COMMAND = 1;
    /** An event of a guild, for the interested shards of the receiving node. */
    public static final int DISPATCH = 2;
    /** A journaled state record (target: its type), applied to the receiving node's node-wide state. */
    public static final int STATE = 3;
    /**
     * A node asks the receiving node for its node-wide records (no payload; target: a token of the asking node's
     * start): each of the receiver's shards sends every state record of its journal as {@link #STATE} frames, in
     * journal order, ahead of its later live ones.
     */
    public static final int CATCH_UP_REQUEST = 10;
    /**
     * The answer of one shard of the sending node to a {@link #CATCH_UP_REQUEST} (target: the request's token), sent
     * after the shard told the asking node again which of its sessions follow that node's guilds and users: payload
     * the shard (i32) and how many shards the sending node has (i32).
     */
    public static final int FOLLOWING_AGAIN = 11;
    /** Length of a {@link #FOLLOWING_AGAIN} frame's payload. */
    public static final int FOLLOWING_AGAIN_LENGTH = 8;

    public static final int KIND_OFFSET = 0;
    public static final int SOURCE_NODE_OFFSET = 4;
    public static final int TARGET_OFFSET = 8;
    public static final int HEADER_LENGTH = 16;

    private DirectBuffer buffer;
    private int offset;

    /**
     * @param bytes the frame's buffer.
     * @param at    where the frame starts.
     * @return this.
     */
    public LinkFrameFlyweight wrap(final DirectBuffer bytes, final int at)
    {
        this.buffer = bytes;
        this.offset = at;
        return this;
    }

    /**
     * @return {@link #COMMAND} or {@link #DISPATCH}.
     */
    public int kind()
    {
        return buffer.getInt(offset + KIND_OFFSET);
    }

    /**
     * @return the sending node.
     */
    public int sourceNode()
    {
        return buffer.getInt(offset + SOURCE_NODE_OFFSET);
    }

    /**
     * @return the target shard (COMMAND) or shard mask (DISPATCH).
     */
    public long target()
    {
        return buffer.getLong(offset + TARGET_OFFSET);
    }

    /**
     * @return where the payload starts in the buffer.
     */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * Writes a header.
     *
     * @param out        the buffer.
     * @param at         where the frame starts.
     * @param kind       {@link #COMMAND} or {@link #DISPATCH}.
     * @param sourceNode the sending node.
     * @param target     the shard or shard mask.
     */
    public static void putHeader(final MutableDirectBuffer out, final int at, final int kind, final int sourceNode,
        final long target)
    {
        out.putInt(at + KIND_OFFSET, kind);
        out.putInt(at + SOURCE_NODE_OFFSET, sourceNode);
        out.putLong(at + TARGET_OFFSET, target);
    }
}
