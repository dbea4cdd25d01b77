package dev.pinwheel.gateway.edge;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ManualIoEventLoop;

import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.node.GatewayTransport;

/**
 * {@link IoDriver} over a Netty {@link ManualIoEventLoop} owned by the shard thread, on the process's
 * {@link GatewayTransport} (epoll on Linux by default).
 */
public final class NettyIoDriver implements IoDriver
{
    private final ShardEventLoop loop;
    private final boolean epoll;

    /**
     * @param shard  the shard.
     * @param thread the shard thread.
     */
    public NettyIoDriver(final Shard shard, final Thread thread)
    {
        final GatewayTransport transport = GatewayTransport.configured();
        this.loop = new ShardEventLoop(shard, thread, transport.ioHandlerFactory());
        this.epoll = transport == GatewayTransport.EPOLL;
    }

    /**
     * @return the loop, to register channels on.
     */
    public ManualIoEventLoop loop()
    {
        return loop;
    }

    @Override
    public int poll()
    {
        return loop.runNow();
    }

    @Override
    public int await(final long timeoutNanos)
    {
        return loop.run(timeoutNanos);
    }

    @Override
    public void wakeup()
    {
        loop.wakeup();
    }

    /**
     * On the epoll transport (the default): the socket joins this shard's epoll set, edge-triggered. On the others:
     * null, the socket's owner keeps waking for it.
     */
    @Override
    public AutoCloseable watchReadable(final java.nio.channels.SelectableChannel channel, final Runnable onReadable)
    {
        if (!epoll || !loop.inEventLoop())
        {
            return null;
        }
        return ForeignSocketWatch.register(loop, channel, onReadable);
    }

    @Override
    public void close()
    {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!loop.isTerminated() && System.nanoTime() < deadline)
        {
            loop.run(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
