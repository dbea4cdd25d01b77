package dev.pinwheel.gateway.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * Deflating straight into the frame's buffer: every payload of one stream — compressible or not, small or far bigger
 * than the buffer first allocated — ends with the SYNC_FLUSH marker and inflates, with the stream's one inflater,
 * back to exactly what was sent (heap and direct buffers).
 */
class ZlibStreamTest
{
    @Test
    void everyPayloadInflatesBackOnOneStream() throws DataFormatException
    {
        for (final io.netty.buffer.ByteBufAllocator alloc : new io.netty.buffer.ByteBufAllocator[] {
            UnpooledByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT})
        {
            final ZlibStream stream = new ZlibStream();
            final Inflater inflater = new Inflater();
            final SplittableRandom random = new SplittableRandom(14);
            try
            {
                for (int i = 0; i < 60; i++)
                {
                    final int len = i % 3 == 0 ? random.nextInt(200_000) : random.nextInt(2_000);
                    final byte[] payload = new byte[len];
                    if (i % 2 == 0)
                    {
                        random.nextBytes(payload); // incompressible: the output outgrows len / 2
                    }
                    else
                    {
                        for (int k = 0; k < len; k++)
                        {
                            payload[k] = (byte)('a' + k % 7);
                        }
                    }
                    final ByteBuf out = stream.deflate(alloc, payload, 0, len);
                    try
                    {
                        final byte[] wire = new byte[out.readableBytes()];
                        out.getBytes(out.readerIndex(), wire);
                        assertEquals(0x0000ffff, (wire[wire.length - 4] & 0xff) << 24 | (wire[wire.length - 3] & 0xff)
                            << 16 | (wire[wire.length - 2] & 0xff) << 8 | wire[wire.length - 1] & 0xff,
                            "payload " + i + " ends with the SYNC_FLUSH marker");
                        inflater.setInput(wire);
                        final ByteArrayOutputStream back = new ByteArrayOutputStream();
                        final byte[] chunk = new byte[4096];
                        for (int n; (n = inflater.inflate(chunk)) > 0 || !inflater.needsInput(); )
                        {
                            back.write(chunk, 0, n);
                        }
                        assertArrayEquals(payload, back.toByteArray(), "payload " + i + " of " + len + " bytes");
                    }
                    finally
                    {
                        out.release();
                    }
                }
            }
            finally
            {
                stream.close();
                inflater.end();
            }
        }
    }
}
