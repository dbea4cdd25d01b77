package dev.pinwheel.core.shard;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.pinwheel.core.counters.NodeCounters;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.store.StoreFactory;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.tuning.ThreadRole;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shards of one node, and the only way into them from outside: {@link #send(int, ShardTask)} puts work
 * on a shard's inbox ring ({@code tryNext}: never blocks, returns false when the ring is full).
 * <p>
 * <b>Life of a shard thread</b> (its store is used by that thread only, from recovery to close):
 * <pre>
 *   constructor (caller thread): open store i ──hand-over: Thread.start() is a happens-before edge──┐
 *   shard thread i:  recovery(store) ─▶ I/O driver ─▶ duty cycle ─▶ close sockets ─▶ close store ◀─┘
 *                                                         │ fatal failure / escaped Throwable
 *                                                         ▼
 *                                    close sockets, close store, then ShardDeathHandler (node stops)
 * </pre>
 * {@link #close()} stops every duty cycle and waits for the threads; a store is never closed from a foreign thread
 * while its shard thread may still use it.
 */
public final class ShardGroup implements AutoCloseable
{
    /** How long {@link #close()} waits for every shard thread to finish. */
    public static final long STOP_TIMEOUT_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ShardGroup.class);
    private final Shard[] shards;
    private final RoutingTable routing;
    private final IoDriverFactory ioFactory;
    private final ThreadPlacement placement;
    private final ShardTask recovery;
    private final CountDownLatch started;
    private final AtomicReference<Throwable> startFailure = new AtomicReference<>();
    private final int nodeId;
    private final ShardDeathHandler deathHandler;
    private final NodeCounters counters;
    private volatile boolean closing;
    /** The other nodes (null: a single node). Set before {@link #start}: shard threads read it after their start. */
    private ClusterLink link;
    /** A cluster node's ownership ({@link #ownership}); null: always the owner of its keys. */
    private volatile java.util.function.LongToIntFunction ownership;

    /**
     * @param nodeId     node id (0..31), the snowflake worker.
     * @param shardCount shards, 1..31.
     * @param ringSize   inbox ring size per shard (power of two).
     * @param routing    routing table (guild → shard).
     * @param stores     opens one store per shard.
     * @param ioFactory  creates each shard's I/O driver on its thread.
     * @param placement  creates and pins shard threads.
     * @param recovery   runs on each shard thread before it serves (replays its store); may be null.
     */
    public ShardGroup(
        final int nodeId,
        final int shardCount,
        final int ringSize,
        final RoutingTable routing,
        final StoreFactory stores,
        final IoDriverFactory ioFactory,
        final ThreadPlacement placement,
        final ShardTask recovery)
    {
        this(nodeId, shardCount, ringSize, routing, stores, ioFactory, placement, recovery, null);
    }

    /**
     * @param nodeId       node id (0..31), the snowflake worker.
     * @param shardCount   shards, 1..31.
     * @param ringSize     inbox ring size per shard (power of two).
     * @param routing      routing table (guild → shard).
     * @param stores       opens one store per shard (on the calling thread; each is handed to its shard thread).
     * @param ioFactory    creates each shard's I/O driver on its thread.
     * @param placement    creates and pins shard threads.
     * @param recovery     runs on each shard thread before it serves (replays its store); may be null.
     * @param deathHandler told when a shard thread dies while serving; null: stop every other shard too (a node
     *                     with a dead shard must not keep serving half its connections).
     */
    public ShardGroup(
        final int nodeId,
        final int shardCount,
        final int ringSize,
        final RoutingTable routing,
        final StoreFactory stores,
        final IoDriverFactory ioFactory,
        final ThreadPlacement placement,
        final ShardTask recovery,
        final ShardDeathHandler deathHandler)
    {
        this(nodeId, shardCount, ringSize, routing, stores, ioFactory, placement, recovery, deathHandler, null);
    }

    /**
     * @param nodeId       node id (0..31), the snowflake worker.
     * @param shardCount   shards, 1..31.
     * @param ringSize     inbox ring size per shard (power of two).
     * @param routing      routing table (guild → shard).
     * @param stores       opens one store per shard (on the calling thread; each is handed to its shard thread).
     * @param ioFactory    creates each shard's I/O driver on its thread.
     * @param placement    creates and pins shard threads.
     * @param recovery     runs on each shard thread before it serves (replays its store); may be null.
     * @param deathHandler told when a shard thread dies while serving; null: stop every other shard too.
     * @param counters     the node's counters (its {@code CountersFile}'s); null: counters in this process only.
     *                     Each shard registers its own there, and its store's.
     */
    public ShardGroup(
        final int nodeId,
        final int shardCount,
        final int ringSize,
        final RoutingTable routing,
        final StoreFactory stores,
        final IoDriverFactory ioFactory,
        final ThreadPlacement placement,
        final ShardTask recovery,
        final ShardDeathHandler deathHandler,
        final NodeCounters counters)
    {
        if (shardCount < 1 || shardCount > 31)
        {
            throw new IllegalArgumentException("shards must be 1..31 (snowflake process bits; 31 is the control plane): " + shardCount);
        }
        if (routing.ring().shardsPerNode() != shardCount)
        {
            throw new IllegalArgumentException("routing ring has " + routing.ring().shardsPerNode() + " shards, node has "
                + shardCount);
        }
        this.nodeId = nodeId;
        this.counters = counters != null ? counters : NodeCounters.inMemory(NodeCounters.capacityFor(shardCount));
        this.deathHandler = deathHandler != null ? deathHandler : this::stopAfterDeath;
        this.routing = routing;
        this.ioFactory = ioFactory;
        this.placement = placement;
        this.recovery = recovery;
        this.started = new CountDownLatch(shardCount);
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            final ShardStore store;
            try
            {
                store = stores.open(i);
            }
            catch (final RuntimeException | Error ex)
            {
                for (int k = 0; k < i; k++)
                {
                    shards[k].closeStore(); // not handed over yet: this thread still owns them
                }
                throw ex;
            }
            shards[i] = new Shard(this, i, ringSize, store, nodeId, placement.idleMode(ThreadRole.SHARD));
        }
    }

    /**
     * Starts every shard thread: each recovers its store, creates its I/O driver and enters its duty cycle.
     * Returns once all are serving.
     *
     * @param timeout how long to wait.
     * @param unit    unit.
     * @throws IllegalStateException if a shard failed to start or the timeout passed.
     */
    public void start(final long timeout, final TimeUnit unit)
    {
        for (final Shard shard : shards)
        {
            final Thread t = placement.newThread(ThreadRole.SHARD, shard.id(), "pinwheel-shard-" + shard.id(),
                () -> shardThread(shard));
            shard.bindThread(t);
            t.start();
        }
        try
        {
            if (!started.await(timeout, unit))
            {
                throw new IllegalStateException("shards did not start within " + timeout + " " + unit);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting shards", ex);
        }
        final Throwable failure = startFailure.get();
        if (failure != null)
        {
            close();
            throw new IllegalStateException("a shard failed to start: " + failure.getMessage(), failure);
        }
    }

    /** The body of shard thread: recovery, duty cycle, and, whatever happened, its store closed here. */
    private void shardThread(final Shard shard)
    {
        Throwable death = null;
        try
        {
            shard.store().confineToCurrentThread();
            if (recovery != null)
            {
                try
                {
                    recovery.run(shard);
                }
                catch (final Throwable ex)
                {
                    LOG.error("shard {}: recovery failed", shard.id(), ex);
                    startFailed(ex);
                    return;
                }
            }
            shard.run();
            death = shard.death();
        }
        catch (final Throwable ex)
        {
            death = ex;
        }
        finally
        {
            shard.closeStore();
        }
        if (death != null)
        {
            if (!shard.isReady())
            {
                startFailed(death);
            }
            else if (closing)
            {
                LOG.error("shard {} failed while stopping", shard.id(), death);
            }
            else
            {
                LOG.error("shard {} died: {} — the node cannot serve without it", shard.id(), death.toString(),
                    death);
                try
                {
                    deathHandler.shardDied(shard.id(), death);
                }
                catch (final Throwable ex)
                {
                    LOG.error("shard {}: death handler failed", shard.id(), ex);
                }
            }
        }
    }

    /** The default {@link ShardDeathHandler}: stop every other shard too, from a thread of its own. */
    private void stopAfterDeath(final int shardId, final Throwable cause)
    {
        Thread.ofPlatform().name("pinwheel-shards-stop").daemon(true).start(this::close);
    }

    void shardStarted()
    {
        started.countDown();
    }

    void startFailed(final Throwable ex)
    {
        startFailure.compareAndSet(null, ex);
        started.countDown();
    }

    IoDriverFactory ioFactory()
    {
        return ioFactory;
    }

    /**
     * @return node id.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return the node's counters: every shard's, and whatever else of the node registers there (edge, media...).
     */
    public NodeCounters counters()
    {
        return counters;
    }

    /**
     * @return number of shards.
     */
    public int shardCount()
    {
        return shards.length;
    }

    /**
     * @param id shard index.
     * @return the shard (its state may only be touched on its thread).
     */
    public Shard shard(final int id)
    {
        return shards[id];
    }

    /**
     * @return the routing table.
     */
    public RoutingTable routing()
    {
        return routing;
    }

    /**
     * @param key guild or user id.
     * @return the route to the shard that owns it ({@link dev.pinwheel.core.routing.ShardRoute}): on a single node
     *         a shard index; in a cluster a shard index for an owner on this node, else a clustered route naming
     *         the owner's node. {@link Shard#send(int, dev.pinwheel.core.command.CommandWriter)} takes both. While a
     *         ring epoch's handover moves the key, {@link dev.pinwheel.core.routing.ShardRoute#MOVING} (refused).
     */
    public int ownerOf(final long key)
    {
        if (link == null)
        {
            return routing.shardOf(key);
        }
        final int owner = routing.ring().route(key);
        if (owner == dev.pinwheel.core.routing.RoutingRing.MOVING)
        {
            return dev.pinwheel.core.routing.ShardRoute.MOVING;
        }
        final int node = owner >>> 16;
        return node == nodeId ? owner & 0xFFFF : dev.pinwheel.core.routing.ShardRoute.of(node, owner & 0xFFFF);
    }

    /**
     * Links this node to the others of its cluster. Once, before {@link #start}.
     *
     * @param value the link.
     */
    public void clusterLink(final ClusterLink value)
    {
        if (shards.length > 0 && shards[0].thread() != null)
        {
            throw new IllegalStateException("the cluster link is set before the shards start");
        }
        this.link = value;
    }

    /**
     * @return the link to the other nodes, or null on a single node.
     */
    public ClusterLink clusterLink()
    {
        return link;
    }

    /** {@link #ownership}: this node acts as the owner of its keys. */
    public static final int OWNER = 0;
    /**
     * {@link #ownership}: a cluster node whose ownership lease ran out (it stalled or was cut off) and that is still
     * live in its ring epoch: its owner commands wait ({@link Shard}) until the lease is renewed or the epoch without
     * it arrives.
     */
    public static final int PAUSED = 1;
    /** {@link #ownership}: a cluster node not live in its ring epoch: it owns nothing; owner commands are refused. */
    public static final int FENCED = 2;

    /**
     * Sets what says whether this node acts as an owner now ({@code ConsensusMembership#ownership}). Any thread, once
     * the membership runs.
     *
     * @param value told {@link System#nanoTime()}, answers {@link #OWNER}, {@link #PAUSED} or {@link #FENCED}; must
     *              not block.
     */
    public void ownership(final java.util.function.LongToIntFunction value)
    {
        ownership = java.util.Objects.requireNonNull(value, "value");
    }

    /**
     * @return {@link #OWNER}, {@link #PAUSED} or {@link #FENCED} (always {@link #OWNER} on a single node). Any
     *         thread.
     */
    public int ownership()
    {
        final java.util.function.LongToIntFunction f = ownership;
        return f == null ? OWNER : f.applyAsInt(System.nanoTime());
    }

    /**
     * A command that arrived from another node, put on a shard's ring (the link's receiver thread: one more producer
     * of that ring, FIFO with everything else it puts there).
     *
     * @param target shard of this node.
     * @param bytes  the command.
     * @param offset where it starts.
     * @param length its length.
     * @return false if the ring is full (the receiver keeps it and retries, in order).
     */
    public boolean offerFromNode(final int target, final org.agrona.DirectBuffer bytes, final int offset,
        final int length)
    {
        return shards[target].tryClaimAndPublishCommand(bytes, offset, length);
    }

    /**
     * An event of a guild owned by another node, handed to one shard of this node whose sessions follow the guild.
     *
     * @param target   shard of this node.
     * @param dispatch the event.
     * @return false if the ring is full (the receiver retries).
     */
    public boolean offerFromNode(final int target, final dev.pinwheel.core.fanout.Dispatch dispatch)
    {
        return shards[target].tryClaimAndPublish(dispatch);
    }

    /**
     * Sends a task to a shard from any thread. From a shard thread prefer {@link Shard#send(int, ShardTask)},
     * which keeps order with that shard's fanouts and never fails.
     *
     * @param target shard index.
     * @param task   the work.
     * @return false if the target's inbox ring is full (the caller refuses the request: 429, close code).
     */
    public boolean send(final int target, final ShardTask task)
    {
        if (dev.pinwheel.core.routing.ShardRoute.clustered(target))
        {
            if (dev.pinwheel.core.routing.ShardRoute.node(target) != nodeId)
            {
                throw new IllegalArgumentException("a task cannot cross nodes: send a typed command");
            }
            return send(dev.pinwheel.core.routing.ShardRoute.shard(target), task);
        }
        final boolean ok = shards[target].tryClaimAndPublish(task);
        if (!ok)
        {
            shards[target].counters().incrementConcurrent(ShardCounters.INBOX_REFUSED);
        }
        return ok;
    }

    /**
     * Sends a task to every shard.
     *
     * @param task the work.
     * @return number of shards that accepted it.
     */
    public int broadcast(final ShardTask task)
    {
        int n = 0;
        for (int i = 0; i < shards.length; i++)
        {
            if (send(i, task))
            {
                n++;
            }
        }
        return n;
    }

    /**
     * Sends a typed command to a shard from any thread (the command's bytes are copied into the target's ring
     * slot). From a shard thread use {@link Shard#send(int, CommandWriter)}, which keeps order and never fails.
     *
     * @param target  shard index.
     * @param command the command just written.
     * @return false if the target's inbox ring is full (the caller answers: 503, close code...).
     */
    public boolean send(final int target, final dev.pinwheel.core.command.CommandWriter command)
    {
        if (dev.pinwheel.core.routing.ShardRoute.clustered(target))
        {
            final int node = dev.pinwheel.core.routing.ShardRoute.node(target);
            if (node != nodeId)
            {
                // off a shard thread: a local shard (the link's state is per shard) puts it on the stream to that node
                final byte[] copy = new byte[command.length()];
                command.buffer().getBytes(0, copy);
                final int via = Math.floorMod(dev.pinwheel.core.routing.ShardRoute.shard(target), shards.length);
                return send(via, (ShardTask)shard -> shard.sendToNode(target,
                    new org.agrona.concurrent.UnsafeBuffer(copy), copy.length, false));
            }
            return send(dev.pinwheel.core.routing.ShardRoute.shard(target), command);
        }
        final boolean ok = tryPublishCommand(target, command.buffer(), 0, command.length());
        if (!ok)
        {
            shards[target].counters().incrementConcurrent(ShardCounters.INBOX_REFUSED);
        }
        return ok;
    }

    boolean tryPublishCommand(final int target, final org.agrona.DirectBuffer bytes, final int offset,
        final int length)
    {
        return shards[target].tryClaimAndPublishCommand(bytes, offset, length);
    }

    boolean tryPublish(final int target, final Object entry)
    {
        return shards[target].tryClaimAndPublish(entry);
    }

    /**
     * Stops every shard and waits up to {@link #STOP_TIMEOUT_MILLIS} for their threads; each shard closes its own
     * sockets and then its store as the last act of its thread. Idempotent; callable from a shard thread (that
     * shard stops when the current cycle ends).
     *
     * @throws IllegalStateException if a shard thread did not stop in time (its store is left open: the journal
     *                               is append-only, the next start recovers it).
     */
    @Override
    public void close()
    {
        closing = true;
        for (final Shard s : shards)
        {
            if (s != null)
            {
                s.stop();
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MILLIS);
        final StringBuilder stuck = new StringBuilder();
        for (final Shard s : shards)
        {
            if (s == null)
            {
                continue;
            }
            final Thread t = s.thread();
            if (t == null)
            {
                s.closeStore(); // never started: the store was never handed over
            }
            else if (t != Thread.currentThread() && !join(t, deadline))
            {
                stuck.append(stuck.isEmpty() ? "" : ", ").append(s.id());
            }
        }
        if (!stuck.isEmpty())
        {
            LOG.error("shard(s) {} did not stop within {} ms; their stores stay open", stuck, STOP_TIMEOUT_MILLIS);
            throw new IllegalStateException("shard(s) " + stuck + " did not stop within " + STOP_TIMEOUT_MILLIS
                + " ms");
        }
    }

    private static boolean join(final Thread t, final long deadlineNanos)
    {
        try
        {
            final long left = deadlineNanos - System.nanoTime();
            if (left > 0)
            {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
