package dev.pinwheel.gateway.edge;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;

import dev.pinwheel.core.shard.Shard;

/**
 * A shard's Netty event loop, driven by the shard's duty cycle. It must not block in epoll while the
 * shard's inbox ring has work: Netty sets its wake-up deadline and then asks {@link #canBlock()}, and a
 * producer publishes to the ring before calling {@link #wakeup()}, so no wake-up is lost.
 */
final class ShardEventLoop extends ManualIoEventLoop
{
    private final Shard shard;

    ShardEventLoop(final Shard shard, final Thread owner, final IoHandlerFactory factory)
    {
        super(owner, factory);
        this.shard = shard;
    }

    @Override
    protected boolean canBlock()
    {
        return super.canBlock() && !shard.hasPendingInbox();
    }
}
