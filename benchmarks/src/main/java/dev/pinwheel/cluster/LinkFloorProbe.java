package dev.pinwheel.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;

/**
 * Which Aeron channel should carry the link between two nodes on one host: UDP, as the link runs today (each node its
 * own media driver in {@code INVOKER} mode on one thread that waits in epoll on the driver's sockets:
 * {@link SocketWaitIdleStrategy}), or IPC (one media driver shared by the host's nodes; a reader cannot wait in the
 * kernel for an IPC log buffer, so it polls and parks with a backoff of at most P µs).
 * <p>
 * Each variant runs two agent threads, A and B, set up like a node's link thread: A sends a 64-byte ping (back to back,
 * then one every few milliseconds, when the threads are idle as between sporadic messages), B's thread reads it and
 * answers, A's thread records the round trip from its offer to its read of the answer. Then both threads idle with no
 * traffic for a while and their CPU time is read (the price of each variant's wake-up latency). All variants in one
 * run, so the ratios are of one state of the box; IPC between two threads of one JVM uses the same shared-memory log
 * buffers as IPC between two processes on one driver.
 * <p>
 * Lives in the cluster module's package to set up the link's own idle strategy, not a copy of it.
 * <pre>
 *   benchmarks/run.sh link-floor-probe [--count N=5000] [--paced-count N=500] [--paced-us US=5000]
 *                                      [--idle-seconds S=5] [--max-park-us P=4000] [--ipc-parks-us 4000,1000,100,20]
 *                                      [--udp-spin] [--out DIR=bench-results]
 * </pre>
 */
public final class LinkFloorProbe
{
    private static final int STREAM_AB = 1101;
    private static final int STREAM_BA = 1102;
    private static final int LENGTH = 64;

    private LinkFloorProbe()
    {
    }

    /** One side's duty cycle: its driver's work if it runs one, its subscription, and A's pings. */
    private static final class Side implements Agent
    {
        private final String name;
        private final AgentInvoker driver;
        private volatile Subscription in;
        private volatile Publication out;
        private final Runnable afterOffer;
        private final boolean pinger;
        private final UnsafeBuffer msg = new UnsafeBuffer(new byte[LENGTH]);
        private final FragmentHandler onFragment = this::onFragment;
        volatile long pacingNanos;
        volatile boolean pinging;
        volatile Histogram rtt;
        private long sentAt;
        private boolean inFlight;
        private long nextAt;
        volatile long cpuThreadId;

        Side(final String name, final AgentInvoker driver, final Runnable afterOffer, final boolean pinger)
        {
            this.name = name;
            this.driver = driver;
            this.afterOffer = afterOffer;
            this.pinger = pinger;
        }

        /** From now on the side reads {@code from} and writes {@code to} (its thread runs the driver before). */
        void attach(final Subscription from, final Publication to)
        {
            out = to;
            in = from;
        }

        @Override
        public void onStart()
        {
            cpuThreadId = Thread.currentThread().threadId();
        }

        @Override
        public int doWork()
        {
            int work = driver != null ? driver.invoke() : 0;
            final Subscription from = in;
            if (from == null)
            {
                return work;
            }
            work += from.poll(onFragment, 16);
            if (pinger && pinging && !inFlight && System.nanoTime() - nextAt >= 0)
            {
                final long t0 = System.nanoTime();
                msg.putLong(0, t0);
                if (out.offer(msg, 0, LENGTH) > 0)
                {
                    sentAt = t0;
                    inFlight = true;
                    afterOffer.run();
                    work++;
                }
            }
            return work;
        }

        private void onFragment(final org.agrona.DirectBuffer buffer, final int offset, final int length,
            final io.aeron.logbuffer.Header header)
        {
            if (!pinger)
            {
                while (out.offer(buffer, offset, length) < 0)
                {
                    Thread.onSpinWait(); // one message in flight: a 64 KiB term never fills
                }
                afterOffer.run();
                return;
            }
            if (inFlight && buffer.getLong(offset) == sentAt)
            {
                final long now = System.nanoTime();
                final Histogram h = rtt;
                if (h != null)
                {
                    h.recordValue(Math.min(h.getHighestTrackableValue(), now - sentAt));
                }
                inFlight = false;
                nextAt = now + pacingNanos;
            }
        }

        @Override
        public String roleName()
        {
            return "link-floor-" + name;
        }
    }

    /** A variant's two sides, their threads, and what to close. */
    private record Variant(String name, Side a, Side b, AgentRunner runA, AgentRunner runB, List<AutoCloseable> close)
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int count = 5000;
        int pacedCount = 500;
        int pacedMicros = 5000;
        int idleSeconds = 5;
        final NodeLinkContext link = new NodeLinkContext();
        long maxParkNanos = link.idleMaxParkNanos();
        String ipcParks = "4000,1000,100,20";
        boolean udpSpin = false;
        Path results = Path.of("bench-results");
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--paced-count" -> pacedCount = Integer.parseInt(args[++i]);
                case "--paced-us" -> pacedMicros = Integer.parseInt(args[++i]);
                case "--idle-seconds" -> idleSeconds = Integer.parseInt(args[++i]);
                case "--max-park-us" -> maxParkNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[++i]));
                case "--ipc-parks-us" -> ipcParks = args[++i];
                case "--udp-spin" -> udpSpin = true;
                case "--out" -> results = Path.of(args[++i]);
                default ->
                {
                    System.err.println("usage: link-floor-probe [--count N] [--paced-count N] [--paced-us US] "
                        + "[--idle-seconds S] [--max-park-us P] [--ipc-parks-us P1,P2,...] [--udp-spin] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        final Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
            : Path.of(System.getProperty("java.io.tmpdir")), "pinwheel-link-floor-");
        final List<Map<String, Object>> rows = new ArrayList<>();
        final String loadBefore = load();
        try
        {
            rows.add(measure(udpSocketWait(dir.resolve("udp"), maxParkNanos, link.termLength()), count, pacedCount, pacedMicros,
                idleSeconds));
            if (udpSpin)
            {
                rows.add(measure(udpLink(dir.resolve("udp-spin"), maxParkNanos, link.termLength(), true), count,
                    pacedCount, pacedMicros, idleSeconds));
            }
            for (final String p : ipcParks.split(","))
            {
                final int park = Integer.parseInt(p.trim());
                rows.add(measure(ipcBackoff(dir.resolve("ipc-" + park), park), count, pacedCount, pacedMicros,
                    idleSeconds));
            }
        }
        finally
        {
            org.agrona.IoUtil.delete(dir.toFile(), true);
        }
        System.out.printf("link floor: round trip A→B→A of %d B (back to back n=%d; one every %d µs n=%d), idle CPU "
            + "of both threads over %d s; load %s → %s%n", LENGTH, count, pacedMicros, pacedCount, idleSeconds,
            loadBefore, load());
        System.out.printf("  %-26s %22s %22s %14s%n", "variant", "back to back p50/p99", "paced p50/p99",
            "idle CPU");
        for (final Map<String, Object> r : rows)
        {
            System.out.printf("  %-26s %9.1f / %8.1f µs %9.1f / %8.1f µs %11.2f %%%n", r.get("variant"),
                r.get("b2b_p50_us"), r.get("b2b_p99_us"), r.get("paced_p50_us"), r.get("paced_p99_us"),
                r.get("idle_cpu_percent_of_core"));
        }
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("probe", "link-floor");
        out.put("at", Instant.now().toString());
        out.put("load_before", loadBefore);
        out.put("load_after", load());
        out.put("count", count);
        out.put("paced_count", pacedCount);
        out.put("paced_us", pacedMicros);
        out.put("idle_seconds", idleSeconds);
        out.put("variants", rows);
        Files.createDirectories(results);
        final Path json = results.resolve("link-floor-" + System.currentTimeMillis() + ".json");
        Files.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n",
            StandardCharsets.UTF_8);
        System.out.println("results: " + json.toAbsolutePath());
    }

    private static Map<String, Object> measure(final Variant v, final int count, final int pacedCount,
        final int pacedMicros, final int idleSeconds) throws InterruptedException
    {
        try
        {
            final Histogram warm = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            run(v.a(), warm, 0, Math.min(count, 2000), 60);
            final Histogram b2b = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            run(v.a(), b2b, 0, count, 120);
            final Histogram paced = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            run(v.a(), paced, TimeUnit.MICROSECONDS.toNanos(pacedMicros), pacedCount,
                120 + (long)pacedCount * pacedMicros / 1_000_000);
            final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Thread.sleep(200); // the last answer's backoff runs down
            final long cpu0 = mx.getThreadCpuTime(v.a().cpuThreadId) + mx.getThreadCpuTime(v.b().cpuThreadId);
            final long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
            final long cpu = mx.getThreadCpuTime(v.a().cpuThreadId) + mx.getThreadCpuTime(v.b().cpuThreadId) - cpu0;
            final long wall = System.nanoTime() - t0;
            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("variant", v.name());
            r.put("b2b_n", b2b.getTotalCount());
            r.put("b2b_p50_us", b2b.getValueAtPercentile(50) / 1e3);
            r.put("b2b_p99_us", b2b.getValueAtPercentile(99) / 1e3);
            r.put("paced_n", paced.getTotalCount());
            r.put("paced_p50_us", paced.getValueAtPercentile(50) / 1e3);
            r.put("paced_p99_us", paced.getValueAtPercentile(99) / 1e3);
            r.put("paced_max_us", paced.getMaxValue() / 1e3);
            r.put("idle_cpu_percent_of_core", 100.0 * cpu / wall);
            return r;
        }
        finally
        {
            close(v);
        }
    }

    private static void close(final Variant v)
    {
        for (final AutoCloseable c : v.close()) // the clients first, while the sides still run their drivers
        {
            if (c instanceof Aeron)
            {
                CloseHelper.quietClose(c);
            }
        }
        CloseHelper.quietCloseAll(v.runA(), v.runB());
        for (final AutoCloseable c : v.close())
        {
            if (!(c instanceof Aeron))
            {
                CloseHelper.quietClose(c);
            }
        }
    }

    /**
     * Round trips over the link as a node runs it (UDP on 127.0.0.1, a driver per side in INVOKER mode on one thread
     * waiting in epoll): the floor under {@code cluster-probe}'s hop.
     *
     * @param count        measured round trips (after up to 2,000 of warm-up, back to back).
     * @param pacingNanos  from one answer to the next ping (0: back to back; a few ms: the threads wait in epoll).
     * @param maxParkNanos the link's longest wait ({@code pinwheel.cluster.idleMaxParkMicros}).
     * @param termLength   the publications' term length ({@code pinwheel.cluster.termLength}).
     * @param timeoutSecs  how long the measured round trips may take (fewer than {@code count} on a loaded box).
     * @return round trips in nanoseconds.
     * @throws IOException if no ports can be had.
     * @throws InterruptedException if interrupted.
     */
    public static Histogram udpRoundTrips(final int count, final long pacingNanos, final long maxParkNanos,
        final int termLength, final long timeoutSecs) throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
            : Path.of(System.getProperty("java.io.tmpdir")), "pinwheel-link-floor-");
        final Variant v = udpSocketWait(dir, maxParkNanos, termLength);
        try
        {
            run(v.a(), new Histogram(TimeUnit.SECONDS.toNanos(10), 3), 0, Math.min(count, 2000), 60);
            final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            run(v.a(), h, pacingNanos, count, timeoutSecs);
            return h;
        }
        finally
        {
            close(v);
            org.agrona.IoUtil.delete(dir.toFile(), true);
        }
    }

    /** Pings until {@code count} answers were recorded or the time is up (a loaded box: the histogram's count says). */
    private static void run(final Side a, final Histogram into, final long pacingNanos, final int count,
        final long timeoutSeconds) throws InterruptedException
    {
        a.pacingNanos = pacingNanos;
        a.rtt = into;
        a.pinging = true;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (into.getTotalCount() < count && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
        }
        a.pinging = false;
        a.rtt = null;
        Thread.sleep(50); // an answer still in flight lands outside any histogram
    }

    /** The link as it runs: a driver per side in INVOKER mode, run by the side's thread waiting in epoll. */
    private static Variant udpSocketWait(final Path dir, final long maxParkNanos, final int termLength)
        throws IOException
    {
        return udpLink(dir, maxParkNanos, termLength, false);
    }

    /**
     * The link's UDP set-up, its threads waiting in epoll or (the {@code latency} profile's link,
     * {@code pinwheel.cluster.linkIdle=spin}) busy-spinning.
     */
    private static Variant udpLink(final Path dir, final long maxParkNanos, final int termLength, final boolean spin)
        throws IOException
    {
        final List<AutoCloseable> close = new ArrayList<>();
        final String a = "127.0.0.1:" + freeUdpPort();
        final String b = "127.0.0.1:" + freeUdpPort();
        final SocketWaitIdleStrategy waitA = new SocketWaitIdleStrategy(maxParkNanos, spin, null);
        final SocketWaitIdleStrategy waitB = new SocketWaitIdleStrategy(maxParkNanos, spin, null);
        close.add(waitA::close);
        close.add(waitB::close);
        final MediaDriver driverA = MediaDriver.launchEmbedded(invokerDriver(dir.resolve("a"), waitA, termLength));
        close.add(0, driverA);
        final MediaDriver driverB = MediaDriver.launchEmbedded(invokerDriver(dir.resolve("b"), waitB, termLength));
        close.add(0, driverB);
        final Side sideA = new Side("udp-a", driverA.sharedAgentInvoker(), waitA::wake, true);
        final Side sideB = new Side("udp-b", driverB.sharedAgentInvoker(), waitB::wake, false);
        final Variant v = start(spin ? "udp, busy-spin" : "udp, socket wait ≤ "
            + TimeUnit.NANOSECONDS.toMicros(maxParkNanos) + " µs", sideA, sideB, waitA, waitB, close);
        final Aeron clientA = client(driverA.aeronDirectoryName());
        close.add(0, clientA);
        final Aeron clientB = client(driverB.aeronDirectoryName());
        close.add(0, clientB);
        final Subscription subA = clientA.addSubscription("aeron:udp?endpoint=" + a, STREAM_BA);
        final Subscription subB = clientB.addSubscription("aeron:udp?endpoint=" + b, STREAM_AB);
        final Publication toB = clientA.addExclusivePublication("aeron:udp?endpoint=" + b + "|term-length=" + termLength,
            STREAM_AB);
        final Publication toA = clientB.addExclusivePublication("aeron:udp?endpoint=" + a + "|term-length=" + termLength,
            STREAM_BA);
        awaitConnected(toB, toA, subA, subB);
        sideA.attach(subA, toB);
        sideB.attach(subB, toA);
        return v;
    }

    /** IPC through one shared driver (run by A's thread, as one node of the host would run it). */
    private static Variant ipcBackoff(final Path dir, final int maxParkMicros)
    {
        final List<AutoCloseable> close = new ArrayList<>();
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(dir.toAbsolutePath().toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.INVOKER)
            .ipcTermBufferLength(64 * 1024));
        close.add(driver);
        final Side sideA = new Side("ipc-a", driver.sharedAgentInvoker(), () -> { }, true);
        final Side sideB = new Side("ipc-b", null, () -> { }, false);
        final Variant v = start("ipc, backoff park ≤ " + maxParkMicros + " µs", sideA, sideB, backoff(maxParkMicros),
            backoff(maxParkMicros), close);
        final Aeron clientA = client(driver.aeronDirectoryName());
        close.add(0, clientA);
        final Aeron clientB = client(driver.aeronDirectoryName());
        close.add(0, clientB);
        final Subscription subA = clientA.addSubscription("aeron:ipc", STREAM_BA);
        final Subscription subB = clientB.addSubscription("aeron:ipc", STREAM_AB);
        final Publication toB = clientA.addExclusivePublication("aeron:ipc", STREAM_AB);
        final Publication toA = clientB.addExclusivePublication("aeron:ipc", STREAM_BA);
        awaitConnected(toB, toA, subA, subB);
        sideA.attach(subA, toB);
        sideB.attach(subB, toA);
        return v;
    }

    private static Variant start(final String name, final Side a, final Side b, final IdleStrategy idleA,
        final IdleStrategy idleB, final List<AutoCloseable> close)
    {
        final AgentRunner runA = new AgentRunner(idleA, Throwable::printStackTrace, null, a);
        final AgentRunner runB = new AgentRunner(idleB, Throwable::printStackTrace, null, b);
        AgentRunner.startOnThread(runA);
        AgentRunner.startOnThread(runB);
        while (a.cpuThreadId == 0 || b.cpuThreadId == 0)
        {
            Thread.onSpinWait();
        }
        return new Variant(name, a, b, runA, runB, close);
    }

    private static IdleStrategy backoff(final int maxParkMicros)
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MICROSECONDS.toNanos(maxParkMicros));
    }

    /** The driver settings of the node's link ({@code NodeLink}) that matter for a round trip. */
    private static MediaDriver.Context invokerDriver(final Path dir, final SocketWaitIdleStrategy waits,
        final int termLength)
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(dir.toAbsolutePath().toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.INVOKER)
            .receiveChannelEndpointSupplier(waits.receiveEndpoints())
            .sendChannelEndpointSupplier(waits.sendEndpoints())
            .asyncExecutorEnabled(false)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(termLength)
            .ipcTermBufferLength(64 * 1024);
    }

    /** A client as the link's: its conductor off the data path, sleeping 10 ms (the driver runs on a side's thread). */
    private static Aeron client(final String dir)
    {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(dir)
            .idleStrategy(new SleepingMillisIdleStrategy(10)));
    }

    private static void awaitConnected(final Publication p1, final Publication p2, final Subscription s1,
        final Subscription s2)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(p1.isConnected() && p2.isConnected() && s1.isConnected() && s2.isConnected()))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the floor's publications did not connect in 30 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    private static String load()
    {
        try
        {
            final String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0];
        }
        catch (final IOException ex)
        {
            return "?";
        }
    }
}
