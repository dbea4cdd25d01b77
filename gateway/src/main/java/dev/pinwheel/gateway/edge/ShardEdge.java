package dev.pinwheel.gateway.edge;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.http.routes.RestRouter;
import dev.pinwheel.gateway.node.AddressSlots;
import dev.pinwheel.gateway.node.ClientAddress;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.node.GatewayTransport;
import dev.pinwheel.gateway.session.ShardSessions;
import dev.pinwheel.gateway.web.FileEdge;
import dev.pinwheel.gateway.web.WebEdge;

/**
 * The Netty server side of one shard: its listening sockets (built here, bound by the composition root) on the
 * shard's own event loop, and the pipeline of every connection they accept:
 * <pre>
 *   accept ─▶ per-address cap (node-wide) ─▶ EdgeConnection (deadlines) ─▶ HTTP codec ─▶ aggregator ─▶ HttpEdgeHandler
 *                                                                       ├─ /api/...      ─▶ RestRouter
 *                                                                       ├─ WS upgrade    ─▶ the shard's sessions
 *                                                                       └─ anything else ─▶ WebEdge
 * </pre>
 * Built once per shard, after the shards serve; its parts are used on the shard's thread only (the cap and the web
 * pages are node-wide and thread-safe).
 */
public final class ShardEdge
{
    /** The largest request-body scratch a shard keeps (bigger bodies get their own array). */
    private static final int SCRATCH_KEPT = 64 * 1024;
    private final GatewayContext context;
    private final AuthService auth;
    private final Shard shard;
    private final NettyIoDriver driver;
    private final EdgeDeadlines deadlines;
    private final EdgeCounters counters;
    private final AddressSlots connectionSlots;
    private final RestRouter api;
    private final ShardSessions sessions;
    private final WebEdge web;
    private byte[] scratch = new byte[4096];
    /** Every upgraded connection's frame decoder holds this one (it was one per connection). */
    private final WebSocketDecoderConfig webSocketDecoderConfig;
    private String lastHost;

    /**
     * @param context         the node.
     * @param auth            token checks (REST requests).
     * @param shard           the shard.
     * @param driver          its Netty I/O driver.
     * @param deadlines       its HTTP connection deadlines.
     * @param counters        its refusal counters.
     * @param connectionSlots the node-wide cap on connections per client address.
     * @param api             its REST routes.
     * @param sessions        its gateway sessions (WebSocket upgrades join them).
     * @param web             the node's web pages and metrics.
     */
    public ShardEdge(final GatewayContext context, final AuthService auth, final Shard shard,
        final NettyIoDriver driver, final EdgeDeadlines deadlines, final EdgeCounters counters,
        final AddressSlots connectionSlots, final RestRouter api, final ShardSessions sessions, final WebEdge web)
    {
        this.context = context;
        this.auth = auth;
        this.shard = shard;
        this.driver = driver;
        this.deadlines = deadlines;
        this.counters = counters;
        this.connectionSlots = connectionSlots;
        this.api = api;
        this.sessions = sessions;
        this.web = web;
        this.files = new FileEdge(context, auth, shard);
        this.webSocketDecoderConfig = WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(context.config().maxInboundPayload())
            .closeOnProtocolViolation(false)
            .allowExtensions(false)
            .build();
    }

    /**
     * @return the frame decoder settings of this shard's WebSocket upgrades (shared by every connection).
     */
    WebSocketDecoderConfig webSocketDecoderConfig()
    {
        return webSocketDecoderConfig;
    }

    /**
     * A connection keeps the host its client connected to (for its resume URL); clients name the same one, so
     * connections share one string instead of each keeping its own copy of the header. Shard thread only.
     *
     * @param host the Host header of an upgrade, or null.
     * @return an equal string, the previous connection's when it is the same.
     */
    String sameHost(final String host)
    {
        if (host != null && !host.equals(lastHost))
        {
            lastHost = host;
        }
        return host == null ? null : lastHost;
    }

    FileEdge files()
    {
        return files;
    }

    private final FileEdge files;

    GatewayContext context()
    {
        return context;
    }

    AuthService auth()
    {
        return auth;
    }

    Shard shard()
    {
        return shard;
    }

    /** @return this shard's REST router. */
    public RestRouter api()
    {
        return api;
    }

    /**
     * @param length bytes needed.
     * @return this shard's scratch array, at least that long: for a request body on its way to the JSON parser (valid
     *         until the next call; shard thread only). One beyond {@value #SCRATCH_KEPT} bytes is not kept.
     */
    byte[] scratch(final int length)
    {
        if (length <= scratch.length)
        {
            return scratch;
        }
        final byte[] grown = new byte[length];
        if (length <= SCRATCH_KEPT)
        {
            scratch = grown;
        }
        return grown;
    }

    ShardSessions sessions()
    {
        return sessions;
    }

    WebEdge web()
    {
        return web;
    }

    /**
     * One receive-size policy for every connection (issue 14: a channel's config otherwise makes its own, 32 bytes per
     * idle session; the policy holds only its limits, each channel's {@code Handle} keeps its own adaptive guess, in
     * 40 bytes where Netty's adaptive one took 112).
     */
    private static final ReceiveSizes RECEIVE_SIZES = new ReceiveSizes();

    /**
     * Gives a closed connection's slot back. One listener for all of them (issue 14: a lambda per connection held its
     * address key, ≈ 90 bytes per idle session): the key is computed again from the channel's remote address, which
     * the channel keeps after it closed (read once in {@code initChannel}, so cached).
     */
    private final ChannelFutureListener releaseSlot = this::releaseSlot;

    private void releaseSlot(final ChannelFuture closed)
    {
        connectionSlots.release(ClientAddress.key(closed.channel().remoteAddress()));
    }

    /**
     * @param reusePort whether the socket shares its port with the other shards' ({@code SO_REUSEPORT}: the main
     *                  port), or has its own (the shard's resume port).
     * @return a listener on this shard's loop, to bind.
     */
    public ServerBootstrap bootstrap(final boolean reusePort)
    {
        final ServerBootstrap b = new ServerBootstrap()
            .group(driver.loop(), driver.loop())
            .channel(GatewayTransport.configured().serverChannelClass())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 1024 * 1024))
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_SIZES)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    final String client = ClientAddress.key(ch.remoteAddress());
                    if (!connectionSlots.tryAcquire(client))
                    {
                        counters.increment(EdgeCounters.REFUSED_IP_CAP);
                        ch.close();
                        return;
                    }
                    ch.closeFuture().addListener(releaseSlot);
                    final EdgeConnection edge = new EdgeConnection(deadlines, context.config().edge(), counters);
                    ch.pipeline().addLast(edge.bytes());
                    ch.pipeline().addLast(new HttpServerCodec(8192, 16 * 1024, 16 * 1024));
                    ch.pipeline().addLast(edge);
                    ch.pipeline().addLast(new JsonHttpObjectAggregator(256 * 1024,
                        context.config().files().maxRequestBytes(), edge));
                    ch.pipeline().addLast(new HttpEdgeHandler(ShardEdge.this, edge, client));
                }
            });
        if (reusePort)
        {
            GatewayTransport.configured().reusePort(b);
        }
        return b;
    }
}
