package dev.pinwheel.gateway.session;

import java.util.zip.Deflater;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Discord's {@code compress=zlib-stream} transport compression: one zlib context for the whole
 * connection, every payload deflated with SYNC_FLUSH so it ends with {@code 00 00 ff ff}. One per
 * connection, confined to its shard thread.
 */
final class ZlibStream
{
    private final Deflater deflater = new Deflater(6, false);

    /**
     * Deflates straight into the frame's buffer (no per-connection output array: 8 KiB less per zlib-stream session,
     * issue 14), growing it until the deflater has flushed everything.
     */
    ByteBuf deflate(final ByteBufAllocator alloc, final byte[] src, final int off, final int len)
    {
        final ByteBuf out = alloc.buffer(Math.max(64, len / 2));
        deflater.setInput(src, off, len);
        while (true)
        {
            final int room = out.writableBytes();
            final int n = deflater.deflate(out.nioBuffer(out.writerIndex(), room), Deflater.SYNC_FLUSH);
            out.writerIndex(out.writerIndex() + n);
            if (n < room)
            {
                return out;
            }
            out.ensureWritable(Math.max(64, out.capacity()));
        }
    }

    void close()
    {
        deflater.end();
    }
}
