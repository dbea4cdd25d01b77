package dev.pinwheel.benchmarks.fanout;


import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.gateway.session.DispatchFrame;
import dev.pinwheel.core.fanout.SessionEndpoint;

/**
 * A gateway session whose socket is replaced by a sink. Per event it does what {@code GatewaySession} and
 * {@code GatewayConnection.writeDispatch} do on the uncompressed path:
 * <pre>
 *   dispatch(d):  intent check ─▶ seq++ ─▶ resume ring[seq &amp; mask] = d
 *                 ─▶ buffer = alloc.buffer(len) ◀─ {"t":"  TYPE  ","s":  SEQ  ,"op":0,"d":  DATA  }
 *                 ─▶ queued (the real session hands it to ctx.write)
 *   flush():      every queued buffer counted and released (the real session: ctx.flush → socket)
 * </pre>
 * What it leaves out is Netty's own share: the {@code TextWebSocketFrame} wrapper, the outbound buffer entry,
 * the WebSocket frame header and the write system call.
 * <p>
 * Confined to the thread of the {@code SessionIndex} it is subscribed in.
 */
public final class SinkSession extends SessionEndpoint
{

    /** Called on the session's thread after each flush (the cross-thread benchmark counts completions). */
    @FunctionalInterface
    public interface FlushListener
    {
        /**
         * @param session the session that flushed.
         */
        void onFlush(SinkSession session);
    }

    private final long userId;
    private final int intents;
    private final boolean seesContent;
    private final ByteBufAllocator alloc;
    private final Dispatch[] resume;
    private final int mask;
    private final FrameSink sink = new FrameSink();
    private final FlushListener listener;
    private final boolean writeThrough;
    private long seq;

    /**
     * @param userId          the session's user.
     * @param intents         gateway intents bits.
     * @param seesContent     whether it holds MESSAGE_CONTENT.
     * @param alloc           buffer allocator (the gateway uses its channel's).
     * @param resumeCapacity  resume ring size, a power of two (gateway default 2048).
     * @param listener        told after each flush, or null.
     * @param writeThrough     release each frame as soon as it is framed (a socket written per event) instead of
     *                         holding it until {@link #flush()} (the gateway: ctx.write, then one flush per cycle).
     */
    public SinkSession(final long userId, final int intents, final boolean seesContent, final ByteBufAllocator alloc,
        final int resumeCapacity, final FlushListener listener, final boolean writeThrough)
    {
        if (Integer.bitCount(resumeCapacity) != 1)
        {
            throw new IllegalArgumentException("resume capacity must be a power of two: " + resumeCapacity);
        }
        this.userId = userId;
        this.intents = intents;
        this.seesContent = seesContent;
        this.alloc = alloc;
        this.resume = new Dispatch[resumeCapacity];
        this.mask = resumeCapacity - 1;
        this.listener = listener;
        this.writeThrough = writeThrough;
    }

    @Override
    public long userId()
    {
        return userId;
    }

    @Override
    public void dispatch(final Dispatch d)
    {
        final int need = d.intent();
        if (need != 0 && (intents & need) == 0)
        {
            return;
        }
        final long s = ++seq;
        resume[(int)(s & mask)] = d;
        enqueue(DispatchFrame.textFrame(alloc, d.typeAscii(), s, d.dataFor(userId, seesContent)));
    }

    void enqueue(final ByteBuf buf)
    {
        if (writeThrough)
        {
            sink.writeThrough(buf);
        }
        else
        {
            sink.add(buf);
        }
    }

    @Override
    public void flush()
    {
        sink.drain();
        if (listener != null)
        {
            listener.onFlush(this);
        }
    }

    /**
     * @param i index among the frames queued since the last flush.
     * @return that frame (still owned by this session).
     */
    ByteBuf queuedFrame(final int i)
    {
        return sink.queued(i);
    }

    /**
     * @return the sequence number of the last event framed.
     */
    public long seq()
    {
        return seq;
    }

    /**
     * @return bytes framed and flushed so far.
     */
    public long bytesWritten()
    {
        return sink.bytesWritten();
    }

    /**
     * @param sequence a sequence number not older than the resume ring.
     * @return the event kept for it.
     */
    public Dispatch resumable(final long sequence)
    {
        return resume[(int)(sequence & mask)];
    }
}
