package dev.pinwheel.benchmarks.abuse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.probe.ProbeSupport;

/**
 * What the normal client saw in one stretch of time: the messages it posted then (a message belongs to the window it
 * was posted in, whenever it is delivered), each delivery's latency from POST to MESSAGE_CREATE (HdrHistogram in µs,
 * raw and corrected for coordinated omission at the poster's fixed interval) and the status of every POST.
 * Written by the poster and by the client's event loop and HTTP threads; read once the window has drained.
 */
final class ChatWindow
{
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final String name;
    private final int index;
    private final long intervalMicros;
    private final long startNanos = System.nanoTime();
    private volatile long endNanos;
    private volatile int firstId = -1;
    private volatile int lastId = -1;
    private final ConcurrentHistogram raw = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final LongAdder posted = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final Map<String, String> firstBodies = new ConcurrentHashMap<>();

    /**
     * @param name           what happened in it.
     * @param index          its index in the client's list.
     * @param intervalMicros the poster's interval (for the correction).
     */
    ChatWindow(final String name, final int index, final long intervalMicros)
    {
        this.name = name;
        this.index = index;
        this.intervalMicros = Math.max(1, intervalMicros);
    }

    String name()
    {
        return name;
    }

    int index()
    {
        return index;
    }

    void posted(final int id)
    {
        if (firstId < 0)
        {
            firstId = id;
        }
        lastId = id;
        posted.increment();
    }

    void acknowledged()
    {
        acked.increment();
    }

    /**
     * @param status HTTP status other than 200, or -1 for a request that failed.
     * @param body   the answer's body or the failure's text (its first words name the failure).
     */
    void failed(final int status, final String body)
    {
        final String key = status < 0 ? "io: " + body.split(":", 2)[0] : Integer.toString(status);
        failures.computeIfAbsent(key, k -> new LongAdder()).increment();
        firstBodies.putIfAbsent(key, body.length() > 200 ? body.substring(0, 200) : body);
    }

    /**
     * @return the first body (or failure text) seen per failure kind.
     */
    Map<String, String> firstBodies()
    {
        return new TreeMap<>(firstBodies);
    }

    void delivered(final long micros)
    {
        final long v = Math.min(Math.max(0, micros), HIGHEST_MICROS);
        raw.recordValue(v);
    }

    void end()
    {
        if (endNanos == 0)
        {
            endNanos = System.nanoTime();
        }
    }

    int firstId()
    {
        return firstId;
    }

    int lastId()
    {
        return lastId;
    }

    long posted()
    {
        return posted.sum();
    }

    long acked()
    {
        return acked.sum();
    }

    /**
     * @return POSTs not answered 200 (failed requests included).
     */
    long errors()
    {
        long n = 0;
        for (final LongAdder a : failures.values())
        {
            n += a.sum();
        }
        return n;
    }

    Map<String, Long> failures()
    {
        final Map<String, Long> m = new TreeMap<>();
        failures.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    Histogram corrected()
    {
        // corrected when read, not per delivery: under an attack deliveries come late, and a correction at each
        // record added (latency / interval) records per delivery on the client's event loops
        return raw.copyCorrectedForCoordinatedOmission(intervalMicros);
    }

    Histogram raw()
    {
        return raw.copy();
    }

    double seconds()
    {
        return ((endNanos == 0 ? System.nanoTime() : endNanos) - startNanos) / 1e9;
    }

    /**
     * @param p percentile.
     * @return corrected latency at p in ms, or NaN without samples.
     */
    double correctedMs(final double p)
    {
        final Histogram corrected = corrected();
        return corrected.getTotalCount() == 0 ? Double.NaN : corrected.getValueAtPercentile(p) / 1000.0;
    }

    /**
     * @return the window for the JSON.
     */
    Map<String, Object> toMap()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("seconds", seconds());
        m.put("posted", posted());
        m.put("acknowledged", acked());
        m.put("errors", errors());
        m.put("failures", failures());
        m.put("first_failure_bodies", firstBodies());
        m.put("latency_corrected_ms", ProbeSupport.summary(corrected()));
        m.put("latency_raw_ms", ProbeSupport.summary(raw));
        return m;
    }
}
