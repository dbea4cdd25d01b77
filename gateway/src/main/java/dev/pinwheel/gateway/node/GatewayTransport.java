package dev.pinwheel.gateway.node;

import java.net.StandardSocketOptions;
import java.util.Locale;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The Netty transport every shard's event loop and listening sockets use, chosen once per process by
 * {@code pinwheel.gateway.transport}: {@code epoll} (the default on Linux), {@code io_uring} (Netty 4.2's io_uring
 * transport: reads, accepts and queued writes go through the kernel's submission ring, one {@code io_uring_enter} per
 * loop turn for all of them) or {@code nio} (the default elsewhere).
 * <p>
 * On epoll the shard writes a session's dispatches straight to its non-blocking socket ({@code writev} of the
 * gathered frames, {@link #writesDirectly()}). io_uring's sockets are blocking (the ring, not the socket, makes its
 * I/O asynchronous): a direct write to a client that stopped reading would stop the shard thread, so on io_uring
 * dispatches go through Netty's write path, which submits them to the ring and flushes once per duty cycle.
 * <p>
 * A transport asked for that this machine cannot run fails the start with its cause (no silent fallback: a profile
 * that names io_uring is measured as io_uring or not at all).
 */
public enum GatewayTransport
{
    /** Linux epoll (Netty's native transport). */
    EPOLL,
    /** Linux io_uring (Netty 4.2's native transport; kernel 5.14 or newer). */
    IO_URING,
    /** Java NIO (portable). */
    NIO;

    /** The system property that chooses it. */
    public static final String PROP_NAME = "pinwheel.gateway.transport";

    private static volatile GatewayTransport configured;

    /**
     * @return the transport of this process (the property is read on the first call).
     * @throws IllegalStateException if the configured one is unknown or cannot run here.
     */
    public static GatewayTransport configured()
    {
        GatewayTransport t = configured;
        if (t == null)
        {
            t = parse(System.getProperty(PROP_NAME));
            configured = t;
        }
        return t;
    }

    /**
     * @param value the property's value, or null for the platform's default.
     * @return the transport it names, checked to be available.
     * @throws IllegalStateException if the value is unknown or the transport cannot run on this machine.
     */
    static GatewayTransport parse(final String value)
    {
        if (value == null || value.isBlank())
        {
            return Epoll.isAvailable() ? EPOLL : NIO;
        }
        final GatewayTransport t = switch (value.trim().toLowerCase(Locale.ROOT).replace('-', '_'))
        {
            case "epoll" -> EPOLL;
            case "io_uring", "iouring", "uring" -> IO_URING;
            case "nio" -> NIO;
            default -> throw new IllegalStateException(PROP_NAME + "=" + value + ": expected epoll, io_uring or nio");
        };
        final Throwable cause = t == EPOLL ? Epoll.unavailabilityCause()
            : t == IO_URING ? IoUring.unavailabilityCause() : null;
        if (cause != null)
        {
            throw new IllegalStateException(PROP_NAME + "=" + value + " cannot run on this machine: " + cause, cause);
        }
        return t;
    }

    /** @return the I/O handler of a shard's event loop. */
    public IoHandlerFactory ioHandlerFactory()
    {
        return switch (this)
        {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    /** @return the listening socket's channel class. */
    public Class<? extends ServerChannel> serverChannelClass()
    {
        return switch (this)
        {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    /**
     * @param b a listener that shares its port with the other shards' ({@code SO_REUSEPORT}).
     */
    public void reusePort(final ServerBootstrap b)
    {
        switch (this)
        {
            case EPOLL -> b.option(EpollChannelOption.SO_REUSEPORT, true);
            case IO_URING -> b.option(IoUringChannelOption.SO_REUSEPORT, true);
            case NIO -> b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
    }

    /**
     * @return whether the shard may write to a connection's socket itself, outside Netty's write path (the socket is
     *         non-blocking, so a full one returns what it took instead of waiting).
     */
    public boolean writesDirectly()
    {
        return this == EPOLL;
    }

    /** @return the name the property takes and the start-up log prints. */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
