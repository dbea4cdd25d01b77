package dev.pinwheel.cluster;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.service.ClusteredServiceContainer;

import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in the cluster, decided by consensus: Aeron Cluster (Raft) embedded in every node, on the node's own media
 * driver (the one of its {@link NodeLink}), with its archive and consensus files under {@code DATA/aeron-cluster}.
 * <pre>
 *   this node                                                                        every node (a replica each)
 *   ┌ MembershipAgent (pinwheel-membership; parks ≤ 25 ms once quiet, unparked) ┐
 *   │  AeronCluster client ── HEARTBEAT{node} every peerTimeout/5 ── ingress ──▶ leader's ConsensusModule ─▶ Raft log
 *   │  applies the newest epoch its replica reached:                           │            committed, in order ▼
 *   │    RingEpochs.apply(epoch, live nodes), log line, gauges ◀── volatile ── MembershipService (this node's replica)
 *   └──────────────────────────────────────────────────────────────────────────┘
 *   Archive (shared threading, sleeps)  ConsensusModule  ClusteredServiceContainer: idle strategies that park
 *   up to 1 ms while they work, 8 ms once quiet (QuietingIdleStrategy)
 * </pre>
 * Ports, from node k's link address {@code HOST:P} in {@code --members} and {@link MembershipContext#portOffset()}
 * (o, default 100): ingress {@code P+o}, consensus {@code P+2o}, log {@code P+3o}, catch-up {@code P+4o}, archive
 * control {@code P+5o}, all UDP on HOST; replication and egress use ephemeral ports.
 * <p>
 * A restarted node keeps its Raft log and archive (they are the node's vote and its copy of the log); it replays them,
 * catches up from the leader and sends heartbeats again: the leader's service makes it live in a new epoch. A node that
 * lost those files after the others dropped the log it would need is seeded from a peer's newest snapshot instead
 * ({@link #seedFromPeer}).
 */
public final class ConsensusMembership implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ConsensusMembership.class);
    /** The scope of the membership gauges among the node's {@link CounterTypes#NODE_GAUGE}s. */
    static final int GAUGE_SCOPE = 1001;
    private static final int EPOCH = 0;
    private static final int LIVE_NODES = 1;

    private final MembershipContext ctx;
    /** The newest state this node's replica reached (null: none yet). */
    private final java.util.concurrent.atomic.AtomicReference<EpochState> reached =
        new java.util.concurrent.atomic.AtomicReference<>();
    private EpochState appliedState;
    /** This start of the node: its heartbeats carry it, so that its replica takes no earlier start's as its lease. */
    private final long incarnation = new java.security.SecureRandom().nextLong();
    /** Send time ({@code System.nanoTime()}) of this start's newest heartbeat the log committed; 0: none yet. */
    private volatile long ownHeartbeatSent;
    /** When this node's replica caught up with the log ({@link #caughtUp}; -1: not yet). Membership agent thread. */
    private long caughtUpAt = -1;
    /** The commit position its replica must reach, read when its start's election closed (-1: not yet). */
    private long catchUpTarget = -1;
    /** When the agent first waited for the catch-up (0: not yet). */
    private long catchUpSince;
    /** The replica whose catch-up the three fields above describe. Membership agent thread. */
    private Replica catchUpOf;
    /** When this member's consensus module was last started again after it stopped or got stuck (0: never). */
    private volatile long restartedAt;
    /** Times this member's consensus module was started again after it stopped on its own or got stuck. */
    private volatile int restarts;
    /** Of those, times it was started again because its election got stuck ({@link #watchElection}). */
    private volatile int stuckRestarts;
    /** Whether a replica was started since this node started (tests stall only the first: under {@link #lifecycle}). */
    private boolean replicaStarted;
    /** Handover phases this node finished and has not yet sent: {epoch, phase}. */
    private final java.util.concurrent.ConcurrentLinkedQueue<long[]> reports =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile long appliedEpoch;
    private volatile int appliedLiveNodes;
    /** The consensus leader as this node's membership client last heard (-1: not connected). */
    private volatile int leader = -1;
    /** When the leader's ingress last took one of this node's heartbeats ({@code System.nanoTime()}; 0: never). */
    private volatile long heartbeatTakenAt;
    private final CounterBlock gauges;
    private final File base;
    private Archive archive;
    private Aeron client;
    /** Volatile: the service container's thread and shards unpark its thread ({@link #wakeAgent}). */
    private volatile AgentRunner agentRunner;
    /** The consensus module and replica running (null while this member is seeded from a peer). */
    private volatile Replica replica;
    /** Guards starting and closing a replica: {@link #close} against a seed ({@link #seedFromPeer}). */
    private final Object lifecycle = new Object();
    private volatile boolean closed;
    /** Seeds started since this node started (at most {@link #MAX_SEEDS}). */
    private int seeds;
    private static final int MAX_SEEDS = 3;

    /**
     * A member's consensus module, its replica of the membership service, the keeper of their files, and the module's
     * counters this node's threads read (through the node's own client: {@link ModuleCounter}).
     */
    private record Replica(ConsensusModule consensus, ClusteredServiceContainer container, MembershipService service,
        ConsensusLogKeeper keeper, ModuleCounter commitPosition, ModuleCounter electionState, ModuleCounter snapshots)
        implements AutoCloseable
    {
        @Override
        public void close()
        {
            CloseHelper.quietCloseAll(keeper, container, consensus);
        }
    }

    /**
     * Starts the archive, the consensus module, this node's replica of the membership service and the agent that
     * sends heartbeats and applies epochs.
     *
     * @param context  settings ({@link MembershipContext#conclude()} is called here).
     * @param counters the node's counters (the gauges {@code pinwheel_cluster_ring_epoch},
     *                 {@code pinwheel_cluster_live_nodes}), or null for counters in this process only.
     */
    public ConsensusMembership(final MembershipContext context, final NodeCounters counters)
    {
        this.ctx = context.conclude();
        this.gauges = new CounterBlock(counters != null ? counters : NodeCounters.inMemory(8), CounterTypes.NODE_GAUGE,
            GAUGE_SCOPE, "pinwheel_cluster_ring_epoch", "pinwheel_cluster_live_nodes");
        this.base = ctx.clusterDir().toFile();
        ConsensusMembers.check(ctx.clusterDir(), ctx.nodeId(), ctx.clusterMembers(), ctx.resetOnMembersChange(),
            Boolean.getBoolean("pinwheel.cluster.resetConsensus"));
        removeStaleMarkFiles(base);
        final String host = ctx.members().hosts().get(ctx.nodeId());
        // consensus, archive and service agents: a backoff parking up to 1 ms while they work, 8 ms once 10 ms passed
        // without work (QuietingIdleStrategy). Tried before: sleeping 4 ms whenever idle, but ConsensusSnapshotTest's
        // 300 ms snapshots then piled up or timed out on a loaded box; the data path between nodes is the link's thread
        try
        {
            archive = Archive.launch(new Archive.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .archiveDir(new File(base, "archive"))
                .archiveId(ctx.nodeId())
                .controlChannel("aeron:udp?endpoint=" + ctx.endpoint(ctx.nodeId(), 5))
                .localControlChannel("aeron:ipc")
                .replicationChannel("aeron:udp?endpoint=" + host + ":0")
                .recordingEventsEnabled(false)
                .segmentFileLength(ctx.archiveSegmentLength())
                .threadingMode(ArchiveThreadingMode.SHARED)
                .idleStrategySupplier(() -> QuietingIdleStrategy.forConsensus(ctx.driverWake()))
                .deleteArchiveOnStart(false)
                .errorHandler(ex -> LOG.warn("cluster membership (archive): {}", ex.toString())));
            client = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .idleStrategy(new SleepingMillisIdleStrategy(10))
                .driverTimeoutMs(TimeUnit.NANOSECONDS.toMillis(NodeLink.IN_PROCESS_LIVENESS_NANOS))
                .errorHandler(ex -> LOG.debug("cluster membership (client): {}", ex.toString())));
            replica = startReplica(base);
            final int everyone = ctx.members().size() == 32 ? -1 : (1 << ctx.members().size()) - 1;
            final QuietingIdleStrategy idle = QuietingIdleStrategy.forMembership(MembershipAgent.interval(ctx),
                ctx.driverWake());
            agentRunner = new AgentRunner(idle, ex -> LOG.warn("cluster membership agent: {}", ex.toString()), null,
                new MembershipAgent(ctx, client, this::applyReached, id -> leader = id, t -> heartbeatTakenAt = t,
                    reports, () -> replica, () -> appliedLiveNodes == everyone, reached::get, idle, incarnation));
            AgentRunner.startOnThread(agentRunner);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
        LOG.info("cluster: consensus (Aeron Cluster) member {} of {}: ingress {}, consensus {}, log {}, catch-up {}, "
            + "archive {}; files in {}", ctx.nodeId(), ctx.members().size(), ctx.endpoint(ctx.nodeId(), 1),
            ctx.endpoint(ctx.nodeId(), 2), ctx.endpoint(ctx.nodeId(), 3), ctx.endpoint(ctx.nodeId(), 4),
            ctx.endpoint(ctx.nodeId(), 5), base);
    }

    /**
     * Starts the consensus module, this node's replica of the membership service (in its service container) and the
     * keeper of their files, on the archive already running.
     */
    private Replica startReplica(final File base)
    {
        ConsensusModule consensus = null;
        ClusteredServiceContainer container = null;
        try
        {
            consensus = ConsensusModule.launch(new ConsensusModule.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .clusterDir(new File(base, "consensus"))
                .clusterMemberId(ctx.nodeId())
                .clusterMembers(ctx.clusterMembers())
                .ingressChannel("aeron:udp")
                .logChannel("aeron:udp?term-length=1m")
                .replicationChannel("aeron:udp?endpoint=" + ctx.members().hosts().get(ctx.nodeId()) + ":0")
                .archiveContext(archiveClient())
                .serviceCount(1)
                .sessionTimeoutNs(ctx.peerTimeoutNanos() * 2)
                .leaderHeartbeatIntervalNs(ctx.peerTimeoutNanos() / 10)
                .leaderHeartbeatTimeoutNs(ctx.peerTimeoutNanos() / 2)
                .electionTimeoutNs(ctx.peerTimeoutNanos() / 4)
                .electionStatusIntervalNs(ctx.peerTimeoutNanos() / 20)
                .startupCanvassTimeoutNs(ctx.peerTimeoutNanos() * 5)
                .idleStrategySupplier(() -> QuietingIdleStrategy.forConsensus(ctx.driverWake()))
                .errorHandler(this::consensusError));
            final MembershipService service = new MembershipService(
                TimeUnit.NANOSECONDS.toMillis(ctx.peerTimeoutNanos()), this::reached, ctx.nodeId(), incarnation,
                this::ownHeartbeatCommitted);
            if (ctx.stallFirstService() && !replicaStarted)
            {
                service.stall();
            }
            replicaStarted = true;
            container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .clusterDir(new File(base, "consensus"))
                .clusteredService(service)
                .archiveContext(archiveClient())
                .idleStrategySupplier(() -> QuietingIdleStrategy.forConsensus(ctx.driverWake()))
                .errorHandler(ex -> LOG.warn("cluster membership (service): {}", ex.toString())));
            final ModuleCounter snapshots = new ModuleCounter(client, consensus.context().snapshotCounter());
            final ConsensusLogKeeper keeper = new ConsensusLogKeeper(client, new File(base, "consensus"),
                new ModuleCounter(client, consensus.context().controlToggleCounter()), snapshots,
                ctx.snapshotIntervalNanos());
            return new Replica(consensus, container, service, keeper,
                new ModuleCounter(client, consensus.context().commitPositionCounter()),
                new ModuleCounter(client, consensus.context().electionStateCounter()), snapshots);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(container, consensus);
            throw ex;
        }
    }

    /**
     * A node killed with {@code kill -9} leaves its archive's and consensus module's mark files looking active for a
     * while, and Aeron then refuses to start on them. The node holds its data directory's lock for its life, so no
     * other process can be using them: they are deleted before the components start (the Raft log, the recording log
     * and the recordings stay).
     */
    private static void removeStaleMarkFiles(final File base)
    {
        for (final String sub : new String[] {"archive", "consensus"})
        {
            final File[] files = new File(base, sub).listFiles((d, name) ->
                name.startsWith("cluster-mark") || name.startsWith("archive-mark"));
            if (files != null)
            {
                for (final File f : files)
                {
                    if (!f.delete())
                    {
                        LOG.warn("cluster: could not delete the stale mark file {}", f);
                    }
                }
            }
        }
    }

    /** A seed from a peer runs (set by the consensus module's thread, cleared by the seeding thread). */
    private final java.util.concurrent.atomic.AtomicBoolean seeding = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The consensus module's errors, logged. A member whose log ends before where the others' kept log begins (it lost
     * its consensus files after they dropped that log: {@link ConsensusLogKeeper}) cannot catch up through Raft, as
     * Aeron Cluster replicates log, not snapshots, to a member: it is seeded from a peer instead
     * ({@link #seedFromPeer}, on a thread of its own: the consensus module is closed and started again).
     */
    private void consensusError(final Throwable ex)
    {
        final String text = String.valueOf(ex.getMessage());
        if ((text.contains("is less than recording start position") && isBehind(text) || catchUpStalled(text))
            && seeding.compareAndSet(false, true))
        {
            final boolean again;
            synchronized (lifecycle)
            {
                again = !closed && seeds < MAX_SEEDS;
                seeds += again ? 1 : 0;
            }
            if (again)
            {
                LOG.warn("cluster: this member cannot catch up through the log: the log it needs was dropped after "
                    + "the last snapshots (it lost its consensus files, {}); seeding it from a peer's newest snapshot",
                    ctx.clusterDir());
                final Thread seed = new Thread(this::seedFromPeer, "pinwheel-consensus-seed");
                seed.setDaemon(true);
                seed.start();
            }
            else if (!closed)
            {
                LOG.error("cluster: this member still cannot catch up after {} seeds from peers ({}). Restart every "
                    + "member with -Dpinwheel.cluster.resetConsensus=true (the membership state is learned again "
                    + "from heartbeats), or restore this member's files", MAX_SEEDS, ctx.clusterDir());
            }
        }
        LOG.warn("cluster membership (consensus): {}", ex.toString());
    }

    private static final java.util.regex.Pattern REQUESTED =
        java.util.regex.Pattern.compile("requested replay start position=(-?\\d+)");

    /**
     * The same archive error is told to both ends of a catch-up: the member that asked for the log from a position and
     * the leader that could not replay it from there. Only the member that asked is behind: its committed log position
     * is at most the requested one (the leader's is past it).
     */
    private boolean isBehind(final String error)
    {
        final java.util.regex.Matcher m = REQUESTED.matcher(error);
        final Replica r = replica;
        if (!m.find() || r == null)
        {
            return false;
        }
        final long requested = Long.parseLong(m.group(1));
        final long committed = r.commitPosition().get(Long.MAX_VALUE);
        return committed <= requested;
    }

    /** Catch-ups this member failed to join in a row without its commit position moving (consensus thread). */
    private int catchUpFailures;
    private long catchUpFailedAt = -1;

    /**
     * The member's own side of a catch-up the leader cannot replay: the leader reports the archive's error, the member
     * only that its catch-up log never joined. {@link #CATCH_UP_FAILURES} such failures in a row with its commit
     * position unmoved mean it cannot catch up that way (a transient failure moves it or does not repeat); a seed then
     * brings the newest snapshot and the log after it, which serves whatever the cause was.
     */
    private boolean catchUpStalled(final String error)
    {
        if (!error.contains("failed to join catchup log"))
        {
            return false;
        }
        final Replica r = replica;
        if (r == null)
        {
            return false;
        }
        final long committed = r.commitPosition().get(-1);
        catchUpFailures = committed == catchUpFailedAt ? catchUpFailures + 1 : 1;
        catchUpFailedAt = committed;
        return catchUpFailures >= CATCH_UP_FAILURES;
    }

    private static final int CATCH_UP_FAILURES = 3;

    /**
     * Seeds this member from a peer, the way Aeron replaces a member: its consensus module and replica are closed, its
     * consensus directory is set aside ({@code consensus-unseeded}, replacing an older one), and Aeron's
     * {@link ClusterBackup} asks the cluster for its newest snapshots, copies them into this node's archive, records
     * the log from the newest snapshot on and writes a recording log naming both; once that recording has reached the
     * snapshot, the backup stops and the consensus module starts again on those files: it loads the snapshot, replays
     * the log after it and catches up from the leader like any restarted member. This node's heartbeats go on
     * meanwhile (they are sent through the cluster's ingress, not through its own replica). If the copy does not finish
     * within {@link #SEED_TIMEOUT_PEER_TIMEOUTS} peer timeouts it is deleted and the consensus module starts again
     * empty (it fails the same way, and the seed is tried again, up to {@link #MAX_SEEDS} times).
     */
    private void seedFromPeer()
    {
        final Replica old;
        synchronized (lifecycle)
        {
            if (closed)
            {
                return;
            }
            old = replica;
            replica = null;
        }
        CloseHelper.quietClose(old);
        awaitConsensusModuleGone(); // and its subscriptions: the backup binds its consensus and catch-up endpoints
        catchUpFailures = 0; // the consensus thread that counts them is gone with its module
        catchUpFailedAt = -1;
        final long started = System.nanoTime();
        final File dir = new File(base, "consensus");
        final File aside = new File(base, "consensus-unseeded");
        ClusterBackup backup = null;
        final SeedProgress progress = new SeedProgress();
        try
        {
            IoUtil.delete(aside, true);
            if (dir.exists() && !dir.renameTo(aside))
            {
                throw new IllegalStateException("could not set " + dir + " aside as " + aside);
            }
            final String host = ctx.members().hosts().get(ctx.nodeId());
            final StringBuilder peers = new StringBuilder();
            for (int node = 0; node < ctx.members().size(); node++)
            {
                if (node != ctx.nodeId())
                {
                    peers.append(peers.isEmpty() ? "" : ",").append(ctx.endpoint(node, 2));
                }
            }
            backup = ClusterBackup.launch(new ClusterBackup.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .clusterDir(dir)
                .markFileDir(new File(base, "seed-mark"))
                .deleteDirOnStart(true)
                .clusterConsensusEndpoints(peers.toString())
                // this member's own consensus and catch-up endpoints: its consensus module is closed meanwhile
                .consensusChannel("aeron:udp?endpoint=" + ctx.endpoint(ctx.nodeId(), 2))
                .catchupEndpoint(ctx.endpoint(ctx.nodeId(), 4))
                .initialReplayStart(ClusterBackup.Configuration.ReplayStart.LATEST_SNAPSHOT)
                .clusterBackupCoolDownIntervalNs(ctx.peerTimeoutNanos() / 4)
                .clusterBackupResponseTimeoutNs(ctx.peerTimeoutNanos())
                .archiveContext(archiveClient())
                .clusterArchiveContext(new AeronArchive.Context()
                    .controlRequestChannel("aeron:udp?endpoint=" + ctx.endpoint(ctx.nodeId(), 5)) // the peer's, set
                    .controlResponseChannel("aeron:udp?endpoint=" + host + ":0"))
                .idleStrategySupplier(() -> QuietingIdleStrategy.forConsensus(ctx.driverWake()))
                .eventsListener(progress)
                .errorHandler(ex -> LOG.warn("cluster: seeding this member (backup): {}", ex.toString())));
            final long deadline = started + ctx.peerTimeoutNanos() * SEED_TIMEOUT_PEER_TIMEOUTS;
            while (!progress.done() && System.nanoTime() - deadline < 0 && !closed)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cluster: seeding this member from a peer failed", ex);
        }
        finally
        {
            CloseHelper.quietClose(backup);
            IoUtil.delete(new File(base, "seed-mark"), true);
        }
        if (progress.done())
        {
            LOG.info("cluster: this member was seeded from node {} in {} ms: snapshots at log position {}, log "
                + "recorded to {}; its consensus module starts again on them", progress.source,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), progress.snapshotPosition,
                progress.logPosition);
        }
        else
        {
            // a partial copy (a recording log naming a snapshot its log does not reach) would not start
            IoUtil.delete(dir, true);
            if (!closed)
            {
                LOG.error("cluster: seeding this member from a peer did not finish within {} ms; its consensus module "
                    + "starts again empty (and is seeded again if it still cannot catch up)",
                    TimeUnit.NANOSECONDS.toMillis(ctx.peerTimeoutNanos() * SEED_TIMEOUT_PEER_TIMEOUTS));
            }
        }
        startReplicaAgain("after a seed");
    }

    /** The longest wait, in peer timeouts, between two attempts to start a stopped consensus module again. */
    private static final int START_BACKOFF_PEER_TIMEOUTS = 16;

    /**
     * Starts this member's consensus module and replica again (its files as they are), unless the membership closed,
     * and ends the seed or restart that stopped them. A start the consensus module refuses (the old module's state
     * counter still held: seen when the old module took seconds to close) is tried again until it starts or the
     * membership closes, a peer timeout apart at first, doubling up to {@link #START_BACKOFF_PEER_TIMEOUTS}: a member
     * left without a module neither votes nor applies an epoch again. Seeding or restarting thread.
     *
     * @param after what stopped them, for the log.
     * @return whether they started.
     */
    private boolean startReplicaAgain(final String after)
    {
        long backoff = ctx.peerTimeoutNanos();
        for (int attempt = 1; ; attempt++)
        {
            awaitConsensusModuleGone();
            synchronized (lifecycle)
            {
                if (closed)
                {
                    seeding.set(false);
                    return false;
                }
                try
                {
                    replica = startReplica(base);
                    seeding.set(false);
                    return true;
                }
                catch (final RuntimeException ex)
                {
                    if (attempt <= 3 || attempt % 10 == 0)
                    {
                        LOG.warn("cluster: the consensus module did not start again {} (attempt {}: {}); trying again "
                            + "in {} ms", after, attempt, ex.toString(), TimeUnit.NANOSECONDS.toMillis(backoff));
                    }
                }
            }
            LockSupport.parkNanos(backoff);
            backoff = Math.min(backoff * 2, ctx.peerTimeoutNanos() * START_BACKOFF_PEER_TIMEOUTS);
        }
    }

    /**
     * This member's consensus module stopped on its own (Aeron Cluster ends its agent on errors it deems fatal, e.g.
     * its archive connection lost): the node's heartbeats still reach the cluster through its ingress, so it stays live
     * in the ring, but its replica no longer follows the log and it would apply no epoch again. The module and replica
     * are started again on their files ({@link #startAgain}). Membership agent thread.
     *
     * @param dead the replica whose consensus module stopped.
     */
    private void consensusModuleStopped(final Replica dead)
    {
        startAgain(dead, "this member's consensus module stopped (" + ctx.clusterDir() + ")", false);
    }

    /**
     * Starts a replica's consensus module and replica again on their files, on a thread of their own (they replay the
     * log from their snapshot and catch up from the leader like a restarted member), at most once per ten peer
     * timeouts. Membership agent thread.
     *
     * @param old   the replica to replace (nothing is done if another replaced it meanwhile).
     * @param why   what happened to it, for the log.
     * @param stuck whether its election got stuck ({@link #stuckElectionRestarts()}).
     */
    private void startAgain(final Replica old, final String why, final boolean stuck)
    {
        final long now = System.nanoTime();
        if (closed || restartedAt != 0 && now - restartedAt < ctx.peerTimeoutNanos() * 10
            || !seeding.compareAndSet(false, true))
        {
            return;
        }
        restartedAt = now;
        LOG.error("cluster: {}; starting its consensus module again on its files", why);
        final Thread restart = new Thread(() ->
        {
            synchronized (lifecycle)
            {
                if (closed || replica != old)
                {
                    seeding.set(false);
                    return;
                }
                replica = null;
            }
            CloseHelper.quietClose(old);
            if (startReplicaAgain("after it was stopped"))
            {
                restarts++;
                stuckRestarts += stuck ? 1 : 0;
                LOG.info("cluster: this member's consensus module started again");
            }
        }, "pinwheel-consensus-restart");
        restart.setDaemon(true);
        restart.start();
    }

    /** Peer timeouts a member's election may go without progress, while a leader serves, before it starts again. */
    static final int STUCK_ELECTION_PEER_TIMEOUTS = 10;
    /** Peer timeouts between the log lines of an election without progress. */
    private static final int STUCK_LOG_PEER_TIMEOUTS = 5;
    /** The replica whose election the fields below watch (membership agent thread). */
    private Replica watched;
    /** When its election was last seen closed or moving; the state and positions it had then. */
    private long movedAt;
    private long watchedElection;
    private long watchedCommit;
    private long watchedProcessed;
    private long stuckLoggedAt;

    /**
     * Watches this member's election for a deadlock inside Aeron Cluster (1.51): a follower whose log or catch-up
     * image went away just after its consensus module joined it waits, in {@code awaitServicesReady}, for its service
     * to acknowledge the join, while the service waits, in {@code awaitImage}, for that image — neither has a timeout.
     * The election then stays in one state ({@code FOLLOWER_CATCHUP_AWAIT} or {@code FOLLOWER_LOG_AWAIT}, whose own
     * timeout is half a peer timeout) for good: the member neither votes nor follows the log, and its node never
     * applies an epoch while the others agree on ones with it live (its heartbeats go through its membership client).
     * Seen in six-node starts on a loaded box, after the leadership changed during a catch-up.
     * <p>
     * An election that stays in one state without closing, with neither the commit position nor the replica's
     * processed position moving, is logged every {@link #STUCK_LOG_PEER_TIMEOUTS} peer timeouts; after
     * {@link #STUCK_ELECTION_PEER_TIMEOUTS}, while this node's membership client is connected to another member as
     * leader and that leader's ingress took one of its heartbeats within the last peer timeout (a quorum works without
     * it), the member's consensus module and service are closed (their agents interrupted) and started again on their
     * files ({@link #startAgain}): it catches up like a restarted member. An election that changes state (a storm of
     * them), a catch-up or replay that moves, a copy of the log from the leader's archive ({@link #notWatched}) and a
     * cluster without a leader are not stuck. Membership agent thread.
     *
     * @param r   the running replica.
     * @param now {@code System.nanoTime()}.
     */
    private void watchElection(final Replica r, final long now)
    {
        final long election = r.electionState().get(-1);
        final long commit = r.commitPosition().get(-1);
        final long processed = r.service().processedPosition();
        if (r != watched || election < 0 || notWatched(io.aeron.cluster.ElectionState.get(election))
            || election != watchedElection || commit != watchedCommit || processed != watchedProcessed)
        {
            watched = r;
            movedAt = now;
            watchedElection = election;
            stuckLoggedAt = now;
            watchedCommit = commit;
            watchedProcessed = processed;
            return;
        }
        final int lead = leader;
        final long taken = heartbeatTakenAt;
        final long still = now - movedAt;
        final boolean stuck = still >= ctx.peerTimeoutNanos() * STUCK_ELECTION_PEER_TIMEOUTS && lead >= 0
            && lead != ctx.nodeId() && taken != 0 && now - taken < ctx.peerTimeoutNanos();
        if (now - stuckLoggedAt >= ctx.peerTimeoutNanos() * STUCK_LOG_PEER_TIMEOUTS)
        {
            stuckLoggedAt = now;
            LOG.warn("cluster: this member's election has been in {} for {} ms without progress (commit position {}, "
                + "processed {}; leader {} as this node's membership client last heard)",
                io.aeron.cluster.ElectionState.get(election), TimeUnit.NANOSECONDS.toMillis(still), commit, processed,
                lead);
        }
        if (stuck)
        {
            startAgain(r, "this member's election made no progress in " + TimeUnit.NANOSECONDS.toMillis(still)
                + " ms while node " + lead + " leads", true);
        }
    }

    /**
     * @return whether an election in this state is left alone: closed, or copying the log from the leader's archive
     *         (its progress is the recording's, which the counters watched here do not show, and Aeron ends a copy
     *         that stops moving itself: {@code log replication has not progressed}).
     */
    private static boolean notWatched(final io.aeron.cluster.ElectionState state)
    {
        return state == io.aeron.cluster.ElectionState.CLOSED
            || state == io.aeron.cluster.ElectionState.FOLLOWER_LOG_REPLICATION
            || state == io.aeron.cluster.ElectionState.LEADER_LOG_REPLICATION;
    }

    /**
     * @return times this member's consensus module was started again after it stopped on its own or got stuck.
     */
    int consensusModuleRestarts()
    {
        return restarts;
    }

    /**
     * @return times this member's consensus module was started again because its election got stuck.
     */
    int stuckElectionRestarts()
    {
        return stuckRestarts;
    }

    /**
     * Closes this member's consensus module alone, as if it had stopped on an error (tests).
     */
    void stopConsensusModule()
    {
        final Replica r = replica;
        if (r != null)
        {
            r.consensus().close();
        }
    }

    /**
     * A consensus module refuses to start while the media driver still holds the state counter of one that closed
     * (the driver frees a closed client's counters on its own thread): waits for it to go, up to a peer timeout.
     */
    private void awaitConsensusModuleGone()
    {
        final long deadline = System.nanoTime() + ctx.peerTimeoutNanos();
        while (System.nanoTime() - deadline < 0)
        {
            final boolean[] found = new boolean[1];
            try
            {
                client.countersReader().forEach((counterId, typeId, key, label) ->
                    found[0] |= typeId == ConsensusModule.Configuration.CONSENSUS_MODULE_STATE_TYPE_ID);
            }
            catch (final RuntimeException ex)
            {
                return; // the node closes: its client is gone
            }
            if (!found[0] || closed)
            {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        LOG.warn("cluster: the closed consensus module's state counter is still there after {} ms",
            TimeUnit.NANOSECONDS.toMillis(ctx.peerTimeoutNanos()));
    }

    /** How long a seed may take, in peer timeouts. */
    private static final int SEED_TIMEOUT_PEER_TIMEOUTS = 30;

    /**
     * What a seed's {@link ClusterBackup} did: done once the recording log names the snapshots and the log recording
     * reached the newest of them (the backup's agent thread writes, the seeding thread reads).
     */
    private static final class SeedProgress implements io.aeron.cluster.ClusterBackupEventsListener
    {
        volatile int source = -1;
        volatile long snapshotPosition = -1;
        volatile long logPosition = -1;
        private volatile boolean logged;

        boolean done()
        {
            return logged && logPosition >= snapshotPosition;
        }

        @Override
        public void onBackupQuery()
        {
        }

        @Override
        public void onPossibleFailure(final Exception ex)
        {
            LOG.info("cluster: seeding this member: {}; asking again", ex.toString());
        }

        @Override
        public void onBackupResponse(final io.aeron.cluster.ClusterMember[] members,
            final io.aeron.cluster.ClusterMember logSource, final java.util.List<RecordingLog.Snapshot> snapshots)
        {
            source = logSource.id();
        }

        @Override
        public void onUpdatedRecordingLog(final RecordingLog recordingLog,
            final java.util.List<RecordingLog.Snapshot> snapshotsRetrieved)
        {
            long position = snapshotPosition;
            for (final RecordingLog.Snapshot snapshot : snapshotsRetrieved)
            {
                position = Math.max(position, snapshot.logPosition());
            }
            snapshotPosition = position;
            logged = recordingLog.findLastTerm() != null;
        }

        @Override
        public void onLiveLogProgress(final long recordingId, final long recordingPosCounterId, final long position)
        {
            logPosition = Math.max(logPosition, position);
        }
    }

    private static AeronArchive.Context archiveClient()
    {
        return new AeronArchive.Context().controlRequestChannel("aeron:ipc").controlResponseChannel("aeron:ipc");
    }

    /** This node's replica reached a state (the service container's thread: only a store). */
    private void reached(final EpochState state)
    {
        final boolean live = (state.liveNodes() & 1 << ctx.nodeId()) != 0;
        if (!live && reachedLive && countLosses)
        {
            lostTerm++; // the replica's thread only (one replica runs at a time)
        }
        reachedLive = live;
        reached.set(state);
        wakeAgent();
    }

    /**
     * Whether epochs without this node count as losses ({@link #lostTerm}): once its replica caught up, not while one
     * replays history (at the node's start, after a seed or a restart of its consensus module).
     */
    private volatile boolean countLosses;
    /** Whether the newest state the replica reached has this node live ({@link #reached}). */
    private volatile boolean reachedLive = true;
    /** Times the replica reached an epoch without this node after one with it ({@link #lostTerm()}). */
    private volatile long lostTerm;

    /**
     * @return a number that changes each time this node's replica reached an epoch without it (it was declared lost:
     *         its keys went to others) — the term of a {@code WriteFence}. Any thread.
     */
    public long lostTerm()
    {
        return lostTerm;
    }

    /** Unparks the membership agent if it parks for the quiet period: it has an epoch to apply or a report to send. */
    private void wakeAgent()
    {
        final AgentRunner runner = agentRunner;
        final Thread thread = runner == null ? null : runner.thread();
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Tells the cluster (through the consensus log) that this node finished a handover phase of an epoch. Any thread;
     * sent by the membership agent, in order, as soon as it has a leader.
     *
     * @param epoch the epoch.
     * @param phase {@link MembershipMessages#APPLIED}, {@link MembershipMessages#RELEASED} or
     *              {@link MembershipMessages#LOADED}.
     */
    public void report(final long epoch, final int phase)
    {
        reports.add(new long[] {epoch, phase});
        wakeAgent();
    }

    /**
     * On the membership agent's thread: applies the newest epoch the replica reached, if it is new. Epochs the replica
     * went through while this agent slept (a replay at start) are skipped: only the newest matters.
     *
     * @return 1 if an epoch was applied.
     */
    private int applyReached()
    {
        final Replica running = replica;
        if (running != null && !running.commitPosition().live())
        {
            consensusModuleStopped(running);
        }
        else if (running != null)
        {
            watchElection(running, System.nanoTime());
        }
        final EpochState state = reached.get();
        if (state == null || state.equals(appliedState) || !caughtUp())
        {
            return 0;
        }
        final EpochState before = appliedState;
        appliedState = state;
        try
        {
            ctx.ringEpochs().apply(state);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cluster: applying ring epoch {} failed", state.epoch(), ex);
        }
        if (before == null || before.epoch() != state.epoch())
        {
            appliedLiveNodes = state.liveNodes();
            appliedEpoch = state.epoch();
            gauges.set(EPOCH, state.epoch());
            gauges.set(LIVE_NODES, Integer.bitCount(state.liveNodes()));
            LOG.info("cluster: ring epoch {}: live nodes {}{}", state.epoch(), MembershipService.nodes(state.liveNodes()),
                before == null ? "" : change(before.liveNodes(), state.liveNodes()));
        }
        return 1;
    }

    /**
     * Whether this node's replica has caught up with the cluster's log since it started (or was seeded), so that the
     * newest epoch it reached is the cluster's current one. Until then it replays history: a restarted node went
     * through the epochs in which it was live before it died ("ring epoch 3: live nodes [0, 1, 2]" while the others
     * were at epoch 7 without it) and, applying them, loaded and served guilds that other nodes owned then — two owners
     * of one guild, and commands answered 404 by the guilds it gave up again a moment later. Caught up: the election
     * this member took part in at its start is over and its replica processed the log up to the commit position it
     * had then. A member that never gets there (a bug) applies what it has after ten peer timeouts, with a warning.
     * Membership agent thread.
     */
    private boolean caughtUp()
    {
        final Replica r = replica;
        if (r != catchUpOf)
        {
            // a replica started again (after a seed, or after its consensus module stopped) replays the log from its
            // snapshot like one at the node's start: it applies nothing until it caught up; none: nothing applied
            catchUpOf = r;
            caughtUpAt = -1;
            catchUpTarget = -1;
            catchUpSince = 0;
            countLosses = false;
        }
        if (caughtUpAt >= 0)
        {
            return true;
        }
        if (r == null)
        {
            return false;
        }
        final long now = System.nanoTime();
        if (catchUpSince == 0)
        {
            catchUpSince = now;
        }
        final long election = r.electionState().get(-1);
        if (catchUpTarget < 0 && election >= 0
            && io.aeron.cluster.ElectionState.get(election) == io.aeron.cluster.ElectionState.CLOSED)
        {
            catchUpTarget = r.commitPosition().get(-1);
        }
        final boolean done = catchUpTarget >= 0 && r.service().processedPosition() >= catchUpTarget;
        if (!done && now - catchUpSince < ctx.peerTimeoutNanos() * 10)
        {
            return false;
        }
        caughtUpAt = now;
        countLosses = true;
        if (done)
        {
            LOG.info("cluster: this node's replica caught up with the log (position {}) {} ms after it first reached "
                + "an epoch: epochs are applied from now on", catchUpTarget,
                TimeUnit.NANOSECONDS.toMillis(now - catchUpSince));
        }
        else
        {
            LOG.warn("cluster: this node's replica did not catch up with the log in {} ms (commit position {}, "
                + "processed {}): applying the newest epoch it reached", TimeUnit.NANOSECONDS.toMillis(now
                - catchUpSince), catchUpTarget, r.service().processedPosition());
        }
        return true;
    }

    private static String change(final int before, final int after)
    {
        final int gone = before & ~after;
        final int back = after & ~before;
        return (gone != 0 ? " (lost " + MembershipService.nodes(gone) + ")" : "")
            + (back != 0 ? " (joined " + MembershipService.nodes(back) + ")" : "");
    }

    /** The replica applied one of this start's heartbeats (service container thread). */
    private void ownHeartbeatCommitted(final long sentNanos)
    {
        if (sentNanos - ownHeartbeatSent > 0 || ownHeartbeatSent == 0)
        {
            ownHeartbeatSent = sentNanos;
        }
    }

    /**
     * Whether this node acts as the owner of its keys now ({@code ShardGroup#OWNER}, {@code PAUSED},
     * {@code FENCED}). Fenced: it is not live in the ring epoch it applied last (it owns nothing). Paused: its
     * ownership lease ran out — no heartbeat it sent in the last nine tenths of a peer timeout is known committed. The
     * consensus leader declares a node lost only a whole peer timeout after the newest heartbeat of it in the log, and
     * a heartbeat is in the log no earlier than it was sent, so a node past its lease may already have been replaced:
     * a node that was stalled ({@code SIGSTOP}, a long pause) or cut off and resumes does not serve, with what it held
     * then, keys that others took over meanwhile; its owner commands wait until its heartbeats are committed again
     * (they run) or the epoch without it reaches it (they are refused). No lease before this start's first heartbeat
     * is committed (the stores' start paths refuse or recover first). Any thread.
     *
     * @param now {@code System.nanoTime()}.
     * @return 0 (owner), 1 (paused) or 2 (fenced), as {@code ShardGroup}'s constants.
     */
    public int ownership(final long now)
    {
        if (appliedEpoch > 0 && (appliedLiveNodes & 1 << ctx.nodeId()) == 0)
        {
            return 2;
        }
        final long sent = ownHeartbeatSent;
        return sent != 0 && now - sent > ctx.peerTimeoutNanos() / 10 * 9 ? 1 : 0;
    }

    /**
     * @return the newest ring epoch this node's replica has reached (0: none yet), applied or not. Any thread.
     */
    public long reachedEpoch()
    {
        final EpochState r = reached.get();
        return r == null ? 0 : r.epoch();
    }

    /**
     * @return the ring epoch this node applied last (0: none yet).
     */
    public long epoch()
    {
        return appliedEpoch;
    }

    /**
     * @return the live nodes of that epoch (bit k: node k).
     */
    public int liveNodes()
    {
        return appliedLiveNodes;
    }

    /**
     * @return the consensus leader's node id as this node's membership client last heard, or -1 while it is not
     *         connected to one.
     */
    public int leader()
    {
        return leader;
    }

    /**
     * @return handover reports not sent yet (tests).
     */
    int pendingReports()
    {
        return reports.size();
    }

    /**
     * @return Raft log segments this node dropped since it started.
     */
    public long purgedLogSegments()
    {
        final Replica r = replica;
        return r == null ? 0 : r.keeper().purgedSegments();
    }

    /**
     * @return snapshots this member's consensus module took since it started (tests).
     */
    long snapshotsTaken()
    {
        final Replica r = replica;
        return r == null ? 0 : r.snapshots().get(0);
    }

    /**
     * @return the newest state this node's replica reached (null: none yet).
     */
    EpochState reachedState()
    {
        return reached.get();
    }

    /**
     * @return the membership service replica of this node (tests).
     */
    MembershipService service()
    {
        final Replica r = replica;
        return r == null ? null : r.service();
    }

    @Override
    public void close()
    {
        final Replica r;
        synchronized (lifecycle)
        {
            closed = true;
            r = replica;
            replica = null;
        }
        CloseHelper.quietCloseAll(agentRunner, r, client, archive);
    }

    /**
     * Told on the membership agent's thread of each state of the ring epochs this node's replica reaches (newest
     * only: states passed while the agent slept are skipped). Must not block: it runs between heartbeats.
     */
    @FunctionalInterface
    public interface RingEpochs
    {
        /**
         * @param state the epoch, its live nodes and its handover phases.
         */
        void apply(EpochState state);
    }

    /** Sends this node's heartbeats through a cluster client (reconnecting as needed) and applies epochs. */
    private static final class MembershipAgent implements org.agrona.concurrent.Agent
    {
        private static final long NOT_BEHIND = Long.MIN_VALUE;
        private final MembershipContext ctx;
        private final Aeron aeron;
        private final java.util.function.IntSupplier apply;
        private final java.util.function.IntConsumer leader;
        private final java.util.function.LongConsumer heartbeatTaken;
        private final java.util.Queue<long[]> reports;
        private final java.util.function.Supplier<Replica> running;
        private final java.util.function.BooleanSupplier allLive;
        private final java.util.function.Supplier<EpochState> replica;
        /** The applied position sent in heartbeats while no replica runs (this member is seeded). */
        private long lastApplied;
        /** The epoch of the reports sent last, the phases sent for it, and when each was (re)sent. */
        private long sentEpoch = -1;
        private int sentPhases;
        private final long[] sentAt = new long[MembershipMessages.PHASES];
        private final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer(16);
        private final long intervalNanos;
        private final QuietingIdleStrategy idle;
        private AeronCluster.AsyncConnect connecting;
        /** The replica's {@link MembershipService#latestTermId()} when the pending connect was sent. */
        private long connectTerm = -1;
        /** Since when the connected client has been in an older leadership term than the replica (NOT_BEHIND: not). */
        private long behindSince = NOT_BEHIND;
        /** How long a first connect attempt waits for its answer ({@link #firstAttemptTimeout}). */
        private final long firstAttemptNanos;
        /** How long the next connect waits for its answer: doubles on each timeout, back to the first on success. */
        private long attemptTimeoutNanos;
        private AeronCluster cluster;
        private final long incarnation;
        private long nextHeartbeat;
        private long nextConnect;
        private boolean warned;

        MembershipAgent(final MembershipContext ctx, final Aeron aeron, final java.util.function.IntSupplier apply,
            final java.util.function.IntConsumer leader, final java.util.function.LongConsumer heartbeatTaken,
            final java.util.Queue<long[]> reports, final java.util.function.Supplier<Replica> running,
            final java.util.function.BooleanSupplier allLive, final java.util.function.Supplier<EpochState> replica,
            final QuietingIdleStrategy idle, final long incarnation)
        {
            this.incarnation = incarnation;
            this.idle = idle;
            this.running = running;
            this.replica = replica;
            this.allLive = allLive;
            this.leader = leader;
            this.heartbeatTaken = heartbeatTaken;
            this.reports = reports;
            this.ctx = ctx;
            this.aeron = aeron;
            this.apply = apply;
            this.intervalNanos = interval(ctx);
            this.firstAttemptNanos = firstAttemptTimeout(ctx);
            this.attemptTimeoutNanos = firstAttemptNanos;
        }

        /**
         * A connect request that reaches a member during an election is never answered, and the client waits its
         * whole timeout; meanwhile the new leader gives every node one peer timeout to heartbeat in its term. So the
         * first attempt waits a quarter of the peer timeout (≥ 50 ms), and one sent before the local replica saw a new
         * term begin is dropped and sent again at once (see {@link #connect}).
         *
         * @return how long a first connect attempt waits for its answer.
         */
        static long firstAttemptTimeout(final MembershipContext ctx)
        {
            return Math.max(TimeUnit.MILLISECONDS.toNanos(50), ctx.peerTimeoutNanos() / 4);
        }

        /** @return how often a node's membership client sends its heartbeat: a fifth of the peer timeout, ≥ 10 ms. */
        static long interval(final MembershipContext ctx)
        {
            return Math.max(TimeUnit.MILLISECONDS.toNanos(10), ctx.peerTimeoutNanos() / 5);
        }

        @Override
        public int doWork()
        {
            int work = apply.getAsInt();
            final long now = System.nanoTime();
            if (cluster == null)
            {
                return work + connect(now);
            }
            if (cluster.isClosed())
            {
                LOG.info("cluster: membership client closed; reconnecting");
                dropClient();
                return work + 1;
            }
            work += cluster.pollEgress();
            leader.accept(cluster.leaderMemberId());
            final Replica current = running.get();
            if (current != null)
            {
                if (behindTheReplica(now, current.service().latestTermId()))
                {
                    return work + 1;
                }
                lastApplied = current.service().appliedPosition();
                work += current.keeper().doWork(now, cluster.leaderMemberId() == ctx.nodeId(), allLive.getAsBoolean(),
                    current.service().appliedByEveryMember(ctx.members().size()));
            }
            for (long[] r = reports.peek(); r != null; r = reports.peek())
            {
                final int length = MembershipMessages.handoff(buffer, ctx.nodeId(), r[0], (int)r[1]);
                if (cluster.offer(buffer, 0, length) < 0)
                {
                    idle.busy(); // back-pressured or between leaders: again soon, in order
                    break;
                }
                reports.poll();
                if (r[0] != sentEpoch)
                {
                    sentEpoch = r[0];
                    sentPhases = 0;
                }
                sentPhases |= 1 << (int)r[1];
                sentAt[(int)r[1]] = now;
                work++;
            }
            work += resendLost(now);
            if (now - nextHeartbeat >= 0)
            {
                final int length = MembershipMessages.heartbeat(buffer, ctx.nodeId(), lastApplied, System.nanoTime(),
                    incarnation);
                if (cluster.offer(buffer, 0, length) > 0)
                {
                    nextHeartbeat = now + intervalNanos;
                    heartbeatTaken.accept(now);
                    work++;
                }
                else
                {
                    idle.busy();
                }
            }
            return work;
        }

        /**
         * A client whose leader was lost waits for the new leader to announce itself on its egress and then connects
         * to it; until then its heartbeats go nowhere, and the new leader gives every node one peer timeout to
         * heartbeat in its term (its session times out after two). A client still in an older term than this node's
         * replica a quarter of a peer timeout after the replica joined the new term is closed and connects afresh
         * (seen in CI: a new leader's own client took 1.3 s to follow it, and the leader declared its own node lost).
         *
         * @return true if the client was closed.
         */
        private boolean behindTheReplica(final long now, final long replicaTerm)
        {
            if (replicaTerm <= cluster.leadershipTermId())
            {
                behindSince = NOT_BEHIND;
                return false;
            }
            if (behindSince == NOT_BEHIND)
            {
                behindSince = now;
                return false;
            }
            if (now - behindSince <= firstAttemptNanos)
            {
                return false;
            }
            LOG.info("cluster: membership client still in leadership term {} (leader {}) {} ms after this node's replica "
                + "joined term {}; connecting again", cluster.leadershipTermId(), cluster.leaderMemberId(),
                TimeUnit.NANOSECONDS.toMillis(now - behindSince), replicaTerm);
            dropClient();
            nextConnect = now;
            attemptTimeoutNanos = firstAttemptNanos;
            return true;
        }

        /** Closes the connected client; the next duty cycle connects again. */
        private void dropClient()
        {
            CloseHelper.quietClose(cluster);
            cluster = null;
            behindSince = NOT_BEHIND;
            leader.accept(-1);
        }

        /**
         * A report the leader took but did not commit (it lost leadership first) never reaches the log, and every
         * node would wait for it: a phase sent for the replica's current epoch that the replica still does not show
         * for this node after a peer timeout is sent again (the service counts a phase once per node).
         */
        private int resendLost(final long now)
        {
            final EpochState state = replica.get();
            if (state == null || sentPhases == 0 || state.epoch() != sentEpoch
                || (state.liveNodes() & 1 << ctx.nodeId()) == 0)
            {
                return 0;
            }
            int work = 0;
            for (int phase = 0; phase < MembershipMessages.PHASES; phase++)
            {
                if ((sentPhases & 1 << phase) != 0 && (state.done(phase) & 1 << ctx.nodeId()) == 0
                    && now - sentAt[phase] > ctx.peerTimeoutNanos())
                {
                    final int length = MembershipMessages.handoff(buffer, ctx.nodeId(), sentEpoch, phase);
                    if (cluster.offer(buffer, 0, length) > 0)
                    {
                        sentAt[phase] = now;
                        work++;
                        LOG.info("cluster: ring epoch {}: handover phase {} of this node not in the log after {} ms; "
                            + "sent again", sentEpoch, phase, TimeUnit.NANOSECONDS.toMillis(ctx.peerTimeoutNanos()));
                    }
                }
            }
            return work;
        }

        /**
         * Connects the membership client, one attempt at a time. A new leader's term beginning on the local replica
         * while an attempt waits means its request went to a member in an election, which never answers it: it is
         * dropped and sent again at once, to the new leader. An attempt that times out is sent again soon with twice
         * the wait (up to two peer timeouts), for a leader too slow to answer within the first.
         */
        private int connect(final long now)
        {
            final Replica current = running.get();
            final long term = current != null ? current.service().latestTermId() : -1;
            try
            {
                if (connecting != null && term != connectTerm)
                {
                    CloseHelper.quietClose(connecting);
                    connecting = null;
                    nextConnect = now;
                    attemptTimeoutNanos = firstAttemptNanos;
                    LOG.debug("cluster membership client: a new leadership term began; connecting again");
                }
                if (connecting == null)
                {
                    if (now - nextConnect < 0)
                    {
                        return 0;
                    }
                    connectTerm = term;
                    connecting = AeronCluster.asyncConnect(new AeronCluster.Context()
                        .aeron(aeron)
                        .ownsAeronClient(false)
                        .ingressChannel("aeron:udp")
                        .ingressEndpoints(ctx.ingressEndpoints())
                        .egressChannel("aeron:udp?endpoint=" + ctx.members().hosts().get(ctx.nodeId()) + ":0")
                        .messageTimeoutNs(attemptTimeoutNanos)
                        .egressListener((sessionId, timestamp, b, offset, length, header) -> { })
                        .errorHandler(ex -> LOG.debug("cluster membership client: {}", ex.toString())));
                }
                final AeronCluster connected = connecting.poll();
                idle.busy(); // a connect goes through several steps: poll them at the backoff's pace
                if (connected != null)
                {
                    connecting = null;
                    cluster = connected;
                    nextHeartbeat = now;
                    warned = false;
                    attemptTimeoutNanos = firstAttemptNanos;
                    LOG.info("cluster: membership client connected (session {}, leader {})",
                        connected.clusterSessionId(), connected.leaderMemberId());
                    return 1;
                }
                return 0;
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietClose(connecting);
                connecting = null;
                nextConnect = now + Math.max(TimeUnit.MILLISECONDS.toNanos(10), ctx.peerTimeoutNanos() / 20);
                attemptTimeoutNanos = Math.min(attemptTimeoutNanos * 2, ctx.peerTimeoutNanos() * 2);
                if (!warned)
                {
                    warned = true;
                    LOG.info("cluster: no consensus leader to join yet ({}); retrying", ex.toString());
                }
                return 0;
            }
        }

        @Override
        public void onClose()
        {
            CloseHelper.quietCloseAll(connecting, cluster);
        }

        @Override
        public String roleName()
        {
            return "pinwheel-membership";
        }
    }
}
