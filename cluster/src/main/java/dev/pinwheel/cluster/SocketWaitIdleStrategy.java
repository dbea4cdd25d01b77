package dev.pinwheel.cluster;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.driver.DataPacketDispatcher;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ReceiveChannelEndpointSupplier;
import io.aeron.driver.SendChannelEndpointSupplier;
import io.aeron.driver.media.ReceiveChannelEndpoint;
import io.aeron.driver.media.SendChannelEndpoint;
import io.aeron.driver.media.UdpChannel;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link thread's idle strategy: instead of parking for a fixed time and polling again, it waits in the kernel
 * (epoll, through a {@link Selector}) on the media driver's own UDP sockets, so it wakes when a datagram arrives, when
 * a shard of this node has offered a frame to a publication ({@link #wake()}), or after at most the configured wait
 * (the driver's timers: heartbeats, status messages, client keep-alives). The consensus and membership agents, whose
 * offers and client commands this driver serves too, wake it after they worked ({@link QuietingIdleStrategy}).
 * <pre>
 *   shard: offer ──▶ publication log ── wake() ──▶ ┐
 *   consensus / membership agent: worked ─ wake() ▶ ┤
 *   peer:  datagram ──▶ UDP socket ── readable ───▶ ├─▶ link thread: driver duty cycle (send / receive), LinkReceiver
 *   timeout (idleMaxParkMicros) ───────────────────▶ ┘
 * </pre>
 * A backoff that parks up to 1 ms adds up to a millisecond on each side of a hop (and wakes a thousand times a second
 * when idle); here a hop costs the wire and two wake-ups. The driver runs in {@code INVOKER} mode on the same thread,
 * so the sockets are registered by the endpoint suppliers below on the thread that waits on them.
 * <p>
 * <b>No lost wake-up:</b> a shard sets {@code pending} and then reads {@code sleeping}; the link thread sets
 * {@code sleeping} and then reads {@code pending} (both volatile: one of them sees the other's write). A
 * {@link Selector#wakeup()} before the select makes the select return at once.
 */
final class SocketWaitIdleStrategy implements IdleStrategy
{
    private static final Logger LOG = LoggerFactory.getLogger(SocketWaitIdleStrategy.class);

    private final Selector selector;
    private final long maxWaitMillis;
    /** The {@code latency} profile's link: never waits, polls the driver's sockets every cycle (a core of its own). */
    private final boolean spin;
    private volatile boolean sleeping;
    private volatile boolean pending;
    /** The channel URI of the link's own subscription: its socket is the one a shard may watch instead. */
    private final String dataUri;
    private volatile java.nio.channels.DatagramChannel dataChannel;
    private volatile SelectionKey dataKey;

    /**
     * @param maxWaitNanos the longest wait without traffic (rounded up to a millisecond: a select's granularity).
     * @param spin         busy-spin instead of waiting (no wake-up on either side of a hop; burns the thread's core).
     * @param dataUri      the channel of the link's subscription (what peers send this node).
     */
    SocketWaitIdleStrategy(final long maxWaitNanos, final boolean spin, final String dataUri)
    {
        this.spin = spin;
        this.dataUri = dataUri;
        this.maxWaitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(maxWaitNanos + 999_999));
        try
        {
            this.selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot open a selector for the cluster link", ex);
        }
    }

    /**
     * Any thread, after it offered to one of the link's publications: the driver's sender runs in the next cycle.
     */
    void wake()
    {
        if (!pending)
        {
            pending = true;
        }
        if (sleeping)
        {
            selector.wakeup();
        }
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spin)
        {
            Thread.onSpinWait();
            return;
        }
        sleeping = true;
        if (pending)
        {
            pending = false;
            sleeping = false;
            return;
        }
        try
        {
            if (selector.select(maxWaitMillis) > 0)
            {
                selector.selectedKeys().clear();
            }
        }
        catch (final IOException ex)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(maxWaitMillis));
        }
        finally
        {
            sleeping = false;
        }
    }

    @Override
    public void reset()
    {
    }

    @Override
    public String alias()
    {
        return spin ? "busy-spin" : "socket-wait";
    }

    /** Closes the selector (after the link thread stopped). */
    void close()
    {
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            LOG.debug("closing the cluster link's selector: {}", ex.toString());
        }
    }

    /**
     * @return the socket peers send this node's link to, once the driver opened it (else null).
     */
    DatagramChannel dataChannel()
    {
        return dataChannel;
    }

    /**
     * The link thread stops waking for the data socket: a shard's epoll watches it now ({@link NodeLink#receiveOn}).
     * Any thread.
     */
    void handOverData()
    {
        final SelectionKey key = dataKey;
        if (key != null)
        {
            key.cancel();
            selector.wakeup(); // the select that still holds the key returns, and drops it
        }
    }

    /** On the link thread (the driver's, in INVOKER mode): the socket wakes the wait when readable. */
    private SelectionKey register(final DatagramChannel channel)
    {
        if (channel == null || !channel.isOpen() || channel.isBlocking())
        {
            return null;
        }
        try
        {
            return channel.register(selector, SelectionKey.OP_READ);
        }
        catch (final ClosedChannelException ex)
        {
            LOG.debug("cluster link: a socket closed before it was watched: {}", ex.toString());
            return null;
        }
    }

    /** @return the driver's receive endpoints, each one's socket watched by this strategy once open. */
    ReceiveChannelEndpointSupplier receiveEndpoints()
    {
        return (final UdpChannel udpChannel, final DataPacketDispatcher dispatcher, final AtomicCounter statusIndicator,
            final MediaDriver.Context context) -> new ReceiveChannelEndpoint(udpChannel, dispatcher, statusIndicator,
                context)
            {
                @Override
                public void openChannel()
                {
                    super.openChannel();
                    final SelectionKey key = register(receiveDatagramChannel());
                    if (udpChannel.originalUriString().equals(dataUri))
                    {
                        dataKey = key;
                        dataChannel = receiveDatagramChannel();
                    }
                }
            };
    }

    /** @return the driver's send endpoints, whose sockets carry the peers' status messages and NAKs back. */
    SendChannelEndpointSupplier sendEndpoints()
    {
        return (final UdpChannel udpChannel, final AtomicCounter statusIndicator, final MediaDriver.Context context) ->
            new SendChannelEndpoint(udpChannel, statusIndicator, context)
            {
                @Override
                public void openChannel()
                {
                    super.openChannel();
                    register(sendDatagramChannel != null ? sendDatagramChannel : receiveDatagramChannel());
                }
            };
    }
}
