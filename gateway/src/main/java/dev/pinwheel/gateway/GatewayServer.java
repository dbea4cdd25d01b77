package dev.pinwheel.gateway;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.counters.NodeCounters;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ClusterLink;
import dev.pinwheel.core.shard.ShardDeathHandler;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.store.StoreFactory;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.auth.LoginThrottle;
import dev.pinwheel.gateway.edge.NettyThreads;
import dev.pinwheel.gateway.edge.ShardEdge;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.routes.RestRouter;
import dev.pinwheel.gateway.http.routes.RouteContext;
import dev.pinwheel.gateway.node.AddressSlots;
import dev.pinwheel.gateway.node.FileStore;
import dev.pinwheel.gateway.owner.AttachmentSweeper;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.node.PeerHttp;
import dev.pinwheel.gateway.session.SessionStartLimits;
import dev.pinwheel.gateway.session.ShardSessions;
import dev.pinwheel.gateway.web.NodeMetrics;
import dev.pinwheel.gateway.web.ShardProbe;
import dev.pinwheel.gateway.web.WebEdge;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.tuning.ThreadRole;

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
 * <p>
 * The composition root of the gateway: the only class that knows every package. It builds, in this order, what the
 * node shares (the {@link GatewayContext}; the auth, session-start, rate and per-address limits, each owned by its
 * package), the shards (each thread builds its {@link GatewayShard} with its Netty driver, {@link GatewayShards}),
 * then the web pages and each shard's {@link ShardEdge}, and binds.
 */
public final class GatewayServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
    private final GatewayContext context;
    private final AuthService auth;
    private final SessionStartLimits sessionStarts;
    private final LoginThrottle loginThrottle;
    private final RateLimiter rateLimiter = new RateLimiter();
    private final AddressSlots connectionSlots;
    private final GatewayShards gateways;
    private final ShardGroup shards;
    private final List<Channel> listeners = new ArrayList<>();
    private final ThreadPoolExecutor control;
    private AttachmentSweeper sweeper;
    /** The REST routes (shard 0's table; every shard has the same), once started. */
    private volatile List<String> routes = List.of();
    /** The file directory made for a server started without one (removed at {@link #close}), or null. */
    private final java.nio.file.Path temporaryFiles;

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
        this(config, nodeId, shardCount, ringSize, routing, stores, placement, deathHandler, null);
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
     * @param counters     the node's counters (in its counters file), where the shards, their stores and each
     *                     shard's gateway register theirs; null: counters in this process only.
     */
    public GatewayServer(final GatewayConfig config, final int nodeId, final int shardCount, final int ringSize,
        final RoutingTable routing, final StoreFactory stores, final ThreadPlacement placement,
        final ShardDeathHandler deathHandler, final NodeCounters counters)
    {
        this(config, nodeId, shardCount, ringSize, routing, stores, placement, deathHandler, counters, null);
    }

    /**
     * Starts a node of a cluster: as above, with the link to the other nodes set on the shards before they start
     * (the owner of a guild may be a shard of another node: {@code ShardGroup#ownerOf}).
     *
     * @param config       gateway settings.
     * @param nodeId       node id (0..31).
     * @param shardCount   shards.
     * @param ringSize     inbox ring size per shard.
     * @param routing      routing table (over every shard of every node).
     * @param stores       store factory.
     * @param placement    thread placement.
     * @param deathHandler told when a shard thread dies while serving; null: the shards stop.
     * @param counters     the node's counters; null: counters in this process only.
     * @param link         the other nodes, or null for a single node.
     */
    public GatewayServer(final GatewayConfig config, final int nodeId, final int shardCount, final int ringSize,
        final RoutingTable routing, final StoreFactory stores, final ThreadPlacement placement,
        final ShardDeathHandler deathHandler, final NodeCounters counters, final ClusterLink link)
    {
        config.conclude();
        dev.pinwheel.gateway.node.GatewayTransport.configured(); // one this machine cannot run fails here, with why
        final long startedMillis = System.currentTimeMillis(); // before any upload of this process: the file sweep
        final NodeState node = NodeState.create();
        // Password hashing: a few threads and a short queue; a full queue is answered 503 at once (AuthRoutes),
        // never an unbounded wait behind someone else's flood.
        final int hashThreads = config.auth().hashThreads();
        this.control = new ThreadPoolExecutor(hashThreads, hashThreads, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(config.auth().hashQueue()),
            r -> placement.newThread(ThreadRole.CONTROL, 0, "pinwheel-control", r));
        this.context = new GatewayContext(config, node, control, nodeId, shardCount);
        // on a shared store (Cassandra) message files are kept there too: a guild that moves keeps them
        this.temporaryFiles = config.files().directory() == null ? temporaryFilesDirectory() : null;
        context.files(new FileStore(temporaryFiles != null ? temporaryFiles : config.files().directory(), config.files(),
            stores.sharedFiles()));
        this.auth = new AuthService(node.accounts(), config.pbkdf2Iterations());
        this.sessionStarts = new SessionStartLimits(config.sessionStartTotal(), config.sessionStartResetMillis(),
            config.maxConcurrency(), config.identifyWindowMillis());
        this.loginThrottle = new LoginThrottle(config.auth());
        this.connectionSlots = new AddressSlots(config.edge().maxConnectionsPerIp());
        this.gateways = new GatewayShards(context, auth, sessionStarts, shardCount);
        this.shards = new ShardGroup(nodeId, shardCount, ringSize, routing, stores, gateways,
            new NettyThreads(placement),
            shard ->
            {
                final long t0 = System.nanoTime();
                final long n = StateLog.recover(shard, node);
                LOG.info("shard {} recovered {} records in {} ms", shard.id(), n,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }, deathHandler, counters);
        try
        {
            if (link != null)
            {
                shards.clusterLink(link);
                context.peers(new PeerHttp(link, nodeId, 64));
                // a user another node owns is known here once that node's shard caught this start up (or its key is
                // moving): until then an unknown token of theirs is a failure that heals, not a bad token
                auth.mayNotKnowYet(userId ->
                {
                    if (context.node().directory().learning())
                    {
                        return true; // on the shared store: before the first load read the node-wide records
                    }
                    final int route = shards.ownerOf(userId);
                    return route == dev.pinwheel.core.routing.ShardRoute.MOVING
                        || dev.pinwheel.core.routing.ShardRoute.clustered(route) && !link.caughtUp(route);
                });
                for (int k = 0; k < shardCount; k++)
                {
                    // a node past its ownership lease holds its owner commands until it is renewed or the epoch
                    // without it arrives (ShardGroup#ownership, set when the membership starts)
                    shards.shard(k).pauseWhile(dev.pinwheel.gateway.owner.OwnerCommandAdapter::handles,
                        TimeUnit.SECONDS.toNanos(10));
                }
                final long hold = link.startHoldNanos();
                if (hold > 0)
                {
                    // the link ends it (its peers follow this start again); each shard's own deadline is a backstop
                    for (int k = 0; k < shardCount; k++)
                    {
                        shards.shard(k).holdCommands(GatewayCommands::heldAtStart, 2 * hold
                            + TimeUnit.SECONDS.toNanos(5));
                    }
                }
            }
            shards.start(10, TimeUnit.MINUTES);
            if (context.files() != null)
            {
                sweeper = new AttachmentSweeper(context.files(), shards, node, startedMillis);
            }
            bind();
            // Warm the control plane (PBKDF2 provider, JSON, SecureRandom) off the shards, so the first
            // register/login does not pay ~0.6 s of class loading and JIT.
            control.execute(() -> auth.verifyPassword("warm-up",
                auth.hashPassword("warm-up") + auth.newToken(0).substring(0, 0)));
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

    /**
     * Binds one listener. A failure is a {@link IllegalStateException} naming the address (Netty's {@code sync()}
     * rethrows the cause as is, and a port in use is a checked {@code IOException} thrown where none is declared: it
     * slipped past the start's clean-up, and the half-started JVM printed a stack trace and kept running).
     */
    private Channel listen(final ShardEdge edge, final boolean reusePort, final int port) throws InterruptedException
    {
        final String host = context.config().host();
        final io.netty.channel.ChannelFuture bound = edge.bootstrap(reusePort).bind(new InetSocketAddress(host, port))
            .await();
        if (!bound.isSuccess())
        {
            final Throwable cause = bound.cause();
            final String why = String.valueOf(cause.getMessage()).contains("Address already in use")
                ? "the address is in use (another Pinwheel or another server holds the port: stop it, or choose "
                    + "another with --port)"
                : String.valueOf(cause.getMessage());
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + why, cause);
        }
        return bound.channel();
    }

    private void bind() throws InterruptedException
    {
        final int n = shards.shardCount();
        final ShardProbe[] probes = new ShardProbe[n];
        for (int i = 0; i < n; i++)
        {
            probes[i] = gateways.shard(i).probe();
        }
        final WebEdge web = new WebEdge(context, auth, new NodeMetrics(probes));
        final ShardEdge[] edges = new ShardEdge[n];
        for (int i = 0; i < n; i++)
        {
            edges[i] = edge(gateways.shard(i), web);
            if (i == 0)
            {
                routes = edges[i].api().table().routes();
            }
            final Channel own = listen(edges[i], false, 0);
            listeners.add(own);
            context.resumePort(i, ((InetSocketAddress)own.localAddress()).getPort());
        }
        int port = context.config().port();
        for (int i = 0; i < n; i++)
        {
            final Channel main = listen(edges[i], true, port);
            listeners.add(main);
            if (i == 0)
            {
                port = ((InetSocketAddress)main.localAddress()).getPort();
                context.port(port); // before any other shard accepts: REST's gateway URL needs it
            }
        }
        LOG.info("Pinwheel gateway listening on {}:{} with {} shards ({})", context.config().host(), port,
            shards.shardCount(), dev.pinwheel.gateway.node.GatewayTransport.configured().label());
    }

    private ShardEdge edge(final GatewayShard gateway, final WebEdge web)
    {
        final Shard shard = gateway.shard();
        final RouteContext routes = new RouteContext(context, shard, auth, loginThrottle, rateLimiter, sessionStarts,
            gateway.edgeCounters(), gateway.exchanges());
        final RestRouter api = new RestRouter(routes, shard, gateway.exchanges());
        return new ShardEdge(context, auth, shard, gateway.driver(), gateway.edgeDeadlines(), gateway.edgeCounters(),
            connectionSlots, api, gateway.sessions(), web);
    }

    /**
     * @return every REST route (as {@code "METHOD /template"}, below {@code /api/v10}): every shard has the same.
     */
    public List<String> routes()
    {
        return routes;
    }

    /**
     * @return the bound main port.
     */
    public int port()
    {
        return context.port();
    }

    /**
     * @return the node context (settings, directories, ports).
     */
    public GatewayContext context()
    {
        return context;
    }

    /**
     * @param id a shard id.
     * @return that shard's gateway (its parts are confined to its thread unless they say otherwise).
     */
    public GatewayShard shard(final int id)
    {
        return gateways.shard(id);
    }

    /**
     * @return the shards.
     */
    public ShardGroup shards()
    {
        return shards;
    }

    /**
     * @return the file store's sweep, or null without a file store.
     */
    public AttachmentSweeper fileSweeper()
    {
        return sweeper;
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
        if (shards != null)
        {
            for (int i = 0; i < shards.shardCount(); i++)
            {
                final GatewayShard gateway = gateways.shard(i);
                if (gateway != null)
                {
                    final ShardSessions sessions = gateway.sessions();
                    shards.send(i, s -> sessions.reconnectAll());
                }
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
            if (sweeper != null)
            {
                sweeper.close();
            }
            if (context.files() != null)
            {
                context.files().close();
            }
            if (context.peers() != null)
            {
                context.peers().close();
            }
            if (temporaryFiles != null)
            {
                deleteTree(temporaryFiles);
            }
        }
    }

    private static void deleteTree(final java.nio.file.Path root)
    {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        catch (final java.io.IOException | java.io.UncheckedIOException ex)
        {
            LOG.warn("could not remove the temporary file directory {}: {}", root, ex.toString());
        }
    }

    /** A file directory for a server started without one (tests, nodes without a data directory). */
    private static java.nio.file.Path temporaryFilesDirectory()
    {
        try
        {
            return java.nio.file.Files.createTempDirectory("pinwheel-files");
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
