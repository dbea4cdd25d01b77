package dev.pinwheel.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's cluster link's duty cycle: the embedded media driver (conductor, sender and receiver, in {@code INVOKER}
 * mode) and then the {@link LinkReceiver}, so that a datagram read by the driver reaches the shard rings in the same
 * cycle. Two threads may run it, one at a time:
 * <ul>
 *   <li>the link's own thread, an Agrona {@link Agent} idling in {@link SocketWaitIdleStrategy}: woken by a shard's
 *       offer, by the driver's other sockets, by a consensus agent, or by the driver's timers;</li>
 *   <li>the <i>receiving shard</i> ({@link NodeLink#receiveOn}): when the link's data socket turns readable, the shard's
 *       epoll wakes that shard, and it runs the cycle itself ({@link #runOnShard(int, boolean)}). The events it
 *       reads for its own sessions are on its ring before its inbox is polled in the same duty cycle: a hop pays one
 *       wake-up there, not the link thread's and then the shard's.</li>
 *   <li>any shard that offered to peers ({@code pinwheel.cluster.shardsSend}): one cycle once it offered an event's
 *       copies to every node, or a command (at most once per duty cycle), so the frames go on the wire before the
 *       shard's own REST answer and deliveries, and the rest after its sessions' writes ({@link NodeLink#endOfCycle}),
 *       without waking the link thread.</li>
 * </ul>
 * Whoever finds the other running the cycle asks for one more ({@code wanted}) and leaves: the one running sees the
 * request after it let go (both flags volatile, written before the other's is read) and runs again (the link thread)
 * or wakes the link thread (a shard), so nothing that arrived is left unread and no thread waits on the other.
 * What the peers' frames start beyond delivery (watching the peers, reading node-wide records again) stays with the
 * link thread ({@link LinkReceiver#doWork} vs {@link LinkReceiver#pollFrames}).
 */
final class LinkAgent implements Agent
{
    /** Cycles a shard runs at most per wake-up before it hands the rest to the link thread (a datagram per cycle). */
    static final int SHARD_CYCLES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(LinkAgent.class);

    private final AgentInvoker driver;
    private final SocketWaitIdleStrategy waits;
    private final LinkCounters counters;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean wanted;
    private volatile boolean closed;
    private volatile LinkReceiver receiver;
    private volatile long cycles;
    /** Frames the receiver read in the current cycle (under {@link #running}). */
    private int framesInCycle;
    /** The receiving shard's last run stopped after it read frames (its thread only, after the run). */
    private boolean stoppedEarly;

    /**
     * @param driver the media driver's invoker (started by {@code MediaDriver.launch}).
     * @param waits    the link thread's idle strategy (woken by {@link #stopReceiving()}).
     * @param counters where the cycles shards run are counted.
     */
    LinkAgent(final AgentInvoker driver, final SocketWaitIdleStrategy waits, final LinkCounters counters)
    {
        this.driver = driver;
        this.waits = waits;
        this.counters = counters;
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
     * Stops reading the subscription and returns once a cycle has finished without it (so the Aeron client can be
     * closed while the link thread keeps running the driver). Any thread but the link's and the receiving shard's.
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

    /**
     * No shard runs the cycle from now on; returns once none does (before the driver is closed). Any thread but a
     * shard's.
     */
    void closeShardSide()
    {
        closed = true;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!running.compareAndSet(false, true))
        {
            if (System.nanoTime() - deadline >= 0)
            {
                return; // the cycle's holder is stuck: closing goes on (logged by the caller's close of the driver)
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
        running.set(false);
        waits.wake();
    }

    /** The link thread's cycle (its {@code AgentRunner}). */
    @Override
    public int doWork()
    {
        if (!running.compareAndSet(false, true))
        {
            wanted = true;
            if (!running.compareAndSet(false, true))
            {
                return 0; // the shard that holds it wakes this thread once it let go
            }
        }
        wanted = false;
        int work;
        try
        {
            work = cycle(true);
        }
        finally
        {
            running.set(false);
        }
        if (wanted)
        {
            work++; // a shard found the cycle running: go round again at once instead of waiting
        }
        return work;
    }

    /**
     * A shard's thread: the receiving shard's when the link's data socket turned readable, or any shard's that offered
     * to peers ({@link NodeLink#sendOffered}, {@link NodeLink#endOfCycle}). Runs cycles until one finds nothing (at most
     * {@link #SHARD_CYCLES}: one datagram per publication and per cycle), then lets the link thread do the rest, if any.
     *
     * @param why           {@link LinkCounters#SHARD_RECEIVED} or {@link LinkCounters#SHARD_SENT}, counted.
     * @param deliverFirst  stop after the first cycle that put frames on the shard rings, so that the shard delivers
     *                      them before it runs the rest (status messages, the other sockets): then
     *                      {@link #receivedFirst()} says whether to call again after the shard's flush.
     * @return work done (0 when the link thread was running the cycle: it runs it again for this arrival).
     */
    int runOnShard(final int why, final boolean deliverFirst)
    {
        return runOnShard(why, deliverFirst, SHARD_CYCLES);
    }

    /**
     * As {@link #runOnShard(int, boolean)}, at most {@code maxCycles} cycles; what is left is the caller's to run
     * later (the link thread is not woken for it when {@code maxCycles} is less than {@link #SHARD_CYCLES}).
     *
     * @param why          as above.
     * @param deliverFirst as above.
     * @param maxCycles    cycles at most.
     * @return work done.
     */
    int runOnShard(final int why, final boolean deliverFirst, final int maxCycles)
    {
        if (closed)
        {
            return 0;
        }
        if (!running.compareAndSet(false, true))
        {
            wanted = true;
            if (!running.compareAndSet(false, true))
            {
                return 0;
            }
        }
        wanted = false;
        int work = 0;
        boolean more = false;
        try
        {
            if (closed)
            {
                return 0;
            }
            for (int i = 0; i < maxCycles; i++)
            {
                final int w;
                try
                {
                    w = cycle(false);
                }
                catch (final RuntimeException ex)
                {
                    // as the link thread's runner does: logged, and the shard's sessions go on
                    LOG.error("cluster link failed (on a shard's thread)", ex);
                    more = true;
                    break;
                }
                work += w;
                if (w == 0)
                {
                    break;
                }
                if (deliverFirst && framesInCycle > 0)
                {
                    stoppedEarly = true; // the caller's shard runs again after its flush (receivedFirst)
                    break;
                }
                more = i == SHARD_CYCLES - 1;
            }
            counters.increment(why);
        }
        finally
        {
            running.set(false);
        }
        if (more || wanted)
        {
            waits.wake();
        }
        return work;
    }

    /**
     * The receiving shard's thread, after its flush: whether its last run stopped after delivering frames with the
     * driver's cycle still busy (then it runs again); clears it.
     *
     * @return whether to run again.
     */
    boolean receivedFirst()
    {
        if (!stoppedEarly)
        {
            return false;
        }
        stoppedEarly = false;
        return true;
    }

    /** Under {@link #running}. */
    private int cycle(final boolean linkThread)
    {
        int work = driver.invoke();
        final LinkReceiver r = receiver;
        framesInCycle = 0;
        if (r != null)
        {
            final int frames = linkThread ? r.doWork() : r.pollFrames();
            framesInCycle = frames;
            work += frames;
        }
        cycles++; // written by the holder of running only
        return work;
    }

    @Override
    public String roleName()
    {
        return "pinwheel-cluster-link";
    }
}
