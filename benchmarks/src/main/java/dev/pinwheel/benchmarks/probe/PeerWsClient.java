package dev.pinwheel.benchmarks.probe;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.netty.bootstrap.Bootstrap;
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
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

/**
 * Pub/sub subscribers and one publisher on the same Netty client machinery as {@link GatewayLoadClient} (epoll
 * when available, same WebSocket codec settings), speaking a peer's {@link WireProtocol}. Deliveries whose payload
 * carries the probe marker ({@code fanout-probe #ID#}) are recorded in {@link DeliveryStats}; others (warm-up)
 * are ignored.
 */
public final class PeerWsClient implements AutoCloseable
{
    private static final String MARKER = "fanout-probe #";

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final URI uri;
    private final Supplier<WireProtocol> protocols;
    private final DeliveryStats stats;
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();
    private volatile Semaphore admission = new Semaphore(0);
    private volatile Channel publisher;
    private volatile WireProtocol publisherProtocol;

    /**
     * @param host      server host.
     * @param port      server WebSocket port.
     * @param threads   event loop threads.
     * @param protocols a new protocol instance per connection.
     * @param stats     where deliveries are recorded.
     */
    public PeerWsClient(final String host, final int port, final int threads, final Supplier<WireProtocol> protocols,
        final DeliveryStats stats)
    {
        this.protocols = protocols;
        this.stats = stats;
        this.uri = URI.create("ws://" + host + ":" + port + protocols.get().path());
        final boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(threads,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(group)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .remoteAddress(host, port);
    }

    /**
     * Opens {@code n} subscribers, at most {@code inFlight} setting up at once (nothing is retried).
     *
     * @param n             subscribers.
     * @param inFlight      concurrent setups.
     * @param deadlineNanos give up at this {@code System.nanoTime()}.
     * @return subscribers confirmed.
     * @throws InterruptedException if interrupted.
     */
    public int open(final int n, final int inFlight, final long deadlineNanos) throws InterruptedException
    {
        admission = new Semaphore(inFlight);
        int launched = 0;
        for (int i = 0; i < n; i++)
        {
            final long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !admission.tryAcquire(left, TimeUnit.NANOSECONDS))
            {
                break;
            }
            launch(true);
            launched++;
        }
        while (ready.get() + failed.get() < launched && System.nanoTime() - deadlineNanos < 0)
        {
            Thread.sleep(10);
        }
        return ready.get();
    }

    /**
     * Opens the publisher connection and waits until it is usable.
     *
     * @param deadlineNanos give up at this {@code System.nanoTime()}.
     * @return true if it is.
     * @throws InterruptedException if interrupted.
     */
    public boolean openPublisher(final long deadlineNanos) throws InterruptedException
    {
        launch(false);
        while (publisher == null && System.nanoTime() - deadlineNanos < 0)
        {
            Thread.sleep(5);
        }
        return publisher != null;
    }

    /**
     * Publishes one payload on the publisher connection (written on its event loop).
     *
     * @param payload ASCII payload.
     */
    public void publish(final String payload)
    {
        publisher.writeAndFlush(new TextWebSocketFrame(publisherProtocol.publish(payload)));
    }

    private void launch(final boolean subscriber)
    {
        final WireProtocol protocol = protocols.get();
        final Handler handler = new Handler(protocol, subscriber);
        final WebSocketClientProtocolConfig ws = WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .version(WebSocketVersion.V13)
            .maxFramePayloadLength(4 << 20)
            .handleCloseFrames(false)
            .dropPongFrames(true)
            .withUTF8Validator(false)
            .handshakeTimeoutMillis(30_000)
            .build();
        bootstrap.clone().handler(new ChannelInitializer<SocketChannel>()
        {
            @Override
            protected void initChannel(final SocketChannel ch)
            {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                    new WebSocketClientProtocolHandler(ws), new WebSocketFrameAggregator(4 << 20), handler);
            }
        }).connect().addListener(f ->
        {
            if (!f.isSuccess())
            {
                handler.setupFailed("connect: " + f.cause().getClass().getSimpleName());
            }
        });
    }

    private void count(final String reason)
    {
        reasons.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    /** @return subscribers confirmed. */
    public int ready()
    {
        return ready.get();
    }

    /** @return subscribers whose setup failed. */
    public int failed()
    {
        return failed.get();
    }

    /** @return subscribers closed after they were confirmed. */
    public int lost()
    {
        return lost.get();
    }

    /** @return failure reasons with counts. */
    public Map<String, Long> reasons()
    {
        final Map<String, Long> out = new java.util.TreeMap<>();
        reasons.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** @return "epoll" or "nio". */
    public static String transport()
    {
        return GatewayLoadClient.transport();
    }

    @Override
    public void close()
    {
        for (final Channel c : channels)
        {
            c.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
    }

    /** One connection: runs the protocol, records deliveries. */
    private final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> implements WireProtocol.Sink
    {
        private final WireProtocol protocol;
        private final boolean subscriber;
        private ChannelHandlerContext ctx;
        private boolean settled;
        private boolean isReady;
        private int lastId = -1;
        private long now;

        Handler(final WireProtocol protocol, final boolean subscriber)
        {
            this.protocol = protocol;
            this.subscriber = subscriber;
        }

        @Override
        public void handlerAdded(final ChannelHandlerContext context)
        {
            ctx = context;
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext context, final Object evt) throws Exception
        {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE)
            {
                channels.add(context.channel());
                protocol.opened(subscriber, this);
            }
            else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT)
            {
                setupFailed("handshake timeout");
                context.close();
            }
            super.userEventTriggered(context, evt);
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext context, final WebSocketFrame frame)
        {
            now = System.nanoTime();
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)
            {
                // NATS sends its protocol in binary frames; both are ASCII text here
                protocol.parse(frame.content().toString(StandardCharsets.US_ASCII), subscriber, this);
            }
            else if (frame instanceof CloseWebSocketFrame close)
            {
                count("close " + close.statusCode() + " " + close.reasonText());
                context.close();
            }
        }

        @Override
        public void reply(final String frame)
        {
            ctx.writeAndFlush(new TextWebSocketFrame(frame));
        }

        @Override
        public void subscribed()
        {
            if (isReady)
            {
                return;
            }
            isReady = true;
            if (!subscriber)
            {
                publisherProtocol = protocol;
                publisher = ctx.channel();
                return;
            }
            settled = true;
            ready.incrementAndGet();
            admission.release();
        }

        @Override
        public void delivery(final String payload)
        {
            if (!subscriber || !payload.startsWith(MARKER))
            {
                return;
            }
            final int end = payload.indexOf('#', MARKER.length());
            final int id = end < 0 ? -1 : Integer.parseInt(payload, MARKER.length(), end, 10);
            if (id >= 0 && id <= lastId)
            {
                stats.countOvertaken();
            }
            lastId = Math.max(lastId, id);
            stats.delivered(id, now);
        }

        @Override
        public void error(final String what)
        {
            count("server: " + what);
        }

        void setupFailed(final String reason)
        {
            if (!subscriber || settled)
            {
                return;
            }
            settled = true;
            failed.incrementAndGet();
            count(reason);
            admission.release();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext context) throws Exception
        {
            if (subscriber)
            {
                if (isReady)
                {
                    lost.incrementAndGet();
                    count("closed after ready");
                }
                else
                {
                    setupFailed("closed during setup");
                }
            }
            super.channelInactive(context);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
        {
            count("exception: " + cause.getClass().getSimpleName());
            context.close();
        }
    }
}
