package dev.pinwheel.core.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The keys of delivered events are kept for {@link DeliveredKeys#WINDOW_MILLIS}, however many come meanwhile (up to
 * {@link DeliveredKeys#MAX_CAPACITY}), and no longer than needed: the ring grows with the rate, not with time.
 */
class DeliveredKeysTest
{
    private long now = 1_000_000;

    @Test
    void aKeyIsRememberedForTheWindowWhateverTheRate()
    {
        final DeliveredKeys keys = new DeliveredKeys(() -> now);
        // 100,000 keyed events in one second (one shard of a busy node, or a burst): before, the ring kept the last
        // 8,192 and the first key was forgotten
        for (long k = 1; k <= 100_000; k++)
        {
            assertTrue(keys.admit(k, false));
            now += k % 100 == 0 ? 1 : 0;
        }
        assertFalse(keys.admit(1, true), "the first, sent again a second later: delivered already");
        assertFalse(keys.admit(50_000, true));
        assertTrue(keys.admit(200_000, true), "never delivered here: delivered");
        assertEquals(131_072, keys.capacity(), "grown to hold them: the next power of two");
    }

    @Test
    void theRingHoldsTheWindowAtASteadyRateAndForgetsWhatIsOlder()
    {
        final DeliveredKeys keys = new DeliveredKeys(() -> now);
        // 1,000 keyed events a second for 300 s: two minutes of them is 120,000 keys
        for (long k = 1; k <= 300_000; k++)
        {
            keys.admit(k, false);
            now++;
        }
        assertEquals(131_072, keys.capacity(), "the window's keys, not the run's");
        assertFalse(keys.admit(300_000 - 100_000, true), "100 s old: remembered");
        assertTrue(keys.admit(10_000, true), "290 s old: forgotten (nothing is sent again that late)");
        assertEquals(0, keys.forgottenEarly());
    }

    @Test
    void atItsMaximumTheRingForgetsTheOldestEarlyAndCountsThem()
    {
        final DeliveredKeys keys = new DeliveredKeys(() -> now);
        final int extra = 10 * DeliveredKeys.BLOCK;
        for (long k = 1; k <= DeliveredKeys.MAX_CAPACITY + extra; k++)
        {
            keys.admit(k, false);
        }
        assertEquals(DeliveredKeys.MAX_CAPACITY, keys.capacity());
        assertEquals(extra, keys.forgottenEarly());
        assertFalse(keys.admit(extra + 1, true), "the oldest still held");
        assertTrue(keys.admit(1, true), "overwritten (and noted again, in the oldest's place)");
    }
}
