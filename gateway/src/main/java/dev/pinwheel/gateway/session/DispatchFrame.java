package dev.pinwheel.gateway.session;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * Frames one dispatch for one session by splicing the shared encoded {@code d} into
 * <pre>
 *   {"t":"TYPE","s":SEQ,"op":0,"d":D}
 * </pre>
 * — no JSON encoding per recipient, no String or char[] for the sequence number. Used by
 * {@link GatewayConnection} and by the fanout benchmarks, so they measure this exact code.
 */
public final class DispatchFrame
{
    private static final byte[] T_PREFIX = "{\"t\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S_PART = "\",\"s\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] D_PART = ",\"op\":0,\"d\":".getBytes(StandardCharsets.US_ASCII);
    private static final int FIXED = T_PREFIX.length + S_PART.length + D_PART.length + 1;

    private DispatchFrame()
    {
    }

    /**
     * @param type event name (ASCII).
     * @param seq  sequence number.
     * @param data encoded {@code d}.
     * @return length of the JSON payload.
     */
    public static int payloadLength(final byte[] type, final long seq, final byte[] data)
    {
        return FIXED + type.length + decimalLength(seq) + data.length;
    }

    /**
     * @param type event name (ASCII).
     * @param seq  sequence number.
     * @param data encoded {@code d}.
     * @return length of the whole WebSocket frame (header and payload).
     */
    public static int frameLength(final byte[] type, final long seq, final byte[] data)
    {
        final int payload = payloadLength(type, seq, data);
        return payload + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
    }

    /**
     * Writes a complete, unmasked WebSocket text frame (server to client) holding the payload, in one pooled
     * buffer, so that nothing but the recycled buffer is allocated per recipient.
     *
     * @param alloc allocator (the channel's).
     * @param type  event name (ASCII).
     * @param seq   sequence number.
     * @param data  encoded {@code d}.
     * @return the frame; the caller owns it.
     */
    public static ByteBuf textFrame(final ByteBufAllocator alloc, final byte[] type, final long seq, final byte[] data)
    {
        final ByteBuf buf = alloc.buffer(frameLength(type, seq, data));
        writeTextFrame(buf, type, seq, data);
        return buf;
    }

    /**
     * Appends a complete, unmasked WebSocket text frame (server to client) to a buffer: several frames for one
     * socket are written back to back into one buffer and leave in one write.
     *
     * @param buf  destination with {@link #frameLength} writable bytes.
     * @param type event name (ASCII).
     * @param seq  sequence number.
     * @param data encoded {@code d}.
     */
    public static void writeTextFrame(final ByteBuf buf, final byte[] type, final long seq, final byte[] data)
    {
        ServerFrames.writeHeader(buf, ServerFrames.TEXT, payloadLength(type, seq, data));
        buf.writeBytes(T_PREFIX).writeBytes(type).writeBytes(S_PART);
        writeDecimal(buf, seq);
        buf.writeBytes(D_PART).writeBytes(data).writeByte('}');
    }

    /**
     * @param ring        a session's resume ring.
     * @param mask        its index mask.
     * @param from        first sequence.
     * @param to          last sequence (inclusive).
     * @param userId      the session's user.
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     * @return bytes of the frames of those dispatches, back to back.
     */
    public static int framesLength(final Dispatch[] ring, final int mask, final long from, final long to,
        final long userId, final boolean seesContent)
    {
        return framesLength(ring, mask, from, to, from, userId, seesContent);
    }

    /**
     * @param ring        events, at {@code index & mask}.
     * @param mask        the ring's index mask.
     * @param from        first index.
     * @param to          last index (inclusive).
     * @param firstSeq    the sequence of the event at {@code from} (the next ones follow it).
     * @param userId      the session's user.
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     * @return bytes of the frames of those dispatches, back to back.
     */
    public static int framesLength(final Dispatch[] ring, final int mask, final long from, final long to,
        final long firstSeq, final long userId, final boolean seesContent)
    {
        int total = 0;
        for (long i = from, s = firstSeq; i <= to; i++, s++)
        {
            final Dispatch d = ring[(int)(i & mask)];
            total += frameLength(d.typeAscii(), s, d.dataFor(userId, seesContent));
        }
        return total;
    }

    /**
     * Appends the frames of a session's dispatches {@code from..to} back to back (one write for the socket).
     *
     * @param buf         destination with {@link #framesLength} writable bytes.
     * @param ring        the session's resume ring.
     * @param mask        its index mask.
     * @param from        first sequence.
     * @param to          last sequence (inclusive).
     * @param userId      the session's user.
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     */
    public static void writeFrames(final ByteBuf buf, final Dispatch[] ring, final int mask, final long from,
        final long to, final long userId, final boolean seesContent)
    {
        writeFrames(buf, ring, mask, from, to, from, userId, seesContent);
    }

    /**
     * Appends the frames of the events at indexes {@code from..to} of a ring, numbered from {@code firstSeq}.
     *
     * @param buf         destination with {@link #framesLength} writable bytes.
     * @param ring        events, at {@code index & mask}.
     * @param mask        the ring's index mask.
     * @param from        first index.
     * @param to          last index (inclusive).
     * @param firstSeq    the sequence of the event at {@code from}.
     * @param userId      the session's user.
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     */
    public static void writeFrames(final ByteBuf buf, final Dispatch[] ring, final int mask, final long from,
        final long to, final long firstSeq, final long userId, final boolean seesContent)
    {
        for (long i = from, s = firstSeq; i <= to; i++, s++)
        {
            final Dispatch d = ring[(int)(i & mask)];
            writeTextFrame(buf, d.typeAscii(), s, d.dataFor(userId, seesContent));
        }
    }

    /**
     * Writes the JSON payload into an array (for zlib-stream, which deflates it).
     *
     * @param dst  destination with at least {@link #payloadLength} bytes.
     * @param type event name.
     * @param seq  sequence number.
     * @param data encoded {@code d}.
     * @return bytes written.
     */
    public static int payload(final byte[] dst, final byte[] type, final long seq, final byte[] data)
    {
        int p = put(dst, 0, T_PREFIX);
        p = put(dst, p, type);
        p = put(dst, p, S_PART);
        final int digits = decimalLength(seq);
        long v = seq;
        for (int i = p + digits - 1; i >= p; i--)
        {
            dst[i] = (byte)('0' + (int)(v % 10));
            v /= 10;
        }
        p += digits;
        p = put(dst, p, D_PART);
        p = put(dst, p, data);
        dst[p++] = '}';
        return p;
    }

    static int decimalLength(final long value)
    {
        int n = 1;
        for (long v = value; v >= 10; v /= 10)
        {
            n++;
        }
        return n;
    }

    private static void writeDecimal(final ByteBuf buf, final long value)
    {
        long div = 1;
        while (value / div >= 10)
        {
            div *= 10;
        }
        for (long v = value; div > 0; div /= 10)
        {
            buf.writeByte('0' + (int)(v / div));
            v %= div;
        }
    }

    private static int put(final byte[] dst, final int at, final byte[] src)
    {
        System.arraycopy(src, 0, dst, at, src.length);
        return at + src.length;
    }
}
