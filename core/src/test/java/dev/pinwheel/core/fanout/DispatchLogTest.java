package dev.pinwheel.core.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A guild's dispatch log keeps what its readers still need, grows while they need more (up to its limit, where the
 * readers that need its oldest quarter are told to keep it themselves before it goes), releases what none needs —
 * after appends, and after the readers' acknowledgements — and shrinks again.
 */
class DispatchLogTest
{
    /** Readers that need everything from {@code oldest} on. */
    private static final class Readers implements DispatchLog.Readers
    {
        long oldest = Long.MAX_VALUE;
        int count = 1;
        int asked;
        long evictedBefore = -1;

        @Override
        public long oldestNeeded()
        {
            asked++;
            return oldest;
        }

        @Override
        public int count()
        {
            return count;
        }

        @Override
        public void evictBefore(final long position)
        {
            evictedBefore = position;
            oldest = Math.max(oldest, position); // they copied what they needed
        }
    }

    private static Dispatch event(final int n)
    {
        return Dispatch.of("E", ("{\"n\":" + n + "}").getBytes());
    }

    @Test
    void keepsWhatIsNeededUpToItsLimit()
    {
        final Readers readers = new Readers();
        readers.oldest = 0;
        final DispatchLog log = new DispatchLog(64, readers);
        final Dispatch[] sent = new Dispatch[100];
        for (int i = 0; i < 60; i++)
        {
            sent[i] = event(i);
            assertEquals(i, log.append(sent[i]));
        }
        assertEquals(64, log.capacity(), "grew to keep all 60");
        for (int i = 0; i < 60; i++)
        {
            assertTrue(log.holds(i));
            assertSame(sent[i], log.at(i));
        }
        for (int i = 60; i < 100; i++)
        {
            sent[i] = event(i);
            log.append(sent[i]);
        }
        assertEquals(64, log.capacity(), "never past its limit");
        assertTrue(readers.evictedBefore > 0, "the readers that needed the oldest quarter copied it first");
        assertFalse(log.holds(0), "the oldest went at the limit");
        assertFalse(log.holds(readers.evictedBefore - 1));
        assertTrue(log.holds(99));
        for (long p = 0; p < 100; p++)
        {
            if (log.holds(p))
            {
                assertSame(sent[(int)p], log.at(p), "position " + p);
            }
        }
        assertTrue(log.holds(100 - 48), "at least three quarters of the limit are kept behind the head");
    }

    @Test
    void releasesWhatNoneNeedsAndShrinks()
    {
        final Readers readers = new Readers();
        readers.oldest = 0;
        final DispatchLog log = new DispatchLog(1024, readers);
        for (int i = 0; i < 500; i++)
        {
            log.append(event(i));
        }
        assertEquals(512, log.capacity());
        readers.oldest = Long.MAX_VALUE; // every reader acknowledged everything
        log.readerAdvanced();
        assertFalse(log.holds(498), "released once the readers acknowledged");
        assertTrue(log.holds(499), "but never the newest: it may be the event being delivered");
        assertEquals(16, log.capacity(), "shrunk back");
        assertEquals(500, log.append(event(500)));
        assertSame(log.at(500), log.at(500));
        assertTrue(log.holds(500));
    }

    @Test
    void asksManyReadersOnlyAfterAsManyAcknowledgements()
    {
        final Readers readers = new Readers();
        readers.count = 1000;
        final DispatchLog log = new DispatchLog(4096, readers);
        for (int i = 0; i < 5000; i++)
        {
            log.append(event(i));
        }
        assertTrue(readers.asked <= 5000 / 1000 + 2, "asked " + readers.asked + " times in 5,000 appends");
        final int before = readers.asked;
        for (int i = 0; i < 999; i++)
        {
            log.readerAdvanced();
        }
        assertTrue(readers.asked - before <= 1, "a thousand readers asked at most once per thousand acknowledgements");
    }

    @Test
    void aLimitIsAPowerOfTwo()
    {
        assertThrows(IllegalArgumentException.class, () -> new DispatchLog(100, new Readers()));
        assertThrows(IllegalArgumentException.class, () -> new DispatchLog(8, new Readers()));
    }
}
