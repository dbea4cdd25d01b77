package dev.pinwheel.voicesfu.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

import org.agrona.concurrent.IdleStrategy;

import dev.pinwheel.tuning.IdleMode;
import dev.pinwheel.tuning.IdleStrategies;
import dev.pinwheel.voicesfu.protocol.IpDiscoveryFlyweight;
import dev.pinwheel.voicesfu.protocol.RtpHeaderFlyweight;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP media loop: its own socket on the shared voice port (SO_REUSEPORT: the kernel spreads senders over
 * the loops by 4-tuple), one duty cycle that drains the socket in batches and forwards each packet from the
 * same socket. Idles by the profile's {@link IdleMode}: {@code BLOCK} waits in epoll (a selector with a
 * timeout) so an idle loop costs nothing and a packet wakes it at once; {@code BACKOFF}/{@code BUSY_SPIN} poll.
 * Everything here runs on the loop's thread.
 */
public final class MediaLoop implements Runnable, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(MediaLoop.class);
    private static final int BATCH = 64;
    private static final java.util.function.Consumer<SelectionKey> IGNORE_KEY = key ->
    {
    };

    private final int index;
    private final DatagramChannel channel;
    private final Selector selector;
    private final IdleMode idleMode;
    private final IdleStrategy idle;
    private final Forwarder forwarder;
    private final SsrcTable ssrcs;
    private final MediaCounters counters;
    private final ByteBuffer rx = ByteBuffer.allocate(Forwarder.MAX_DATAGRAM + 1);
    private final ByteBuffer txView;
    private final byte[] discovery = new byte[IpDiscoveryFlyweight.LENGTH];
    private final PacketSink socketSink;
    private volatile boolean running = true;

    /**
     * @param index    loop index.
     * @param loops    number of loops.
     * @param bind     address to bind (port 0 only for the first loop).
     * @param idleMode idle mode.
     * @param ssrcs    SSRC table.
     * @param counters counters.
     * @throws IOException if the socket cannot be bound.
     */
    public MediaLoop(final int index, final int loops, final InetSocketAddress bind, final IdleMode idleMode,
        final SsrcTable ssrcs, final MediaCounters counters) throws IOException
    {
        this.index = index;
        this.idleMode = idleMode;
        this.idle = IdleStrategies.newIdleStrategy(idleMode);
        this.ssrcs = ssrcs;
        this.counters = counters;
        this.forwarder = new Forwarder(index, loops, ssrcs, counters);
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
        channel.configureBlocking(false);
        channel.bind(bind);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        // direct: the kernel copies from it as is (a heap buffer would be copied into a temporary direct one first)
        this.txView = ByteBuffer.allocateDirect(Forwarder.MAX_DATAGRAM + 64);
        this.socketSink = this::sendTo;
    }

    /**
     * @return the bound port.
     * @throws IOException if the socket is closed.
     */
    public int port() throws IOException
    {
        return ((InetSocketAddress)channel.getLocalAddress()).getPort();
    }

    @Override
    public void run()
    {
        while (running)
        {
            final int work;
            try
            {
                work = poll();
            }
            catch (final IOException ex)
            {
                if (running)
                {
                    LOG.warn("media loop {} I/O error", index, ex);
                }
                continue;
            }
            if (work == 0)
            {
                if (idleMode == IdleMode.BLOCK)
                {
                    try
                    {
                        // the Consumer form: no selected-key set, so no HashMap node per wake-up
                        selector.select(IGNORE_KEY, 100);
                    }
                    catch (final IOException ex)
                    {
                        idle.idle(0);
                    }
                }
                else
                {
                    idle.idle(0);
                }
            }
            else
            {
                idle.reset();
            }
        }
    }

    /**
     * Drains up to a batch of datagrams.
     *
     * @return datagrams handled.
     * @throws IOException on socket errors.
     */
    int poll() throws IOException
    {
        int n = 0;
        while (n < BATCH)
        {
            rx.clear();
            final SocketAddress from = channel.receive(rx);
            if (from == null)
            {
                break;
            }
            n++;
            counters.increment(index, MediaCounter.RECEIVED);
            onDatagram(rx.array(), rx.position(), (InetSocketAddress)from);
        }
        return n;
    }

    private void onDatagram(final byte[] buf, final int len, final InetSocketAddress from)
    {
        if (len > Forwarder.MAX_DATAGRAM)
        {
            counters.increment(index, MediaCounter.DROPPED_OVERSIZED);
        }
        else if (IpDiscoveryFlyweight.isRequest(buf, 0, len))
        {
            onDiscovery(buf, from);
        }
        else if (len < RtpHeaderFlyweight.FIXED_LENGTH)
        {
            // shorter than any RTP header: a client keepalive (discord.js sends 8 bytes every 5 s)
            counters.increment(index, MediaCounter.KEEPALIVE);
        }
        else if (RtpHeaderFlyweight.isOpusRtp(buf, 0, len))
        {
            forwarder.onRtp(buf, len, from, socketSink);
        }
        else if (len >= 2 && (buf[0] & 0xC0) == 0x80 && (buf[1] & 0xFF) >= 200 && (buf[1] & 0xFF) <= 206)
        {
            counters.increment(index, MediaCounter.RTCP);
        }
        else if (len <= 16)
        {
            counters.increment(index, MediaCounter.KEEPALIVE);
        }
        else
        {
            counters.increment(index, MediaCounter.DROPPED_MALFORMED);
        }
    }

    private void onDiscovery(final byte[] buf, final InetSocketAddress from)
    {
        final VoiceMember m = ssrcs.get(IpDiscoveryFlyweight.ssrc(buf, 0));
        if (m == null)
        {
            counters.increment(index, MediaCounter.DROPPED_UNKNOWN_SSRC);
            return;
        }
        if (m.hasKey() && !from.equals(m.address()))
        {
            // After SESSION_DESCRIPTION the address is fixed: nobody can redirect a member's stream.
            counters.increment(index, MediaCounter.DISCOVERY_REFUSED);
            return;
        }
        m.address(from);
        IpDiscoveryFlyweight.write(discovery, 0, IpDiscoveryFlyweight.TYPE_RESPONSE, m.ssrc(),
            from.getAddress().getHostAddress(), from.getPort());
        try
        {
            channel.send(ByteBuffer.wrap(discovery), from);
            counters.increment(index, MediaCounter.DISCOVERY);
        }
        catch (final IOException ex)
        {
            counters.increment(index, MediaCounter.SEND_FAILED);
        }
    }

    private boolean sendTo(final byte[] buf, final int len, final VoiceMember to)
    {
        txView.clear();
        txView.put(buf, 0, len).flip();
        try
        {
            return channel.send(txView, to.address()) > 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Asks the loop to stop; it exits within one idle period. */
    public void stop()
    {
        running = false;
        selector.wakeup();
    }

    /** Closes the socket; call after the loop's thread has ended. */
    @Override
    public void close()
    {
        running = false;
        try
        {
            selector.close();
        }
        catch (final IOException ignored)
        {
            // closing
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // closing
        }
    }
}
