package dev.pinwheel.gateway.edge;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A socket of someone else's (the cluster link's media driver) watched by a shard's epoll, edge-triggered: when a
 * datagram arrives the shard wakes and runs the watcher's callback on its own thread. The descriptor is borrowed: it is
 * never read, written or closed here, and the registration is removed (from any thread, waited for) before the owner
 * closes the socket, so that a later socket given the same number is never touched.
 */
final class ForeignSocketWatch implements EpollIoHandle, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ForeignSocketWatch.class);
    private static final long CANCEL_WAIT_MILLIS = 2_000;
    /** {@code sun.nio.ch.SelChImpl#getFDVal}: the JDK has no public way to a channel's descriptor. */
    private static final MethodHandle FD_VAL = fdVal();

    private final FileDescriptor fd;
    private final Runnable onReadable;
    private final IoEventLoop loop;
    private volatile IoRegistration registration;

    private ForeignSocketWatch(final IoEventLoop loop, final int fd, final Runnable onReadable)
    {
        this.loop = loop;
        this.fd = new FileDescriptor(fd);
        this.onReadable = onReadable;
    }

    /**
     * Registers the watch on the loop (its thread: the shard's).
     *
     * @return the watch, or null when the descriptor cannot be had or the loop refused it.
     */
    static ForeignSocketWatch register(final IoEventLoop loop, final SelectableChannel channel,
        final Runnable onReadable)
    {
        final int fd = fdOf(channel);
        if (fd < 0 || !channel.isOpen() || channel.isBlocking())
        {
            return null;
        }
        final ForeignSocketWatch watch = new ForeignSocketWatch(loop, fd, onReadable);
        final Future<IoRegistration> registered = loop.register(watch);
        if (!registered.isDone() || !registered.isSuccess())
        {
            LOG.warn("a shard could not watch a socket of the cluster link (fd {}): {}", fd, registered.cause());
            return null;
        }
        final IoRegistration r = registered.getNow();
        r.submit(EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLET));
        watch.registration = r;
        return watch;
    }

    private static int fdOf(final SelectableChannel channel)
    {
        if (FD_VAL == null)
        {
            return -1;
        }
        try
        {
            return (int)FD_VAL.invoke((Object)channel);
        }
        catch (final Throwable ex)
        {
            LOG.debug("no descriptor for {}: {}", channel, ex.toString());
            return -1;
        }
    }

    private static MethodHandle fdVal()
    {
        try
        {
            final Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
            return MethodHandles.lookup().findVirtual(selCh, "getFDVal", MethodType.methodType(int.class))
                .asType(MethodType.methodType(int.class, Object.class));
        }
        catch (final ReflectiveOperationException | RuntimeException | IllegalAccessError ex)
        {
            LoggerFactory.getLogger(ForeignSocketWatch.class).info("sockets of the cluster link are not watched by "
                + "shards (the link's thread wakes first): {} (needs --add-exports=java.base/sun.nio.ch=ALL-UNNAMED)",
                ex.toString());
            return null;
        }
    }

    @Override
    public FileDescriptor fd()
    {
        return fd;
    }

    @Override
    public void handle(final IoRegistration r, final IoEvent event)
    {
        onReadable.run();
    }

    /** Removes the registration and waits until the loop did (or has stopped). The socket stays open. */
    @Override
    public void close()
    {
        final IoRegistration r = registration;
        if (r == null)
        {
            return;
        }
        registration = null;
        if (loop.inEventLoop())
        {
            r.cancel();
            return;
        }
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try
        {
            loop.execute(() ->
            {
                r.cancel();
                done.countDown();
            });
            if (!done.await(CANCEL_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS) && !loop.isShuttingDown())
            {
                LOG.warn("a shard did not stop watching a socket of the cluster link within {} ms", CANCEL_WAIT_MILLIS);
            }
        }
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            // the loop stopped: its epoll set is gone with it
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
