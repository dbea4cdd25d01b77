package dev.pinwheel.core.shard;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.store.StoreFactory;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.tuning.ThreadRole;

/**
 * The shards of one node, and the only way into them from outside: {@link #send(int, ShardTask)} puts work
 * on a shard's inbox ring ({@code tryNext}: never blocks, returns false when the ring is full).
 */
public final class ShardGroup implements AutoCloseable
{
    private final Shard[] shards;
    private final RoutingTable routing;
    private final IoDriverFactory ioFactory;
    private final ThreadPlacement placement;
    private final ShardTask recovery;
    private final CountDownLatch started;
    private final AtomicReference<Throwable> startFailure = new AtomicReference<>();
    private final int nodeId;

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
        this.routing = routing;
        this.ioFactory = ioFactory;
        this.placement = placement;
        this.recovery = recovery;
        this.started = new CountDownLatch(shardCount);
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            shards[i] = new Shard(this, i, ringSize, stores.open(i), nodeId, placement.idleMode(ThreadRole.SHARD));
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
            final Thread t = placement.newThread(ThreadRole.SHARD, shard.id(), "pinwheel-shard-" + shard.id(), () ->
            {
                if (recovery != null)
                {
                    try
                    {
                        recovery.run(shard);
                    }
                    catch (final RuntimeException ex)
                    {
                        startFailed(ex);
                        return;
                    }
                }
                shard.run();
            });
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
     * @return the shard that owns it.
     */
    public int ownerOf(final long key)
    {
        return routing.shardOf(key);
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

    boolean tryPublish(final int target, final Object entry)
    {
        return shards[target].tryClaimAndPublish(entry);
    }

    /**
     * Hands an encoded event to a shard for local delivery (used by benchmarks and cluster adapters).
     *
     * @param target   shard.
     * @param dispatch event.
     * @return false if the ring is full.
     */
    public boolean fanout(final int target, final Dispatch dispatch)
    {
        return tryPublish(target, dispatch);
    }

    @Override
    public void close()
    {
        for (final Shard s : shards)
        {
            s.stop();
        }
        for (final Shard s : shards)
        {
            final Thread t = s.thread();
            if (t != null && t != Thread.currentThread())
            {
                try
                {
                    t.join(TimeUnit.SECONDS.toMillis(10));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            s.store().close();
        }
    }
}
