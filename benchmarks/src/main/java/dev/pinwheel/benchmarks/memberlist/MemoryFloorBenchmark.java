package dev.pinwheel.benchmarks.memberlist;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The floor under {@link SortedMembersBenchmark}: what {@code misses} dependent random reads cost on this machine when
 * the data is as large as the member list's at 1M members, so that a cold rank of k dependent misses can be compared
 * with the time of k misses measured the same way (SampleTime, same JVM flags, same run).
 * <p>
 * One {@code int[]} of {@code megabytes} holds a single random cycle through all of its entries (a shuffled order, each
 * entry pointing to the one after it); each operation follows it {@code misses} steps from where the previous operation
 * stopped. Every step's address depends on the value just loaded, so the reads cannot overlap, and the next entry is a
 * random one of the whole array: with the array well above the last-level cache, each step is a cache miss (and,
 * without huge pages, usually a TLB miss too). {@link #chase} is that; {@link #chaseWarm} follows a cycle through 64
 * entries only (every read a cache hit) to show the timer's own cost.
 * <p>
 * {@code flock /tmp/jmh.lock benchmarks/run.sh jmh 'MemoryFloorBenchmark|SortedMembersBenchmark' ...} runs it with the
 * structure it bounds.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class MemoryFloorBenchmark
{
    /** The cycle. */
    @State(Scope.Thread)
    public static class Cycle
    {
        /**
         * The array's size: 64 MiB, between the primitive arrays of {@link dev.pinwheel.core.memberlist.SortedMembers}
         * at 1M members (≈ 50 MiB: per member a key, id, name reference and location, 24 B; leaves sized for half full,
         * 24 MiB; inner nodes ≈ 1 MiB) and those plus the names it compares on ties (≈ 55 MiB more); either is well
         * above this machine's 32 MiB last-level cache, which other processes share.
         */
        @Param({"64"})
        public int megabytes;

        /** Dependent reads per operation. */
        @Param({"1", "2", "3"})
        public int misses;

        int[] next;
        int[] warm;
        int at;
        int warmAt;

        /** Builds one random cycle through every entry, and a 64-entry one. */
        @Setup(Level.Trial)
        public void build()
        {
            final SplittableRandom r = new SplittableRandom(42);
            next = cycle(megabytes * (1 << 20) / Integer.BYTES, r);
            warm = cycle(64, r);
        }

        private static int[] cycle(final int n, final SplittableRandom r)
        {
            final int[] order = new int[n];
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--)
            {
                final int j = r.nextInt(i);
                final int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            final int[] to = new int[n];
            for (int i = 0; i < n; i++)
            {
                to[order[i]] = order[(i + 1) % n];
            }
            return to;
        }
    }

    /**
     * @param c the cycle.
     * @return where it stopped.
     */
    @Benchmark
    public int chase(final Cycle c)
    {
        final int[] next = c.next;
        int at = c.at;
        for (int i = c.misses; i > 0; i--)
        {
            at = next[at];
        }
        c.at = at;
        return at;
    }

    /**
     * @param c the cycle.
     * @return where it stopped.
     */
    @Benchmark
    public int chaseWarm(final Cycle c)
    {
        final int[] next = c.warm;
        int at = c.warmAt;
        for (int i = c.misses; i > 0; i--)
        {
            at = next[at];
        }
        c.warmAt = at;
        return at;
    }
}
