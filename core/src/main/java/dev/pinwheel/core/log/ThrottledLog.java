package dev.pinwheel.core.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A rate limit for one log call site whose lines a client can trigger (a refused request, a failing task): at
 * most {@code lines} per {@code window}; past that, lines are counted instead of written, and the next admitted
 * line after the window is preceded by one summary {@code "<site>: suppressed K lines in the last N ms"}.
 * <pre>
 *   private static final ThrottledLog REFUSED = new ThrottledLog(LOG, Level.INFO, "voice refusals", 10, 1000);
 *   ...
 *   if (REFUSED.admit())
 *   {
 *       LOG.info("refused ...", ...);
 *   }
 * </pre>
 * Lock-free and allocation-free when a line is suppressed (a few atomic operations), so a flood costs the shard
 * thread almost nothing; shared safely by every shard thread. Suppressed lines are counted node-wide
 * ({@link LogCounters#suppressedTotal()}).
 */
public final class ThrottledLog
{
    private final Logger log;
    private final Level level;
    private final String site;
    private final int lines;
    private final long windowNanos;
    private final LongSupplier clock;
    private final AtomicLong windowStart;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param log          the logger the call site writes to (the summary goes there too).
     * @param level        the call site's level (the summary's level).
     * @param site         names the call site in the summary.
     * @param lines        lines admitted per window, &ge; 1.
     * @param windowMillis window length.
     */
    public ThrottledLog(final Logger log, final Level level, final String site, final int lines,
        final long windowMillis)
    {
        this(log, level, site, lines, windowMillis, System::nanoTime);
    }

    ThrottledLog(final Logger log, final Level level, final String site, final int lines, final long windowMillis,
        final LongSupplier nanoClock)
    {
        if (lines < 1 || windowMillis < 1)
        {
            throw new IllegalArgumentException("lines and windowMillis must be >= 1");
        }
        this.log = log;
        this.level = level;
        this.site = site;
        this.lines = lines;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.clock = nanoClock;
        this.windowStart = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * @return true if the caller may write its line now; false if it is suppressed (and counted).
     */
    public boolean admit()
    {
        final long now = clock.getAsLong();
        final long start = windowStart.get();
        if (now - start >= windowNanos && windowStart.compareAndSet(start, now))
        {
            admitted.set(0);
            final long k = suppressed.getAndSet(0);
            if (k > 0 && log.isEnabledForLevel(level))
            {
                log.atLevel(level).log("{}: suppressed {} lines in the last {} ms", site, k,
                    TimeUnit.NANOSECONDS.toMillis(now - start));
            }
        }
        if (admitted.incrementAndGet() <= lines)
        {
            return true;
        }
        suppressed.incrementAndGet();
        LogCounters.suppressed();
        return false;
    }

    /**
     * @return lines suppressed in the current window so far.
     */
    public long suppressedInWindow()
    {
        return suppressed.get();
    }
}
