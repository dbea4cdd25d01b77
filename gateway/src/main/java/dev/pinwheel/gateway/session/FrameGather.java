package dev.pinwheel.gateway.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

import org.agrona.AsciiEncoding;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * A shard's gathering writer for dispatch frames: the bytes every recipient of an event shares are copied once per
 * shard into an off-heap arena, and a session's write is an {@code iovec} list that points at them, with only the
 * bytes that differ per session written per session (issue 14: no per-recipient copy of the encoded body).
 * <pre>
 *   frame of seq N for one session:  0x81 LEN {"t":"TYPE","s":N     ,"op":0,"d":D}
 *                                    └───── heads (per session) ──┘ └─ arena (once per shard per event) ─┘
 *   iov:  [head 1][shared 1][head 2][shared 2]...   one writev(2) per socket per duty cycle
 * </pre>
 * The arena holds a piece for as long as the shard keeps writing that event; it is reused from its start when it
 * fills (a piece is only needed until the system call that reads it returns: writes are synchronous). The last
 * {@link #SLOTS} pieces are found by the identity of the event's bytes, so a cycle's events are copied once each:
 * there is a slot for every frame one gather can hold, since a cycle with more distinct events than slots would
 * evict each event's piece before the next session needs it and copy every body again for every session. Sessions
 * of one cycle mostly got the same events in the same order, so the slot after the last one used is tried first.
 * <p>
 * Confined to its shard thread; one gather is valid until the next call of {@link #gather}.
 */
public final class FrameGather
{
    /** Frames one gather holds at most (the cork limit; a longer batch is split by the caller). */
    public static final int MAX_FRAMES = GatewaySession.CORK_LIMIT;
    /** Pieces remembered (events whose shared bytes are in the arena): one per frame of a full gather. */
    static final int SLOTS = MAX_FRAMES;
    /** A piece larger than this is not gathered: the caller copies (a large GUILD_CREATE is written once). */
    static final int MAX_PIECE = 1 << 20;
    private static final int IOV_SIZE = 16;
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
    private static final int MAX_HEAD = 10 + 6 + 256 + 6 + 20;
    private static final byte[] T_PREFIX = "{\"t\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S_PART = "\",\"s\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] D_PART = ",\"op\":0,\"d\":".getBytes(StandardCharsets.US_ASCII);

    private final UnsafeBuffer iov = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * MAX_FRAMES * IOV_SIZE));
    /** Words of a frame's bytes before its sequence digits, at most (a whole head, rounded up). */
    private static final int TEMPLATE_WORDS = (MAX_HEAD + 7) / 8;
    /** The heads, plus room for the last word of a head's template written past its end (then overwritten). */
    private final UnsafeBuffer heads = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAMES * MAX_HEAD + 8));
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final byte[] chunk = new byte[4096];
    private UnsafeBuffer arena;
    /** Native addresses of {@link #heads}, {@link #iov} and {@link #arena} (the last one changes when it grows). */
    private final long headsAddress = heads.addressOffset();
    private final long iovAddress = iov.addressOffset();
    private long arenaAddress;
    private int arenaUsed;
    private final byte[][] keyData = new byte[SLOTS][];
    private final byte[][] keyType = new byte[SLOTS][];
    private final int[] headOffset = new int[SLOTS];
    private final int[] sharedOffset = new int[SLOTS];
    private final int[] sharedLength = new int[SLOTS];
    /**
     * Per slot, its frames' bytes before the sequence digits ({@code 0x81}, the payload length,
     * {@code {"t":"TYPE","s":}) for sequences of {@link #templateDigits} digits, as native-order words: a session's
     * head is a few word stores and its digits. Rebuilt when the digit count changes (0: none yet).
     */
    private final long[] templates = new long[SLOTS * TEMPLATE_WORDS];
    private final int[] templateLength = new int[SLOTS];
    private final int[] templateDigits = new int[SLOTS];
    private final byte[] templateBytes = new byte[TEMPLATE_WORDS * 8];
    /** {@link #templateBytes} as a frame is written ({@link ServerFrames#writeHeader}) and as words are read. */
    private final ByteBuf templateWriter = io.netty.buffer.Unpooled.wrappedBuffer(templateBytes);
    private final UnsafeBuffer templateWords = new UnsafeBuffer(templateBytes);
    private int nextSlot;
    private int lastSlot = -1;
    private int count;
    private int total;

    /** A gather with a 256 KiB arena (grown up to what one batch needs). */
    public FrameGather()
    {
        this(256 * 1024);
    }

    /**
     * @param arenaBytes initial arena size.
     */
    public FrameGather(final int arenaBytes)
    {
        arena = new UnsafeBuffer(ByteBuffer.allocateDirect(arenaBytes));
        arenaAddress = arena.addressOffset();
    }

    /**
     * Gathers the frames of a session's dispatches {@code from..to}: the same bytes
     * {@link DispatchFrame#writeFrames} would write, as an {@code iovec} list ({@link #iovAddress}, {@link #iovCount}).
     *
     * @param ring        the session's resume ring.
     * @param mask        its index mask.
     * @param from        first sequence.
     * @param to          last sequence (inclusive), at most {@link #MAX_FRAMES} after {@code from}.
     * @param userId      the session's user.
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     * @return bytes gathered, or -1 when these frames are not gathered (too many, or a body above
     *         {@link #MAX_PIECE}): the caller copies them instead.
     */
    public int gather(final Dispatch[] ring, final int mask, final long from, final long to, final long userId,
        final boolean seesContent)
    {
        return gather(ring, mask, from, to, from, userId, seesContent);
    }

    /**
     * Gathers the frames of the events at indexes {@code from..to} of a ring, numbered from {@code firstSeq} (a
     * stretch of a guild's log, read in place).
     *
     * @param ring        events, at {@code index & mask}.
     * @param mask        its index mask.
     * @param from        first index.
     * @param to          last index (inclusive), at most {@link #MAX_FRAMES} after {@code from}.
     * @param firstSeq    the sequence of the event at {@code from}.
     * @param userId      the session's user.
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     * @return bytes gathered, or -1 when these frames are not gathered: the caller copies them instead.
     */
    public int gather(final Dispatch[] ring, final int mask, final long from, final long to, final long firstSeq,
        final long userId, final boolean seesContent)
    {
        final long seqDelta = firstSeq - from;
        if (to - from >= MAX_FRAMES)
        {
            return -1;
        }
        for (int attempt = 0; attempt < 2; attempt++)
        {
            count = 0;
            total = 0;
            int headsUsed = 0;
            long s = from;
            for (; s <= to; s++)
            {
                final Dispatch d = ring[(int)(s & mask)];
                final byte[] data = d.dataFor(userId, seesContent);
                final byte[] type = d.typeAscii();
                int slot = lastSlot;
                if (slot < 0 || keyData[slot] != data || keyType[slot] != type)
                {
                    slot = find(data, type, slot);
                    if (slot < 0)
                    {
                        slot = copy(data, type);
                        if (slot < 0)
                        {
                            break; // arena full: start it over (once) or give up
                        }
                    }
                    lastSlot = slot;
                }
                headsUsed = frame(slot, s + seqDelta, headsUsed);
            }
            if (s > to)
            {
                return total;
            }
            if (!reset(ring, mask, from, to, userId, seesContent))
            {
                return -1;
            }
        }
        return -1;
    }

    /**
     * Writes one frame's per-session head and its two iov entries. Raw stores, without a bounds check each: the heads
     * buffer holds {@link #MAX_FRAMES} heads of at most {@link #MAX_HEAD} bytes plus a word, the iov array
     * {@link #MAX_FRAMES} pairs, and {@link #gather} never makes more frames than that.
     */
    private int frame(final int slot, final long seq, final int at)
    {
        final int digits = AsciiEncoding.digitCount(seq);
        if (templateDigits[slot] != digits)
        {
            template(slot, digits);
        }
        final int length = templateLength[slot];
        final long address = headsAddress + at;
        final int base = slot * TEMPLATE_WORDS;
        if (length <= 32)
        {
            // the usual head (MESSAGE_CREATE's is 30 bytes): four word stores, the last one's tail overwritten next
            UnsafeApi.putLong(address, templates[base]);
            UnsafeApi.putLong(address + 8, templates[base + 1]);
            UnsafeApi.putLong(address + 16, templates[base + 2]);
            UnsafeApi.putLong(address + 24, templates[base + 3]);
        }
        else
        {
            for (int w = 0, words = (length + 7) >>> 3; w < words; w++)
            {
                UnsafeApi.putLong(address + (w << 3), templates[base + w]);
            }
        }
        int p = at + length;
        if (digits <= 8)
        {
            final long word = digitWord(seq, digits);
            // the word's tail, past the digits, is overwritten by the next head or lies outside the iov
            UnsafeApi.putLong(headsAddress + p, LITTLE_ENDIAN ? word : Long.reverseBytes(word));
            p += digits;
        }
        else
        {
            p += heads.putNaturalLongAscii(p, seq);
        }
        final long e = iovAddress + (long)count * IOV_SIZE;
        final int shared = sharedLength[slot];
        UnsafeApi.putLong(e, address);
        UnsafeApi.putLong(e + 8, p - at);
        UnsafeApi.putLong(e + IOV_SIZE, arenaAddress + sharedOffset[slot]);
        UnsafeApi.putLong(e + IOV_SIZE + 8, shared);
        count += 2;
        total += p - at + shared;
        return p;
    }

    /**
     * The ASCII digits of a number below 10^8, all eight converted at once in the lanes of one word, with no loop:
     * split into two halves of four digits (32-bit lanes; one division by 10,000, which the JIT makes a multiply), each
     * into two pairs (16-bit lanes), each pair into two digits (bytes), with multiply-and-shift in place of division by
     * 100 and by 10 in every lane at once (exact for these ranges: 10,486 / 2^20 for x below 10,000, 103 / 2^10 for x
     * below 100); then the leading zeros shifted out.
     *
     * @return the digits as the bytes of a word in little-endian order, the first digit lowest.
     */
    static long digitWord(final long value, final int digits)
    {
        final long hi = value / 10_000;
        final long halves = hi | (value - hi * 10_000) << 32;
        final long pairsHigh = (halves * 10_486 >>> 20) & 0x0000_007F_0000_007FL;
        final long pairs = pairsHigh | (halves - 100 * pairsHigh) << 16;
        final long tens = (pairs * 103 >>> 10) & 0x000F_000F_000F_000FL;
        final long ascii = (tens | (pairs - 10 * tens) << 8) + 0x3030_3030_3030_3030L;
        return ascii >>> ((8 - digits) << 3);
    }

    /** Builds a slot's head template for sequences of {@code digits} digits. */
    private void template(final int slot, final int digits)
    {
        final int headLen = sharedOffset[slot] - headOffset[slot];
        final int payload = headLen + digits + sharedLength[slot];
        final ByteBuf t = templateWriter.clear();
        ServerFrames.writeHeader(t, ServerFrames.TEXT, payload);
        int p = t.writerIndex();
        arena.getBytes(headOffset[slot], templateBytes, p, headLen);
        p += headLen;
        final int base = slot * TEMPLATE_WORDS;
        for (int w = 0, words = (p + 7) >>> 3; w < words; w++)
        {
            templates[base + w] = templateWords.getLong(w << 3);
        }
        templateLength[slot] = p;
        templateDigits[slot] = digits;
    }

    /** @return the slot holding the piece of these bytes, or -1; the one after {@code last} is tried first. */
    private int find(final byte[] data, final byte[] type, final int last)
    {
        final int next = last + 1 == SLOTS ? 0 : last + 1;
        if (keyData[next] == data && keyType[next] == type)
        {
            return next;
        }
        for (int i = 0; i < SLOTS; i++)
        {
            if (keyData[i] == data && keyType[i] == type)
            {
                return i;
            }
        }
        return -1;
    }

    /** Copies an event's shared bytes into the arena: {@code {"t":"TYPE","s":} then {@code ,"op":0,"d":D}}. */
    private int copy(final byte[] data, final byte[] type)
    {
        final int headLen = T_PREFIX.length + type.length + S_PART.length;
        final int need = headLen + D_PART.length + data.length + 1;
        if (type.length > 256 || need > arena.capacity() - arenaUsed)
        {
            return -1;
        }
        final int slot = nextSlot;
        nextSlot = (nextSlot + 1) % SLOTS;
        int p = arenaUsed;
        headOffset[slot] = p;
        arena.putBytes(p, T_PREFIX);
        p += T_PREFIX.length;
        arena.putBytes(p, type);
        p += type.length;
        arena.putBytes(p, S_PART);
        p += S_PART.length;
        sharedOffset[slot] = p;
        arena.putBytes(p, D_PART);
        p += D_PART.length;
        arena.putBytes(p, data);
        p += data.length;
        arena.putByte(p++, (byte)'}');
        sharedLength[slot] = p - sharedOffset[slot];
        keyData[slot] = data;
        keyType[slot] = type;
        templateDigits[slot] = 0;
        arenaUsed = p;
        return slot;
    }

    /**
     * Empties the arena (every earlier gather is done: its system call returned), grown when this batch alone does
     * not fit.
     *
     * @return false when the batch holds a piece above {@link #MAX_PIECE} or a type name above 256 bytes.
     */
    private boolean reset(final Dispatch[] ring, final int mask, final long from, final long to, final long userId,
        final boolean seesContent)
    {
        long need = 0;
        for (long s = from; s <= to; s++)
        {
            final Dispatch d = ring[(int)(s & mask)];
            final int piece = T_PREFIX.length + d.typeAscii().length + S_PART.length + D_PART.length
                + d.dataFor(userId, seesContent).length + 1;
            if (piece > MAX_PIECE || d.typeAscii().length > 256)
            {
                return false;
            }
            need += piece;
        }
        java.util.Arrays.fill(keyData, null);
        java.util.Arrays.fill(keyType, null);
        lastSlot = -1;
        arenaUsed = 0;
        if (need > arena.capacity())
        {
            arena = new UnsafeBuffer(ByteBuffer.allocateDirect(Integer.highestOneBit((int)need) << 1));
            arenaAddress = arena.addressOffset();
        }
        return true;
    }

    /**
     * @return the native address of the {@code iovec} array of the last gather (for {@code writev}).
     */
    public long iovAddress()
    {
        return iovAddress;
    }

    /**
     * @return entries in it.
     */
    public int iovCount()
    {
        return count;
    }

    /**
     * @return arena bytes in use (events copied since it last started over).
     */
    int arenaUsed()
    {
        return arenaUsed;
    }

    /**
     * @return bytes the last gather holds.
     */
    public int size()
    {
        return total;
    }

    /**
     * Copies the bytes of the last gather from {@code skip} on (what a partial write left, or a test's check).
     *
     * @param dst  destination with {@code size() - skip} writable bytes.
     * @param skip bytes to leave out at the start.
     */
    public void copyTo(final ByteBuf dst, final int skip)
    {
        int left = skip;
        for (int i = 0; i < count; i++)
        {
            final long address = iov.getLong(i * IOV_SIZE);
            final int len = (int)iov.getLong(i * IOV_SIZE + 8);
            if (left >= len)
            {
                left -= len;
                continue;
            }
            view.wrap(address + left, len - left);
            for (int k = 0; k < len - left; k += chunk.length)
            {
                final int n = Math.min(chunk.length, len - left - k);
                view.getBytes(k, chunk, 0, n);
                dst.writeBytes(chunk, 0, n);
            }
            left = 0;
        }
    }
}
