package dev.pinwheel.server;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.pinwheel.core.store.RingPublisher;
import dev.pinwheel.storage.ChronicleRingPublisher;
import dev.pinwheel.storage.RingSnapshot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes routing-ring snapshots on a background thread. Opening a Chronicle Map costs seconds (it
 * generates code), and nothing in this process waits for the published copy — in-process readers use the
 * in-heap snapshot — so start-up does not wait for it either. The latest snapshot wins.
 * <p>
 * What is published is one value per change: the ring the node routes by ({@link #publish}, from
 * {@code RoutingTable.swap}) together with the ring epoch the cluster agreed last ({@link #epoch}, from the
 * membership), so another process reads an epoch's number, live nodes and ring as one.
 */
final class AsyncRingPublisher implements RingPublisher
{
    private static final Logger LOG = LoggerFactory.getLogger(AsyncRingPublisher.class);

    private record Snapshot(long version, long[] points, int[] owners, long epoch, int liveNodes)
    {
    }

    private final AtomicReference<Snapshot> pending = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long publishedVersion = -1;

    private final int nodes;
    private final int shards;
    /** The latest of each half (guarded by this): the ring, and the epoch with its live nodes. */
    private Snapshot latest;

    /**
     * @param opener opens the map (on the publishing thread).
     * @param nodes  members of the cluster (1: a single node).
     * @param shards shards per node.
     */
    AsyncRingPublisher(final Supplier<ChronicleRingPublisher> opener, final int nodes, final int shards)
    {
        this.nodes = nodes;
        this.shards = shards;
        thread = Thread.ofPlatform().name("pinwheel-ring-publisher").daemon(true).start(() -> run(opener));
    }

    private void run(final Supplier<ChronicleRingPublisher> opener)
    {
        ChronicleRingPublisher target = null;
        try
        {
            target = opener.get();
            while (running || pending.get() != null)
            {
                final Snapshot s = pending.getAndSet(null);
                if (s != null)
                {
                    final long sequence = target.publish(s.version, s.epoch, s.liveNodes, nodes, shards, s.points,
                        s.owners);
                    publishedVersion = s.version;
                    LOG.info("routing ring v{} published ({} points, epoch {}, publication {})", s.version,
                        s.points.length, s.epoch, sequence);
                }
                else if (running)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(this, 50_000_000L);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("routing ring could not be published; other processes will not see it", ex);
        }
        finally
        {
            if (target != null)
            {
                target.close();
            }
        }
    }

    @Override
    public void publish(final long version, final long[] points, final int[] owners)
    {
        synchronized (this)
        {
            final Snapshot before = latest;
            if (before != null && before.version == version && java.util.Arrays.equals(before.points, points)
                && java.util.Arrays.equals(before.owners, owners))
            {
                return; // the same ring again (a handover's ring, then the same ring settled)
            }
            latest = new Snapshot(version, points.clone(), owners.clone(), before == null ? 0 : before.epoch,
                before == null ? RingSnapshot.ALL_LIVE : before.liveNodes);
            pending.set(latest);
        }
        java.util.concurrent.locks.LockSupport.unpark(thread);
    }

    /**
     * A ring epoch the cluster agreed: published with the ring the node routes by.
     *
     * @param epoch     the epoch.
     * @param liveNodes bit k: node k is live in it.
     */
    void epoch(final long epoch, final int liveNodes)
    {
        synchronized (this)
        {
            final Snapshot before = latest;
            if (before == null || before.epoch == epoch && before.liveNodes == liveNodes)
            {
                return; // the ring comes first (the table publishes it when it is made)
            }
            latest = new Snapshot(before.version, before.points, before.owners, epoch, liveNodes);
            pending.set(latest);
        }
        java.util.concurrent.locks.LockSupport.unpark(thread);
    }

    /**
     * @return the last version written to the shared map, or -1.
     */
    long publishedVersion()
    {
        return publishedVersion;
    }

    @Override
    public void close()
    {
        running = false;
        java.util.concurrent.locks.LockSupport.unpark(thread);
        try
        {
            thread.join(30_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
