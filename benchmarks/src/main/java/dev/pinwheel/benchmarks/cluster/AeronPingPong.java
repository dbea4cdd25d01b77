package dev.pinwheel.benchmarks.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;

/**
 * Aeron's own round trip, the floor under the cluster hop: two embedded media drivers set up as a Pinwheel node sets
 * up its link ({@code NodeLink}: shared threading mode, the backoff idle strategy that parks up to
 * {@code pinwheel.cluster.idleMaxParkMicros}, sparse term buffers of {@code pinwheel.cluster.termLength}, a UDP
 * publication to the other's endpoint on 127.0.0.1), a pinger and a ponger thread that poll with the same idle
 * strategy as the link's receiver. One message in flight: the pinger offers 64 bytes, the ponger offers them back, the
 * pinger records the round trip. Back to back, the next ping finds every agent still spinning from the last one; paced
 * (a ping every few milliseconds, as the hop's messages come), it finds them parked, as a node's agents are between
 * sporadic messages.
 */
final class AeronPingPong
{
    private static final int STREAM_ID = 1001;

    private AeronPingPong()
    {
    }

    /**
     * @param count        measured round trips (after as many warm-up ones, back to back).
     * @param pacingNanos  time from one measured ping to the next (0: back to back).
     * @param maxParkNanos the idle strategies' longest park (the nodes' {@code idleMaxParkMicros}).
     * @param termLength   the publications' term length (the nodes' {@code termLength}).
     * @param timeoutNanos how long the whole may take: the warm-up stops after a quarter of it, the measured round
     *                     trips at its end (fewer than {@code count} on a loaded box; the histogram says how many).
     * @return round trips in nanoseconds.
     * @throws IOException if no ports or directories can be had, or the publications do not connect in time.
     * @throws InterruptedException if interrupted.
     */
    static Histogram run(final int count, final long pacingNanos, final long maxParkNanos, final int termLength, final long timeoutNanos)
        throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
            : Path.of(System.getProperty("java.io.tmpdir")), "pinwheel-aeron-floor-");
        final String a = "127.0.0.1:" + freeUdpPort();
        final String b = "127.0.0.1:" + freeUdpPort();
        MediaDriver driverA = null;
        MediaDriver driverB = null;
        Aeron clientA = null;
        Aeron clientB = null;
        final AtomicBoolean stop = new AtomicBoolean();
        Thread ponger = null;
        try
        {
            driverA = MediaDriver.launchEmbedded(driver(dir.resolve("a"), maxParkNanos, termLength));
            driverB = MediaDriver.launchEmbedded(driver(dir.resolve("b"), maxParkNanos, termLength));
            clientA = client(driverA);
            clientB = client(driverB);
            final Subscription subA = clientA.addSubscription("aeron:udp?endpoint=" + a, STREAM_ID);
            final Subscription subB = clientB.addSubscription("aeron:udp?endpoint=" + b, STREAM_ID);
            final Publication toB = clientA.addPublication("aeron:udp?endpoint=" + b + "|term-length=" + termLength,
                STREAM_ID);
            final Publication toA = clientB.addPublication("aeron:udp?endpoint=" + a + "|term-length=" + termLength,
                STREAM_ID);
            final long deadline = System.nanoTime() + timeoutNanos;
            final IdleStrategy wait = new SleepingMillisIdleStrategy(1);
            while (!(toB.isConnected() && toA.isConnected() && subA.isConnected() && subB.isConnected()))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IOException("the floor's publications did not connect");
                }
                wait.idle(0);
            }
            final Publication echo = toA;
            final IdleStrategy retry = idle(maxParkNanos);
            final FragmentHandler pong = (buffer, offset, length, header) ->
            {
                retry.reset();
                while (echo.offer(buffer, offset, length) < 0 && !stop.get())
                {
                    retry.idle(0);
                }
            };
            ponger = new Thread(() ->
            {
                final IdleStrategy idle = idle(maxParkNanos);
                while (!stop.get())
                {
                    idle.idle(subB.poll(pong, 16));
                }
            }, "aeron-floor-pong");
            ponger.setDaemon(true);
            ponger.start();

            final UnsafeBuffer msg = new UnsafeBuffer(new byte[64]);
            final long[] got = new long[1];
            final FragmentHandler back = (buffer, offset, length, header) -> got[0] = buffer.getLong(offset);
            final IdleStrategy idle = idle(maxParkNanos);
            final Histogram rtt = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final long warmUntil = System.nanoTime() + timeoutNanos / 4;
            long next = System.nanoTime();
            pings:
            for (int i = 0; i < 2 * count; i++)
            {
                if (i < count && System.nanoTime() - warmUntil > 0)
                {
                    i = count; // a loaded box: warm up for a quarter of the time at most
                    next = System.nanoTime();
                }
                if (i >= count && pacingNanos > 0)
                {
                    next += pacingNanos;
                    dev.pinwheel.benchmarks.probe.ProbeSupport.parkUntil(next);
                }
                final long t0 = System.nanoTime();
                msg.putLong(0, t0);
                while (toB.offer(msg, 0, 64) < 0)
                {
                    idle.idle(0);
                    if (System.nanoTime() - deadline > 0)
                    {
                        break pings;
                    }
                }
                idle.reset();
                got[0] = 0;
                while (got[0] != t0)
                {
                    idle.idle(subA.poll(back, 1));
                    if (System.nanoTime() - deadline > 0)
                    {
                        break pings; // the time is up: what was measured stands (the caller reports the count)
                    }
                }
                if (i >= count)
                {
                    rtt.recordValue(Math.min(rtt.getHighestTrackableValue(), System.nanoTime() - t0));
                }
            }
            return rtt;
        }
        finally
        {
            stop.set(true);
            if (ponger != null)
            {
                ponger.join(5_000);
            }
            CloseHelper.quietCloseAll(clientA, clientB, driverA, driverB);
            org.agrona.IoUtil.delete(dir.toFile(), true);
        }
    }

    private static IdleStrategy idle(final long maxParkNanos)
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), maxParkNanos);
    }

    private static MediaDriver.Context driver(final Path dir, final long maxParkNanos, final int termLength)
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(dir.toAbsolutePath().toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle(maxParkNanos))
            .termBufferSparseFile(true)
            .publicationTermBufferLength(termLength)
            .ipcTermBufferLength(64 * 1024);
    }

    private static Aeron client(final MediaDriver driver)
    {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())
            .idleStrategy(new SleepingMillisIdleStrategy(1)));
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }
}
