package dev.pinwheel.gateway.edge;

import io.netty.util.concurrent.FastThreadLocalThread;

import dev.pinwheel.tuning.IdleMode;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.tuning.ThreadRole;

/**
 * Runs shard bodies as Netty "fast thread-local" threads, so Netty recycles its buffer objects on them (on a
 * plain thread Netty 4.2 allocates a new ByteBuf object per frame: ~119 B per recipient in the fanout
 * benchmark). Placement (pinning) stays with the tuning module's plan.
 */
public final class NettyThreads implements ThreadPlacement
{
    private final ThreadPlacement placement;

    /**
     * @param placement the plan's placement.
     */
    public NettyThreads(final ThreadPlacement placement)
    {
        this.placement = placement;
    }

    @Override
    public Thread newThread(final ThreadRole role, final int index, final String name, final Runnable body)
    {
        return placement.newThread(role, index, name, () -> FastThreadLocalThread.runWithFastThreadLocal(body));
    }

    @Override
    public IdleMode idleMode(final ThreadRole role)
    {
        return placement.idleMode(role);
    }
}
