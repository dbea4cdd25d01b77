package dev.pinwheel.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest
{
    @Test
    void bucketsAreInclusiveUpperBoundsWithAnOverflow()
    {
        final LatencyHistogram h = new LatencyHistogram();
        h.record(-5);            // counts as 0: first bucket
        h.record(1_000);         // exactly 1 µs: first bucket
        h.record(1_001);         // second bucket (2 µs)
        h.record(3_000_000);     // 5 ms bucket
        h.record(2_000_000_000); // past 1 s: overflow
        assertEquals(2, h.cumulative(0));
        assertEquals(3, h.cumulative(1));
        final int fiveMs = 11;
        assertEquals(5_000_000, LatencyHistogram.upperNanos(fiveMs));
        assertEquals(3, h.cumulative(fiveMs - 1));
        assertEquals(4, h.cumulative(fiveMs));
        assertEquals(4, h.cumulative(LatencyHistogram.buckets() - 1));
        assertEquals(5, h.cumulative(LatencyHistogram.buckets()));
        assertEquals(5, h.count());
        assertEquals(1_000 + 1_001 + 3_000_000 + 2_000_000_000L, h.sumNanos());
        assertEquals(0, h.lastWindowMaxNanos());
        h.rollWindow();
        assertEquals(2_000_000_000L, h.lastWindowMaxNanos());
        h.record(10);
        h.rollWindow();
        assertEquals(10, h.lastWindowMaxNanos());
    }

    @Test
    void prometheusTextEscapesLabelsAndFormatsNumbers()
    {
        final String text = new PrometheusText()
            .family("m", "gauge", "help with \\ and\nnewline")
            .sample("m", new String[] {"a", "q\"uote\\back\nnl", "b", "x"}, 3)
            .sample("m", 0.25)
            .sample("m", Double.NaN)
            .sample("m", Double.POSITIVE_INFINITY)
            .toString();
        assertEquals("""
            # HELP m help with \\\\ and\\nnewline
            # TYPE m gauge
            m{a="q\\"uote\\\\back\\nnl",b="x"} 3
            m 0.25
            m NaN
            m +Inf
            """, text);
    }

    @Test
    void onlyPagesAndFlatAssetNamesAreFiles()
    {
        assertEquals("index.html", WebEdge.page("/"));
        assertEquals("dashboard.html", WebEdge.page("/dashboard"));
        assertEquals("assets/app.js", WebEdge.page("/assets/app.js"));
        assertEquals(null, WebEdge.page("/assets/a/b.js"));
        assertEquals(null, WebEdge.page("/metrics"));
        assertEquals(null, WebEdge.page("/other"));
    }
}
