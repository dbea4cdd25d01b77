package dev.pinwheel.cluster;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import dev.pinwheel.core.counters.NodeCounters;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.shard.ClusterLink;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.store.ShardStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's link to the other nodes of its cluster, over Aeron UDP: one publication per peer (every shard of this node
 * offers to it: Aeron's concurrent publication keeps each producer's order), one subscription where every peer's
 * stream arrives, and a receiver thread ({@link LinkReceiver}) that is one more producer into this node's shard rings.
 * <pre>
 *   node A                                                    node B
 *   shard i ─┐ offer (frame: kind, A, shard/mask; payload)
 *   shard j ─┼──▶ publication A→B ══ Aeron UDP ══▶ subscription ──▶ LinkReceiver ──▶ B's shard k ring (COMMAND)
 *            │        ▲ BACK_PRESSURED: held in shard i's queue      (one image per peer)  └──▶ each shard in mask
 *            │        │ for B, retried in order every duty cycle                                (DISPATCH, decoded once)
 * </pre>
 * An embedded media driver per node (its own directory, deleted on start and close) in {@code INVOKER} mode, run with
 * the receiver by one link thread ({@link LinkAgent}) that waits in epoll on the driver's UDP sockets when idle
 * ({@link SocketWaitIdleStrategy}: woken by a datagram or by a shard's offer, never a busy spin).
 * <p>
 * <b>Thread confinement:</b> the per-shard outboxes are touched only by their shard's thread (every
 * {@link ClusterLink} method takes the calling shard); the driver and the receiver run on the link thread.
 */
public final class NodeLink implements ClusterLink, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);

    /**
     * How long the parts of a node's Aeron stack wait for one another before one declares another dead: the media
     * driver for each client's keep-alive, each client for the driver's and for its own conductor's duty cycle. They
     * all live in this one JVM, so none can die without the others; the only thing these timeouts can catch is the
     * whole process stalling (a long GC pause, a descheduled VM, SIGSTOP). With Aeron's 10 s defaults, a stall of
     * 10 s or more made the first part to wake declare the others dead and close — the consensus module, archive and
     * service client closed and unmapped the counters the membership agent reads, and the JVM crashed (SIGSEGV).
     * Peers still notice a stalled node within the peer timeout; on resuming, it rejoins.
     */
    static final long IN_PROCESS_LIVENESS_NANOS = TimeUnit.HOURS.toNanos(1);

    static
    {
        // each Aeron client reads its driver timeout once, when Aeron's CommonContext class is first used: archive,
        // consensus module and service container make their own clients, so the property is the one way to reach them
        if (System.getProperty(CommonContext.DRIVER_TIMEOUT_PROP_NAME) == null)
        {
            System.setProperty(CommonContext.DRIVER_TIMEOUT_PROP_NAME,
                Long.toString(TimeUnit.NANOSECONDS.toMillis(IN_PROCESS_LIVENESS_NANOS)));
        }
    }

    private final NodeLinkContext ctx;
    private final int nodeId;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription subscription;
    private final Publication[] publications;
    private final Outbox[] outboxes;
    private final LinkCounters counters;
    private final CatchUpCounters catchUps;
    /** The link's thread: the media driver and the receiver ({@link LinkAgent}), idling on the driver's sockets. */
    private final AgentRunner linkRunner;
    private final LinkAgent linkAgent;
    private final SocketWaitIdleStrategy waits;
    /** The receiving shard's watch of the data socket ({@link #receiveOn}), or null. */
    private volatile AutoCloseable shardWatch;
    /** The shard that watches the data socket, or -1. */
    private volatile int receivingShard = -1;
    private volatile boolean closing;
    /** When a shard that offered runs the driver's cycle ({@link #sent}): SEND_* below. */
    private final int shardsSend;
    private static final int SEND_OFF = 0;
    private static final int SEND_END = 1;
    private static final int SEND_FIRST = 2;
    /** What {@link #watchPeers} last saw of each peer (the receiver's thread only). */
    private final boolean[] peerUp;
    /** Peers whose link came up and that have not been asked for their node-wide records yet (receiver thread). */
    private final boolean[] catchUpOwed;
    /**
     * Peers whose link was seen down since they last introduced themselves (a catch-up request: they do at each
     * start and whenever their own link to this node comes back; receiver thread).
     */
    private final boolean[] downSinceStart;
    /** The start token of each peer's last catch-up request (0: none yet; receiver thread). */
    private final long[] requestToken;
    /**
     * Per peer, the shards that sent their catch-up to this start (bits; written by the receiver thread, read by any:
     * {@link #caughtUp(int)}).
     */
    private final java.util.concurrent.atomic.AtomicLongArray caughtUpShards;
    /** The receiver (set by {@link #start}). */
    private LinkReceiver receiver;
    /** Whether node-wide records are being read again ({@link #holdStatesUntil}); read by any thread. */
    private volatile boolean relearning;
    /** Told of each peer that asks this node for its node-wide records ({@link #onCatchUpRequest}). */
    private CatchUpHandler catchUpRequests = (node, token) -> { };
    /**
     * This start of the node, as its peers see it: sent with each catch-up request and answered with each
     * {@link LinkFrameFlyweight#FOLLOWING_AGAIN} (an answer to an earlier start is not one to this start).
     */
    private final long startToken = java.util.concurrent.ThreadLocalRandom.current().nextLong() | 1L;
    /** Told once when the start hold ends ({@link #onStartHoldEnd}), with why. */
    private java.util.function.Consumer<String> holdEnd = why -> { };
    /** The start hold (receiver thread): whether it ended, when it began, the peers it still waits for. */
    private boolean holdEnded;
    private long holdBeganNanos;
    private final boolean[] awaited;
    /** Per peer: which of its shards follow this start again (bits), and how many it has. */
    private final long[] followingShards;
    /** The peers that followed this start again, and those taken as down, in order (receiver thread). */
    private final StringBuilder followed = new StringBuilder();
    private final StringBuilder takenDown = new StringBuilder();
    /** Told of each peer whose link went down or came back ({@link #onPeerChange}). */
    private PeerWatch peerWatch = (node, up) -> { };
    private final org.agrona.concurrent.UnsafeBuffer catchUpFrame = new org.agrona.concurrent.UnsafeBuffer(
        new byte[LinkFrameFlyweight.HEADER_LENGTH + Integer.BYTES + LinkFrameFlyweight.MAX_HTTP_ADDRESS_LENGTH]);
    /** Length of {@link #catchUpFrame}: the header, the flags and this node's HTTP address ({@link #advertiseHttp}). */
    private volatile int catchUpFrameLength = LinkFrameFlyweight.HEADER_LENGTH + Integer.BYTES;
    /** Each peer's HTTP address as its last catch-up request gave it ({@link #httpAddress}), or null. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<String> httpAddresses;
    /**
     * Peers whose link this node saw go down since it last asked them for their records: the next request tells them
     * ({@link LinkFrameFlyweight#SEEN_DOWN}), a sign that they may have been cut off without noticing (receiver
     * thread).
     */
    private final boolean[] sawDownSinceAsked;

    /**
     * Starts the media driver and the publications to every peer.
     *
     * @param ctx      settings ({@link NodeLinkContext#conclude()} is called here).
     * @param shards   shards of this node (the outboxes).
     * @param counters the node's counters, or null for counters in this process only.
     */
    public NodeLink(final NodeLinkContext ctx, final int shards, final NodeCounters counters)
    {
        this.ctx = ctx.conclude();
        this.nodeId = ctx.nodeId();
        final NodeCounters nodeCounters = counters != null ? counters : NodeCounters.inMemory(64);
        this.counters = new LinkCounters(nodeCounters);
        this.catchUps = new CatchUpCounters(nodeCounters);
        final String dir = ctx.aeronDir().toAbsolutePath().toString();
        final long timeout = ctx.peerTimeoutNanos();
        final SocketWaitIdleStrategy startedWaits = new SocketWaitIdleStrategy(ctx.idleMaxParkNanos(), ctx.spin(),
            channel(ctx.members().endpoint(ctx.nodeId())));
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.INVOKER) // run by the link's own thread (LinkAgent), waiting on its sockets
            .receiveChannelEndpointSupplier(startedWaits.receiveEndpoints())
            .sendChannelEndpointSupplier(startedWaits.sendEndpoints())
            // names to resolve: on a thread of their own (a lookup must not stall the link); addresses: none needed
            .asyncExecutorEnabled(!numericHosts(ctx.members()))
            .publicationConnectionTimeoutNs(timeout)
            // a peer's image outlives a stall of either side (a GC pause, a descheduled VM, a box at load 40): with
            // the image kept, what was in flight when the stall began is still delivered (NAKed, resent from the
            // sender's term) instead of being dropped with a timed-out image — a REST command lost that way left its
            // client waiting 30 s for a 504 (ClusterStallTest). "Unreachable" still follows the peer timeout.
            .imageLivenessTimeoutNs(Math.max(10 * timeout, TimeUnit.SECONDS.toNanos(10)))
            .clientLivenessTimeoutNs(IN_PROCESS_LIVENESS_NANOS)
            .publicationUnblockTimeoutNs(IN_PROCESS_LIVENESS_NANOS + TimeUnit.SECONDS.toNanos(15))
            .termBufferSparseFile(true)
            .publicationTermBufferLength(ctx.termLength())
            .ipcTermBufferLength(64 * 1024)
            .errorHandler(ex -> LOG.warn("cluster link (media driver): {}", ex.toString()));
        MediaDriver startedDriver = null;
        AgentRunner startedRunner = null;
        LinkAgent startedAgent = null;
        Aeron client = null;
        try
        {
            startedDriver = MediaDriver.launchEmbedded(driverCtx);
            startedAgent = new LinkAgent(startedDriver.sharedAgentInvoker(), startedWaits, this.counters);
            startedRunner = new AgentRunner(startedWaits, ex -> LOG.error("cluster link failed", ex), null,
                startedAgent);
            AgentRunner.startOnThread(startedRunner, ctx.threadFactory());
            client = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(startedDriver.aeronDirectoryName())
                // the client conductor is off the data path (offers and polls touch the log buffers directly): it
                // learns of new images and keeps the client alive, for which a 10 ms sleep is plenty
                .idleStrategy(new SleepingMillisIdleStrategy(10))
                .driverTimeoutMs(TimeUnit.NANOSECONDS.toMillis(IN_PROCESS_LIVENESS_NANOS))
                .errorHandler(ex -> LOG.warn("cluster link (client): {}", ex.toString())));
            final Aeron linkClient = client;
            linkClient.addCloseHandler(() ->
            {
                if (!closing)
                {
                    LOG.error("cluster: this node's link to the others closed under it (its Aeron client ended: a "
                        + "stall of more than {} s, or an Aeron error logged above); it can reach no other node",
                        TimeUnit.NANOSECONDS.toSeconds(IN_PROCESS_LIVENESS_NANOS));
                    ctx.onLost().run();
                }
            });
            if (CommonContext.DRIVER_TIMEOUT_MS < TimeUnit.NANOSECONDS.toMillis(IN_PROCESS_LIVENESS_NANOS))
            {
                LOG.warn("cluster: Aeron's clients in this JVM give up on the media driver after {} ms "
                    + "(aeron.driver.timeout, read before this node started): a stall that long stops this node's "
                    + "consensus member", CommonContext.DRIVER_TIMEOUT_MS);
            }
            final ClusterMembers members = ctx.members();
            this.subscription = client.addSubscription(channel(members.endpoint(nodeId)), NodeLinkContext.STREAM_ID);
            this.publications = new Publication[members.size()];
            for (int node = 0; node < members.size(); node++)
            {
                if (node != nodeId)
                {
                    publications[node] = client.addPublication(channel(members.endpoint(node)) + "|term-length="
                        + ctx.termLength(), NodeLinkContext.STREAM_ID);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            closing = true; // not "lost": it never started
            CloseHelper.quietCloseAll(client, startedRunner, startedDriver);
            startedWaits.close();
            throw ex;
        }
        this.waits = startedWaits;
        this.shardsSend = ctx.spin() ? SEND_OFF : switch (ctx.shardsSend())
        {
            case "off", "false" -> SEND_OFF;
            case "end" -> SEND_END;
            case "first", "true" -> SEND_FIRST;
            default -> throw new IllegalArgumentException("pinwheel.cluster.shardsSend must be off, end or first, not '"
                + ctx.shardsSend() + "'");
        };
        this.linkAgent = startedAgent;
        this.linkRunner = startedRunner;
        this.driver = startedDriver;
        this.aeron = client;
        this.peerUp = new boolean[publications.length];
        this.catchUpOwed = new boolean[publications.length];
        this.downSinceStart = new boolean[publications.length];
        this.requestToken = new long[publications.length];
        this.caughtUpShards = new java.util.concurrent.atomic.AtomicLongArray(publications.length);
        this.sawDownSinceAsked = new boolean[publications.length];
        this.awaited = new boolean[publications.length];
        this.followingShards = new long[publications.length];
        this.httpAddresses = new java.util.concurrent.atomic.AtomicReferenceArray<>(publications.length);
        LinkFrameFlyweight.putHeader(catchUpFrame, 0, LinkFrameFlyweight.CATCH_UP_REQUEST, nodeId, startToken);
        this.outboxes = new Outbox[shards];
        for (int i = 0; i < shards; i++)
        {
            outboxes[i] = new Outbox(publications.length);
        }
    }

    /** @return whether every member's host is an IP address literal (nothing for the driver to resolve). */
    static boolean numericHosts(final ClusterMembers members)
    {
        for (final String host : members.hosts())
        {
            if (!host.matches("[0-9.]+") && !(host.startsWith("[") || host.indexOf(':') >= 0))
            {
                return false;
            }
        }
        return true;
    }

    private static String channel(final String endpoint)
    {
        return "aeron:udp?endpoint=" + endpoint;
    }

    /**
     * Starts the receiver: what peers send goes onto this node's shard rings from now on.
     *
     * @param group this node's shards.
     * @param node  this node's node-wide state, where the other nodes' state records are applied.
     */
    public void start(final ShardGroup group, final NodeState node)
    {
        holdBeganNanos = System.nanoTime();
        for (int peer = 0; peer < awaited.length; peer++)
        {
            awaited[peer] = peer != nodeId;
        }
        if (ctx.startHoldNanos() <= 0 || publications.length < 2)
        {
            endHold(ctx.startHoldNanos() <= 0 ? "no start hold (pinwheel.cluster.startHoldMs=0)" : "no peers");
        }
        final LinkReceiver receiver = new LinkReceiver(subscription, group, node, counters, this::watchPeers,
            this::catchUpRequested, publications.length, this::peerRestarted, new LinkReceiver.Following()
            {
                @Override
                public void followingAgain(final int peer, final long token, final int shard, final int shards)
                {
                    NodeLink.this.followingAgain(peer, token, shard, shards);
                }

                @Override
                public void caughtUp(final int peer, final int shard)
                {
                    NodeLink.this.caughtUp(peer, shard);
                }
            });
        linkAgent.receiver(receiver);
        this.receiver = receiver;
        receiveOn(group, ctx.receiveShard());
    }

    /**
     * Has a shard of this node wake for the link's data socket and run the link's cycle itself ({@link LinkAgent}), so
     * that a peer's event reaches that shard's sessions after one wake-up (the shard's) instead of two (the link
     * thread's, then the shard's). On the epoll transport (the gateway's default) and when the link thread waits (a
     * spinning link thread reads at once); otherwise, or with {@code shard < 0}, the link thread wakes for the socket as
     * before. Asynchronous: the shard registers the watch in its next duty cycle.
     *
     * @param group this node's shards.
     * @param shard the receiving shard, or negative for none.
     */
    private void receiveOn(final ShardGroup group, final int shard)
    {
        final java.nio.channels.DatagramChannel data = waits.dataChannel();
        if (shard < 0 || ctx.spin() || data == null || shard >= group.shardCount())
        {
            LOG.info("cluster: the link's thread reads what peers send ({})", shard < 0 ? "pinwheel.cluster.receiveShard"
                + " < 0" : ctx.spin() ? "it spins" : data == null ? "no data socket" : "no shard " + shard);
            return;
        }
        final boolean sent = group.send(shard, s ->
        {
            if (closing)
            {
                return;
            }
            final AutoCloseable watch = s.io() == null ? null : s.io().watchReadable(data,
                () -> linkAgent.runOnShard(LinkCounters.SHARD_RECEIVED, true));
            if (watch == null)
            {
                LOG.info("cluster: the link's thread reads what peers send (shard {}'s transport cannot watch its "
                    + "socket)", shard);
                return;
            }
            shardWatch = watch;
            receivingShard = shard;
            if (closing)
            {
                shardWatch = null;
                CloseHelper.quietClose(watch); // the link closed meanwhile
                return;
            }
            waits.handOverData();
            LOG.info("cluster: shard {} wakes for what peers send and reads it itself", shard);
        });
        if (!sent)
        {
            LOG.warn("cluster: shard {} refused to watch the link's socket (its ring is full): the link's thread reads "
                + "what peers send", shard);
        }
    }

    /**
     * Has the node-wide records of the cluster read again from a shared store (Cassandra: after an outage this node
     * missed the ones broadcast meanwhile): the live state records that arrive from now on wait until {@code replay}
     * completes and what it gives has applied the records read, then are applied in their order, so none is
     * overwritten by an older one; meanwhile no peer counts as having caught this node up ({@link #caughtUp(int)}:
     * an unknown token is a failure that heals). Then {@code afterwards} runs. Receiver thread (a
     * {@link PeerWatch} callback).
     *
     * @param replay     completes, on any thread, with what applies the records read (run on the receiver thread).
     * @param afterwards run on the receiver thread once every held record is applied.
     */
    public void holdStatesUntil(final java.util.concurrent.CompletableFuture<Runnable> replay,
        final Runnable afterwards)
    {
        relearning = true;
        receiver.holdStatesUntil(replay, () ->
        {
            relearning = receiver.replayingStates();
            afterwards.run();
        });
    }

    /**
     * Sets what runs when the start hold ends (the node's shards hold back, from their start, the commands that could
     * produce events; {@link #startHoldNanos}): once, on the receiver's thread (or in {@link #start} when there is no
     * hold), when every peer has followed this start again — each of its shards told this node again which of its
     * sessions follow this node's guilds and users, then answered the start's catch-up request — or when the peers
     * not yet there are taken as down (their link still not connected after a quarter of the hold) or the hold timed
     * out. Before {@link #start}.
     *
     * @param handler told why the hold ended; must not block.
     */
    public void onStartHoldEnd(final java.util.function.Consumer<String> handler)
    {
        this.holdEnd = java.util.Objects.requireNonNull(handler, "handler");
    }

    /**
     * @return how long, at most, this node's shards hold back at their start the commands that could produce events
     *         (the link ends the hold: {@link #onStartHoldEnd}); 0: none.
     */
    @Override
    public long startHoldNanos()
    {
        return publications.length < 2 ? 0 : ctx.startHoldNanos();
    }

    /**
     * Tells a peer that asked for this node's node-wide records ({@link #onCatchUpRequest}) that this shard has told
     * it again which of its sessions follow the peer's guilds and users: everything the shard sent the peer before
     * this goes ahead of it. On {@code fromShard}'s thread.
     *
     * @param fromShard the calling shard.
     * @param node      the peer.
     * @param token     the token of the peer's request.
     */
    public void followingAgain(final int fromShard, final int node, final long token)
    {
        if (node < 0 || node >= publications.length || publications[node] == null)
        {
            return;
        }
        final Outbox out = outboxes[fromShard];
        final ExpandableArrayBuffer frame = out.scratch;
        LinkFrameFlyweight.putHeader(frame, 0, LinkFrameFlyweight.FOLLOWING_AGAIN, nodeId, token);
        frame.putInt(LinkFrameFlyweight.HEADER_LENGTH, fromShard);
        frame.putInt(LinkFrameFlyweight.HEADER_LENGTH + Integer.BYTES, outboxes.length);
        offer(out, node, frame, LinkFrameFlyweight.HEADER_LENGTH + LinkFrameFlyweight.FOLLOWING_AGAIN_LENGTH, true);
    }

    /** A shard of a peer follows a start of this node again (receiver thread). */
    private void followingAgain(final int node, final long token, final int shard, final int shards)
    {
        if (holdEnded || token != startToken || node < 0 || node >= awaited.length || !awaited[node] || shard < 0
            || shard >= Math.min(shards, Long.SIZE))
        {
            return; // an answer to an earlier start of this node, or after the hold
        }
        followingShards[node] |= 1L << shard;
        if (Long.bitCount(followingShards[node]) >= Math.min(shards, Long.SIZE))
        {
            awaited[node] = false;
            followed.append(followed.isEmpty() ? "" : ", ").append(node);
            LOG.info("cluster: node {} follows this start again ({} shard(s), {} ms after the link started)", node,
                shards, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - holdBeganNanos));
            checkHold(System.nanoTime());
        }
    }

    /** Ends the start hold when nobody is awaited any more, or its time is over (receiver thread). */
    private void checkHold(final long now)
    {
        if (holdEnded)
        {
            return;
        }
        final long waited = now - holdBeganNanos;
        final boolean graceOver = waited >= Math.max(ctx.startHoldNanos() / 4, TimeUnit.MILLISECONDS.toNanos(250));
        final StringBuilder down = new StringBuilder();
        final StringBuilder missing = new StringBuilder();
        for (int peer = 0; peer < awaited.length; peer++)
        {
            if (awaited[peer] && graceOver && !connected(peer))
            {
                awaited[peer] = false; // down: a live peer's link connects within milliseconds
                down.append(down.isEmpty() ? "" : ", ").append(peer);
                takenDown.append(takenDown.isEmpty() ? "" : ", ").append(peer);
            }
            if (awaited[peer])
            {
                missing.append(missing.isEmpty() ? "" : ", ").append(peer);
            }
        }
        if (!down.isEmpty())
        {
            LOG.warn("cluster: node(s) {} not connected {} ms after the link started: taken as down, not waited for",
                down, TimeUnit.NANOSECONDS.toMillis(waited));
        }
        if (missing.isEmpty())
        {
            endHold("every live peer follows this start again (followed: [" + followed + "], taken as down: ["
                + takenDown + "])");
        }
        else if (waited >= ctx.startHoldNanos())
        {
            endHold("node(s) " + missing + " connected but not following this start again after "
                + TimeUnit.NANOSECONDS.toMillis(waited) + " ms (pinwheel.cluster.startHoldMs): their sessions may miss "
                + "events until they subscribe again");
        }
    }

    private void endHold(final String why)
    {
        holdEnded = true;
        LOG.info("cluster: start hold ended after {} ms: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
            - holdBeganNanos), why);
        try
        {
            holdEnd.accept(why);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cluster: ending the start hold failed", ex);
        }
    }

    /**
     * On the receiver's thread, every few hundred milliseconds: logs each peer that became connected or unreachable
     * (what an operator, and the cluster tests, watch for).
     */
    private void watchPeers()
    {
        for (int node = 0; node < publications.length; node++)
        {
            if (node == nodeId)
            {
                continue;
            }
            final boolean up = connected(node);
            if (up != peerUp[node])
            {
                peerUp[node] = up;
                if (up)
                {
                    LOG.info("cluster: node {} connected ({})", node, ctx.members().endpoint(node));
                    catchUpOwed[node] = true; // it may hold node-wide records this node has not seen
                }
                else
                {
                    downSinceStart[node] = true;
                    sawDownSinceAsked[node] = true;
                    LOG.warn("cluster: node {} unreachable ({}): its guilds answer 503 until it is back", node,
                        ctx.members().endpoint(node));
                }
                try
                {
                    peerWatch.peerChanged(node, up);
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("cluster: the watch of node {} failed", node, ex);
                }
            }
        }
        askForCatchUp();
        checkHold(System.nanoTime());
    }

    /**
     * Asks each peer whose link came up (at start, after a restart of either side or a partition) for its node-wide
     * records: a node-wide record is broadcast once, when it is journaled, so a node that was down or cut off then
     * learns it only this way. Retried every watch while the request frame is refused. Receiver thread.
     */
    private void askForCatchUp()
    {
        for (int node = 0; node < catchUpOwed.length; node++)
        {
            if (!catchUpOwed[node])
            {
                continue;
            }
            catchUpFrame.putInt(LinkFrameFlyweight.HEADER_LENGTH,
                sawDownSinceAsked[node] ? LinkFrameFlyweight.SEEN_DOWN : 0);
            if (publications[node].offer(catchUpFrame, 0, catchUpFrameLength) > 0)
            {
                sawDownSinceAsked[node] = false;
                waits.wake();
                catchUpOwed[node] = false; // a control frame: not in the sent count of commands, events and records
                LOG.info("cluster: asked node {} for its node-wide records (catch-up)", node);
            }
        }
    }

    /**
     * A peer asked for this node's node-wide records: its link to this node is up again, or it started. A later
     * restart of it is judged from here on (its followers here were subscribed again if its link had been down).
     */
    private void catchUpRequested(final int node, final long token, final boolean seenDown, final String httpAddress)
    {
        if (node >= 0 && node < downSinceStart.length)
        {
            if (httpAddress != null)
            {
                httpAddresses.set(node, httpAddress);
            }
            final boolean cutOff = seenDown && requestToken[node] == token && !downSinceStart[node];
            requestToken[node] = token;
            downSinceStart[node] = false; // after peerRestarted: a new start's first frame is noted before it is read
            if (cutOff)
            {
                cutOff(node);
            }
        }
        catchUpRequests.requested(node, token);
    }

    /**
     * The same start of a peer asked again for this node's node-wide records because it saw this node's link go down
     * ({@link LinkFrameFlyweight#SEEN_DOWN}), while this node never saw the peer's go down: the peer saw this node's
     * link go down and come back (a pause of this process — a long GC, a stopped VM —
     * or a cut this side did not notice). Meanwhile the peer refused what it sent here: its guild events to the
     * sessions here, its node-wide records, its members' joins and removals; and it forgot this node's sessions. This
     * node does what it does when it sees a peer go down and come back: the sessions here following the peer's guilds
     * are told they are unavailable and subscribe again (GUILD_CREATE), what the peer's sessions showed here is
     * forgotten, and the peer is asked for its records again (it tells again of its sessions, then sends its journal,
     * after which the sessions here are matched against the memberships it owns: {@link PeerWatch#caughtUp}). Before,
     * none of it was done: a member who joined meanwhile never got the guild on this node, one kicked meanwhile kept
     * it, and the guild's followers here had silently missed its events. Receiver thread.
     */
    private void cutOff(final int node)
    {
        LOG.warn("cluster: node {} asked again for this node's records while its link was never seen down here: it "
            + "saw this node cut off; the sessions here following its guilds subscribe again and its records are "
            + "asked for again", node);
        catchUpOwed[node] = true;
        try
        {
            peerWatch.peerChanged(node, false);
            peerWatch.peerChanged(node, true);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cluster: the watch of node {} failed", node, ex);
        }
    }

    /** A shard of a peer sent every record of its journal this node asked for (receiver thread). */
    private void caughtUp(final int node, final int shard)
    {
        if (node >= 0 && node < publications.length && shard >= 0 && shard < Long.SIZE)
        {
            caughtUpShards.getAndAccumulate(node, 1L << shard, (a, b) -> a | b);
        }
        try
        {
            peerWatch.caughtUp(node, shard);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cluster: the watch of node {} failed", node, ex);
        }
    }

    /**
     * Tells the peers where this node answers HTTP (REST, gateway, files): carried by each catch-up request it sends
     * from now on (before {@link #start}, or at least before the peers connect, so that the first one carries it).
     *
     * @param hostAndPort e.g. {@code 10.0.0.5:8080}; at most {@link LinkFrameFlyweight#MAX_HTTP_ADDRESS_LENGTH}
     *                    ASCII bytes.
     */
    public void advertiseHttp(final String hostAndPort)
    {
        final byte[] ascii = hostAndPort.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (ascii.length == 0 || ascii.length > LinkFrameFlyweight.MAX_HTTP_ADDRESS_LENGTH)
        {
            throw new IllegalArgumentException("an HTTP address of 1 to " + LinkFrameFlyweight.MAX_HTTP_ADDRESS_LENGTH
                + " bytes: " + hostAndPort);
        }
        catchUpFrame.putBytes(LinkFrameFlyweight.HEADER_LENGTH + Integer.BYTES, ascii);
        catchUpFrameLength = LinkFrameFlyweight.HEADER_LENGTH + Integer.BYTES + ascii.length;
    }

    @Override
    public String httpAddress(final int node)
    {
        return node == nodeId || node < 0 || node >= httpAddresses.length() ? null : httpAddresses.get(node);
    }

    @Override
    public boolean caughtUp(final int route)
    {
        final int node = dev.pinwheel.core.routing.ShardRoute.node(route);
        final int shard = route & 0xFFFF;
        if (node == nodeId)
        {
            return true;
        }
        return !relearning && node >= 0 && node < publications.length && shard < Long.SIZE
            && (caughtUpShards.get(node) & 1L << shard) != 0;
    }

    private void sendCatchUpDone(final Outbox out, final int fromShard, final int node)
    {
        LinkFrameFlyweight.putHeader(out.scratch, 0, LinkFrameFlyweight.CATCH_UP_DONE, nodeId, fromShard);
        offer(out, node, out.scratch, LinkFrameFlyweight.HEADER_LENGTH, true);
    }

    /**
     * A peer's frames come from a new start of it (its stream here has a new Aeron session): what was sent to the
     * start before and not answered is lost with it, and it forgot which shards here follow its guilds
     * ({@link PeerWatch#peerRestarted}). It is asked for its node-wide records again too: its last ones may have been
     * journaled just before it died and never broadcast. Receiver thread, before the frame is handled.
     */
    private void peerRestarted(final int node)
    {
        final boolean seenDown = downSinceStart[node];
        downSinceStart[node] = false;
        catchUpOwed[node] = true;
        LOG.warn("cluster: node {} restarted (a new stream from it{}): requests on their way to it are failed{}", node,
            seenDown ? "" : ", its link never seen down",
            seenDown ? "" : ", the sessions here following its guilds subscribe again");
        try
        {
            peerWatch.peerRestarted(node, seenDown);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cluster: the watch of node {} failed", node, ex);
        }
    }

    /**
     * Sets what runs when a peer asks this node for its node-wide records (a catch-up): the node has each shard tell
     * that peer again which of its sessions follow the peer's guilds and users ({@link #followingAgain}) and send it
     * its journal's state records ({@link #beginCatchUp}). Once, before {@link #start}.
     *
     * @param handler told, on the link receiver's thread, the asking node's id and start token; must not block.
     */
    public void onCatchUpRequest(final CatchUpHandler handler)
    {
        this.catchUpRequests = java.util.Objects.requireNonNull(handler, "handler");
    }

    /** What a node does when a peer asks it for its node-wide records (the peer started, or its link came back). */
    @FunctionalInterface
    public interface CatchUpHandler
    {
        /**
         * @param node  the asking peer.
         * @param token its start's token, to answer with {@link #followingAgain}.
         */
        void requested(int node, long token);
    }

    /**
     * Sets what runs when a peer's link goes down or comes back (as logged: {@code node K unreachable},
     * {@code node K connected}). Once, before {@link #start}.
     *
     * @param watch told on the link receiver's thread; must not block.
     */
    public void onPeerChange(final PeerWatch watch)
    {
        this.peerWatch = java.util.Objects.requireNonNull(watch, "watch");
    }

    /** What a node does when a peer's link goes down or comes back, or the peer restarted. */
    @FunctionalInterface
    public interface PeerWatch
    {
        /**
         * @param node the peer.
         * @param up   whether its link is up now (false: unreachable).
         */
        void peerChanged(int node, boolean up);

        /**
         * A peer started again (its stream here is a new one). Requests sent to the start before are lost or answered
         * by nobody who remembers them; the new start knows nothing of which shards here follow its guilds. Told on
         * the receiver's thread before anything the new start sent is put on a shard ring.
         *
         * @param node     the peer.
         * @param seenDown whether its link was seen down in between (the followers were told then already).
         */
        default void peerRestarted(final int node, final boolean seenDown)
        {
        }

        /**
         * A shard of a peer sent every state record of its journal this node asked for (a catch-up), and each is
         * applied to this node's node-wide state: the memberships of the guilds that shard owns are up to date here.
         * Receiver thread.
         *
         * @param node  the peer.
         * @param shard its shard.
         */
        default void caughtUp(final int node, final int shard)
        {
        }
    }

    /**
     * Begins sending this shard's node-wide records to a peer that asked for them (a catch-up): the state records its
     * store journaled until now, in order, read a bounded slice per duty cycle ({@link #retryPending}, {@link
     * CatchUpScan}) so that the shard never pauses for the whole journal. Everything the shard sends that peer
     * meanwhile — the records it journals later among it — waits in order behind the scan, so the peer gets each of
     * those once, after every scanned one. A peer that asks again while its scan runs (it restarted) is sent the
     * journal again from the beginning. On {@code fromShard}'s thread.
     *
     * @param fromShard the calling shard.
     * @param node      the peer.
     * @param store     the shard's store.
     * @return false if the store keeps no journal of its own (only CATCH_UP_DONE is sent: the peers read a shared
     *         store).
     */
    public boolean beginCatchUp(final int fromShard, final int node, final ShardStore store)
    {
        final long until = store.stateJournalEnd();
        if (node < 0 || node >= publications.length || publications[node] == null)
        {
            return false;
        }
        if (until < 0)
        {
            // no journal of its own (Cassandra: the peers read the shared state logs): nothing to scan, caught up
            sendCatchUpDone(outboxes[fromShard], fromShard, node);
            return false;
        }
        final Outbox out = outboxes[fromShard];
        if (out.scans[node] != null)
        {
            out.scans[node].restart();
        }
        else
        {
            out.scans[node] = new CatchUpScan(fromShard, node, nodeId, store, until, counters, catchUps);
            out.scans[node].behind = out.held[node].size(); // held back before the peer asked: sent ahead of the scan
            out.scanning++;
        }
        return true;
    }

    /**
     * Wakes the link thread, which runs this node's media driver, for one duty cycle: for other Aeron components on the
     * driver (the consensus and membership agents), whose offers and client commands would otherwise wait for a datagram
     * or the link's longest wait. Any thread; cheap when the thread is awake already.
     */
    public void wakeDriver()
    {
        waits.wake();
    }

    /**
     * @return the embedded media driver's directory (other Aeron components of this node, such as the consensus
     *         module of {@link ConsensusMembership}, run on the same driver).
     */
    public String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    /**
     * @return this node's id.
     */
    public int nodeId()
    {
        return nodeId;
    }

    @Override
    public int nodes()
    {
        return publications.length;
    }

    /**
     * @param node a node.
     * @return whether its stream from here is connected (its receiver answers).
     */
    @Override
    public boolean connected(final int node)
    {
        final Publication p = publications[node];
        return p != null && p.isConnected();
    }

    /**
     * Waits until every peer is connected (start-up of a local cluster, tests).
     *
     * @param timeoutMillis how long at most.
     * @return whether all are connected.
     */
    public boolean awaitPeers(final long timeoutMillis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() - deadline < 0)
        {
            boolean all = true;
            for (int node = 0; node < publications.length; node++)
            {
                all &= node == nodeId || connected(node);
            }
            if (all)
            {
                return true;
            }
            LockSupportSleep.millis(5);
        }
        return false;
    }

    /**
     * @param name a counter of the link ({@code sent}, {@code received}, {@code back_pressured}, {@code retried},
     *             {@code node_down}, {@code queue_full}, {@code events_dropped}, {@code receiver_ring_full}), or of
     *             its catch-ups ({@code catch_up_started}, {@code _completed}, {@code _abandoned}, {@code _records},
     *             {@code _slices}).
     * @return its value.
     */
    public long counter(final String name)
    {
        if (name.startsWith("catch_up_"))
        {
            return catchUps.get(switch (name)
            {
                case "catch_up_started" -> CatchUpCounters.STARTED;
                case "catch_up_completed" -> CatchUpCounters.COMPLETED;
                case "catch_up_abandoned" -> CatchUpCounters.ABANDONED;
                case "catch_up_records" -> CatchUpCounters.RECORDS;
                case "catch_up_slices" -> CatchUpCounters.SLICES;
                default -> throw new IllegalArgumentException("no link counter " + name);
            });
        }
        return counters.get(switch (name)
        {
            case "sent" -> LinkCounters.SENT;
            case "received" -> LinkCounters.RECEIVED;
            case "back_pressured" -> LinkCounters.BACK_PRESSURED;
            case "retried" -> LinkCounters.RETRIED;
            case "node_down" -> LinkCounters.REFUSED_NODE_DOWN;
            case "queue_full" -> LinkCounters.REFUSED_QUEUE_FULL;
            case "events_dropped" -> LinkCounters.EVENTS_DROPPED;
            case "receiver_ring_full" -> LinkCounters.RECEIVER_HELD;
            case "answers_over_limit" -> LinkCounters.ANSWERS_OVER_LIMIT;
            default -> throw new IllegalArgumentException("no link counter " + name);
        });
    }

    @Override
    public int offerCommand(final int fromShard, final int node, final int shard, final DirectBuffer bytes,
        final int offset, final int length, final boolean answer)
    {
        final Outbox out = outboxes[fromShard];
        final ExpandableArrayBuffer frame = out.scratch;
        LinkFrameFlyweight.putHeader(frame, 0, LinkFrameFlyweight.COMMAND, nodeId, shard);
        frame.putBytes(LinkFrameFlyweight.HEADER_LENGTH, bytes, offset, length);
        return offer(out, node, frame, LinkFrameFlyweight.HEADER_LENGTH + length, answer);
    }

    @Override
    public int offerDispatch(final int fromShard, final int node, final long shardMask, final Dispatch dispatch)
    {
        final Outbox out = outboxes[fromShard];
        final ExpandableArrayBuffer frame = out.dispatchFrame;
        if (out.encoded != dispatch) // the event's copy to the next node: only the header differs
        {
            frame.checkLimit(LinkFrameFlyweight.HEADER_LENGTH + DispatchFlyweight.maxLength(dispatch));
            out.encodedLength = DispatchFlyweight.encode(dispatch, frame, LinkFrameFlyweight.HEADER_LENGTH);
            out.encoded = dispatch;
        }
        LinkFrameFlyweight.putHeader(frame, 0, LinkFrameFlyweight.DISPATCH, nodeId, shardMask);
        final int result = offer(out, node, frame, LinkFrameFlyweight.HEADER_LENGTH + out.encodedLength, false);
        if (result != SENT)
        {
            counters.increment(LinkCounters.EVENTS_DROPPED);
        }
        return result;
    }

    @Override
    public void offerState(final int fromShard, final int type, final byte[] payload)
    {
        final Outbox out = outboxes[fromShard];
        final ExpandableArrayBuffer frame = out.scratch;
        LinkFrameFlyweight.putHeader(frame, 0, LinkFrameFlyweight.STATE, nodeId, type);
        frame.putBytes(LinkFrameFlyweight.HEADER_LENGTH, payload);
        for (int node = 0; node < publications.length; node++)
        {
            if (node != nodeId && offer(out, node, frame, LinkFrameFlyweight.HEADER_LENGTH + payload.length, false)
                != SENT)
            {
                counters.increment(LinkCounters.EVENTS_DROPPED);
            }
        }
    }

    /**
     * @param answer an answer to a request of that node: held past {@code maxPending} rather than refused (see
     *               {@link ClusterLink#offerCommand}).
     */
    private int offer(final Outbox out, final int node, final DirectBuffer frame, final int length,
        final boolean answer)
    {
        final Publication pub = node < publications.length ? publications[node] : null; // ShardRoute.MOVING: none
        if (pub == null)
        {
            counters.increment(LinkCounters.REFUSED_NODE_DOWN);
            return NODE_DOWN;
        }
        final ArrayDeque<byte[]> held = out.held[node];
        if (held.isEmpty() && out.scans[node] == null) // a catch-up of the peer goes first: the rest waits behind it
        {
            final long r = pub.offer(frame, 0, length);
            if (r > 0)
            {
                sent(out);
                counters.increment(LinkCounters.SENT);
                return SENT;
            }
            if (r == Publication.NOT_CONNECTED || r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED)
            {
                counters.increment(LinkCounters.REFUSED_NODE_DOWN);
                return NODE_DOWN;
            }
            counters.increment(LinkCounters.BACK_PRESSURED); // BACK_PRESSURED or ADMIN_ACTION: hold it, in order
        }
        if (held.size() >= ctx.maxPending())
        {
            if (!answer)
            {
                counters.increment(LinkCounters.REFUSED_QUEUE_FULL);
                return QUEUE_FULL;
            }
            counters.increment(LinkCounters.ANSWERS_OVER_LIMIT);
        }
        final byte[] copy = new byte[length]; // only while the peer pushes back
        frame.getBytes(0, copy);
        held.add(copy);
        out.heldCount++;
        return SENT;
    }

    @Override
    public int retryPending(final int fromShard, final Refused refused)
    {
        final Outbox out = outboxes[fromShard];
        if (out.heldCount == 0 && out.scanning == 0)
        {
            return 0;
        }
        int work = drainHeld(out, refused);
        if (out.scanning > 0)
        {
            work += advanceCatchUp(fromShard, out);
            work += drainHeld(out, refused); // a scan that ended: what waited behind it goes now
        }
        return work;
    }

    /**
     * Sends, in order, what waits in the shard's queue for each peer: for a peer it catches up, only what was queued
     * before its scan began (the scan goes next, the rest after it).
     */
    private int drainHeld(final Outbox out, final Refused refused)
    {
        int work = 0;
        for (int node = 0; node < out.held.length; node++)
        {
            final ArrayDeque<byte[]> held = out.held[node];
            final CatchUpScan scan = out.scans[node];
            while (!held.isEmpty() && (scan == null || scan.behind > 0))
            {
                final byte[] head = held.peek();
                out.view.wrap(head);
                final long r = publications[node].offer(out.view, 0, head.length);
                if (r > 0)
                {
                    sent(out);
                    counters.increment(LinkCounters.SENT);
                    counters.increment(LinkCounters.RETRIED);
                }
                else if (r == Publication.BACK_PRESSURED || r == Publication.ADMIN_ACTION)
                {
                    break;
                }
                else
                {
                    refuse(node, head, refused); // the node went down while these waited
                }
                held.poll();
                out.heldCount--;
                if (scan != null)
                {
                    scan.behind--;
                }
                work++;
            }
        }
        return work;
    }

    /**
     * One slice of one running catch-up per duty cycle, the peers in turn: the shard's pause is one slice however
     * many peers catch up at once.
     */
    private int advanceCatchUp(final int fromShard, final Outbox out)
    {
        for (int i = 0; i < out.scans.length; i++)
        {
            final int node = (out.nextScan + i) % out.scans.length;
            final CatchUpScan scan = out.scans[node];
            if (scan == null || scan.behind > 0) // what the shard sent the peer before it asked goes first
            {
                continue;
            }
            out.nextScan = node + 1;
            final long sentBefore = scan.sent();
            int outcome;
            try
            {
                outcome = scan.slice(publications[node], out.scratch, ctx.catchUpSliceRecords(),
                    ctx.catchUpSliceBytes());
            }
            catch (final RuntimeException ex)
            {
                scan.abandon("reading the journal failed: " + ex);
                outcome = CatchUpScan.LOST;
            }
            final boolean sent = scan.sent() != sentBefore;
            if (sent)
            {
                sent(out);
            }
            if (outcome != CatchUpScan.SENDING)
            {
                out.scans[node] = null; // what waited behind it goes next, in order (sent, or refused if it is down)
                out.scanning--;
                if (outcome == CatchUpScan.DONE)
                {
                    // behind the scan and what waited behind it: the peer has applied all of them when it reads this
                    sendCatchUpDone(out, fromShard, node);
                }
                return 1;
            }
            return sent ? 1 : 0; // pushed back: no work, so the shard waits a little (hasPending) instead of spinning
        }
        return 0;
    }

    private void refuse(final int node, final byte[] frame, final Refused refused)
    {
        final UnsafeBuffer view = new UnsafeBuffer(frame);
        if (view.getInt(LinkFrameFlyweight.KIND_OFFSET) == LinkFrameFlyweight.COMMAND)
        {
            counters.increment(LinkCounters.REFUSED_NODE_DOWN);
            refused.commandRefused(node, view, LinkFrameFlyweight.HEADER_LENGTH,
                frame.length - LinkFrameFlyweight.HEADER_LENGTH);
        }
        else
        {
            counters.increment(LinkCounters.EVENTS_DROPPED);
        }
    }

    @Override
    public boolean hasPending(final int fromShard)
    {
        final Outbox out = outboxes[fromShard];
        return out.heldCount > 0 || out.scanning > 0;
    }

    /**
     * <b>Test only</b> (fault injection): every frame from the other nodes is handled this long after it arrived, in
     * order, from now on; 0 ends it. Any thread, after {@link #start}.
     *
     * @param nanos the delay.
     */
    public void delayReceiving(final long nanos)
    {
        final LinkReceiver r = receiver;
        if (r != null)
        {
            r.delay(nanos);
        }
    }

    /**
     * @return the link's Aeron client (tests).
     */
    Aeron aeron()
    {
        return aeron;
    }

    @Override
    public void close()
    {
        closing = true;
        final AutoCloseable watch = shardWatch;
        shardWatch = null;
        CloseHelper.quietClose(watch); // before the driver closes the socket: its number may be reused
        linkAgent.closeShardSide();
        linkAgent.stopReceiving(); // the subscription is not read while the client closes it
        CloseHelper.quietClose(aeron); // the link thread still runs the driver that answers the client
        CloseHelper.quietClose(linkRunner);
        CloseHelper.quietClose(driver);
        waits.close();
        final Path dir = ctx.aeronDir();
        if (dir.toFile().exists())
        {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    /**
     * A shard offered to a publication. {@code first} (the default) and {@code end}: the shard's thread runs the
     * driver's cycle that sends it — with {@code first} one cycle at once when the shard has offered all it had for
     * the moment ({@link #sendOffered}: every node's copy of an event, or a command; once per duty cycle), and the
     * rest of the driver's work, and later offers, after the shard's sessions' writes ({@link #endOfCycle}).
     * {@code off}, or a spinning link thread: the link thread is woken (it sees the offer at once when it spins).
     */
    private void sent(final Outbox out)
    {
        if (shardsSend == SEND_OFF)
        {
            waits.wake();
        }
        else
        {
            out.offered = true;
        }
    }

    @Override
    public void sendOffered(final int fromShard)
    {
        final Outbox out = outboxes[fromShard];
        if (shardsSend == SEND_FIRST && out.offered && !out.ranThisCycle)
        {
            // one driver cycle: the sender puts every publication's new frame on the wire (one datagram each); the
            // rest of the driver's work waits for the end of the duty cycle (offered stays set)
            out.ranThisCycle = true;
            linkAgent.runOnShard(LinkCounters.SHARD_SENT, false, 1);
        }
    }

    @Override
    public int endOfCycle(final int fromShard)
    {
        final Outbox out = outboxes[fromShard];
        out.ranThisCycle = false;
        int work = 0;
        if (out.offered)
        {
            out.offered = false;
            // when the link thread has the cycle, it runs it again for this offer
            work += linkAgent.runOnShard(LinkCounters.SHARD_SENT, false);
        }
        if (fromShard == receivingShard && linkAgent.receivedFirst())
        {
            // the receiving shard delivered what it read before the rest of the driver's work: that rest now
            work += linkAgent.runOnShard(LinkCounters.SHARD_RECEIVED, false);
        }
        return work;
    }

    /** One shard's frames to each peer: its scratch buffer and what back-pressure held back. Its thread only. */
    private static final class Outbox
    {
        /** Offered since the end of the shard's last duty cycle: the driver's cycle runs at the end of this one. */
        boolean offered;
        /** The shard ran the driver's cycle for an offer in this duty cycle already ({@code first}). */
        boolean ranThisCycle;
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
        /** The last event offered (its frame after the header), kept for its copies to the other nodes. */
        final ExpandableArrayBuffer dispatchFrame = new ExpandableArrayBuffer(2048);
        /** Whose encoding {@link #dispatchFrame} holds ({@link Dispatch} is immutable), or null. */
        Dispatch encoded;
        int encodedLength;
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        final ArrayDeque<byte[]>[] held;
        int heldCount;
        /** Each peer's catch-up in progress from this shard, or null: what else goes to that peer waits behind it. */
        final CatchUpScan[] scans;
        int scanning;
        /** The peer whose catch-up takes the next slice. */
        int nextScan;

        @SuppressWarnings("unchecked")
        Outbox(final int nodes)
        {
            scans = new CatchUpScan[nodes];
            held = new ArrayDeque[nodes];
            for (int i = 0; i < nodes; i++)
            {
                held[i] = new ArrayDeque<>();
            }
        }
    }

    /** Sleeping between polls of the control plane (start-up waits), never on a shard thread. */
    private static final class LockSupportSleep
    {
        static void millis(final long ms)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
        }
    }
}
