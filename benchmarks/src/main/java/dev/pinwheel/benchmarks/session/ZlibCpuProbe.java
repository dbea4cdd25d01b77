package dev.pinwheel.benchmarks.session;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@link ZlibStreamBenchmark}'s implementations interleaved on one thread and timed by the thread's CPU clock: on this
 * shared 2-core box JMH's wall-clock averages of one implementation after another measure the neighbours' load as much
 * as the code (the JMH run at load 8–11 had error bars wider than its means); CPU time per round of interleaved
 * implementations gives same-run ratios the run queue does not move.
 * <pre>
 *   java -cp benchmarks/target/pinwheel-benchmarks.jar dev.pinwheel.benchmarks.session.ZlibCpuProbe [rounds] [frames]
 * </pre>
 * Each round deflates {@code frames} MESSAGE_CREATE frames (64 connections in turn) with every implementation, in an
 * order rotated per round; printed per implementation: compressed bytes per payload byte, median and 10th percentile
 * of CPU ns per frame, and the ratio of medians to {@code jdk} (a JDK deflater per connection, before issue 14).
 */
public final class ZlibCpuProbe
{
    private ZlibCpuProbe()
    {
    }

    /**
     * @param args rounds (default 40), frames per round and implementation (default 20,000).
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        final int frames = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        final String[] impls = {"jdk", "history-0", "history-512", "history-1024", "history-2048", "history-4096",
            "history-32768"};
        final ZlibStreamBenchmark[] b = new ZlibStreamBenchmark[impls.length];
        for (int i = 0; i < impls.length; i++)
        {
            b[i] = new ZlibStreamBenchmark();
            b[i].impl = impls[i];
            b[i].streams = 64;
            b[i].setUp();
        }
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final long[][] cpu = new long[impls.length][rounds];
        final int warmup = Math.max(1, rounds / 4);
        for (int r = -warmup; r < rounds; r++)
        {
            for (int k = 0; k < impls.length; k++)
            {
                final int i = (k + Math.max(0, r)) % impls.length;
                final long c0 = mx.getCurrentThreadCpuTime();
                long sink = 0;
                for (int f = 0; f < frames; f++)
                {
                    sink += b[i].deflateNextFrame();
                }
                final long c = mx.getCurrentThreadCpuTime() - c0;
                if (r >= 0)
                {
                    cpu[i][r] = c;
                }
                if (sink == 42)
                {
                    System.out.print("");
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nzlib-stream CPU per frame, %d rounds x %d frames, 64 connections in turn, "
            + "load %s%n", rounds, frames, loadAverage());
        double jdk = 0;
        for (int i = 0; i < impls.length; i++)
        {
            Arrays.sort(cpu[i]);
            final double p50 = cpu[i][rounds / 2] / (double)frames;
            final double p10 = cpu[i][rounds / 10] / (double)frames;
            if (i == 0)
            {
                jdk = p50;
            }
            System.out.printf(Locale.ROOT, "%-14s CPU ns/frame p50 %8.0f  p10 %8.0f   x jdk %.2f%n", impls[i], p50, p10,
                p50 / jdk);
        }
        for (final ZlibStreamBenchmark x : b)
        {
            x.tearDown(); // prints the ratio
        }
    }

    private static String loadAverage()
    {
        try
        {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        }
        catch (final java.io.IOException ex)
        {
            return "?";
        }
    }
}
