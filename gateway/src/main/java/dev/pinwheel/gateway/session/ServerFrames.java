package dev.pinwheel.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Server-to-client WebSocket frames (RFC 6455 §5.2, unmasked, never fragmented) written straight into one buffer, so
 * that an established gateway connection needs no frame encoder in its pipeline: every write of
 * {@link GatewayConnection} is a {@link ByteBuf} holding whole frames, like the corked dispatches of
 * {@link DispatchFrame}.
 * <pre>
 *   byte 0        FIN (0x80) | opcode (text 0x1, binary 0x2, close 0x8, pong 0xA)
 *   byte 1        payload length &lt; 126, or 126 then 2 bytes, or 127 then 8 bytes (network order)
 *   then          the payload
 * </pre>
 */
final class ServerFrames
{
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PONG = 0xA;

    /** A control frame's payload is at most 125 bytes: the close code and 123 bytes of reason. */
    private static final int MAX_CLOSE_REASON = 123;

    private ServerFrames()
    {
    }

    /**
     * @param payload payload bytes.
     * @return header bytes of a frame with that payload.
     */
    static int headerLength(final int payload)
    {
        return payload < 126 ? 2 : payload < 65536 ? 4 : 10;
    }

    /**
     * @param alloc  allocator (the channel's).
     * @param opcode the frame's opcode.
     * @param src    payload bytes.
     * @param off    payload offset.
     * @param len    payload length.
     * @return the frame; the caller owns it.
     */
    static ByteBuf frame(final ByteBufAllocator alloc, final int opcode, final byte[] src, final int off,
        final int len)
    {
        final ByteBuf buf = alloc.buffer(headerLength(len) + len);
        writeHeader(buf, opcode, len);
        return buf.writeBytes(src, off, len);
    }

    /**
     * @param alloc   allocator (the channel's).
     * @param opcode  the frame's opcode.
     * @param payload the payload, released here.
     * @return the frame; the caller owns it.
     */
    static ByteBuf frame(final ByteBufAllocator alloc, final int opcode, final ByteBuf payload)
    {
        try
        {
            final int len = payload.readableBytes();
            final ByteBuf buf = alloc.buffer(headerLength(len) + len);
            writeHeader(buf, opcode, len);
            return buf.writeBytes(payload, payload.readerIndex(), len);
        }
        finally
        {
            payload.release();
        }
    }

    /**
     * @param alloc  allocator (the channel's).
     * @param code   the close code.
     * @param reason its reason (cut to what a control frame holds).
     * @return the close frame; the caller owns it.
     */
    static ByteBuf close(final ByteBufAllocator alloc, final int code, final String reason)
    {
        final byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, MAX_CLOSE_REASON);
        while (len < text.length && len > 0 && (text[len] & 0xC0) == 0x80)
        {
            len--; // never cut a character in two
        }
        final ByteBuf buf = alloc.buffer(2 + 2 + len);
        writeHeader(buf, CLOSE, 2 + len);
        return buf.writeShort(code).writeBytes(text, 0, len);
    }

    /**
     * Writes a final frame's header: {@code FIN | opcode}, then the payload length in the shortest form.
     *
     * @param buf    destination.
     * @param opcode the frame's opcode ({@link #TEXT}, {@link #BINARY}, {@link #CLOSE}…).
     * @param len    the payload's length.
     */
    static void writeHeader(final ByteBuf buf, final int opcode, final int len)
    {
        buf.writeByte(0x80 | opcode);
        if (len < 126)
        {
            buf.writeByte(len);
        }
        else if (len < 65536)
        {
            buf.writeByte(126).writeShort(len);
        }
        else
        {
            buf.writeByte(127).writeLong(len);
        }
    }
}
