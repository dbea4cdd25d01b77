package dev.pinwheel.core.log;

import java.util.concurrent.atomic.LongAdder;

/**
 * The node's log-line losses, process-wide like the logging system itself, readable from the metrics endpoint:
 * lines the asynchronous logger dropped because its queue was full (a shard thread never waits for the log), and
 * lines a {@link ThrottledLog} suppressed.
 */
public final class LogCounters
{
    private static final LongAdder DROPPED = new LongAdder();
    private static final LongAdder SUPPRESSED = new LongAdder();

    private LogCounters()
    {
    }

    /**
     * One line dropped by the logging back end (its queue was full). Safe from any thread, never blocks.
     */
    public static void dropped()
    {
        DROPPED.increment();
    }

    /**
     * @return lines dropped by the logging back end since the process started.
     */
    public static long droppedTotal()
    {
        return DROPPED.sum();
    }

    static void suppressed()
    {
        SUPPRESSED.increment();
    }

    /**
     * @return lines suppressed by rate-limited call sites since the process started.
     */
    public static long suppressedTotal()
    {
        return SUPPRESSED.sum();
    }
}
