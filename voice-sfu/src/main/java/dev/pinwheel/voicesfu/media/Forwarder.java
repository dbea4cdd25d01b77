package dev.pinwheel.voicesfu.media;

import java.net.InetSocketAddress;

import dev.pinwheel.voicesfu.crypto.AeadMode;
import dev.pinwheel.voicesfu.protocol.RtpHeaderFlyweight;

/**
 * The forward path of one media loop: classify a datagram, authenticate and decrypt it once with the
 * sender's key, re-encrypt it for each receiver with the receiver's key and nonce, hand it to a sink.
 * <pre>
 *  datagram ─▶ size/shape ─▶ SSRC table ─▶ source == member's address ─▶ replay window ─▶ open(sender key)
 *           ─▶ sender muted / not speaking? ─▶ for each other member of the room (not deafened, ready):
 *              seal(receiver key, receiver nonce) ─▶ sink
 * </pre>
 * Every rejection is a {@link MediaCounter}; nothing here throws on input. Buffers are reused:
 * NOT thread-safe, one instance per media loop.
 */
public final class Forwarder
{
    /** Largest datagram accepted (Opus max frame 1275 bytes + header + tag + nonce fits). */
    public static final int MAX_DATAGRAM = 1500;
    private static final int MIN_RTP = RtpHeaderFlyweight.FIXED_LENGTH + AeadMode.TAG_LENGTH + AeadMode.NONCE_LENGTH;

    private final int loop;
    private final int loops;
    private final SsrcTable ssrcs;
    private final MediaCounters counters;
    private final byte[] plain = new byte[MAX_DATAGRAM];
    private final byte[] tx = new byte[MAX_DATAGRAM + 64];

    /**
     * @param loop     this loop's index.
     * @param loops    number of loops (nonce stride).
     * @param ssrcs    SSRC table.
     * @param counters counters.
     */
    public Forwarder(final int loop, final int loops, final SsrcTable ssrcs, final MediaCounters counters)
    {
        this.loop = loop;
        this.loops = loops;
        this.ssrcs = ssrcs;
        this.counters = counters;
    }

    /**
     * Handles an RTP datagram.
     *
     * @param buf  datagram bytes, from offset 0.
     * @param len  length.
     * @param from source address (compared, not kept).
     * @param sink output.
     * @return number of receivers it was forwarded to, or -1 if dropped.
     */
    public int onRtp(final byte[] buf, final int len, final InetSocketAddress from, final PacketSink sink)
    {
        final int hdr = RtpHeaderFlyweight.aadLength(buf, 0, len);
        if (hdr < 0 || len < hdr + AeadMode.TAG_LENGTH + AeadMode.NONCE_LENGTH || len < MIN_RTP)
        {
            return drop(MediaCounter.DROPPED_TRUNCATED);
        }
        final VoiceMember sender = ssrcs.get(RtpHeaderFlyweight.ssrc(buf, 0));
        if (sender == null)
        {
            return drop(MediaCounter.DROPPED_UNKNOWN_SSRC);
        }
        final InetSocketAddress addr = sender.address;
        if (addr == null || !addr.equals(from))
        {
            return drop(addr == null ? MediaCounter.DROPPED_NOT_READY : MediaCounter.DROPPED_WRONG_SOURCE);
        }
        final VoiceMember.Keys keys = sender.keys;
        if (keys == null)
        {
            return drop(MediaCounter.DROPPED_NOT_READY);
        }
        final long nonce = be32(buf, len - AeadMode.NONCE_LENGTH) & 0xFFFFFFFFL;
        if (!sender.fresh(nonce))
        {
            return drop(MediaCounter.DROPPED_REPLAY);
        }
        final int plainLen = keys.open[loop].open(buf, 0, hdr, len, plain, 0);
        if (plainLen < 0)
        {
            return drop(MediaCounter.DROPPED_AUTH_FAILED);
        }
        sender.accept(nonce);
        if (sender.muted())
        {
            return drop(MediaCounter.DROPPED_MUTED);
        }
        if (sender.speaking == 0)
        {
            return drop(MediaCounter.DROPPED_NOT_SPEAKING);
        }
        final Room room = sender.room;
        final VoiceMember[] members = room == null ? null : room.members();
        if (members == null)
        {
            return 0;
        }
        int sent = 0;
        for (final VoiceMember r : members)
        {
            if (r == sender)
            {
                continue;
            }
            if (r.deafened())
            {
                counters.increment(loop, MediaCounter.SKIPPED_DEAFENED);
                continue;
            }
            final VoiceMember.Keys rk = r.keys;
            if (rk == null || r.address == null)
            {
                counters.increment(loop, MediaCounter.SKIPPED_NOT_READY);
                continue;
            }
            final int n = rk.seal[loop].seal(buf, 0, hdr, plain, 0, plainLen, r.nextNonce(rk, loop, loops), tx, 0);
            if (n < 0)
            {
                counters.increment(loop, MediaCounter.SEAL_FAILED);
                continue;
            }
            if (sink.send(tx, n, r))
            {
                counters.increment(loop, MediaCounter.FORWARDED);
                sent++;
            }
            else
            {
                counters.increment(loop, MediaCounter.SEND_FAILED);
            }
        }
        return sent;
    }

    private int drop(final MediaCounter reason)
    {
        counters.increment(loop, reason);
        return -1;
    }

    private static int be32(final byte[] b, final int o)
    {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }
}
