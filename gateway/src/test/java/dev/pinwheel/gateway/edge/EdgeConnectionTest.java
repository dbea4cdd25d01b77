package dev.pinwheel.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import dev.pinwheel.gateway.node.EdgeConfig;
import dev.pinwheel.gateway.node.EdgeCounters;

/**
 * The deadlines of one HTTP connection, driven by hand: bytes and requests go in through an {@link EmbeddedChannel}
 * with the real HTTP codec, and time moves by calling the shard's {@link EdgeDeadlines#tick} with a clock ahead of
 * the real one — no sleeping, no timing luck.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EdgeConnectionTest
{
    private static final int FIRST_MS = 1_000;
    private static final int HEADER_MS = 2_000;
    private static final int BODY_MS = 3_000;
    private static final int KEEP_ALIVE_MS = 4_000;
    private static final int LINGER_MS = 10_000;

    private final EdgeDeadlines deadlines = new EdgeDeadlines();
    private final EdgeCounters counters = new EdgeCounters();
    private final EdgeConfig config = new EdgeConfig().firstRequestTimeoutMillis(FIRST_MS)
        .headerTimeoutMillis(HEADER_MS).bodyTimeoutMillis(BODY_MS).keepAliveTimeoutMillis(KEEP_ALIVE_MS)
        .lingerMillis(LINGER_MS);

    /** Answers every complete request with an empty 200, keeping the connection, like the REST edge. */
    @ChannelHandler.Sharable
    private static final class Answer extends ChannelInboundHandlerAdapter
    {
        int requests;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof LastHttpContent)
            {
                requests++;
                final DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK);
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(res);
            }
            ReferenceCountUtil.release(msg);
        }
    }

    private final Answer answer = new Answer();

    private EmbeddedChannel channel()
    {
        final EdgeConnection edge = new EdgeConnection(deadlines, config, counters);
        return new EmbeddedChannel(edge.bytes(), new HttpServerCodec(), edge, answer);
    }

    private static long after(final int millis)
    {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /**
     * Ticks often enough that every connection is looked at (each tick checks a fifth of those left, and a
     * connection that leaves moves the last one into its slot).
     */
    private void tickAll(final long now)
    {
        for (int i = 0; i < 20; i++)
        {
            deadlines.tick(now);
        }
    }

    private static void send(final EmbeddedChannel ch, final String text)
    {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private static String written(final EmbeddedChannel ch)
    {
        final StringBuilder out = new StringBuilder();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound())
        {
            if (o instanceof ByteBuf b)
            {
                out.append(b.toString(StandardCharsets.US_ASCII));
            }
            ReferenceCountUtil.release(o);
        }
        return out.toString();
    }

    @Test
    void aConnectionThatNeverSendsIsClosedAfterTheFirstRequestTimeout()
    {
        final EmbeddedChannel ch = channel();
        assertEquals(1, deadlines.size());
        tickAll(after(FIRST_MS - 200));
        assertTrue(ch.isOpen(), "not before its deadline");
        tickAll(after(FIRST_MS + 300));
        assertFalse(ch.isOpen());
        assertEquals(1, counters.get(EdgeCounters.CLOSED_FIRST_REQUEST_TIMEOUT));
        assertEquals(0, deadlines.size());
    }

    @Test
    void aHeadTrickledInSlowerThanTheHeaderDeadlineGets408AndTheConnectionCloses()
    {
        final EmbeddedChannel ch = channel();
        send(ch, "GET /api/v10/gateway HTTP/1.1\r\n");
        // every line arrives well within any per-read timeout, but the whole head does not arrive in time
        send(ch, "Host: x\r\n");
        send(ch, "X-Slow: 1\r\n");
        tickAll(after(HEADER_MS + 300));
        final String out = written(ch);
        assertTrue(out.startsWith("HTTP/1.1 408 Request Timeout\r\n"), out);
        assertTrue(out.contains("\"message\":\"408: Request Timeout\""), out);
        assertEquals(1, counters.get(EdgeCounters.CLOSED_HEADER_TIMEOUT));
        assertTrue(ch.isOpen(), "lingers: the output is shut down, input drained");
        send(ch, "X-Still-Sending: 1\r\n"); // dropped, not decoded
        assertEquals(0, answer.requests);
        tickAll(after(HEADER_MS + LINGER_MS + 600));
        assertFalse(ch.isOpen(), "dropped once the linger time is over");
        assertEquals(1, counters.get(EdgeCounters.CLOSED_LINGER_TIMEOUT));
    }

    @Test
    void aBodyThatStopsArrivingGets408AfterTheBodyDeadline()
    {
        final EmbeddedChannel ch = channel();
        send(ch, "POST /api/v10/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"login\"");
        tickAll(after(HEADER_MS + 300));
        assertTrue(ch.isOpen(), "the head is complete: the header deadline no longer applies");
        assertEquals("", written(ch));
        tickAll(after(BODY_MS + 300));
        assertTrue(written(ch).startsWith("HTTP/1.1 408"));
        assertEquals(1, counters.get(EdgeCounters.CLOSED_BODY_TIMEOUT));
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheKeepAliveTimeoutAndANewRequestRestartsTheClock()
    {
        final EmbeddedChannel ch = channel();
        send(ch, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(1, answer.requests);
        assertTrue(written(ch).startsWith("HTTP/1.1 200 OK"));
        tickAll(after(FIRST_MS + 300));
        assertTrue(ch.isOpen(), "after a response only the keep-alive deadline applies");
        send(ch, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(2, answer.requests);
        tickAll(after(KEEP_ALIVE_MS - 300));
        assertTrue(ch.isOpen());
        tickAll(after(KEEP_ALIVE_MS + 300));
        assertFalse(ch.isOpen());
        assertEquals(1, counters.get(EdgeCounters.CLOSED_KEEP_ALIVE_TIMEOUT));
        assertEquals(0, counters.get(EdgeCounters.CLOSED_HEADER_TIMEOUT));
    }

    @Test
    void aRequestBeingServedHasNoDeadline()
    {
        final EdgeConnection edge = new EdgeConnection(deadlines, config, counters);
        final EmbeddedChannel ch = new EmbeddedChannel(edge.bytes(), new HttpServerCodec(), edge);
        send(ch, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound())
        {
            ReferenceCountUtil.release(o); // nobody answers: the server is still working on it
        }
        tickAll(after(KEEP_ALIVE_MS + BODY_MS + HEADER_MS + FIRST_MS));
        assertTrue(ch.isOpen(), "every request gets an answer: the edge does not cut the server's own work");
        assertEquals(1, deadlines.size());
        ch.close();
        assertEquals(0, deadlines.size(), "a closed connection leaves the list");
    }

    @Test
    void closingAfterABadRequestShutsTheOutputAndDrainsTheInput()
    {
        final EmbeddedChannel ch = channel();
        final DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.BAD_REQUEST);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        final EdgeConnection edge = ch.pipeline().get(EdgeConnection.class);
        edge.closeAfterBadRequest(ch.writeAndFlush(res));
        assertNotNull(ch.readOutbound(), "the 400 is written first");
        send(ch, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(0, answer.requests, "nothing after the bad request is served");
        assertEquals(1, counters.get(EdgeCounters.CLOSED_BAD_REQUEST));
        tickAll(after(LINGER_MS + 300));
        assertFalse(ch.isOpen());
    }

    @Test
    void anUpgradedConnectionLeavesTheDeadlinesAndThePipeline()
    {
        final EmbeddedChannel ch = channel();
        final EdgeConnection edge = ch.pipeline().get(EdgeConnection.class);
        edge.upgraded();
        assertEquals(0, deadlines.size());
        assertEquals(null, ch.pipeline().get(EdgeConnection.class));
        tickAll(after(FIRST_MS + KEEP_ALIVE_MS));
        assertTrue(ch.isOpen(), "the WebSocket's own identify/heartbeat deadlines apply from here");
    }

    @Test
    void manyConnectionsEachExpireOnceAndTheListStaysConsistent()
    {
        final EmbeddedChannel[] chs = new EmbeddedChannel[100];
        for (int i = 0; i < chs.length; i++)
        {
            chs[i] = channel();
            if (i % 2 == 0)
            {
                send(chs[i], "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); // answered: on the keep-alive clock
            }
        }
        assertEquals(100, deadlines.size());
        tickAll(after(FIRST_MS + 300));
        assertEquals(50, deadlines.size(), "the silent half is gone");
        for (int i = 0; i < chs.length; i++)
        {
            assertEquals(i % 2 == 0, chs[i].isOpen(), "connection " + i);
        }
        tickAll(after(KEEP_ALIVE_MS + 300));
        assertEquals(0, deadlines.size());
        assertEquals(50, counters.get(EdgeCounters.CLOSED_FIRST_REQUEST_TIMEOUT));
        assertEquals(50, counters.get(EdgeCounters.CLOSED_KEEP_ALIVE_TIMEOUT));
    }
}
