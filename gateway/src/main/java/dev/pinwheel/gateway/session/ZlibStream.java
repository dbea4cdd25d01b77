package dev.pinwheel.gateway.session;

import java.util.zip.Deflater;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Discord's {@code compress=zlib-stream} transport compression: to the client, one zlib stream for the whole
 * connection, every payload deflated with SYNC_FLUSH so it ends with {@code 00 00 ff ff}, inflated by one inflater
 * whose window (32 KiB) keeps everything sent before. One per connection, confined to its shard thread.
 * <p>
 * A connection does not own a zlib deflater: {@link java.util.zip.Deflater} always allocates the JDK's window
 * and memory level (≈ 256 KiB of native memory, issue 14), a hundred times an idle plain session. Instead each
 * thread has one raw deflater, and a stream keeps only the last {@link #HISTORY_PROP_NAME} bytes it sent (its
 * history, on the heap):
 * <pre>
 *   payload of stream S ─▶ thread's deflater last used by S?  yes ─▶ deflate, SYNC_FLUSH (the state is S's own)
 *                                                              no  ─▶ reset, dictionary = S's history, deflate
 *                          ─▶ first payload only: the 2-byte zlib header in front; history += payload (last N bytes)
 * </pre>
 * The client sees one valid stream: a sync flush ends on a byte boundary with no final block, so raw deflate blocks
 * made by another deflater may follow, and their back-references reach only into the history, which the client's
 * inflater holds (it keeps 32 KiB). The adler32 trailer is never sent: a zlib-stream never ends. Keeping less history
 * costs only compression (history 0 = every payload compressed alone); it can never break the stream.
 */
public final class ZlibStream
{
    /** System property: bytes of sent payload kept per zlib-stream connection as the next payload's dictionary. */
    public static final String HISTORY_PROP_NAME = "pinwheel.gateway.zlib-history-bytes";
    /** Default of {@link #HISTORY_PROP_NAME} (chosen with ZlibStreamBenchmark: see the README). */
    public static final int HISTORY_DEFAULT = 1024;
    /** The largest useful history: the window the header announces and every client's inflater keeps. */
    public static final int HISTORY_MAX = 32 * 1024;
    /** Compression level (zlib's default). */
    private static final int LEVEL = 6;
    /** CMF 0x78 (deflate, 32 KiB window), FLG 0x9c (default level, no preset dictionary; 0x789c % 31 == 0). */
    private static final byte CMF = 0x78;
    private static final byte FLG = (byte)0x9c;
    private static final int CONFIGURED_HISTORY = Math.clamp(Integer.getInteger(HISTORY_PROP_NAME, HISTORY_DEFAULT),
        0, HISTORY_MAX);
    private static final ThreadLocal<ThreadDeflater> DEFLATERS = ThreadLocal.withInitial(ThreadDeflater::new);

    /** A thread's raw deflater and the stream whose state it holds (null: none, reset before use). */
    private static final class ThreadDeflater
    {
        private final Deflater deflater = new Deflater(LEVEL, true);
        private ZlibStream owner;
    }

    private final int historyCapacity;
    /** The last {@link #historyLength} bytes of payload sent, oldest first; null until the first payload. */
    private byte[] history;
    private int historyLength;
    private boolean headerSent;
    /** The next payload answers the client's heartbeat (not activity: an idle session sends those alone). */
    private boolean acknowledging;
    /** A payload other than a heartbeat's acknowledgement was deflated since the client's last heartbeat. */
    private boolean activeSinceHeartbeat;

    /** A stream keeping {@link #HISTORY_PROP_NAME} bytes of history. */
    public ZlibStream()
    {
        this(CONFIGURED_HISTORY);
    }

    /**
     * @param historyBytes payload bytes kept as the next payload's dictionary, 0 to {@link #HISTORY_MAX}.
     */
    public ZlibStream(final int historyBytes)
    {
        if (historyBytes < 0 || historyBytes > HISTORY_MAX)
        {
            throw new IllegalArgumentException("history bytes " + historyBytes + " not in 0.." + HISTORY_MAX);
        }
        this.historyCapacity = historyBytes;
    }

    /**
     * Deflates one payload straight into a new buffer (grown until the deflater has flushed everything): the bytes
     * of one binary WebSocket message, ending with {@code 00 00 ff ff}. Call on the connection's thread.
     *
     * @param alloc where the buffer comes from.
     * @param src   the payload's bytes.
     * @param off   where they start.
     * @param len   how many.
     * @return the compressed bytes (the caller releases it).
     */
    public ByteBuf deflate(final ByteBufAllocator alloc, final byte[] src, final int off, final int len)
    {
        final ThreadDeflater t = DEFLATERS.get();
        final Deflater deflater = t.deflater;
        if (t.owner != this)
        {
            deflater.reset();
            if (historyLength > 0)
            {
                deflater.setDictionary(history, 0, historyLength);
            }
        }
        t.owner = null; // until this payload is flushed whole: a failure below leaves a state no stream may continue
        final ByteBuf out = alloc.buffer(Math.max(64, len / 2));
        try
        {
            if (!headerSent)
            {
                out.writeByte(CMF).writeByte(FLG);
            }
            deflater.setInput(src, off, len);
            while (true)
            {
                final int room = out.writableBytes();
                final int n = deflater.deflate(out.nioBuffer(out.writerIndex(), room), Deflater.SYNC_FLUSH);
                out.writerIndex(out.writerIndex() + n);
                if (n < room)
                {
                    break;
                }
                out.ensureWritable(Math.max(64, out.capacity()));
            }
        }
        catch (final RuntimeException | Error ex)
        {
            out.release();
            throw ex;
        }
        headerSent = true;
        if (acknowledging)
        {
            acknowledging = false;
        }
        else
        {
            activeSinceHeartbeat = true;
        }
        remember(src, off, len);
        t.owner = this;
        return out;
    }

    /**
     * @return payload bytes this stream keeps now (its heap cost beyond the object).
     */
    public int historyLength()
    {
        return historyLength;
    }

    private void remember(final byte[] src, final int off, final int len)
    {
        final int cap = historyCapacity;
        if (cap == 0)
        {
            return;
        }
        final int want = Math.min(cap, historyLength + len); // held after this payload
        if (history == null || history.length < want)
        {
            // sized to what is kept, not to the capacity: an idle session keeps its last acknowledgement only
            final byte[] grown = new byte[Math.min(cap, Math.max(64, want + (want >> 1)))];
            if (historyLength > 0)
            {
                System.arraycopy(history, 0, grown, 0, historyLength);
            }
            history = grown;
        }
        if (len >= cap)
        {
            System.arraycopy(src, off + len - cap, history, 0, cap);
            historyLength = cap;
            return;
        }
        final int keep = Math.min(historyLength, cap - len);
        if (keep < historyLength)
        {
            System.arraycopy(history, historyLength - keep, history, 0, keep);
        }
        System.arraycopy(src, off, history, keep, len);
        historyLength = keep + len;
    }

    /**
     * The client's heartbeat arrived; the next payload is its acknowledgement. A stream that sent nothing since the
     * heartbeat before but that one's acknowledgement is idle: its history goes (up to {@link #HISTORY_PROP_NAME}
     * bytes of heap per idle connection). That costs only ratio, never the stream: the thread's deflater continues it
     * if it still holds it, or starts with no dictionary.
     */
    public void heartbeat()
    {
        if (!activeSinceHeartbeat)
        {
            history = null;
            historyLength = 0;
        }
        activeSinceHeartbeat = false;
        acknowledging = true;
    }

    /**
     * @return bytes of heap the history array takes now (0 without one).
     */
    int historyBytesHeld()
    {
        return history == null ? 0 : history.length;
    }

    /** The connection is gone: its history is dropped (the thread's deflater is shared and stays). */
    public void close()
    {
        history = null;
        historyLength = 0;
    }
}
