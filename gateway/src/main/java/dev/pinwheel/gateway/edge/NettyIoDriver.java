package dev.pinwheel.gateway.edge;

import java.util.concurrent.TimeUnit;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;

/**
 * {@link IoDriver} over a Netty {@link ManualIoEventLoop} owned by the shard thread: epoll on Linux,
 * NIO elsewhere.
 */
public final class NettyIoDriver implements IoDriver
{
    private final ShardEventLoop loop;

    /**
     * @param shard  the shard.
     * @param thread the shard thread.
     */
    public NettyIoDriver(final Shard shard, final Thread thread)
    {
        this.loop = new ShardEventLoop(shard, thread, ioHandlerFactory());
    }

    /**
     * @return epoll when available, else NIO.
     */
    public static IoHandlerFactory ioHandlerFactory()
    {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /**
     * @return the server channel class matching {@link #ioHandlerFactory()}.
     */
    public static Class<? extends ServerChannel> serverChannelClass()
    {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
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
