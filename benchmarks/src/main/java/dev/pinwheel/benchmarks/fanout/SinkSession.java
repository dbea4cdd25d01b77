package dev.pinwheel.benchmarks.fanout;


import java.io.IOException;
import java.io.UncheckedIOException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.unix.FileDescriptor;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.gateway.session.DispatchFrame;
import dev.pinwheel.gateway.session.FrameGather;
import dev.pinwheel.gateway.session.GatewaySession;

/**
 * A gateway session whose socket is replaced by a sink. Per event it does what {@code GatewaySession} and
 * {@code GatewayConnection} do on the uncompressed path, in one of three ways:
 * <pre>
 *   GATHERED (the gateway): dispatch(d): intent check ─▶ seq++ ─▶ resume ring[seq &amp; mask] = d   (nothing else)
 *                          flush():     per frame of ring[unwritten..seq] its head (0x81 LEN {"t":T,"s":N) into
 *                                       the shard's heads buffer, two iovec entries (head, the shard's one copy of
 *                                       the event's shared bytes) ─▶ counted (the gateway: one writev(2))
 *   CORKED (before 14):    the same, but the frames are copied whole into the shard's scratch buffer (write(2))
 *   POOLED (before):       dispatch(d): ... ─▶ buffer = alloc.buffer(len) ◀─ {"t":..,"s":SEQ,"op":0,"d":DATA}
 *                                       ─▶ queued (ctx.write);  flush(): every queued buffer counted and released
 *   WRITE_THROUGH:         POOLED, each frame released as soon as it is built (a socket written per event)
 * </pre>
 * What it leaves out is the write system call (and, for POOLED, Netty's outbound-buffer entry and pipeline trip).
 * <p>
 * Confined to the thread of the {@code SessionIndex} it is subscribed in.
 */
public final class SinkSession extends SessionEndpoint
{
    /** How frames are built and handed to the sink. */
    public enum Mode
    {
        /**
         * The gateway's path: corked in the resume ring; at the flush one iovec list of the per-session heads and the
         * shard's one copy of the event's shared bytes ({@link FrameGather}; the gateway then calls writev).
         */
        GATHERED,
        /** The gateway's path until issue 14's gather: corked, framed by copying into a shared scratch buffer. */
        CORKED,
        /** The gateway's path before corking: one pooled buffer per frame, held until the flush. */
        POOLED,
        /** One pooled buffer per frame, released at once. */
        WRITE_THROUGH
    }

    /** Called on the session's thread after each flush (the cross-thread benchmark counts completions). */
    @FunctionalInterface
    public interface FlushListener
    {
        /**
         * @param session the session that flushed.
         */
        void onFlush(SinkSession session);
    }

    /** The shard's scratch buffer of the CORKED path and gather of the GATHERED path (sessions of one shard share it). */
    public static final class Scratch
    {
        private ByteBuf buf;
        final FrameGather gather = new FrameGather();
        /** Where writes go with a real system call (e.g. {@code /dev/null}), or null: only counted. */
        private final FileDescriptor out;

        /** A scratch whose writes are counted, not made. */
        public Scratch()
        {
            this(null);
        }

        /**
         * @param out where each session's write goes with a real write(2) / writev(2), or null: only counted.
         */
        public Scratch(final FileDescriptor out)
        {
            this.out = out;
        }

        ByteBuf take(final ByteBufAllocator alloc, final int capacity)
        {
            if (buf == null || buf.capacity() < capacity)
            {
                if (buf != null)
                {
                    buf.release();
                }
                buf = alloc.directBuffer(Math.max(64 * 1024, Integer.highestOneBit(capacity) << 1));
            }
            return buf.clear();
        }
    }

    private final long userId;
    private final int intents;
    private final boolean seesContent;
    private final ByteBufAllocator alloc;
    private final Dispatch[] resume;
    private final int mask;
    private final FrameSink sink = new FrameSink();
    private final FlushListener listener;
    private final Mode mode;
    private final Scratch scratch;
    private long seq;
    private long unwritten = 1;
    private ByteBuf lastCorked;
    private FrameGather lastGather;

    /**
     * @param userId          the session's user.
     * @param intents         gateway intents bits.
     * @param seesContent     whether it holds MESSAGE_CONTENT.
     * @param alloc           buffer allocator (the gateway uses its channel's).
     * @param resumeCapacity  resume ring size, a power of two (gateway default 2048).
     * @param listener        told after each flush, or null.
     * @param mode            how frames are built.
     * @param scratch         the shard's scratch buffer (CORKED; shared by the sessions of one thread).
     */
    public SinkSession(final long userId, final int intents, final boolean seesContent, final ByteBufAllocator alloc,
        final int resumeCapacity, final FlushListener listener, final Mode mode, final Scratch scratch)
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
        this.mode = mode;
        this.scratch = scratch;
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
        switch (mode)
        {
            case CORKED ->
            {
                if (s - unwritten + 1 >= Math.min(GatewaySession.CORK_LIMIT, resume.length))
                {
                    writeCorked();
                }
            }
            case GATHERED ->
            {
                if (s - unwritten + 1 >= Math.min(GatewaySession.CORK_LIMIT, resume.length))
                {
                    writeGathered();
                }
            }
            case POOLED -> sink.add(DispatchFrame.textFrame(alloc, d.typeAscii(), s, d.dataFor(userId, seesContent)));
            case WRITE_THROUGH ->
                sink.writeThrough(DispatchFrame.textFrame(alloc, d.typeAscii(), s, d.dataFor(userId, seesContent)));
        }
    }

    private void writeCorked()
    {
        if (unwritten <= seq)
        {
            final int total = DispatchFrame.framesLength(resume, mask, unwritten, seq, userId, seesContent);
            final ByteBuf buf = scratch.take(alloc, total);
            DispatchFrame.writeFrames(buf, resume, mask, unwritten, seq, userId, seesContent);
            if (scratch.out != null)
            {
                sink.written(write(scratch.out, buf));
            }
            else
            {
                sink.written(buf.readableBytes());
            }
            lastCorked = buf;
            unwritten = seq + 1;
        }
    }

    /** What {@code GatewayConnection.writeGathered} does up to its writev: the iovec list of the frames. */
    private void writeGathered()
    {
        if (unwritten <= seq)
        {
            final int total = scratch.gather.gather(resume, mask, unwritten, seq, userId, seesContent);
            if (total < 0)
            {
                writeCorked(); // a body too large to gather: copied, as the gateway does
                return;
            }
            if (scratch.out != null)
            {
                sink.written((int)writev(scratch.out, scratch.gather));
            }
            else
            {
                sink.written(total);
            }
            lastGather = scratch.gather;
            unwritten = seq + 1;
        }
    }

    private static long writev(final FileDescriptor out, final FrameGather gather)
    {
        try
        {
            return out.writevAddresses(gather.iovAddress(), gather.iovCount());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static int write(final FileDescriptor out, final ByteBuf buf)
    {
        try
        {
            return out.write(buf.internalNioBuffer(0, buf.readableBytes()), 0, buf.readableBytes());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void flush()
    {
        if (mode == Mode.GATHERED)
        {
            writeGathered();
        }
        else if (mode == Mode.CORKED)
        {
            writeCorked();
        }
        else
        {
            sink.drain();
        }
        if (listener != null)
        {
            listener.onFlush(this);
        }
    }

    /**
     * @param i index among the frames queued since the last flush (POOLED).
     * @return that frame (still owned by this session).
     */
    ByteBuf queuedFrame(final int i)
    {
        return sink.queued(i);
    }

    /**
     * @return the bytes of the last corked write (CORKED; valid until the shard's next write).
     */
    ByteBuf lastCorkedWrite()
    {
        return lastCorked;
    }

    /**
     * @return the gather of the last write (GATHERED; valid until the shard's next write).
     */
    FrameGather lastGather()
    {
        return lastGather;
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
