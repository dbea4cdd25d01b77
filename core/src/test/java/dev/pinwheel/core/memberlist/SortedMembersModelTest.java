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
