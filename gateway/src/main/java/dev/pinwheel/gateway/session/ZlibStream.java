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
    private final byte[] chunk = new byte[8192];

    ByteBuf deflate(final ByteBufAllocator alloc, final byte[] src, final int off, final int len)
    {
        final ByteBuf out = alloc.buffer(Math.max(64, len / 2));
        deflater.setInput(src, off, len);
        int n;
        do
        {
            n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
            out.writeBytes(chunk, 0, n);
        }
        while (n == chunk.length);
        return out;
    }

    void close()
    {
        deflater.end();
    }
}
