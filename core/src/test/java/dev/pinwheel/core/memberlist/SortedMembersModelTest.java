package dev.pinwheel.core.memberlist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * {@link SortedMembers} against a plain reference (a {@link TreeSet} with the same order: group, name, id): random
 * inserts, removes and re-keys (a member moving between groups or renamed), checked after every operation for size
 * and the rank of the touched member, and regularly for every rank, slot at rank, range and group count. Names share
 * long prefixes so the comparison falls back past the packed 7 characters; enough members to split and merge blocks.
 * Small lists churn the ring of cells inside one leaf; a warmed-up list allocates nothing.
 */
class SortedMembersModelTest
{
    private record Key(int group, String name, long id, int slot)
    {
    }

    private static final Comparator<Key> ORDER = Comparator.comparingInt(Key::group).thenComparing(Key::name)
        .thenComparingLong(Key::id);

    @Test
    void matchesTreeSetReference()
    {
        for (final long seed : new long[] {1, 2, 3})
        {
            run(seed, 4_000, 60_000);
        }
    }

    @Test
    void growsToManyBlocksAndShrinksToNone()
    {
        run(7, 20_000, 0);
        final SortedMembers m = new SortedMembers(4);
        for (int s = 0; s < 5_000; s++)
        {
            m.key(s, s % 3, "n" + (5_000 - s), s);
            m.insert(s);
        }
        for (int s = 0; s < 5_000; s++)
        {
            m.remove(s);
        }
        assertEquals(0, m.size());
        m.key(1, 0, "a", 1);
        m.insert(1);
        assertEquals(0, m.rank(1));
    }

    @Test
    void deepTreeMatchesReference()
    {
        final SortedMembers m = run(11, 300_000, 0);
        assertEquals(3, m.height(), "300k members: three levels of inner nodes");
        run(12, 200_000, 150_000);
    }

    @Test
    void churnAroundOneLeaf()
    {
        // within one leaf (its ring of cells wraps round as either side shifts), and around the first splits and merges
        for (final int slots : new int[] {40, 64, 65, 130, 300})
        {
            run(20 + slots, slots, 40_000);
        }
    }

    @Test
    void everyRemovalOrderInOneLeaf()
    {
        // from the front, the back and the middle: the ring's start moves on, stays, or either side shifts
        for (int pattern = 0; pattern < 3; pattern++)
        {
            final SortedMembers m = new SortedMembers(64);
            final TreeSet<Key> ref = new TreeSet<>(ORDER);
            final Key[] keys = new Key[60];
            for (int s = 0; s < 60; s++)
            {
                keys[s] = new Key(s % 2, "m" + (char)('a' + (s * 7) % 26) + s, s, s);
                m.key(s, keys[s].group(), keys[s].name(), keys[s].id());
                m.insert(s);
                ref.add(keys[s]);
            }
            checkAll(m, ref);
            final List<Key> sorted = new ArrayList<>(ref);
            for (int i = 0; i < 60; i++)
            {
                final int at = pattern == 0 ? 0 : pattern == 1 ? sorted.size() - 1 : sorted.size() / 2;
                final Key k = sorted.remove(at);
                assertEquals(at, m.rank(k.slot()));
                assertEquals(true, m.remove(k.slot()));
                ref.remove(k);
                checkAll(m, ref);
                if (i % 3 == 0)
                {
                    // put one back under a new key (first in its group order), then out again
                    final Key again = new Key(2, "back" + i, 1_000 + i, k.slot());
                    m.key(again.slot(), again.group(), again.name(), again.id());
                    m.insert(again.slot());
                    ref.add(again);
                    checkAll(m, ref);
                    sorted.clear();
                    sorted.addAll(ref);
                    assertEquals(true, m.remove(again.slot()));
                    ref.remove(again);
                    sorted.remove(again);
                }
            }
            assertEquals(0, m.size());
        }
    }

    @Test
    void steadyStateAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final int slots = 50_000;
        final SortedMembers m = new SortedMembers(slots);
        final SplittableRandom r = new SplittableRandom(5);
        final String[] names = new String[slots];
        for (int s = 0; s < slots; s++)
        {
            names[s] = "member" + r.nextInt(1_000_000);
            m.key(s, s & 3, names[s], s);
            m.insert(s);
        }
        final int[] out = new int[100];
        final int[] picks = new int[4_096];
        for (int i = 0; i < picks.length; i++)
        {
            picks[i] = r.nextInt(slots);
        }
        long sum = 0;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200_000; i++)
            {
                final int s = picks[i & (picks.length - 1)];
                m.remove(s);
                m.key(s, (m.group(s) + 1) & 3, names[s], s);
                m.insert(s);
                sum += m.rank(picks[(i * 31) & (picks.length - 1)]) + m.slotAt(i % slots);
                sum += m.range(i % slots, out, out.length);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round > 0)
            {
                assertEquals(0, allocated, "bytes allocated by 200,000 moves, ranks, slotAt and ranges");
            }
        }
        assertEquals(true, sum > 0);
    }

    private static SortedMembers run(final long seed, final int slots, final int operations)
    {
        final SplittableRandom r = new SplittableRandom(seed);
        final SortedMembers m = new SortedMembers(16);
        final TreeSet<Key> ref = new TreeSet<>(ORDER);
        final Key[] keyOf = new Key[slots];
        final String[] prefixes = {"", "alexander", "alexandra", "zz", "Ö", "\uD83D\uDE00"};
        final int ops = operations == 0 ? slots * 3 : operations;
        for (int op = 0; op < ops; op++)
        {
            final int slot = r.nextInt(slots);
            final int what = operations == 0 ? (op < slots * 2 ? 0 : 1) : r.nextInt(3);
            if (keyOf[slot] != null && (what == 1 || what == 2))
            {
                assertEquals(true, m.remove(slot));
                ref.remove(keyOf[slot]);
                keyOf[slot] = null;
                assertEquals(-1, m.rank(slot));
            }
            if (keyOf[slot] == null && (what == 0 || what == 2))
            {
                final Key k = new Key(r.nextInt(5), prefixes[r.nextInt(prefixes.length)] + r.nextInt(50),
                    r.nextLong(1, 1L << 60), slot);
                m.key(slot, k.group(), k.name(), k.id());
                assertEquals(true, m.insert(slot));
                ref.add(k);
                keyOf[slot] = k;
                if (slots < 50_000 || op % 5_003 == 0)
                {
                    assertEquals(ref.headSet(k).size(), m.rank(slot), "rank after insert, op " + op);
                }
            }
            assertEquals(ref.size(), m.size());
            if (op % (slots < 50_000 ? 997 : 149_999) == 0 || op == ops - 1)
            {
                checkAll(m, ref);
            }
        }
        checkAll(m, ref);
        return m;
    }

    private static void checkAll(final SortedMembers m, final TreeSet<Key> ref)
    {
        final List<Key> list = new ArrayList<>(ref);
        final int[] groups = new int[5];
        for (int i = 0; i < list.size(); i++)
        {
            final Key k = list.get(i);
            assertEquals(i, m.rank(k.slot()), "rank of " + k);
            assertEquals(k.slot(), m.slotAt(i), "slot at " + i);
            groups[k.group()]++;
        }
        for (int g = 0; g < 5; g++)
        {
            assertEquals(groups[g], m.groupCount(g));
        }
        if (!list.isEmpty())
        {
            final int from = list.size() / 3;
            final int[] out = new int[150];
            final int n = m.range(from, out, out.length);
            assertEquals(Math.min(150, list.size() - from), n);
            for (int i = 0; i < n; i++)
            {
                assertEquals(list.get(from + i).slot(), out[i], "range at " + (from + i));
            }
        }
    }
}
