package dev.pinwheel.server;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.pinwheel.core.store.RingPublisher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes routing-ring snapshots on a background thread. Opening a Chronicle Map costs seconds (it
 * generates code), and nothing in this process waits for the published copy — in-process readers use the
 * in-heap snapshot — so start-up does not wait for it either. The latest snapshot wins.
 */
final class AsyncRingPublisher implements RingPublisher
{
    private static final Logger LOG = LoggerFactory.getLogger(AsyncRingPublisher.class);

    private record Snapshot(long version, long[] points, int[] owners)
    {
    }

    private final AtomicReference<Snapshot> pending = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long publishedVersion = -1;

    AsyncRingPublisher(final Supplier<RingPublisher> opener)
    {
        thread = Thread.ofPlatform().name("pinwheel-ring-publisher").daemon(true).start(() -> run(opener));
    }

    private void run(final Supplier<RingPublisher> opener)
    {
        RingPublisher target = null;
        try
        {
            target = opener.get();
            while (running || pending.get() != null)
            {
                final Snapshot s = pending.getAndSet(null);
                if (s != null)
                {
                    target.publish(s.version, s.points, s.owners);
                    publishedVersion = s.version;
                    LOG.info("routing ring v{} published ({} points)", s.version, s.points.length);
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
        pending.set(new Snapshot(version, points.clone(), owners.clone()));
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
