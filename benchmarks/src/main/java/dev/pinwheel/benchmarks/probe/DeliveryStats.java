package dev.pinwheel.benchmarks.probe;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the probe measures, written by the poster (send times) and by the client's event loops (deliveries).
 * Latencies are recorded in microseconds; {@code System.nanoTime()} of send and receive come from this one
 * process, so they compare.
 * <pre>
 *   poster:      sent(id)            sendNanos[id] = now
 *   event loop:  delivered(id, now)  latency = now - sendNanos[id] ─▶ raw histogram
 *                                                                     (corrected for coordinated omission with the
 *                                                                     expected interval when read, not per delivery)
 *                                    received[id]++, lastNanos[id] = max(.., now)
 *   at the end:  per message with every recipient: time to last delivery = lastNanos - sendNanos
 * </pre>
 */
public final class DeliveryStats
{
    /** Highest latency the histograms track: 10 minutes in microseconds. */
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final int messages;
    private final long expectedIntervalMicros;
    private final AtomicLongArray sendNanos;
    private final AtomicIntegerArray received;
    private final AtomicLongArray lastNanos;
    private final AtomicLongArray firstNanos;
    private final ConcurrentHistogram raw = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final ConcurrentHistogram identify = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final ConcurrentHistogram identifyToReady = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final ConcurrentHistogram identifyToGuild = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder overtaken = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private volatile DeliveryListener listener;
    /** Deliveries of lower ids update their message's counts only ({@link #countFrom}). */
    private volatile int firstCounted;

    /** Sees every delivery that is recorded (for probes that slice a run into windows). */
    @FunctionalInterface
    public interface DeliveryListener
    {
        /**
         * Called on the client's event loop threads.
         *
         * @param id            message id.
         * @param latencyMicros POST to frame read, µs.
         */
        void delivered(int id, long latencyMicros);
    }

    /**
     * @param messages          messages the poster will send (ids 0..messages-1).
     * @param sendIntervalNanos the poster's fixed interval between messages.
     */
    public DeliveryStats(final int messages, final long sendIntervalNanos)
    {
        this.messages = messages;
        this.expectedIntervalMicros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(sendIntervalNanos));
        this.sendNanos = new AtomicLongArray(messages);
        this.received = new AtomicIntegerArray(messages);
        this.lastNanos = new AtomicLongArray(messages);
        this.firstNanos = new AtomicLongArray(messages);
    }

    /**
     * @param l called for each recorded delivery from now on (null: none).
     */
    public void listener(final DeliveryListener l)
    {
        listener = l;
    }

    /**
     * @return messages the poster sends.
     */
    public int messages()
    {
        return messages;
    }

    /**
     * Records the instant a message leaves the poster.
     *
     * @param id        message id.
     * @param nanoTime  {@code System.nanoTime()} just before the request is handed to the HTTP client.
     */
    public void sent(final int id, final long nanoTime)
    {
        sendNanos.set(id, nanoTime);
    }

    /**
     * @param id message id.
     * @return {@code System.nanoTime()} of its first recorded delivery, or 0.
     */
    public long firstDeliveryNanos(final int id)
    {
        return firstNanos.get(id);
    }

    /**
     * @param id message id.
     * @return its send time, or 0 if not sent.
     */
    public long sendNanos(final int id)
    {
        return sendNanos.get(id);
    }

    /**
     * Records one session receiving one message. Called on the client's event loop threads.
     *
     * @param id        message id parsed from the content.
     * @param nanoTime  when the frame was read.
     */
    public void delivered(final int id, final long nanoTime)
    {
        final long sent = id >= 0 && id < messages ? sendNanos.get(id) : 0;
        if (sent == 0)
        {
            unknown.increment();
            return;
        }
        final long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanoTime - sent));
        if (id < firstCounted)
        {
            received.incrementAndGet(id); // a warm-up message late (its run's figures were reset)
            lastNanos.accumulateAndGet(id, nanoTime, Math::max);
            return;
        }
        raw.recordValue(Math.min(micros, HIGHEST_MICROS));
        deliveries.increment();
        received.incrementAndGet(id);
        lastNanos.accumulateAndGet(id, nanoTime, Math::max);
        firstNanos.accumulateAndGet(id, nanoTime, (a, b) -> a == 0 || b - a < 0 ? b : a);
        final DeliveryListener l = listener;
        if (l != null)
        {
            l.delivered(id, micros);
        }
    }

    /**
     * Ends a warm-up: the messages below {@code first} went through the same path as the measured ones (so that
     * the client's code for them is compiled before the measured phase, the same for every system a probe compares,
     * whichever runs first), and now the latency histograms and the counters start again from zero; a late delivery
     * of a warm-up message only counts for its message. Call once, between the warm-up and the measured messages.
     *
     * @param first the first measured message id.
     */
    public void countFrom(final int first)
    {
        firstCounted = first;
        raw.reset();
        deliveries.reset();
        unknown.reset();
        outOfOrder.reset();
        overtaken.reset();
        duplicates.reset();
    }

    /**
     * Counts a message a session received twice (not recorded again).
     */
    public void countDuplicate()
    {
        duplicates.increment();
    }

    /**
     * Counts a message whose snowflake is lower than one the session received before it: the session saw the
     * guild's events in another order than the owner shard produced them (breaks a firm invariant).
     */
    public void countOutOfServerOrder()
    {
        outOfOrder.increment();
    }

    /**
     * Counts a message with a lower probe id than one the session received before it: the posts overtook each
     * other on their way to the owner shard (the poster does not wait for replies; not a server fault).
     */
    public void countOvertaken()
    {
        overtaken.increment();
    }

    /**
     * @param micros time from starting a connection to its GUILD_CREATE.
     */
    public void identified(final long micros)
    {
        identify.recordValue(Math.min(Math.max(0, micros), HIGHEST_MICROS));
    }

    /**
     * @param micros time from writing IDENTIFY to reading READY.
     */
    public void readyAfterIdentify(final long micros)
    {
        identifyToReady.recordValue(Math.min(Math.max(0, micros), HIGHEST_MICROS));
    }

    /**
     * @param micros time from writing IDENTIFY to reading the GUILD_CREATE that follows READY.
     */
    public void guildAfterIdentify(final long micros)
    {
        identifyToGuild.recordValue(Math.min(Math.max(0, micros), HIGHEST_MICROS));
    }

    /**
     * @return IDENTIFY-to-READY time per session, µs.
     */
    public Histogram identifyToReady()
    {
        return identifyToReady.copy();
    }

    /**
     * @return IDENTIFY-to-GUILD_CREATE time per session, µs.
     */
    public Histogram identifyToGuild()
    {
        return identifyToGuild.copy();
    }

    /**
     * @param id message id.
     * @return sessions that received it so far.
     */
    public int received(final int id)
    {
        return received.get(id);
    }

    /**
     * @param id message id.
     * @return when its last delivery so far was read, or 0.
     */
    public long lastDeliveryNanos(final int id)
    {
        return lastNanos.get(id);
    }

    /**
     * @return deliveries recorded.
     */
    public long deliveries()
    {
        return deliveries.sum();
    }

    /**
     * @return frames whose id was never sent (should be 0).
     */
    public long unknown()
    {
        return unknown.sum();
    }

    /**
     * @return deliveries out of the owner's production order, by snowflake (must be 0).
     */
    public long outOfOrder()
    {
        return outOfOrder.sum();
    }

    /**
     * @return deliveries of a message posted before one the session had already received.
     */
    public long overtaken()
    {
        return overtaken.sum();
    }

    /**
     * @return repeated deliveries (should be 0).
     */
    public long duplicates()
    {
        return duplicates.sum();
    }

    /**
     * @return per-delivery latency from the actual send, µs, as measured.
     */
    public Histogram raw()
    {
        return raw.copy();
    }

    /**
     * @return per-delivery latency, µs, corrected for coordinated omission with the send interval: computed from the
     *         raw histogram when asked (the same figures as a correction at each record, which did the correction's
     *         work on the client's event loops for every late delivery — tens of records per delivery in a burst, and
     *         thousands once a server fell seconds behind, so that the client's own correction overloaded it)
     */
    public Histogram corrected()
    {
        return raw.copyCorrectedForCoordinatedOmission(expectedIntervalMicros);
    }

    /**
     * @return connect-to-GUILD_CREATE time per session, µs.
     */
    public Histogram identify()
    {
        return identify.copy();
    }

    /**
     * @return the send interval in µs used for the correction.
     */
    public long expectedIntervalMicros()
    {
        return expectedIntervalMicros;
    }
}
