package dev.pinwheel.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.agrona.concurrent.AgentRunner;

import dev.pinwheel.cluster.ClusterMembers;
import dev.pinwheel.cluster.NodeLink;
import dev.pinwheel.cluster.NodeLinkContext;
import dev.pinwheel.core.counters.CountersFile;
import dev.pinwheel.core.counters.NodeCounters;
import dev.pinwheel.core.counters.NodeSampler;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.ShardDeathHandler;
import dev.pinwheel.core.store.StoreFactory;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.GatewayServer;
import dev.pinwheel.storage.ChronicleRingPublisher;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.DataDirectoryLock;
import dev.pinwheel.storage.EmbeddedStoreFactory;
import dev.pinwheel.storage.cassandra.CassandraStoreContext;
import dev.pinwheel.storage.cassandra.CassandraStoreFactory;
import dev.pinwheel.tuning.AffinityThreadPlacement;
import dev.pinwheel.tuning.PlanRequest;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.tuning.TuningProfile;
import dev.pinwheel.voicesfu.VoiceContext;
import dev.pinwheel.voicesfu.VoiceServer;

/**
 * The composition root: one Pinwheel node on the embedded store (default) or on Cassandra. Only this class knows every
 * module.
 * <pre>
 *   PinwheelServer ─┬─ EmbeddedStoreFactory (storage)   one Chronicle Queue journal per shard, or
 *                   │  CassandraStoreFactory            one driver session; one asynchronous store per shard
 *                   │  (storage-cassandra)              (--store cassandra)
 *                   ├─ CountersFile (core)              every counter of the node, mapped: data/counters.dat
 *                   ├─ RoutingTable (core)              guild → shard; published to Chronicle Map
 *                   ├─ ThreadPlacement (tuning)         pinning plan of the profile
 *                   ├─ GatewayServer (gateway)          shards + Netty edge + REST + gateway
 *                   └─ VoiceServer (voice-sfu)          TLS voice gateway + UDP media loops (VoiceAdmission)
 * </pre>
 * A shard thread that dies while serving stops the node: the builder's {@link Builder#onShardDeath} handler is told
 * (the command line exits non-zero); without one the node closes itself (on a thread of its own).
 */
public final class PinwheelServer implements AutoCloseable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PinwheelServer.class);
    private final GatewayServer gateway;
    private final StoreFactory stores;
    /** The data directory's lock when the store is Cassandra (the embedded store holds its own). */
    private final DataDirectoryLock cassandraLock;
    private final AsyncRingPublisher ringPublisher;
    private final Path dataDir;
    private final VoiceServer voice;
    private final CountersFile counters;
    private final AgentRunner sampler;
    private final ShardDeathHandler onShardDeath;
    /** The link to the other nodes of the cluster, or null for a single node. */
    private final NodeLink link;
    /** Membership and ring epochs by consensus (Aeron Cluster), or null for a single node. */
    private final dev.pinwheel.cluster.ConsensusMembership membership;
    /** The Cassandra stores' write fence: none until the membership starts (three or more members). */
    private final DelegatingFence fence = new DelegatingFence();

    /** A {@link dev.pinwheel.core.store.WriteFence} set once the membership runs ({@link #delegate}). */
    private static final class DelegatingFence implements dev.pinwheel.core.store.WriteFence
    {
        volatile dev.pinwheel.core.store.WriteFence delegate = dev.pinwheel.core.store.WriteFence.NONE;

        @Override
        public long term()
        {
            return delegate.term();
        }

        @Override
        public boolean mayWrite()
        {
            return delegate.mayWrite();
        }
    }
    /** Moves routing keys between nodes by ring epochs (a cluster on Cassandra), or null. */
    private final CassandraHandover handover;
    private final int nodeId;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private PinwheelServer(final Builder b)
    {
        this.onShardDeath = b.onShardDeath;
        this.dataDir = b.dataDir.toAbsolutePath();
        final int shards = b.shards > 0 ? b.shards : Math.min(31, Runtime.getRuntime().availableProcessors());
        final ClusterMembers members = b.members == null ? null : ClusterMembers.parse(b.members);
        this.nodeId = members == null ? 0 : b.nodeId;
        // a cluster on the shared Cassandra store moves keys between nodes by ring epochs (CassandraHandover): it
        // starts holding nothing, every key refused until its first epoch is loaded
        final boolean handover = members != null && b.cassandra != null && ClusterEpochs.enabled(members);
        // one ring over every shard of every member (each member runs the same shard count)
        final RoutingRing ring = handover ? CassandraHandover.startRing(members.size(), shards)
            : RoutingRing.build(1, members == null ? 1 : members.size(), shards, RoutingRing.DEFAULT_VIRTUAL_NODES);
        if (b.cassandra == null)
        {
            this.cassandraLock = null;
            final dev.pinwheel.storage.EmbeddedStoreContext embedded = new dev.pinwheel.storage.EmbeddedStoreContext()
                .dataDir(dataDir).durability(b.durability);
            if (b.embeddedStore != null)
            {
                b.embeddedStore.accept(embedded); // tests: a journal clock they move, a retention
            }
            this.stores = new EmbeddedStoreFactory(embedded); // locks the data directory first
        }
        else
        {
            // the data directory still holds the counters file and the published ring: one process at a time
            this.cassandraLock = DataDirectoryLock.acquire(dataDir);
            try
            {
                // a handover node recovers nothing at start: its first ring epoch loads what it owns
                this.stores = new CassandraStoreFactory(b.cassandra.routing(shards, handover ? key -> -1
                    : ring::shardOf).fence(fence));
            }
            catch (final RuntimeException ex)
            {
                cassandraLock.close();
                throw ex;
            }
        }
        try
        {
            if (b.cassandra == null) // Cassandra's state logs are per routing key: any shard count reads them
            {
                checkNodeMeta(dataDir, shards);
            }
        }
        catch (final RuntimeException ex)
        {
            closeStores();
            throw ex;
        }
        // after the lock: a second server on this directory never touches a running node's counters file
        this.counters = createCounters(dataDir, shards);
        final NodeCounters nodeCounters = counters != null ? counters.counters()
            : NodeCounters.inMemory(NodeCounters.capacityFor(shards));
        this.ringPublisher = new AsyncRingPublisher(() -> new ChronicleRingPublisher(dataDir),
            members == null ? 1 : members.size(), shards);
        final RoutingTable routing = new RoutingTable(ring, ringPublisher);
        this.handover = handover ? new CassandraHandover(nodeId, shards, routing) : null;
        final TuningProfile profile = b.profile;
        final ThreadPlacement placement = profile.pin()
            ? AffinityThreadPlacement.forThisMachine(PlanRequest.of(profile).withShards(shards)
                .withConductor(members != null))
            : new ProfilePlacement(profile);
        // Voice starts beside the shards, not after them: its TLS set-up (keystore, SSL context; keytool on a first
        // run) is ~0.4-1.3 s of cold JVM work that needs nothing from the gateway but the admission hook set below.
        final java.util.concurrent.CompletableFuture<VoiceServer> voiceStart = !b.voiceEnabled ? null
            : java.util.concurrent.CompletableFuture.supplyAsync(
                () -> VoiceServer.start(b.voice.dataDir(dataDir).placement(placement).counters(nodeCounters)),
                r -> Thread.ofPlatform().name("pinwheel-voice-start").daemon(true).start(r));
        NodeLink startedLink = null;
        PeerSignals lateGuilds = null;
        dev.pinwheel.cluster.ConsensusMembership startedMembership = null;
        try
        {
            if (b.gateway.files().directory() == null)
            {
                b.gateway.files().directory(dataDir.resolve("files")); // beside the journals, never in them
            }
            if (members != null)
            {
                // the media driver's files live in the node's data directory (deleted on start and on close)
                // the link's thread is the plan's conductor: placed (pinned under latency and throughput) and idling
                // as the profile says for it
                startedLink = new NodeLink(new NodeLinkContext().nodeId(nodeId).members(members)
                    .aeronDir(dataDir.resolve("aeron"))
                    .threadFactory(r -> placement.newThread(dev.pinwheel.tuning.ThreadRole.CONDUCTOR, 0,
                        "pinwheel-cluster-link", r))
                    .spinUnlessSet(placement.idleMode(dev.pinwheel.tuning.ThreadRole.CONDUCTOR)
                        == dev.pinwheel.tuning.IdleMode.BUSY_SPIN)
                    // a node that can reach no other stops, as one whose shard died: no zombie serving a stale ring
                    .onLost(() -> shardDied(NODE_WIDE, new IllegalStateException(
                        "the cluster link ended: this node can reach no other node"))), shards, nodeCounters);
            }
            this.gateway = new GatewayServer(b.gateway, nodeId, shards, b.ringSize, routing, stores, placement,
                this::shardDied, nodeCounters, startedLink);
            if (startedLink != null)
            {
                // sessions that lose a guild with its owner's node, or could not get it, get it when it is back
                lateGuilds = new PeerSignals(gateway.shards(), gateway::shard);
                startedLink.onCatchUpRequest(new NodeWideCatchUp(gateway.shards(), startedLink, gateway::shard));
                startedLink.onPeerChange(lateGuilds);
                startedLink.onStartHoldEnd(new StartHoldRelease(gateway.shards()));
                // where this node answers HTTP, told to its peers: they hand it uploads and downloads of its files
                startedLink.advertiseHttp(httpAddress(b.gateway.host(), gateway.port(), members.hosts().get(nodeId)));
                startedLink.start(gateway.shards(), gateway.context().node());
                LOG.info("node {} of {}: cluster link on {}", nodeId, members.size(), members.endpoint(nodeId));
            }
        }
        catch (final RuntimeException ex)
        {
            if (startedLink != null)
            {
                startedLink.close();
            }
            closeWhenStarted(voiceStart);
            ringPublisher.close();
            closeCounters();
            closeStores();
            throw ex;
        }
        if (startedLink != null)
        {
            try
            {
                startedMembership = ClusterEpochs.startMembership(nodeId, members, dataDir, startedLink,
                    nodeCounters, ClusterEpochs.publishing(ringPublisher, this.handover));
                if (startedMembership != null && this.handover != null && members.size() >= 3)
                {
                    // on the shared store another node takes over a node declared lost: owners wait past their lease
                    // (ConsensusMembership#ownership). Not on the embedded store, where no node takes over another's
                    // keys, nor with two members, where neither can be declared lost without the other
                    // and not before the shards route by the newest epoch the replica reached: a node resuming from a
                    // stall renewed its lease (its new heartbeat is in the log after the epochs it missed) before the
                    // handover swapped their rings in, and ran the commands it had held on guilds others owned
                    // meanwhile, from its stale copies (ClusterStaleOwnerTest; a chaos soak: a post written twice)
                    final dev.pinwheel.cluster.ConsensusMembership live = startedMembership;
                    final dev.pinwheel.core.shard.ShardGroup group = gateway.shards();
                    group.ownership(now ->
                    {
                        final int own = live.ownership(now);
                        return own == dev.pinwheel.core.shard.ShardGroup.OWNER
                            && live.reachedEpoch() > group.routing().ring().version()
                            ? dev.pinwheel.core.shard.ShardGroup.PAUSED : own;
                    });
                    // and its writes to Cassandra go out only while it owns: one its driver timed out during a stall
                    // was sent again on resuming, over the new owner's (a chaos soak: a post written twice)
                    fence.delegate = new dev.pinwheel.core.store.WriteFence()
                    {
                        @Override
                        public long term()
                        {
                            return live.lostTerm();
                        }

                        @Override
                        public boolean mayWrite()
                        {
                            return group.ownership() == dev.pinwheel.core.shard.ShardGroup.OWNER;
                        }
                    };
                }
                if (this.handover != null)
                {
                    this.handover.bind(gateway.shards(), gateway.context().node(),
                        ((CassandraStoreFactory)stores).scopes(), startedMembership, gateway::shard);
                    // node-wide records broadcast while a peer was unreachable are read again from Cassandra
                    lateGuilds.relearnAfterOutage(startedLink, this.handover::relearnNodeWide);
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.error("cluster membership (Aeron Cluster) did not start", ex);
                try
                {
                    gateway.close();
                }
                finally
                {
                    if (this.handover != null)
                    {
                        this.handover.close();
                    }
                    startedLink.close();
                    closeWhenStarted(voiceStart);
                    ringPublisher.close();
                    closeCounters();
                    closeStores();
                }
                throw ex;
            }
        }
        VoiceServer v = null;
        if (voiceStart != null)
        {
            try
            {
                v = voiceStart.join();
                gateway.context().voice(v.admission());
            }
            catch (final RuntimeException ex)
            {
                try
                {
                    gateway.close();
                }
                finally
                {
                    // what the cluster started: the handover thread, the consensus member, the link's media driver
                    if (this.handover != null)
                    {
                        this.handover.close();
                    }
                    if (startedMembership != null)
                    {
                        startedMembership.close();
                    }
                    if (startedLink != null)
                    {
                        startedLink.close();
                    }
                    ringPublisher.close();
                    closeCounters();
                    closeStores();
                }
                throw ex instanceof java.util.concurrent.CompletionException && ex.getCause() instanceof RuntimeException r
                    ? r : ex;
            }
        }
        this.voice = v;
        this.link = startedLink;
        this.membership = startedMembership;
        this.sampler = NodeSampler.start(new NodeSampler(nodeCounters, counters, gateway.context().node()));
    }

    private void closeStores()
    {
        try
        {
            stores.close();
        }
        finally
        {
            if (cassandraLock != null)
            {
                cassandraLock.close();
            }
        }
    }

    /**
     * @return the node's counters file, or null (and a warning) if it cannot be created: the node serves without it,
     *         only {@code pinwheel top --data} cannot see it.
     */
    /**
     * Where this node answers HTTP for its peers: {@code -Dpinwheel.cluster.httpAddress=HOST:PORT} if set, else the
     * bound host and port, with the node's {@code --members} host in place of a wildcard bind address.
     */
    static String httpAddress(final String boundHost, final int port, final String memberHost)
    {
        final String configured = System.getProperty("pinwheel.cluster.httpAddress");
        if (configured != null && !configured.isBlank())
        {
            return configured.trim();
        }
        final boolean wildcard = boundHost == null || boundHost.isBlank() || boundHost.equals("0.0.0.0")
            || boundHost.equals("::") || boundHost.equals("[::]");
        final String host = wildcard ? memberHost : boundHost;
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private static CountersFile createCounters(final Path dataDir, final int shards)
    {
        try
        {
            return CountersFile.create(dataDir, 0, shards, NodeCounters.capacityFor(shards));
        }
        catch (final UncheckedIOException ex)
        {
            LOG.warn("no counters file: {} ({}); the node serves, `pinwheel top --data` cannot read it", ex.getMessage(),
                ex.getCause().toString());
            return null;
        }
    }

    private void closeCounters()
    {
        if (counters != null)
        {
            counters.close();
        }
    }

    /** The shard id {@link #shardDied} is told when a part every shard needs died (the cluster link). */
    static final int NODE_WIDE = -1;

    /** On the dying shard's thread: hand the decision to the builder's handler, or stop this node. */
    private void shardDied(final int shardId, final Throwable cause)
    {
        if (onShardDeath != null)
        {
            onShardDeath.shardDied(shardId, cause);
            return;
        }
        LOG.error("shard {} died ({}): stopping the node", shardId, cause.toString());
        Thread.ofPlatform().name("pinwheel-stop").daemon(true).start(() ->
        {
            try
            {
                close();
            }
            catch (final RuntimeException ex)
            {
                LOG.error("stopping the node after shard {} died failed", shardId, ex);
            }
        });
    }

    private static void closeWhenStarted(final java.util.concurrent.CompletableFuture<VoiceServer> voiceStart)
    {
        if (voiceStart != null)
        {
            try
            {
                voiceStart.join().close();
            }
            catch (final RuntimeException ignored)
            {
                // it failed too; the gateway's failure is the one reported
            }
        }
    }

    /** Unpinned placement with the profile's idle modes. */
    private record ProfilePlacement(TuningProfile profile) implements ThreadPlacement
    {
        @Override
        public Thread newThread(final dev.pinwheel.tuning.ThreadRole role, final int index, final String name,
            final Runnable body)
        {
            return Thread.ofPlatform().name(name).unstarted(body);
        }

        @Override
        public dev.pinwheel.tuning.IdleMode idleMode(final dev.pinwheel.tuning.ThreadRole role)
        {
            return profile.idleMode(role);
        }
    }

    /**
     * Guilds are placed on shards by the routing ring, and each shard's journal holds the state of the guilds
     * it owns: the shard count of a data directory is fixed when it is created.
     */
    private static void checkNodeMeta(final Path dataDir, final int shards)
    {
        try
        {
            Files.createDirectories(dataDir);
            final Path meta = dataDir.resolve("node.properties");
            final Properties p = new Properties();
            if (Files.exists(meta))
            {
                try (InputStream in = Files.newInputStream(meta))
                {
                    p.load(in);
                }
                final int stored = Integer.parseInt(p.getProperty("shards", "0"));
                if (stored != shards)
                {
                    throw new IllegalStateException("data directory " + dataDir + " was created with " + stored
                        + " shards; start with --shards " + stored + " (re-sharding a data directory is not supported)");
                }
                return;
            }
            p.setProperty("shards", Integer.toString(shards));
            p.setProperty("format", "1");
            try (OutputStream out = Files.newOutputStream(meta))
            {
                p.store(out, "Pinwheel node metadata");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot prepare data directory " + dataDir, ex);
        }
    }

    /**
     * @return the bound port (gateway + REST).
     */
    public int port()
    {
        return gateway.port();
    }

    /**
     * @return the gateway (for tests and metrics).
     */
    public GatewayServer gateway()
    {
        return gateway;
    }

    /**
     * @return the link to the other nodes of the cluster, or null for a single node.
     */
    public NodeLink link()
    {
        return link;
    }

    /**
     * @return membership and ring epochs by consensus, or null for a single node.
     */
    public dev.pinwheel.cluster.ConsensusMembership membership()
    {
        return membership;
    }

    /**
     * @return this node's id in its cluster (0 for a single node).
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return the data directory.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @return the node's counters file (null if it could not be created).
     */
    public CountersFile counters()
    {
        return counters;
    }

    /**
     * @return the voice server, or null when voice is disabled.
     */
    public VoiceServer voice()
    {
        return voice;
    }

    /**
     * Stops the node: voice, then the gateway (op 7 to every client, shards stop and close their stores on their own
     * threads), then the ring publisher; the counters file is marked stopped before the store factory lets the data
     * directory go. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            if (voice != null)
            {
                gateway.context().voice(null);
                voice.close();
            }
            gateway.close();
        }
        finally
        {
            if (handover != null)
            {
                handover.close();
            }
            if (membership != null)
            {
                membership.close();
            }
            if (link != null)
            {
                link.close();
            }
            ringPublisher.close();
            sampler.close();
            closeCounters();
            closeStores();
        }
    }

    /**
     * @return a builder with defaults (127.0.0.1:8080, ./data, one shard per core, os durability).
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /** Server settings. */
    public static final class Builder
    {
        private Path dataDir = Path.of(System.getProperty("pinwheel.data-dir", "data"));
        private int shards = Integer.getInteger("pinwheel.shards", 0);
        private int ringSize = Integer.getInteger("pinwheel.core.ring-size", 1 << 16);
        private java.util.function.Consumer<dev.pinwheel.storage.EmbeddedStoreContext> embeddedStore;
        private Durability durability = Durability.valueOf(
            System.getProperty("pinwheel.storage.durability", "os").toUpperCase(java.util.Locale.ROOT));
        private TuningProfile profile = TuningProfile.fromSystemProperty();
        private GatewayConfig gateway = new GatewayConfig();
        private boolean voiceEnabled;
        private VoiceContext voice = new VoiceContext();
        private ShardDeathHandler onShardDeath;
        private CassandraStoreContext cassandra;
        private int nodeId;
        private String members;

        /**
         * @param value this node's id in the cluster: its index in {@link #members}.
         * @return this.
         */
        public Builder nodeId(final int value)
        {
            nodeId = value;
            return this;
        }

        /**
         * @param value every node's cluster-link address, {@code HOST:PORT,HOST:PORT,…} (Aeron UDP; node k is the
         *              k-th); null (the default): a single node, no Aeron started.
         * @return this.
         */
        public Builder members(final String value)
        {
            members = value;
            return this;
        }

        public Builder dataDir(final Path value)
        {
            dataDir = value;
            return this;
        }

        public Builder shards(final int value)
        {
            shards = value;
            return this;
        }

        public Builder ringSize(final int value)
        {
            ringSize = value;
            return this;
        }

        /**
         * @param value adjusts the embedded store's settings after the data directory and durability are set (tests
         *              of retention give it a clock they move); null (the default): nothing.
         * @return this.
         */
        public Builder embeddedStore(final java.util.function.Consumer<dev.pinwheel.storage.EmbeddedStoreContext> value)
        {
            embeddedStore = value;
            return this;
        }

        public Builder durability(final Durability value)
        {
            durability = value;
            return this;
        }

        /**
         * @param value Cassandra settings: the node stores in Cassandra ({@code --store cassandra}); null (the
         *              default): the embedded store in the data directory.
         * @return this.
         */
        public Builder cassandra(final CassandraStoreContext value)
        {
            cassandra = value;
            return this;
        }

        /**
         * @return the Cassandra settings, or null for the embedded store.
         */
        public CassandraStoreContext cassandraContext()
        {
            return cassandra;
        }

        public Builder profile(final TuningProfile value)
        {
            profile = value;
            return this;
        }

        public Builder gateway(final GatewayConfig value)
        {
            gateway = value;
            return this;
        }

        /**
         * @param enabled whether to start the voice server ({@code pinwheel.voice.enabled}).
         * @return this.
         */
        public Builder voiceEnabled(final boolean enabled)
        {
            voiceEnabled = enabled;
            return this;
        }

        /**
         * @param handler told (on the dying shard's thread) when a shard thread dies while serving; it decides how
         *                the node stops (the command line logs and exits non-zero). Null (the default): the node
         *                closes itself.
         * @return this.
         */
        public Builder onShardDeath(final ShardDeathHandler handler)
        {
            onShardDeath = handler;
            return this;
        }

        /**
         * @return the voice settings ({@code pinwheel.voice.*}), to adjust in place.
         */
        public VoiceContext voice()
        {
            return voice;
        }

        /**
         * @return the gateway settings, to adjust in place.
         */
        public GatewayConfig gateway()
        {
            return gateway;
        }

        /**
         * Recovers the data directory and starts serving.
         *
         * @return the running server.
         */
        public PinwheelServer start()
        {
            if (Integer.bitCount(ringSize) != 1 || ringSize < 64)
            {
                throw new IllegalArgumentException("pinwheel.core.ring-size must be a power of two >= 64");
            }
            return new PinwheelServer(this);
        }
    }
}
