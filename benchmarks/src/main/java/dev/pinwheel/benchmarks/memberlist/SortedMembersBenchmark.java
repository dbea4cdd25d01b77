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

import dev.pinwheel.core.memberlist.SortedMembers;

/**
 * The lazy member list's sorted structure ({@link SortedMembers}) at {@code members} members (issue 16: insert, remove,
 * rank p99 ≤ 0.3 µs at 1M, 0 B/op). Members have random names (5-12 letters), spread over 4 groups; a ring of 64k
 * random members goes out and comes back:
 * <ul>
 *   <li>{@link #insert}: one member, removed and moved to another group beforehand (untimed), goes back in: the
 *   second half of a status change;</li>
 *   <li>{@link #remove}: one member (inserted beforehand, untimed, if an earlier invocation left it out) comes out;</li>
 *   <li>{@link #rank}: the rank of a random member (its index in the list, for INSERT/UPDATE/DELETE).</li>
 * </ul>
 * {@code benchmarks/run.sh jmh SortedMembersBenchmark -prof gc} gives the p99 (SampleTime: each sample is one
 * operation, the timer's own cost of ≈ 20-30 ns included) and the allocation per operation.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class SortedMembersBenchmark
{
    private static final int RING = 1 << 16;

    /** The list and its members. */
    @State(Scope.Thread)
    public static class Members
    {
        /** Members in the list. */
        @Param({"1000000"})
        public int members;

        SortedMembers list;
        String[] names;
        int[] ring;
        int cursor;

        /** Builds the list. */
        @Setup(Level.Trial)
        public void build()
        {
            final SplittableRandom r = new SplittableRandom(42);
            list = new SortedMembers(members);
            names = new String[members];
            for (int s = 0; s < members; s++)
            {
                final int len = 5 + r.nextInt(8);
                final StringBuilder b = new StringBuilder(len);
                for (int i = 0; i < len; i++)
                {
                    b.append((char)('a' + r.nextInt(26)));
                }
                names[s] = b.toString();
                list.key(s, r.nextInt(4), names[s], s + 1L);
                list.insert(s);
            }
            ring = new int[RING];
            for (int i = 0; i < RING; i++)
            {
                ring[i] = r.nextInt(members);
            }
        }

        int next()
        {
            return ring[cursor++ & (RING - 1)];
        }
    }

    /** The member {@link #remove} takes out: in the list. */
    @State(Scope.Thread)
    public static class ToRemove
    {
        int slot;

        /**
         * Untimed.
         *
         * @param m the list.
         */
        @Setup(Level.Invocation)
        public void next(final Members m)
        {
            slot = m.next();
            if (!m.list.contains(slot))
            {
                m.list.insert(slot);
            }
        }
    }

    /** The member {@link #insert} puts back: out of the list, re-keyed into another group. */
    @State(Scope.Thread)
    public static class ToInsert
    {
        int slot;

        /**
         * Untimed.
         *
         * @param m the list.
         */
        @Setup(Level.Invocation)
        public void next(final Members m)
        {
            slot = m.next();
            m.list.remove(slot);
            m.list.key(slot, (m.list.group(slot) + 1) & 3, m.names[slot], slot + 1L);
        }
    }

    /**
     * @param m the list.
     * @param t the member.
     * @return true.
     */
    @Benchmark
    public boolean remove(final Members m, final ToRemove t)
    {
        return m.list.remove(t.slot);
    }

    /**
     * @param m the list.
     * @param t the member.
     * @return true.
     */
    @Benchmark
    public boolean insert(final Members m, final ToInsert t)
    {
        return m.list.insert(t.slot);
    }

    /**
     * @param m the list.
     * @return the rank of a random member.
     */
    @Benchmark
    public int rank(final Members m)
    {
        return m.list.rank(m.next());
    }
}
