package dev.pinwheel.benchmarks.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import org.junit.jupiter.api.Test;

import dev.pinwheel.gateway.session.ZlibStream;

/**
 * The load client's {@code compress=zlib-stream} side: one inflater per connection reads the server's own stream
 * ({@link ZlibStream}) — HELLO makes it identify, READY + GUILD_CREATE make it ready, a HEARTBEAT_ACK is counted, a
 * payload split over two frames waits for its {@code 00 00 ff ff} — and bytes that are not that stream fail the
 * session.
 */
class ProbeSessionZlibTest
{
    private final List<String> events = new ArrayList<>();
    private final ProbeSession.Outcome outcome = new ProbeSession.Outcome()
    {
        @Override
        public void ready(final ProbeSession session)
        {
            events.add("ready");
        }

        @Override
        public void failed(final ProbeSession session, final String reason)
        {
            events.add("failed: " + reason);
        }

        @Override
        public void lost(final ProbeSession session, final String reason)
        {
            events.add("lost: " + reason);
        }

        @Override
        public void heartbeatAck()
        {
            events.add("ack");
        }
    };

    @Test
    void inflatesTheServersStreamAndParsesEveryPayload()
    {
        final ProbeSession session = new ProbeSession(0, "token", new DeliveryStats(0, TimeUnit.SECONDS.toNanos(1)),
            outcome);
        session.inflateStream();
        final EmbeddedChannel ch = new EmbeddedChannel(session);
        final ZlibStream server = new ZlibStream(512);
        ch.writeInbound(new BinaryWebSocketFrame(deflate(server, "{\"op\":10,\"d\":{\"heartbeat_interval\":60000}}")));
        final Object identify = ch.readOutbound();
        assertInstanceOf(TextWebSocketFrame.class, identify, "HELLO, inflated, made it identify");
        assertTrue(((TextWebSocketFrame)identify).text().contains("\"op\":2"), ((TextWebSocketFrame)identify).text());
        ((TextWebSocketFrame)identify).release();

        ch.writeInbound(new BinaryWebSocketFrame(deflate(server,
            "{\"t\":\"READY\",\"s\":1,\"op\":0,\"d\":{\"v\":10}}")));
        final ByteBuf guild = deflate(server, "{\"t\":\"GUILD_CREATE\",\"s\":2,\"op\":0,\"d\":{\"id\":\"1\",\"name\":\""
            + "x".repeat(3000) + "\"}}");
        final int half = guild.readableBytes() / 2;
        ch.writeInbound(new BinaryWebSocketFrame(false, 0, guild.retainedSlice(0, half)));
        assertEquals(List.of(), events, "half a payload is not parsed");
        ch.writeInbound(new ContinuationWebSocketFrame(true, 0,
            guild.retainedSlice(half, guild.readableBytes() - half)));
        guild.release();
        ch.writeInbound(new BinaryWebSocketFrame(deflate(server, "{\"op\":11}")));
        assertEquals(List.of("ready", "ack"), events);
        assertEquals(4, session.inflatedFrames());

        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 0, 0, -1, -1})));
        assertEquals(3, events.size());
        assertTrue(events.get(2).startsWith("lost: bad zlib stream"), events.toString());
        assertFalse(ch.isOpen(), "a broken stream closes the session");
        ch.finishAndReleaseAll();
        server.close();
    }

    private static ByteBuf deflate(final ZlibStream s, final String json)
    {
        final byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return s.deflate(UnpooledByteBufAllocator.DEFAULT, b, 0, b.length);
    }
}
