package dev.pinwheel.benchmarks.fanout;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.netty.channel.unix.FileDescriptor;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.gateway.session.FrameGather;
import dev.pinwheel.gateway.session.GatewaySession;
import dev.pinwheel.gateway.session.SessionWire;

/**
 * The gateway's {@code GatewayConnection.writeDispatches} on the uncompressed direct path up to its system call, for
 * a real {@link GatewaySession}: the frames' iovec list built by the shard's {@link FrameGather}, then counted or
 * written with one writev(2) to a file descriptor. One per session (it knows the session's user, as a connection
 * does); the gather and scratch array are the shard's.
 */
final class GatheringWire implements SessionWire
{
    /** What the sessions of one shard share. */
    static final class Shard
    {
        final FrameGather gather = new FrameGather();
        final Dispatch[] scratch = new Dispatch[GatewaySession.CORK_LIMIT];
        /** Where writes go with a real writev(2) (e.g. {@code /dev/null}), or null: only counted. */
        final FileDescriptor out;
        long bytes;

        Shard(final FileDescriptor out)
        {
            this.out = out;
        }
    }

    private final Shard shard;
    private final long userId;

    GatheringWire(final Shard shard, final long userId)
    {
        this.shard = shard;
        this.userId = userId;
    }

    @Override
    public void writeDispatches(final Dispatch[] ring, final int mask, final long from, final long to,
        final long firstSeq, final boolean seesContent)
    {
        final int total = shard.gather.gather(ring, mask, from, to, firstSeq, userId, seesContent);
        if (total < 0)
        {
            throw new IllegalStateException("the benchmark's events are small enough to gather");
        }
        if (shard.out == null)
        {
            shard.bytes += total;
            return;
        }
        try
        {
            shard.bytes += shard.out.writevAddresses(shard.gather.iovAddress(), shard.gather.iovCount());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Dispatch[] dispatchScratch()
    {
        return shard.scratch;
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void close(final int code, final String reason)
    {
        throw new IllegalStateException("closed with " + code + ": " + reason);
    }
}
