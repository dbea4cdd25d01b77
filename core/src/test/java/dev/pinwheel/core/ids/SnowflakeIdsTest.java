package dev.pinwheel.core.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class SnowflakeIdsTest
{
    @Test
    void layoutMatchesDiscord()
    {
        final long t = SnowflakeIds.DISCORD_EPOCH_MILLIS + 123_456_789L;
        final SnowflakeIds ids = new SnowflakeIds(3, 7, () -> t);
        final long id = ids.next();
        assertEquals(t, SnowflakeIds.timestampMillis(id));
        assertEquals(3, SnowflakeIds.worker(id));
        assertEquals(7, SnowflakeIds.process(id));
        assertEquals(0, id & 0xFFF);
        assertEquals(1, ids.next() & 0xFFF);
    }

    @Test
    void discordDocumentationExample()
    {
        // Discord's docs decode 175928847299117063 as 2016-04-30T11:18:25.796Z, worker 1, process 0, increment 7.
        final long id = 175928847299117063L;
        assertEquals(1462015105796L, SnowflakeIds.timestampMillis(id));
        assertEquals(1, SnowflakeIds.worker(id));
        assertEquals(0, SnowflakeIds.process(id));
        assertEquals(7, id & 0xFFF);
    }

    @Test
    void neverGoesBackwardsWhenTheClockDoes()
    {
        final AtomicLong now = new AtomicLong(SnowflakeIds.DISCORD_EPOCH_MILLIS + 1_000_000);
        final SnowflakeIds ids = new SnowflakeIds(0, 0, now::get);
        long last = ids.next();
        now.addAndGet(-500_000);
        for (int i = 0; i < 10_000; i++)
        {
            final long id = ids.next();
            assertTrue(id > last, "monotonic");
            last = id;
        }
    }

    @Test
    void borrowsTheNextMillisecondAfter4096IdsInOne()
    {
        final long t = SnowflakeIds.DISCORD_EPOCH_MILLIS + 5_000;
        final SnowflakeIds ids = new SnowflakeIds(0, 1, () -> t);
        long last = 0;
        for (int i = 0; i < 4096 * 3; i++)
        {
            final long id = ids.next();
            assertTrue(id > last);
            last = id;
        }
        assertEquals(t + 2, SnowflakeIds.timestampMillis(last));
    }

    @Test
    void rejectsOutOfRangeWorkerOrProcess()
    {
        assertThrows(IllegalArgumentException.class, () -> new SnowflakeIds(32, 0));
        assertThrows(IllegalArgumentException.class, () -> new SnowflakeIds(0, -1));
    }
}
