package dev.pinwheel.benchmarks.fanout;

import io.netty.buffer.ByteBuf;

/**
 * The socket of a benchmark session, replaced by a sink: frames are queued as the real session hands them to
 * {@code ctx.write}, and counted and released on {@link #drain()} as {@code ctx.flush} would write them. A
 * few frames at most are held (a full queue drains early), so memory stays bounded for 30,000 sessions.
 * Confined to one thread.
 */
final class FrameSink
{
    private static final int MAX_QUEUED = 8;
    private final ByteBuf[] queued = new ByteBuf[MAX_QUEUED];
    private int queuedCount;
    private long bytesWritten;

    /**
     * @param frame a frame the session owns; the sink takes it over.
     */
    void add(final ByteBuf frame)
    {
        if (queuedCount == MAX_QUEUED)
        {
            drain();
        }
        queued[queuedCount++] = frame;
    }

    /**
     * Counts and releases a frame at once (a socket written per event).
     *
     * @param frame a frame the session owns.
     */
    void writeThrough(final ByteBuf frame)
    {
        bytesWritten += frame.readableBytes();
        frame.release();
    }

    /**
     * Counts bytes written straight from a scratch buffer (the corked path: nothing to release).
     *
     * @param bytes bytes written.
     */
    void written(final int bytes)
    {
        bytesWritten += bytes;
    }

    /** Counts and releases every queued frame. */
    void drain()
    {
        for (int i = 0; i < queuedCount; i++)
        {
            writeThrough(queued[i]);
            queued[i] = null;
        }
        queuedCount = 0;
    }

    /**
     * @param i index among the frames queued since the last drain.
     * @return that frame (still owned by the sink).
     */
    ByteBuf queued(final int i)
    {
        if (i >= queuedCount)
        {
            throw new IndexOutOfBoundsException(i + " of " + queuedCount);
        }
        return queued[i];
    }

    /**
     * @return bytes drained so far.
     */
    long bytesWritten()
    {
        return bytesWritten;
    }
}
