package dev.pinwheel.gateway.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

import org.agrona.AsciiEncoding;
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
    private static final int MAX_HEAD = 10 + 6 + 256 + 6 + 20;
    private static final byte[] T_PREFIX = "{\"t\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S_PART = "\",\"s\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] D_PART = ",\"op\":0,\"d\":".getBytes(StandardCharsets.US_ASCII);

    private final UnsafeBuffer iov = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * MAX_FRAMES * IOV_SIZE));
    private final UnsafeBuffer heads = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAMES * MAX_HEAD));
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final byte[] chunk = new byte[4096];
    private UnsafeBuffer arena;
    private int arenaUsed;
    private final byte[][] keyData = new byte[SLOTS][];
    private final byte[][] keyType = new byte[SLOTS][];
    private final int[] headOffset = new int[SLOTS];
    private final int[] sharedOffset = new int[SLOTS];
    private final int[] sharedLength = new int[SLOTS];
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
                headsUsed = frame(slot, s, headsUsed);
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

    /** Writes one frame's per-session head and its two iov entries. */
    private int frame(final int slot, final long seq, final int at)
    {
        final int headLen = sharedOffset[slot] - headOffset[slot];
        final int digits = AsciiEncoding.digitCount(seq);
        final int payload = headLen + digits + sharedLength[slot];
        int p = at;
        heads.putByte(p++, (byte)0x81);
        if (payload < 126)
        {
            heads.putByte(p++, (byte)payload);
        }
        else if (payload < 65536)
        {
            heads.putByte(p++, (byte)126);
            heads.putByte(p++, (byte)(payload >>> 8));
            heads.putByte(p++, (byte)payload);
        }
        else
        {
            heads.putByte(p++, (byte)127);
            heads.putLong(p, payload, java.nio.ByteOrder.BIG_ENDIAN);
            p += 8;
        }
        heads.putBytes(p, arena, headOffset[slot], headLen);
        p += headLen;
        p += heads.putNaturalLongAscii(p, seq);
        final int e = count * IOV_SIZE;
        iov.putLong(e, heads.addressOffset() + at);
        iov.putLong(e + 8, p - at);
        iov.putLong(e + IOV_SIZE, arena.addressOffset() + sharedOffset[slot]);
        iov.putLong(e + IOV_SIZE + 8, sharedLength[slot]);
        count += 2;
        total += p - at + sharedLength[slot];
        return p;
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
        }
        return true;
    }

    /**
     * @return the native address of the {@code iovec} array of the last gather (for {@code writev}).
     */
    public long iovAddress()
    {
        return iov.addressOffset();
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
