package dev.pinwheel.benchmarks.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionIndex;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.session.DispatchFrame;
import dev.pinwheel.gateway.session.FrameGather;

/**
 * The sinks frame what the gateway sends, and the naive baseline sends the same event.
 */
class SinkSessionTest
{
    private static final long GUILD = 42;

    @Test
    void pooledSplicesTheGatewayFrameAndReleasesOnFlush() throws Exception
    {
        final MessageCreateSample sample = MessageCreateSample.of(GUILD, "hello");
        final Dispatch d = sample.dispatch();
        final SinkSession s = new SinkSession(7, MessageCreateSample.READER_INTENTS, true,
            UnpooledByteBufAllocator.DEFAULT, 16, null, SinkSession.Mode.POOLED, null);
        final SessionIndex index = new SessionIndex();
        index.subscribe(GUILD, s);
        for (int i = 0; i < 12; i++)
        {
            index.deliver(d);
        }
        final ByteBuf last = s.queuedFrame(3); // 8 frames were written out when the queue filled: #12 is at 3
        assertEquals("{\"t\":\"MESSAGE_CREATE\",\"s\":12,\"op\":0,\"d\":" + new String(d.data(), StandardCharsets.UTF_8)
            + "}", payload(last));
        final JsonNode frame = Json.MAPPER.readTree(payload(last));
        assertEquals("hello", frame.path("d").path("content").asText());
        assertSame(d, s.resumable(12));
        assertEquals(1, index.flushDirty());
        assertEquals(0, last.refCnt());
        assertEquals(12, s.seq());
    }

    @Test
    void corkedWritesEveryFrameOfTheCycleBackToBackInOneBuffer() throws Exception
    {
        final MessageCreateSample sample = MessageCreateSample.of(GUILD, "hello");
        final Dispatch d = sample.dispatch();
        final SinkSession s = new SinkSession(7, MessageCreateSample.READER_INTENTS, true,
            UnpooledByteBufAllocator.DEFAULT, 2048, null, SinkSession.Mode.CORKED, new SinkSession.Scratch());
        final SessionIndex index = new SessionIndex();
        index.subscribe(GUILD, s);
        for (int i = 0; i < 20; i++) // 16 are written when the cork is full, 4 at the flush
        {
            index.deliver(d);
        }
        assertEquals(1, index.flushDirty());
        final ByteBuf written = s.lastCorkedWrite();
        for (int seq = 17; seq <= 20; seq++)
        {
            final int len7 = written.getUnsignedByte(written.readerIndex() + 1);
            final int header = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
            final int length = len7 < 126 ? len7 : written.getUnsignedShort(written.readerIndex() + 2);
            final ByteBuf one = written.readSlice(header + length);
            assertEquals("{\"t\":\"MESSAGE_CREATE\",\"s\":" + seq + ",\"op\":0,\"d\":"
                + new String(d.data(), StandardCharsets.UTF_8) + "}", payload(one));
        }
        assertEquals(0, written.readableBytes(), "exactly the four frames of the last cycle");
        assertEquals(20, s.seq());
        assertSame(d, s.resumable(20));
    }

    @Test
    void gatheredHandsTheSocketTheGatewayFramesOfTheCycle() throws Exception
    {
        final MessageCreateSample sample = MessageCreateSample.of(GUILD, "hello");
        final Dispatch d = sample.dispatch();
        final SinkSession.Scratch shard = new SinkSession.Scratch();
        final SinkSession s = new SinkSession(7, MessageCreateSample.READER_INTENTS, true,
            UnpooledByteBufAllocator.DEFAULT, 2048, null, SinkSession.Mode.GATHERED, shard);
        final SinkSession copy = new SinkSession(7, MessageCreateSample.READER_INTENTS, true,
            UnpooledByteBufAllocator.DEFAULT, 2048, null, SinkSession.Mode.CORKED, new SinkSession.Scratch());
        final SessionIndex index = new SessionIndex();
        index.subscribe(GUILD, s);
        index.subscribe(GUILD, copy);
        for (int i = 0; i < 20; i++) // 16 are gathered when the cork is full, 4 at the flush
        {
            index.deliver(d);
        }
        assertEquals(2, index.flushDirty());
        final FrameGather gather = s.lastGather();
        final ByteBuf written = Unpooled.buffer(gather.size());
        gather.copyTo(written, 0);
        final ByteBuf expected = Unpooled.buffer();
        DispatchFrame.writeFrames(expected, new Dispatch[] {d}, 0, 17, 20, 7, true);
        assertEquals(expected, written, "the gateway's framing of events 17..20, and nothing else");
        assertEquals(copy.lastCorkedWrite(), written, "the same bytes the copying path wrote");
        assertEquals(copy.bytesWritten(), s.bytesWritten());
        for (int seq = 17; seq <= 20; seq++)
        {
            final int len7 = written.getUnsignedByte(written.readerIndex() + 1);
            final int header = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
            final int length = len7 < 126 ? len7 : written.getUnsignedShort(written.readerIndex() + 2);
            assertEquals(seq, Json.MAPPER.readTree(payload(written.readSlice(header + length))).path("s").asLong());
        }
        assertEquals(20, s.seq());
        assertSame(d, s.resumable(20));
    }

    @Test
    void baselineEncodesTheSameEvent() throws Exception
    {
        final MessageCreateSample sample = MessageCreateSample.of(GUILD, "hello");
        final SinkSession splice = new SinkSession(7, MessageCreateSample.READER_INTENTS, true,
            UnpooledByteBufAllocator.DEFAULT, 16, null, SinkSession.Mode.POOLED, null);
        final JsonPerRecipientSession naive = new JsonPerRecipientSession(7, Json.MAPPER, sample.body(),
            UnpooledByteBufAllocator.DEFAULT, 16);
        splice.dispatch(sample.dispatch());
        naive.dispatch(sample.dispatch());
        assertEquals(Json.MAPPER.readTree(payload(splice.queuedFrame(0))),
            Json.MAPPER.readTree(naive.queuedFrame(0).toString(StandardCharsets.UTF_8)));
        splice.flush();
        naive.flush();
    }

    /** The JSON inside a server-to-client WebSocket text frame (unmasked: 2, 4 or 10 header bytes). */
    private static String payload(final ByteBuf frame)
    {
        assertEquals(0x81, frame.getUnsignedByte(frame.readerIndex()), "FIN + text opcode");
        final int len7 = frame.getUnsignedByte(frame.readerIndex() + 1);
        final int header = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
        final long length = len7 < 126 ? len7 : len7 == 126 ? frame.getUnsignedShort(frame.readerIndex() + 2)
            : frame.getLong(frame.readerIndex() + 2);
        assertEquals(frame.readableBytes() - header, length, "frame length field");
        return frame.toString(frame.readerIndex() + header, frame.readableBytes() - header, StandardCharsets.UTF_8);
    }
}
