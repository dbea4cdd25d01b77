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

    /**
     * Connections sharing their thread's deflater, frames interleaved at random (a fanout) and some in a row (a
     * connection's READY then GUILD_CREATE): each connection's frames inflate with that connection's one inflater
     * (window 15, as every client's) back to exactly what was sent, whatever the history kept — the first frame carries
     * the zlib header, none carries a trailer — and the history compresses what repeats across frames.
     */
    @Test
    void interleavedConnectionsOnOneThreadEachInflateAsOneStream() throws DataFormatException
    {
        final long[] compressed = new long[3];
        final int[] histories = {0, 256, ZlibStream.HISTORY_MAX};
        for (int h = 0; h < histories.length; h++)
        {
            final int streams = 5;
            final ZlibStream[] out = new ZlibStream[streams];
            final Inflater[] in = new Inflater[streams];
            for (int s = 0; s < streams; s++)
            {
                out[s] = new ZlibStream(histories[h]);
                in[s] = new Inflater();
            }
            final SplittableRandom random = new SplittableRandom(1400 + h);
            try
            {
                int s = 0;
                for (int i = 0; i < 400; i++)
                {
                    s = random.nextInt(4) == 0 ? s : random.nextInt(streams);
                    final String json = "{\"t\":\"MESSAGE_CREATE\",\"s\":" + i
                        + ",\"op\":0,\"d\":{\"content\":\"message "
                        + random.nextInt(1_000_000) + (i % 7 == 0 ? " and a longer part repeated".repeat(40) : "")
                        + "\",\"channel_id\":\"1234567890123456789\",\"author\":{\"username\":\"someone\"}}}";
                    final byte[] payload = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    final ByteBuf wire = out[s].deflate(UnpooledByteBufAllocator.DEFAULT, payload, 0, payload.length);
                    try
                    {
                        final byte[] bytes = new byte[wire.readableBytes()];
                        wire.getBytes(wire.readerIndex(), bytes);
                        compressed[h] += bytes.length;
                        if (in[s].getTotalIn() == 0)
                        {
                            assertEquals(0x78, bytes[0] & 0xff, "a stream starts with the zlib header");
                        }
                        in[s].setInput(bytes);
                        final ByteArrayOutputStream back = new ByteArrayOutputStream();
                        final byte[] chunk = new byte[4096];
                        for (int n; (n = in[s].inflate(chunk)) > 0 || !in[s].needsInput(); )
                        {
                            back.write(chunk, 0, n);
                        }
                        assertArrayEquals(payload, back.toByteArray(), "frame " + i + " of connection " + s
                            + ", history " + histories[h]);
                        assertEquals(false, in[s].finished(), "the stream never ends");
                        assertEquals(Math.min(histories[h], (int)in[s].getBytesWritten()), out[s].historyLength(),
                            "history kept");
                    }
                    finally
                    {
                        wire.release();
                    }
                }
            }
            finally
            {
                for (int s = 0; s < streams; s++)
                {
                    out[s].close();
                    in[s].end();
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(compressed[2] < compressed[1] && compressed[1] < compressed[0],
            "more history, fewer bytes: " + java.util.Arrays.toString(compressed));
    }

    /**
     * Idle sessions on one thread: after a heartbeat with nothing but the last acknowledgement sent since the one
     * before, a stream keeps at most a small array with that acknowledgement instead of its full history, and every
     * frame — acknowledgements deflated without the dropped history, a dispatch after them — still inflates on the
     * connection's one inflater; a stream that sent a dispatch keeps its history.
     */
    @Test
    void anIdleStreamDropsItsHistoryAtAHeartbeatAndEveryFrameStillInflates() throws DataFormatException
    {
        final byte[] ack = "{\"op\":11,\"d\":null}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final byte[] ready = ("{\"t\":\"READY\",\"s\":1,\"op\":0,\"d\":{\"v\":10,\"guilds\":["
            + "{\"id\":\"1234567890123456789\",\"unavailable\":true}".repeat(40) + "]}}")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final ZlibStream idle = new ZlibStream(1024);
        final ZlibStream busy = new ZlibStream(1024);
        final Inflater idleIn = new Inflater();
        final Inflater busyIn = new Inflater();
        try
        {
            roundTrip(idle, idleIn, ready);
            roundTrip(busy, busyIn, ready);
            assertEquals(1024, idle.historyBytesHeld(), "READY fills the history");
            for (int beat = 0; beat < 4; beat++)
            {
                idle.heartbeat();
                roundTrip(idle, idleIn, ack);
                busy.heartbeat();
                roundTrip(busy, busyIn, ack);
                roundTrip(busy, busyIn, ready); // a dispatch between heartbeats: busy
            }
            // first heartbeat: READY was sent since the last (none) - kept; from the second on: only acks - dropped
            assertEquals(true, idle.historyBytesHeld() <= 64, "an idle stream keeps " + idle.historyBytesHeld() + " B");
            assertEquals(ack.length, idle.historyLength());
            assertEquals(1024, busy.historyBytesHeld(), "a busy stream keeps its history");
            roundTrip(idle, idleIn, ready); // back to work: inflates without the history it dropped
            assertEquals(1024, idle.historyLength());
        }
        finally
        {
            idle.close();
            busy.close();
            idleIn.end();
            busyIn.end();
        }
    }

    /** Deflates a payload on this thread's shared deflater and inflates it on the stream's own inflater. */
    private static void roundTrip(final ZlibStream stream, final Inflater inflater, final byte[] payload)
        throws DataFormatException
    {
        final ByteBuf wire = stream.deflate(UnpooledByteBufAllocator.DEFAULT, payload, 0, payload.length);
        try
        {
            final byte[] bytes = new byte[wire.readableBytes()];
            wire.getBytes(wire.readerIndex(), bytes);
            inflater.setInput(bytes);
            final ByteArrayOutputStream back = new ByteArrayOutputStream();
            final byte[] chunk = new byte[4096];
            for (int n; (n = inflater.inflate(chunk)) > 0 || !inflater.needsInput(); )
            {
                back.write(chunk, 0, n);
            }
            assertArrayEquals(payload, back.toByteArray());
        }
        finally
        {
            wire.release();
        }
    }
}
