package dev.pinwheel.benchmarks.fanout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * {@link FanoutBenchmark}'s variants interleaved on one thread, timed by the thread's CPU clock as well as the wall
 * clock: on a shared 2-core box whose load is far above its cores, JMH's wall-clock averages of one variant after the
 * other measure the neighbours' load as much as the code (one run: {@code splice} 200 ns at load 1, 8,000 ns at load
 * 20); CPU time per round of interleaved variants gives same-run ratios that the run queue does not move.
 * <pre>
 *   java -cp benchmarks/target/pinwheel-benchmarks.jar dev.pinwheel.benchmarks.fanout.FanoutCpuProbe [rounds] [warmup]
 *        [events] [resume slots per session] [variant,variant,...]
 * </pre>
 * Each round runs every variant once (30,000 recipients), in an order rotated per round; printed per variant: median
 * and 10th percentile of CPU ns per recipient, median wall ns per recipient, and the ratio of medians to
 * the second variant run ({@code splice} by default). A fifth argument, a comma-separated list of variant names, runs
 * only those (one variant alone keeps its own sessions in cache between rounds, as JMH does).
 */
public final class FanoutCpuProbe
{
    private FanoutCpuProbe()
    {
    }

    /**
     * @param args rounds (default 300), warm-up rounds (default 100), distinct events per cycle (default 1:
     *             {@link FanoutBenchmark#events}; the figures stay per recipient per cycle), resume ring slots per
     *             session (default 2048: {@link FanoutBenchmark#resumeCapacity}), the variants to run (default:
     *             all).
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        final int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        final FanoutBenchmark b = new FanoutBenchmark();
        b.resumeCapacity = args.length > 3 ? Integer.parseInt(args[3]) : 2048;
        b.allocator = "pooled";
        b.events = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        b.setUp();
        final String[] allNames = {"gatewaySession", "splice", "spliceCopy", "gatewaySessionWithAudience",
            "spliceWithAudience", "gatewaySessionWritev", "spliceWritev", "spliceCopyWrite", "spliceDeferred",
            "floorLine", "floorLineSpread"};
        final IntSupplier[] all = {b::gatewaySession, b::splice, b::spliceCopy, b::gatewaySessionWithAudience,
            b::spliceWithAudience, b::gatewaySessionWritev, b::spliceWritev, b::spliceCopyWrite, b::spliceDeferred,
            () -> (int)b.floorLine(), () -> (int)b.floorLineSpread()};
        final IntSupplier[] variants = args.length > 4 ? select(all, allNames, args[4].split(",")) : all;
        final String[] names = args.length > 4 ? args[4].split(",") : allNames;
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final long[][] cpu = new long[variants.length][rounds];
        final long[][] wall = new long[variants.length][rounds];
        long sink = 0;
        for (int r = -warmup; r < rounds; r++)
        {
            for (int k = 0; k < variants.length; k++)
            {
                final int v = Math.floorMod(k + r, variants.length);
                final long c0 = mx.getCurrentThreadCpuTime();
                final long w0 = System.nanoTime();
                sink += variants[v].getAsInt();
                final long w1 = System.nanoTime();
                final long c1 = mx.getCurrentThreadCpuTime();
                if (r >= 0)
                {
                    cpu[v][r] = c1 - c0;
                    wall[v][r] = w1 - w0;
                }
            }
        }
        try
        {
            b.tearDown();
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
        final double base = median(cpu[Math.min(1, variants.length - 1)]);
        System.out.printf(Locale.ROOT, "%-20s %14s %14s %14s %10s%n", "variant", "cpu ns/rcpt p50", "cpu ns p10",
            "wall ns p50", "/ 2nd run");
        for (int v = 0; v < variants.length; v++)
        {
            final double m = median(cpu[v]);
            System.out.printf(Locale.ROOT, "%-20s %14.1f %14.1f %14.1f %10.2f%n", names[v],
                m / FanoutBenchmark.RECIPIENTS, pct(cpu[v], 0.10) / FanoutBenchmark.RECIPIENTS,
                median(wall[v]) / FanoutBenchmark.RECIPIENTS, m / base);
        }
        System.out.println("rounds " + rounds + " (warm-up " + warmup + "), events per cycle " + b.events + ", checksum "
            + sink);
    }

    private static IntSupplier[] select(final IntSupplier[] all, final String[] allNames, final String[] wanted)
    {
        final IntSupplier[] out = new IntSupplier[wanted.length];
        for (int i = 0; i < wanted.length; i++)
        {
            final int k = Arrays.asList(allNames).indexOf(wanted[i]);
            if (k < 0)
            {
                throw new IllegalArgumentException("no variant " + wanted[i] + "; variants: "
                    + Arrays.toString(allNames));
            }
            out[i] = all[k];
        }
        return out;
    }

    private static double median(final long[] xs)
    {
        return pct(xs, 0.5);
    }

    private static double pct(final long[] xs, final double p)
    {
        final long[] s = xs.clone();
        Arrays.sort(s);
        return s[(int)Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
    }
}
