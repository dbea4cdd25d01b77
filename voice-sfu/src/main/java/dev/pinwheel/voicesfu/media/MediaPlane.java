package dev.pinwheel.voicesfu.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

import dev.pinwheel.core.counters.NodeCounters;
import dev.pinwheel.tuning.IdleMode;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.tuning.ThreadRole;

/**
 * The UDP side of the voice server: N {@link MediaLoop}s on one port, each on a {@link ThreadRole#MEDIA} thread
 * placed by the tuning plan, sharing the {@link SsrcTable} and the {@link MediaCounters}.
 */
public final class MediaPlane implements AutoCloseable
{
    private final MediaLoop[] loops;
    private final Thread[] threads;
    private final SsrcTable ssrcs = new SsrcTable();
    private final MediaCounters counters;
    private final int port;

    /**
     * @param host      address to bind.
     * @param port      port (0: ephemeral).
     * @param loopCount number of loops (sockets / threads).
     * @param placement thread placement.
     */
    public MediaPlane(final String host, final int port, final int loopCount, final ThreadPlacement placement)
    {
        this(host, port, loopCount, placement, placement.idleMode(ThreadRole.MEDIA));
    }

    /**
     * @param host      address to bind.
     * @param port      port (0: ephemeral).
     * @param loopCount number of loops (sockets / threads).
     * @param placement thread placement.
     * @param idleMode  how the loops idle.
     */
    public MediaPlane(final String host, final int port, final int loopCount, final ThreadPlacement placement,
        final IdleMode idleMode)
    {
        this(host, port, loopCount, placement, idleMode, null);
    }

    /**
     * @param host      address to bind.
     * @param port      port (0: ephemeral).
     * @param loopCount number of loops (sockets / threads).
     * @param placement thread placement.
     * @param idleMode  how the loops idle.
     * @param node      the node's counters, where the loops register theirs; null: counters of this plane only.
     */
    public MediaPlane(final String host, final int port, final int loopCount, final ThreadPlacement placement,
        final IdleMode idleMode, final NodeCounters node)
    {
        this.loops = new MediaLoop[loopCount];
        this.threads = new Thread[loopCount];
        this.counters = node != null ? new MediaCounters(node, loopCount) : new MediaCounters(loopCount);
        int bound = port;
        try
        {
            for (int i = 0; i < loopCount; i++)
            {
                loops[i] = new MediaLoop(i, loopCount, new InetSocketAddress(host, bound),
                    idleMode, ssrcs, counters);
                bound = loops[i].port();
            }
        }
        catch (final IOException ex)
        {
            for (final MediaLoop l : loops)
            {
                if (l != null)
                {
                    l.close();
                }
            }
            throw new UncheckedIOException("cannot bind voice UDP " + host + ":" + port, ex);
        }
        this.port = bound;
        for (int i = 0; i < loopCount; i++)
        {
            threads[i] = placement.newThread(ThreadRole.MEDIA, i, "pinwheel-media-" + i, loops[i]);
            threads[i].setDaemon(true);
            threads[i].start();
        }
    }

    /**
     * @return the UDP port.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return number of media loops.
     */
    public int loopCount()
    {
        return loops.length;
    }

    /**
     * @return the SSRC table.
     */
    public SsrcTable ssrcs()
    {
        return ssrcs;
    }

    /**
     * @return the counters.
     */
    public MediaCounters counters()
    {
        return counters;
    }

    @Override
    public void close()
    {
        for (final MediaLoop l : loops)
        {
            l.stop();
        }
        for (final Thread t : threads)
        {
            try
            {
                t.join(2_000);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (final MediaLoop l : loops)
        {
            l.close();
        }
    }
}
