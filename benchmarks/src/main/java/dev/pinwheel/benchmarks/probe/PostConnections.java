package dev.pinwheel.benchmarks.probe;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import dev.pinwheel.benchmarks.edge.KeepAliveHttpClient;

/**
 * A probe's publisher of message posts: at most {@code K} requests in flight, each on a keep-alive HTTP/1.1
 * connection of its own (Netty, epoll when available, one event loop thread for all of them), opened on first need
 * and reused. It stands where the JDK's {@code HttpClient} stood: that client's worker and selector threads were 9 %
 * of the load client's CPU samples in the probe's paced phase, besides the compiler still compiling its asynchronous
 * layers then (posts come ten a second) — CPU taken from the server under test on a shared box, where the peers'
 * publishers write one frame on an open WebSocket.
 * Every answer's status is counted ({@link #statuses()}); a connection that fails or closes with a post in flight
 * counts it as status 0 and is replaced by the next post.
 */
public final class PostConnections implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final String hostHeader;
    private final Semaphore slots;
    private final ConcurrentLinkedQueue<Channel> idle = new ConcurrentLinkedQueue<>();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

    /**
     * @param host        server host.
     * @param port        server port.
     * @param connections posts in flight at most (one connection each; any poster's post takes any connection).
     */
    public PostConnections(final String host, final int port, final int connections)
    {
        this.group = KeepAliveHttpClient.oneLoop();
        this.hostHeader = host + ":" + port;
        this.slots = new Semaphore(connections);
        this.bootstrap = KeepAliveHttpClient.httpClient(group, host, port, Answer::new);
    }

    /**
     * Posts a message; waits while {@code K} posts are in flight. Any one thread (the publisher's).
     *
     * @param channelId the channel.
     * @param token     the author's bot token.
     * @param content   the message's text.
     */
    public void post(final String channelId, final String token, final String content)
    {
        final byte[] body = JSON.createObjectNode().put("content", content).toString()
            .getBytes(StandardCharsets.UTF_8);
        final FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
            "/api/v10/channels/" + channelId + "/messages",
            Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, hostHeader)
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .set(HttpHeaderNames.AUTHORIZATION, "Bot " + token)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        slots.acquireUninterruptibly();
        Channel ch;
        while ((ch = idle.poll()) != null && !ch.isActive())
        {
            // closed while idle (a keep-alive deadline): dropped
        }
        if (ch == null)
        {
            final io.netty.channel.ChannelFuture f = bootstrap.connect().awaitUninterruptibly();
            if (!f.isSuccess())
            {
                count(0);
                slots.release();
                r.release();
                return;
            }
            ch = f.channel();
        }
        final Answer answer = ch.pipeline().get(Answer.class);
        answer.inFlight = true;
        final Channel c = ch;
        ch.writeAndFlush(r).addListener(f ->
        {
            if (!f.isSuccess())
            {
                answer.done(c, false); // closed before the request went out (its inactive event may have come first)
                c.close();
            }
        });
    }

    /**
     * @return answers by status (0: no answer, the connection failed), sorted.
     */
    public Map<Integer, Long> statuses()
    {
        final Map<Integer, Long> m = new TreeMap<>();
        statuses.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    private void count(final int status)
    {
        statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    @Override
    public void close()
    {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** One connection's answers, on the event loop. */
    private final class Answer extends SimpleChannelInboundHandler<FullHttpResponse>
    {
        private volatile boolean inFlight;

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpResponse response)
        {
            count(response.status().code());
            done(ctx.channel(), true);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            done(ctx.channel(), false);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        private void done(final Channel ch, final boolean answered)
        {
            if (!inFlight)
            {
                return;
            }
            inFlight = false;
            if (answered)
            {
                idle.add(ch);
            }
            else
            {
                count(0);
            }
            slots.release();
        }
    }
}
