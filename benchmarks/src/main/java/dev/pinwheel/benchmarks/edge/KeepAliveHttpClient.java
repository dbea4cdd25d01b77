package dev.pinwheel.benchmarks.edge;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;

import org.HdrHistogram.Histogram;

/**
 * One keep-alive HTTP/1.1 connection (Netty, epoll when available, TCP_NODELAY) on its own event loop thread, driving
 * requests one at a time, closed loop: the next request leaves once the answer to the previous one is read, an
 * optional gate has opened (e.g. the gateway client saw the posted message) and a pause has passed. The time from
 * just before the request is written to the moment its whole answer is read is recorded in nanoseconds; everything
 * runs on the connection's event loop, so no thread hand-off of the client is inside the measured time.
 * The same client runs against every server of a probe.
 */
public final class KeepAliveHttpClient implements AutoCloseable
{
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final String hostHeader;
    private final Driver driver = new Driver();
    private volatile Channel channel;
    private int reconnects;

    /** The outcome of one {@link #run}. */
    public record Result(Histogram nanos, int requests, int errors, String firstError, boolean timedOut)
    {
    }

    /**
     * Connects.
     *
     * @param host server host.
     * @param port server port.
     * @throws InterruptedException if interrupted while connecting.
     */
    public KeepAliveHttpClient(final String host, final int port) throws InterruptedException
    {
        this.group = oneLoop();
        this.hostHeader = host + ":" + port;
        this.bootstrap = httpClient(group, host, port, () -> driver);
        this.channel = bootstrap.connect().sync().channel();
    }

    /**
     * @return one event loop thread (epoll when available), for a probe's HTTP client connections.
     */
    public static EventLoopGroup oneLoop()
    {
        return new MultiThreadIoEventLoopGroup(1,
            Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /**
     * @param group its event loop.
     * @param host  server host.
     * @param port  server port.
     * @param last  the handler of each connection's full HTTP answers.
     * @return a bootstrap of keep-alive HTTP/1.1 client connections (TCP_NODELAY, answers aggregated up to 1 MiB).
     */
    public static Bootstrap httpClient(final EventLoopGroup group, final String host, final int port,
        final java.util.function.Supplier<io.netty.channel.ChannelHandler> last)
    {
        return new Bootstrap().group(group)
            .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), last.get());
                }
            })
            .remoteAddress(host, port);
    }

    /**
     * @return how often {@link #run} found the connection closed (e.g. by the server's first-request or keep-alive
     *         deadline while the other server was measured) and opened a new one.
     */
    public int reconnects()
    {
        return reconnects;
    }

    /**
     * @param path a path, e.g. {@code /api/v10/gateway}.
     * @return a GET of it.
     */
    public FullHttpRequest get(final String path)
    {
        final FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
            Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.HOST, hostHeader);
        return r;
    }

    /**
     * @param path          a path.
     * @param authorization the Authorization header, or null.
     * @param json          the body.
     * @return a POST of the JSON body.
     */
    public FullHttpRequest post(final String path, final String authorization, final String json)
    {
        final byte[] body = json.getBytes(StandardCharsets.UTF_8);
        final FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
            Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, hostHeader)
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (authorization != null)
        {
            r.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        return r;
    }

    /**
     * Sends {@code count} requests one after the other and waits for the last answer.
     *
     * @param count        requests.
     * @param pauseNanos   pause between an answer (and the gate) and the next request; 0 for none.
     * @param requests     builds request {@code i} (called on the event loop just before it is written).
     * @param gate         request {@code i + 1} waits until {@code gate.test(i)}; null for none. Whoever opens it calls
     *                     {@link #signal()}.
     * @param timeoutNanos how long the whole run may take.
     * @return latencies (ns) and failures.
     * @throws InterruptedException if interrupted.
     */
    public Result run(final int count, final long pauseNanos, final IntFunction<FullHttpRequest> requests,
        final IntPredicate gate, final long timeoutNanos) throws InterruptedException
    {
        if (!channel.isActive())
        {
            reconnects++;
            channel = bootstrap.connect().sync().channel(); // outside the measured requests
        }
        final CompletableFuture<Result> done = new CompletableFuture<>();
        channel.eventLoop().execute(() -> driver.start(count, pauseNanos, requests, gate, done));
        try
        {
            return done.get(timeoutNanos, TimeUnit.NANOSECONDS);
        }
        catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex)
        {
            final CompletableFuture<Result> stopped = new CompletableFuture<>();
            channel.eventLoop().execute(() -> stopped.complete(driver.stop(true)));
            try
            {
                return stopped.get(5, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e)
            {
                return new Result(new Histogram(3), 0, count, "client stuck: " + e, true);
            }
        }
    }

    /**
     * The gate of the current run may have opened: re-check it on the event loop. Any thread.
     */
    public void signal()
    {
        channel.eventLoop().execute(driver::next);
    }

    @Override
    public void close()
    {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** The closed loop, on the connection's event loop only (one connection at a time: reconnects reuse it). */
    @io.netty.channel.ChannelHandler.Sharable
    private final class Driver extends SimpleChannelInboundHandler<FullHttpResponse>
    {
        private int count;
        private long pauseNanos;
        private IntFunction<FullHttpRequest> requests;
        private IntPredicate gate;
        private CompletableFuture<Result> done;
        private Histogram nanos;
        private int sent;
        private int answered;
        private int errors;
        private String firstError;
        private long sentAt;
        private boolean inFlight;
        private boolean pausing;

        void start(final int n, final long pause, final IntFunction<FullHttpRequest> build, final IntPredicate g,
            final CompletableFuture<Result> future)
        {
            count = n;
            pauseNanos = pause;
            requests = build;
            gate = g;
            done = future;
            nanos = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            sent = 0;
            answered = 0;
            errors = 0;
            firstError = null;
            inFlight = false;
            pausing = false;
            next();
        }

        Result stop(final boolean timedOut)
        {
            final Result r = new Result(nanos, answered, errors + (count - answered), firstError, timedOut);
            done = null;
            return r;
        }

        void next()
        {
            if (done == null || inFlight || pausing)
            {
                return;
            }
            if (answered == count)
            {
                final CompletableFuture<Result> d = done;
                d.complete(stop(false));
                return;
            }
            if (sent > 0 && gate != null && !gate.test(sent - 1))
            {
                return; // signal() calls again
            }
            if (pauseNanos > 0 && sent > 0)
            {
                pausing = true;
                channel.eventLoop().schedule(() ->
                {
                    pausing = false;
                    send();
                }, pauseNanos, TimeUnit.NANOSECONDS);
                return;
            }
            send();
        }

        private void send()
        {
            if (done == null || inFlight)
            {
                return;
            }
            final FullHttpRequest r = requests.apply(sent);
            inFlight = true;
            sent++;
            sentAt = System.nanoTime();
            channel.writeAndFlush(r).addListener(f ->
            {
                if (!f.isSuccess() && done != null)
                {
                    done.complete(stop(false));
                }
            });
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpResponse res)
        {
            final long now = System.nanoTime();
            if (done == null || !inFlight)
            {
                return;
            }
            inFlight = false;
            answered++;
            nanos.recordValue(Math.min(now - sentAt, nanos.getHighestTrackableValue()));
            if (res.status().code() / 100 != 2)
            {
                errors++;
                if (firstError == null)
                {
                    firstError = res.status() + " " + res.content().toString(StandardCharsets.UTF_8);
                }
            }
            next();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            if (done != null)
            {
                if (firstError == null)
                {
                    firstError = "connection closed by the server";
                }
                done.complete(stop(false));
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            if (firstError == null)
            {
                firstError = cause.toString();
            }
            ctx.close();
        }
    }
}
