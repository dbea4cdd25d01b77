package dev.pinwheel.gateway;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.handler.codec.http.HttpServerCodec;

import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardDeathHandler;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.store.StoreFactory;
import dev.pinwheel.gateway.edge.AddressSlots;
import dev.pinwheel.gateway.edge.ClientAddress;
import dev.pinwheel.gateway.edge.EdgeConnection;
import dev.pinwheel.gateway.edge.EdgeCounters;
import dev.pinwheel.gateway.edge.EdgeDeadlines;
import dev.pinwheel.gateway.netio.NettyIoDriver;
import dev.pinwheel.gateway.netio.NettyThreads;
import dev.pinwheel.gateway.ops.AuthService;
import dev.pinwheel.gateway.rest.RestApi;
import dev.pinwheel.gateway.ws.ShardGateway;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.tuning.ThreadRole;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's network edge: starts the shards (each recovers its journal, then drives its own Netty loop),
 * then binds on every shard's loop
 * <ul>
 *   <li>the main port (gateway + REST) with {@code SO_REUSEPORT}: the kernel spreads connections over the
 *   shards, Seastar-style, with no acceptor thread and no hand-off;</li>
 *   <li>one port of the shard's own, handed out as {@code resume_gateway_url}, so a RESUME reaches the
 *   shard that holds the session.</li>
 * </ul>
 * Every shard's own port is bound before the main port: the first IDENTIFY can come as soon as the main port
 * accepts, and its READY must already carry a real resume port.
 */
public final class GatewayServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
    private final GatewayContext context;
    private final ShardGroup shards;
    private final List<Channel> listeners = new ArrayList<>();
    private final ThreadPoolExecutor control;

    /**
     * Starts a node: shards recover and start, then the ports are bound. Returns when serving.
     *
     * @param config     gateway settings.
     * @param nodeId     node id (0..31).
     * @param shardCount shards.
     * @param ringSize   inbox ring size per shard.
     * @param routing    routing table.
     * @param stores     store factory.
     * @param placement  thread placement.
     */
    public GatewayServer(final GatewayConfig config, final int nodeId, final int shardCount, final int ringSize,
        final RoutingTable routing, final StoreFactory stores, final ThreadPlacement placement)
    {
        this(config, nodeId, shardCount, ringSize, routing, stores, placement, null);
    }

    /**
     * Starts a node: shards recover and start, then the ports are bound. Returns when serving.
     *
     * @param config       gateway settings.
     * @param nodeId       node id (0..31).
     * @param shardCount   shards.
     * @param ringSize     inbox ring size per shard.
     * @param routing      routing table.
     * @param stores       store factory.
     * @param placement    thread placement.
     * @param deathHandler told when a shard thread dies while serving (the composition root stops the node);
     *                     null: the shards stop (see {@link ShardGroup}).
     */
    public GatewayServer(final GatewayConfig config, final int nodeId, final int shardCount, final int ringSize,
        final RoutingTable routing, final StoreFactory stores, final ThreadPlacement placement,
        final ShardDeathHandler deathHandler)
    {
        config.conclude();
        final NodeState node = NodeState.create();
        // Password hashing: a few threads and a short queue; a full queue is answered 503 at once (AuthRoutes),
        // never an unbounded wait behind someone else's flood.
        final int hashThreads = config.auth().hashThreads();
        this.control = new ThreadPoolExecutor(hashThreads, hashThreads, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(config.auth().hashQueue()),
            r -> placement.newThread(ThreadRole.CONTROL, 0, "pinwheel-control", r));
        final GatewayContext[] ctxRef = new GatewayContext[1];
        this.shards = new ShardGroup(nodeId, shardCount, ringSize, routing, stores, NettyIoDriver::new,
            new NettyThreads(placement),
            shard ->
            {
                final long t0 = System.nanoTime();
                final long n = StateLog.recover(shard, node);
                LOG.info("shard {} recovered {} records in {} ms", shard.id(), n,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                shard.attach(new ShardGateway(shard, ctxRef[0]));
                final EdgeDeadlines deadlines = ctxRef[0].edgeDeadlines(shard.id());
                shard.addTicker(() -> deadlines.tick(System.nanoTime()));
            }, deathHandler);
        this.context = new GatewayContext(config, shards, node, new AuthService(node.accounts(),
            config.pbkdf2Iterations()), control);
        ctxRef[0] = context;
        try
        {
            shards.start(10, TimeUnit.MINUTES);
            bind();
            // Warm the control plane (PBKDF2 provider, JSON, SecureRandom) off the shards, so the first
            // register/login does not pay ~0.6 s of class loading and JIT.
            control.execute(() -> context.auth().verifyPassword("warm-up",
                context.auth().hashPassword("warm-up") + context.auth().newToken(0).substring(0, 0)));
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            close();
            if (ex instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not start the gateway: " + ex.getMessage(), ex);
        }
    }

    private void bind() throws InterruptedException
    {
        for (int i = 0; i < shards.shardCount(); i++)
        {
            final Channel own = bootstrap(shards.shard(i), false)
                .bind(new InetSocketAddress(context.config().host(), 0)).sync().channel();
            listeners.add(own);
            context.resumePort(i, ((InetSocketAddress)own.localAddress()).getPort());
        }
        int port = context.config().port();
        for (int i = 0; i < shards.shardCount(); i++)
        {
            final Channel main = bootstrap(shards.shard(i), true)
                .bind(new InetSocketAddress(context.config().host(), port)).sync().channel();
            listeners.add(main);
            if (i == 0)
            {
                port = ((InetSocketAddress)main.localAddress()).getPort();
                context.port(port); // before any other shard accepts: REST's gateway URL needs it
            }
        }
        LOG.info("Pinwheel gateway listening on {}:{} with {} shards ({})", context.config().host(), port,
            shards.shardCount(), Epoll.isAvailable() ? "epoll" : "nio");
    }

    private ServerBootstrap bootstrap(final Shard shard, final boolean reusePort)
    {
        final NettyIoDriver driver = (NettyIoDriver)shard.io();
        final RestApi api = new RestApi(context, shard);
        final EdgeDeadlines deadlines = context.edgeDeadlines(shard.id());
        final EdgeCounters counters = context.edgeCounters(shard.id());
        final ServerBootstrap b = new ServerBootstrap()
            .group(driver.loop(), driver.loop())
            .channel(NettyIoDriver.serverChannelClass())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 1024 * 1024))
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    final String client = ClientAddress.key(ch.remoteAddress());
                    final AddressSlots slots = context.connectionSlots();
                    if (!slots.tryAcquire(client))
                    {
                        counters.increment(EdgeCounters.REFUSED_IP_CAP);
                        ch.close();
                        return;
                    }
                    ch.closeFuture().addListener(f -> slots.release(client));
                    final EdgeConnection edge = new EdgeConnection(deadlines, context.config().edge(), counters);
                    ch.pipeline().addLast(edge.bytes());
                    ch.pipeline().addLast(new HttpServerCodec(8192, 16 * 1024, 16 * 1024));
                    ch.pipeline().addLast(edge);
                    ch.pipeline().addLast(new JsonHttpObjectAggregator(256 * 1024, edge));
                    ch.pipeline().addLast(new HttpEdgeHandler(context, shard, api, edge));
                }
            });
        if (reusePort)
        {
            if (Epoll.isAvailable())
            {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            else
            {
                b.option(NioChannelOption.of(java.net.StandardSocketOptions.SO_REUSEPORT), true);
            }
        }
        return b;
    }

    /**
     * @return the bound main port.
     */
    public int port()
    {
        return context.port();
    }

    /**
     * @return the node context (directories, shards).
     */
    public GatewayContext context()
    {
        return context;
    }

    /**
     * @return the shards.
     */
    public ShardGroup shards()
    {
        return shards;
    }

    /**
     * Stops accepting, tells every gateway client to reconnect (op 7), stops the shards, closes the stores.
     * A dead shard's listeners are skipped: its event loop closed them as it ended and runs no task any more, so a
     * close handed to it would never complete (it used to cost 5 s per listener, 10 s in all, during which the node
     * kept accepting connections and acknowledging posts on its surviving shards).
     */
    @Override
    public void close()
    {
        for (final Channel ch : listeners)
        {
            if (ch.isOpen() && !ch.eventLoop().isShutdown())
            {
                ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        listeners.clear();
        if (context != null)
        {
            for (int i = 0; i < shards.shardCount(); i++)
            {
                shards.send(i, s ->
                {
                    final ShardGateway gw = ShardGateway.of(s);
                    if (gw != null)
                    {
                        gw.reconnectAll();
                    }
                });
            }
        }
        try
        {
            if (shards != null)
            {
                shards.close();
            }
        }
        finally
        {
            control.shutdownNow();
        }
    }
}
