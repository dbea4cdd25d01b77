package dev.pinwheel.core.guild;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * {@link Guild#memberIdsAfter} and {@link Guild#banIdsPage} against a sorted set of the same ids: random guilds and
 * pages (empty, one member, {@code after} and {@code before} below, inside and above the ids, limits below, at and
 * above the count), and a walk through a whole guild page by page, as a client lists its members.
 */
class GuildMemberPagesTest
{
    @Test
    void pagesAreTheSmallestIdsAboveAfterInOrder()
    {
        final Random random = new Random(3);
        for (int run = 0; run < 300; run++)
        {
            final Guild g = new Guild(1, "g", 2);
            final TreeSet<Long> ids = new TreeSet<>();
            final int members = random.nextInt(run % 10 == 0 ? 3 : 3_000);
            for (int i = 0; i < members; i++)
            {
                final long id = 1 + (long)(random.nextDouble() * (1L << 60));
                ids.add(id);
                g.putMember(new Member(id, 0, new long[0], null));
            }
            for (int page = 0; page < 10; page++)
            {
                final long after = switch (random.nextInt(4))
                {
                    case 0 -> 0;
                    case 1 -> ids.isEmpty() ? 5 : ids.first() + random.nextInt(3) - 1;
                    case 2 -> ids.isEmpty() ? 5 : ids.last();
                    default -> (long)(random.nextDouble() * (1L << 60));
                };
                final int limit = 1 + random.nextInt(random.nextBoolean() ? 10 : 1_200);
                final long[] expected = ids.tailSet(after, false).stream().limit(limit).mapToLong(Long::longValue)
                    .toArray();
                assertArrayEquals(expected, g.memberIdsAfter(after, limit), "after " + after + ", limit " + limit);
            }
        }
    }

    @Test
    void banPagesFromEitherEnd()
    {
        final Random random = new Random(11);
        for (int run = 0; run < 200; run++)
        {
            final Guild g = new Guild(1, "g", 2);
            final TreeSet<Long> ids = new TreeSet<>();
            final int bans = random.nextInt(run % 10 == 0 ? 3 : 2_000);
            for (int i = 0; i < bans; i++)
            {
                final long id = 1 + random.nextInt(1_000_000);
                ids.add(id);
                g.putBan(new Ban(id, null));
            }
            for (int page = 0; page < 10; page++)
            {
                final long after = random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000);
                final long before = random.nextInt(3) == 0 ? 0 : random.nextInt(1_100_000);
                final int limit = 1 + random.nextInt(random.nextBoolean() ? 10 : 1_000);
                final TreeSet<Long> range = new TreeSet<>(ids.tailSet(after, false));
                if (before != 0)
                {
                    range.retainAll(ids.headSet(before, false));
                }
                final long[] expected = before != 0 && after == 0
                    ? range.descendingSet().stream().limit(limit).mapToLong(Long::longValue).sorted().toArray()
                    : range.stream().limit(limit).mapToLong(Long::longValue).toArray();
                assertArrayEquals(expected, g.banIdsPage(after, before, limit),
                    "after " + after + ", before " + before + ", limit " + limit);
            }
        }
    }

    @Test
    void aWholeGuildPageByPage()
    {
        final Guild g = new Guild(1, "g", 2);
        final Random random = new Random(5);
        final TreeSet<Long> ids = new TreeSet<>();
        while (ids.size() < 25_000)
        {
            final long id = 1 + random.nextInt(1_000_000_000);
            if (ids.add(id))
            {
                g.putMember(new Member(id, 0, new long[0], null));
            }
        }
        final TreeSet<Long> seen = new TreeSet<>();
        long after = 0;
        for (long[] page = g.memberIdsAfter(after, 1_000); page.length > 0; page = g.memberIdsAfter(after, 1_000))
        {
            for (final long id : page)
            {
                assertEquals(true, id > after && seen.add(id), "each id once, ascending");
            }
            after = page[page.length - 1];
        }
        assertEquals(ids, seen);
    }
}
