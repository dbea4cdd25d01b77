package dev.pinwheel.gateway.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slots per address: the cap holds however many threads take and give back at once, and an address with no slot
 * left is forgotten (the table does not grow with every address ever seen).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AddressSlotsTest
{
    @Test
    void anAddressGetsAtMostItsSlotsAndGetsThemBackWhenReleased()
    {
        final AddressSlots slots = new AddressSlots(2);
        assertTrue(slots.tryAcquire("10.0.0.1"));
        assertTrue(slots.tryAcquire("10.0.0.1"));
        assertFalse(slots.tryAcquire("10.0.0.1"), "at the cap");
        assertTrue(slots.tryAcquire("10.0.0.2"), "another address is not affected");
        slots.release("10.0.0.1");
        assertEquals(1, slots.held("10.0.0.1"));
        assertTrue(slots.tryAcquire("10.0.0.1"));
        slots.release("10.0.0.1");
        slots.release("10.0.0.1");
        slots.release("10.0.0.2");
        assertEquals(0, slots.addresses(), "addresses without slots are forgotten");
    }

    @Test
    void threadsRacingForOneAddressNeverExceedTheCap() throws Exception
    {
        final int cap = 7;
        final AddressSlots slots = new AddressSlots(cap);
        final AtomicInteger held = new AtomicInteger();
        final AtomicInteger maxSeen = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++)
        {
            threads[t] = Thread.ofPlatform().start(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException e)
                {
                    return;
                }
                for (int i = 0; i < 20_000; i++)
                {
                    if (slots.tryAcquire("198.51.100.7"))
                    {
                        maxSeen.accumulateAndGet(held.incrementAndGet(), Math::max);
                        held.decrementAndGet();
                        slots.release("198.51.100.7");
                    }
                }
            });
        }
        start.countDown();
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(20));
        }
        assertTrue(maxSeen.get() <= cap, "held at once: " + maxSeen.get());
        assertEquals(0, slots.held("198.51.100.7"));
        assertEquals(0, slots.addresses());
    }
}
