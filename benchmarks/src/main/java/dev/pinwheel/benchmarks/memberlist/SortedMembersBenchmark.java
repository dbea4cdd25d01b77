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
 *   <li>{@link #rank}: the rank of a random member (its index in the list, for INSERT/UPDATE/DELETE): cold, the
 *   member and its leaf are rarely in cache among 1M;</li>
 *   <li>{@link #rankWarm}: the rank of one of 64 members asked again and again (their leaves stay in cache: an UPDATE
 *   for a member who just changed);</li>
 *   <li>{@link #move}: remove, re-key into another group, insert — a status change, all of it timed.</li>
 * </ul>
 * {@link MemoryFloorBenchmark} measures, in the same run, what k dependent cache misses cost at this size: a cold
 * {@link #rank} is one (the member's location), the rest of its reads stay in cache.
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

        /**
         * {@code tree}: {@link SortedMembers} (the server's); {@code blocks}: {@link BlockedSortedMembers} (before it).
         */
        @Param({"tree", "blocks"})
        public String structure;

        SortedMembers list;
        BlockedSortedMembers blocks;
        String[] names;
        int[] ring;
        int cursor;

        /** Builds the list. */
        @Setup(Level.Trial)
        public void build()
        {
            final SplittableRandom r = new SplittableRandom(42);
            list = "tree".equals(structure) ? new SortedMembers(members) : null;
            blocks = "blocks".equals(structure) ? new BlockedSortedMembers(members) : null;
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
                key(s, r.nextInt(4));
                insert(s);
            }
            ring = new int[RING];
            for (int i = 0; i < RING; i++)
            {
                ring[i] = r.nextInt(members);
            }
        }

        void key(final int s, final int group)
        {
            if (list != null)
            {
                list.key(s, group, names[s], s + 1L);
            }
            else
            {
                blocks.key(s, group, names[s], s + 1L);
            }
        }

        int group(final int s)
        {
            return list != null ? list.group(s) : blocks.group(s);
        }

        boolean contains(final int s)
        {
            return list != null ? list.contains(s) : blocks.contains(s);
        }

        boolean insert(final int s)
        {
            return list != null ? list.insert(s) : blocks.insert(s);
        }

        boolean remove(final int s)
        {
            return list != null ? list.remove(s) : blocks.remove(s);
        }

        int rank(final int s)
        {
            return list != null ? list.rank(s) : blocks.rank(s);
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
            if (!m.contains(slot))
            {
                m.insert(slot);
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
            m.remove(slot);
            m.key(slot, (m.group(slot) + 1) & 3);
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
        return m.remove(t.slot);
    }

    /**
     * @param m the list.
     * @param t the member.
     * @return true.
     */
    @Benchmark
    public boolean insert(final Members m, final ToInsert t)
    {
        return m.insert(t.slot);
    }

    /**
     * @param m the list.
     * @return the rank of a random member.
     */
    @Benchmark
    public int rank(final Members m)
    {
        return m.rank(m.next());
    }

    /**
     * @param m the list.
     * @return the rank of one of 64 members.
     */
    @Benchmark
    public int rankWarm(final Members m)
    {
        return m.rank(m.ring[m.cursor++ & 63]);
    }

    /**
     * @param m the list.
     * @return true.
     */
    @Benchmark
    public boolean move(final Members m)
    {
        final int slot = m.next();
        m.remove(slot);
        m.key(slot, (m.group(slot) + 1) & 3);
        return m.insert(slot);
    }
}
