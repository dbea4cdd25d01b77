package dev.pinwheel.benchmarks.probe;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

/**
 * Many gateway sessions on one or two Netty event loops (epoll when available). Sessions are opened with a
 * bounded number still connecting (TCP + upgrade + IDENTIFY + READY + GUILD_CREATE) at any time; one that
 * fails before its GUILD_CREATE is retried a bounded number of times.
 */
public final class GatewayLoadClient implements AutoCloseable
{
    private static final int MAX_ATTEMPTS = 3;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private URI uri;
    private boolean zlibStream;
    private final DeliveryStats stats;
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<ProbeSession> live = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Integer> toRetry = new ConcurrentLinkedQueue<>();
    private volatile Semaphore admission = new Semaphore(0);
    private final AtomicInteger settledThisPass = new AtomicInteger();
    private final ConcurrentLinkedQueue<ProbeSession> held = new ConcurrentLinkedQueue<>();
    private final LongAdder heartbeatsSent = new LongAdder();
    private final LongAdder heartbeatAcks = new LongAdder();
    private final java.util.concurrent.atomic.AtomicLong lastReadyNanos = new java.util.concurrent.atomic.AtomicLong();
    private int intents = 1 | 1 << 9 | 1 << 15;
    private ProbeSession.FrameListener frames;
    private final ConcurrentHashMap<Integer, ProbeSession> byIndex = new ConcurrentHashMap<>();

    private final ProbeSession.Outcome outcome = new ProbeSession.Outcome()
    {
        @Override
        public void ready(final ProbeSession session)
        {
            final long now = System.nanoTime();
            lastReadyNanos.accumulateAndGet(now, (a, b) -> a == 0 || b - a > 0 ? b : a);
            ready.incrementAndGet();
            live.add(session);
            settle();
        }

        @Override
        public void hello(final ProbeSession session)
        {
            held.add(session);
            settle();
        }

        @Override
        public void heartbeatSent()
        {
            heartbeatsSent.increment();
        }

        @Override
        public void heartbeatAck()
        {
            heartbeatAcks.increment();
        }

        @Override
        public void failed(final ProbeSession session, final String reason)
        {
            failedAttempts.incrementAndGet();
            count("setup: " + reason);
            toRetry.add(session.index());
            settle();
        }

        @Override
        public void lost(final ProbeSession session, final String reason)
        {
            lost.incrementAndGet();
            ready.decrementAndGet();
            count("after ready: " + reason);
        }
    };

    /**
     * @param host    server host.
     * @param port    server port.
     * @param threads event loop threads.
     * @param stats   where sessions record deliveries.
     */
    public GatewayLoadClient(final String host, final int port, final int threads, final DeliveryStats stats)
    {
        this.uri = URI.create("ws://" + host + ":" + port + "/?v=10&encoding=json");
        this.stats = stats;
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
     * For the sessions opened after this call.
     *
     * @param value    the intents they identify with.
     * @param listener sees every text frame of theirs before they parse it (null: none).
     * @return this.
     */
    GatewayLoadClient sessions(final int value, final ProbeSession.FrameListener listener)
    {
        intents = value;
        frames = listener;
        return this;
    }

    /**
     * Asks the sessions opened after this call for {@code compress=zlib-stream}: each inflates its binary frames with
     * one {@link java.util.zip.Inflater} for the connection's whole stream.
     *
     * @param on whether to ask for it.
     * @return this.
     */
    public GatewayLoadClient zlibStream(final boolean on)
    {
        zlibStream = on;
        final String plain = uri.toString().replace("&compress=zlib-stream", "");
        uri = URI.create(on ? plain + "&compress=zlib-stream" : plain);
        return this;
    }

    /**
     * @return frames inflated by every zlib-stream session (0 for plain sessions).
     */
    public long inflatedFrames()
    {
        long n = 0;
        for (final ProbeSession s : byIndex.values())
        {
            n += s.inflatedFrames();
        }
        return n;
    }

    /**
     * Writes a payload on a session.
     *
     * @param index the session's index (its token's position when opened).
     * @param json  the payload.
     * @return false if there is no such session.
     */
    public boolean send(final int index, final String json)
    {
        final ProbeSession s = byIndex.get(index);
        if (s == null)
        {
            return false;
        }
        s.send(json);
        return true;
    }

    /**
     * @return "epoll" or "nio".
     */
    public static String transport()
    {
        return Epoll.isAvailable() ? "epoll" : "nio";
    }

    /**
     * Opens {@code tokens.size()} sessions, one per token (tokens may repeat: a user may hold many sessions).
     *
     * @param tokens        bot token of each session.
     * @param inFlight      sessions allowed to be setting up at once.
     * @param deadlineNanos give up opening new sessions at this {@code System.nanoTime()}.
     * @return sessions ready.
     * @throws InterruptedException if interrupted.
     */
    public int open(final List<String> tokens, final int inFlight, final long deadlineNanos)
        throws InterruptedException
    {
        List<Integer> pending = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++)
        {
            pending.add(i);
        }
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && !pending.isEmpty(); attempt++)
        {
            admission = new Semaphore(inFlight);
            settledThisPass.set(0);
            int launched = 0;
            for (final int index : pending)
            {
                final long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || !admission.tryAcquire(left, TimeUnit.NANOSECONDS))
                {
                    break;
                }
                launch(index, tokens.get(index));
                launched++;
            }
            while (settledThisPass.get() < launched && System.nanoTime() - deadlineNanos < 0)
            {
                Thread.sleep(50);
            }
            pending = new ArrayList<>(toRetry);
            toRetry.clear();
            if (System.nanoTime() - deadlineNanos >= 0)
            {
                break;
            }
        }
        return ready.get();
    }

    /**
     * Opens one session per token up to HELLO and holds its IDENTIFY back (a reconnect storm's first half):
     * at most {@code inFlight} connections are being set up at once; nothing is retried.
     *
     * @param tokens        bot token of each session.
     * @param inFlight      connections allowed to be setting up at once.
     * @param deadlineNanos give up at this {@code System.nanoTime()}.
     * @return sessions waiting at HELLO.
     * @throws InterruptedException if interrupted.
     */
    public int openHeld(final List<String> tokens, final int inFlight, final long deadlineNanos)
        throws InterruptedException
    {
        admission = new Semaphore(inFlight);
        settledThisPass.set(0);
        int launched = 0;
        for (int i = 0; i < tokens.size(); i++)
        {
            final long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !admission.tryAcquire(left, TimeUnit.NANOSECONDS))
            {
                break;
            }
            launch(i, tokens.get(i), true);
            launched++;
        }
        while (settledThisPass.get() < launched && System.nanoTime() - deadlineNanos < 0)
        {
            Thread.sleep(20);
        }
        return held.size();
    }

    /**
     * Sends every held IDENTIFY, as fast as the event loops write them.
     *
     * @return how many were released.
     */
    public int identifyHeld()
    {
        int n = 0;
        for (final ProbeSession s : held)
        {
            s.identifyNow();
            n++;
        }
        return n;
    }

    /**
     * Waits until {@code target} sessions are ready, none is still pending, or the deadline.
     *
     * @param target        sessions expected.
     * @param deadlineNanos {@code System.nanoTime()} to give up at.
     * @return sessions ready.
     * @throws InterruptedException if interrupted.
     */
    public int awaitReady(final int target, final long deadlineNanos) throws InterruptedException
    {
        while (ready.get() + toRetry.size() < target && System.nanoTime() - deadlineNanos < 0)
        {
            Thread.sleep(5);
        }
        return ready.get();
    }

    /**
     * @return {@code System.nanoTime()} of the latest GUILD_CREATE that made a session ready, or 0.
     */
    public long lastReadyNanos()
    {
        return lastReadyNanos.get();
    }

    /**
     * @return heartbeats written by all sessions.
     */
    public long heartbeatsSent()
    {
        return heartbeatsSent.sum();
    }

    /**
     * @return HEARTBEAT_ACKs received by all sessions.
     */
    public long heartbeatAcks()
    {
        return heartbeatAcks.sum();
    }

    private void launch(final int index, final String token)
    {
        launch(index, token, false);
    }

    private void launch(final int index, final String token, final boolean holdIdentify)
    {
        final ProbeSession session = new ProbeSession(index, token, stats, outcome, holdIdentify);
        session.configure(intents, frames);
        if (zlibStream)
        {
            session.inflateStream();
        }
        byIndex.put(index, session);
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
                    new WebSocketClientProtocolHandler(ws), session);
            }
        }).connect().addListener(f ->
        {
            if (!f.isSuccess())
            {
                session.connectFailed("connect: " + f.cause().getClass().getSimpleName() + ": "
                    + f.cause().getMessage());
            }
        });
    }

    private void settle()
    {
        settledThisPass.incrementAndGet();
        admission.release();
    }

    private void count(final String reason)
    {
        reasons.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    /**
     * @return sessions ready now.
     */
    public int ready()
    {
        return ready.get();
    }

    /**
     * @return setup attempts that failed (retried ones included).
     */
    public int failedAttempts()
    {
        return failedAttempts.get();
    }

    /**
     * @return sessions closed after they were ready.
     */
    public int lost()
    {
        return lost.get();
    }

    /**
     * @return every failure or close reason with its count.
     */
    public Map<String, Long> reasons()
    {
        final Map<String, Long> out = new java.util.TreeMap<>();
        reasons.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /**
     * Closes every session and stops the event loops.
     */
    @Override
    public void close()
    {
        for (final ProbeSession s : live)
        {
            s.closeQuietly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
    }
}
