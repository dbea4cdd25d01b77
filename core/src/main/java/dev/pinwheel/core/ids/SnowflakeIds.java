package dev.pinwheel.core.ids;

/**
 * Discord-layout snowflake ids, generated without coordination by one thread (a shard):
 * <pre>
 *  63                    22 21    17 16    12 11          0
 * +------------------------+--------+--------+-------------+
 * | ms since 2015-01-01    | worker | process| increment   |
 * +------------------------+--------+--------+-------------+
 * </pre>
 * Worker = node, process = shard. Ids never go backwards: if the wall clock steps back, the generator
 * keeps using the last timestamp it issued, and when 4096 ids were issued in one millisecond it borrows
 * the next millisecond. <b>Not thread-safe</b>: one instance per shard thread.
 */
public final class SnowflakeIds
{
    /** 2015-01-01T00:00:00Z, Discord's epoch. */
    public static final long DISCORD_EPOCH_MILLIS = 1_420_070_400_000L;
    static final int INCREMENT_BITS = 12;
    static final int PROCESS_SHIFT = 12;
    static final int WORKER_SHIFT = 17;
    static final int TIMESTAMP_SHIFT = 22;
    static final long MAX_INCREMENT = (1L << INCREMENT_BITS) - 1;

    /** Source of wall-clock millis, replaceable in tests. */
    @FunctionalInterface
    public interface Clock
    {
        /**
         * @return epoch millis.
         */
        long millis();
    }

    private final long workerAndProcess;
    private final Clock clock;
    private long lastMillis;
    private long increment;

    /**
     * @param worker  node id, 0..31.
     * @param process shard id, 0..31.
     */
    public SnowflakeIds(final int worker, final int process)
    {
        this(worker, process, System::currentTimeMillis);
    }

    /**
     * @param worker  node id, 0..31.
     * @param process shard id, 0..31.
     * @param clock   wall clock.
     */
    public SnowflakeIds(final int worker, final int process, final Clock clock)
    {
        if (worker < 0 || worker > 31 || process < 0 || process > 31)
        {
            throw new IllegalArgumentException("worker and process must be 0..31: " + worker + ", " + process);
        }
        this.workerAndProcess = ((long)worker << WORKER_SHIFT) | ((long)process << PROCESS_SHIFT);
        this.clock = clock;
    }

    /**
     * @return a new id, strictly greater than every id this instance returned before.
     */
    public long next()
    {
        final long now = clock.millis() - DISCORD_EPOCH_MILLIS;
        if (now > lastMillis)
        {
            lastMillis = now;
            increment = 0;
        }
        else if (++increment > MAX_INCREMENT)
        {
            lastMillis++;
            increment = 0;
        }
        return (lastMillis << TIMESTAMP_SHIFT) | workerAndProcess | increment;
    }

    /**
     * @param id a snowflake.
     * @return its creation time in epoch millis.
     */
    public static long timestampMillis(final long id)
    {
        return (id >>> TIMESTAMP_SHIFT) + DISCORD_EPOCH_MILLIS;
    }

    /**
     * @param id        a snowflake (or anything: ≤ 0 is none).
     * @param nowMillis the time now, epoch millis.
     * @param millis    how recent.
     * @return whether the id was made within {@code millis} before now (or up to 5 s after: clocks of two nodes differ).
     */
    public static boolean madeWithin(final long id, final long nowMillis, final long millis)
    {
        if (id <= 0)
        {
            return false;
        }
        final long made = timestampMillis(id);
        return nowMillis - made < millis && made - nowMillis < 5_000;
    }

    /**
     * @param epochMillis a time.
     * @return the smallest snowflake of that millisecond (for time-based queries).
     */
    public static long fromTimestamp(final long epochMillis)
    {
        return Math.max(0, epochMillis - DISCORD_EPOCH_MILLIS) << TIMESTAMP_SHIFT;
    }

    /**
     * @param id a snowflake.
     * @return the worker (node) that generated it.
     */
    public static int worker(final long id)
    {
        return (int)((id >>> WORKER_SHIFT) & 31);
    }

    /**
     * @param id a snowflake.
     * @return the process (shard) that generated it.
     */
    public static int process(final long id)
    {
        return (int)((id >>> PROCESS_SHIFT) & 31);
    }
}
