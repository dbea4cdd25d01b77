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
     * A node asks the receiving node for its node-wide records (payload: an i32 of flags, then the asking node's HTTP
     * address in ASCII, both optional; target: a token of the asking node's start): each of the receiver's shards
     * sends every state record of its journal as {@link #STATE} frames, in journal order, ahead of its later live
     * ones.
     */
    public static final int CATCH_UP_REQUEST = 10;
    /**
     * A flag of a {@link #CATCH_UP_REQUEST}'s payload (an i32 of flags; none when absent): the asking node saw the
     * receiving node's link go down since it last asked (it asks because the link came back). When the receiving
     * node saw no such thing, it was cut off without noticing. A request for another reason (a start, a peer's
     * restart, a cut the asker was told of) does not carry it: the two nodes would otherwise take each other's
     * requests as signs of a cut, back and forth.
     */
    public static final int SEEN_DOWN = 1;
    /**
     * The longest HTTP address ({@code host:port}, ASCII) a {@link #CATCH_UP_REQUEST} carries after its flags: where
     * the asking node answers REST, the gateway and files (nodes forward file uploads and downloads to the node that
     * holds the files).
     */
    public static final int MAX_HTTP_ADDRESS_LENGTH = 255;
    /**
     * The answer of one shard of the sending node to a {@link #CATCH_UP_REQUEST} (target: the request's token), sent
     * after the shard told the asking node again which of its sessions follow that node's guilds and users: payload
     * the shard (i32) and how many shards the sending node has (i32).
     */
    public static final int FOLLOWING_AGAIN = 11;
    /** Length of a {@link #FOLLOWING_AGAIN} frame's payload. */
    public static final int FOLLOWING_AGAIN_LENGTH = 8;
    /**
     * One shard of the sending node sent every state record its journal held when the receiving node asked for them
     * ({@link #CATCH_UP_REQUEST}): behind the last of them (target: the shard). The receiving node has applied every
     * record of that shard's keys up to then — the memberships of the guilds it owns among them.
     */
    public static final int CATCH_UP_DONE = 12;

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
