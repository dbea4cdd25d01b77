package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelMessageIdsTest
{
    @Test
    void keepsIdsSortedWhateverTheArrivalOrder()
    {
        final ChannelMessageIds ids = new ChannelMessageIds();
        for (final long id : new long[] {50, 10, 30, 70, 20, 60, 40, 5, 100, 90, 80})
        {
            assertTrue(ids.add(id));
        }
        assertFalse(ids.add(30));
        assertEquals(11, ids.size());
        for (int i = 1; i < ids.size(); i++)
        {
            assertTrue(ids.get(i - 1) < ids.get(i));
        }
        assertTrue(ids.remove(5));
        assertTrue(ids.remove(100));
        assertTrue(ids.remove(50));
        assertFalse(ids.remove(50));
        assertFalse(ids.remove(55));
        assertEquals(8, ids.size());
        assertEquals(10, ids.get(0));
        assertEquals(90, ids.get(7));
        assertFalse(ids.contains(50));
        assertTrue(ids.contains(60));
    }

    @Test
    void rangesOfAnEmptyChannelAreEmpty()
    {
        final ChannelMessageIds ids = new ChannelMessageIds();
        for (final HistoryQuery query : HistoryQuery.values())
        {
            final long range = ids.pageRange(query, 10, 50);
            assertEquals(ChannelMessageIds.rangeFrom(range), ChannelMessageIds.rangeTo(range), query.name());
        }
    }

    @Test
    void afterTheLargestPossibleIdIsEmpty()
    {
        final ChannelMessageIds ids = new ChannelMessageIds();
        ids.add(1);
        ids.add(Long.MAX_VALUE);
        final long range = ids.pageRange(HistoryQuery.AFTER, Long.MAX_VALUE, 10);
        assertEquals(2, ChannelMessageIds.rangeFrom(range));
        assertEquals(2, ChannelMessageIds.rangeTo(range));
    }
}
