package dev.pinwheel.core.shard;

import java.util.concurrent.locks.LockSupport;

/**
 * An {@link IoDriver} without sockets: the shard parks when idle and is unparked by {@link #wakeup()}.
 */
final class ParkingIoDriver implements IoDriver
{
    private volatile Thread owner;
    private volatile boolean sleeping;
    private Shard shard;

    void bind(final Shard shard)
    {
        this.shard = shard;
    }

    @Override
    public int poll()
    {
        return 0;
    }

    @Override
    public int await(final long timeoutNanos)
    {
        owner = Thread.currentThread();
        sleeping = true;
        try
        {
            if (shard == null || !shard.hasPendingInbox())
            {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        }
        finally
        {
            sleeping = false;
        }
        return 0;
    }

    @Override
    public void wakeup()
    {
        final Thread t = owner;
        if (sleeping && t != null)
        {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void close()
    {
    }
}
