package dev.pinwheel.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;

/**
 * The one thread of a node's cluster link: each duty cycle runs the embedded media driver (conductor, sender and
 * receiver, in {@code INVOKER} mode) and then the {@link LinkReceiver}, so that a datagram read by the driver reaches
 * the shard rings in the same cycle. Idles in {@link SocketWaitIdleStrategy}. Other Aeron components of the node
 * (the consensus module, the archive) use the same driver: the thread runs from the link's start to its close.
 */
final class LinkAgent implements Agent
{
    private final AgentInvoker driver;
    private final SocketWaitIdleStrategy waits;
    private volatile LinkReceiver receiver;
    private volatile long cycles;

    /**
     * @param driver the media driver's invoker (started by {@code MediaDriver.launch}).
     * @param waits  the thread's idle strategy (woken by {@link #stopReceiving()}).
     */
    LinkAgent(final AgentInvoker driver, final SocketWaitIdleStrategy waits)
    {
        this.driver = driver;
        this.waits = waits;
    }

    /**
     * @param value from now on, what peers send is read in each cycle.
     */
    void receiver(final LinkReceiver value)
    {
        receiver = value;
        waits.wake();
    }

    /**
     * Stops reading the subscription and returns once the link thread has finished a cycle without it (so the Aeron
     * client can be closed while the thread keeps running the driver). Any thread but the link's.
     */
    void stopReceiving()
    {
        if (receiver == null)
        {
            return;
        }
        receiver = null;
        final long seen = cycles;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (cycles - seen < 2 && System.nanoTime() - deadline < 0)
        {
            waits.wake();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    @Override
    public int doWork()
    {
        int work = driver.invoke();
        final LinkReceiver r = receiver;
        if (r != null)
        {
            work += r.doWork();
        }
        cycles++; // this thread only writes it
        return work;
    }

    @Override
    public String roleName()
    {
        return "pinwheel-cluster-link";
    }
}
