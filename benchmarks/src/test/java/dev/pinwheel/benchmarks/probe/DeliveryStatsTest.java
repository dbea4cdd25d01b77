package dev.pinwheel.benchmarks.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A probe's warm-up messages take the measured path, and then count for nothing but themselves.
 */
class DeliveryStatsTest
{
    @Test
    void warmUpDeliveriesAreForgottenWhenTheMeasuredMessagesStart()
    {
        final DeliveryStats st = new DeliveryStats(4, TimeUnit.MILLISECONDS.toNanos(100));
        st.sent(0, 1_000_000);
        st.sent(1, 2_000_000);
        st.delivered(0, 6_000_000); // 5 ms
        st.delivered(1, 3_000_000);
        st.countDuplicate();
        assertEquals(2, st.deliveries());
        assertEquals(2, st.raw().getTotalCount());

        st.countFrom(2);
        assertEquals(0, st.deliveries());
        assertEquals(0, st.raw().getTotalCount());
        assertEquals(0, st.corrected().getTotalCount());
        assertEquals(0, st.duplicates());

        st.delivered(1, 9_000_000); // a warm-up message late: its own counts only
        assertEquals(2, st.received(1));
        assertEquals(9_000_000, st.lastDeliveryNanos(1));
        assertEquals(0, st.deliveries());
        assertEquals(0, st.raw().getTotalCount());

        st.sent(2, 10_000_000);
        st.delivered(2, 12_000_000); // measured: 2 ms
        assertEquals(1, st.deliveries());
        assertEquals(1, st.raw().getTotalCount());
        assertEquals(2_000, st.raw().getMaxValue(), 2);

        st.sent(3, 20_000_000);
        st.delivered(3, 370_000_000); // 350 ms late at a 100 ms interval: the sends it held back count too
        assertEquals(2, st.raw().getTotalCount());
        assertEquals(4, st.corrected().getTotalCount()); // 2 ms; 350, 250 and 150 ms
        assertEquals(350_000, st.corrected().getMaxValue(), 350);
    }
}
