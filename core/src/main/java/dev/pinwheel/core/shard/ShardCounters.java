package dev.pinwheel.core.shard;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

/**
 * Named counters of one shard, in the node's {@link NodeCounters} (type {@link CounterTypes#SHARD}, key (shard, id),
 * label {@code pinwheel_shard_<name>_total{shard="i"}}): written by the shard thread with {@link #increment} and
 * {@link #add} (a release store, no lock), by other threads with {@link #incrementConcurrent}; read by anyone, in
 * this process or from the counters file. Ids are stable: add new ones at the end.
 */
public final class ShardCounters
{
    /** Commands and fanouts taken from the inbox ring. */
    public static final int INBOX_EVENTS = 0;
    /** Events delivered to local sessions. */
    public static final int DELIVERIES = 1;
    /** Fanout hand-offs published to other shards. */
    public static final int HANDOFFS_OUT = 2;
    /** Hand-offs that found the target ring full and went to the overflow queue. */
    public static final int HANDOFFS_DEFERRED = 3;
    /** Hand-offs dropped because the overflow queue to a shard was full. */
    public static final int HANDOFFS_DROPPED = 4;
    /** Requests refused because this shard's ring was full (from a non-shard producer). */
    public static final int INBOX_REFUSED = 5;
    /** Tasks, acknowledgements, fanouts and tickers that threw (store refusals included). */
    public static final int TASK_ERRORS = 6;
    /** Duty cycles that did work. */
    public static final int BUSY_CYCLES = 7;
    /** Nanoseconds spent in duty cycles that did work. */
    public static final int BUSY_NANOS = 8;
    /** Sessions closed because their socket stayed unwritable. */
    public static final int SLOW_CONSUMER_CLOSES = 9;
    /** Gateway sessions closed with an error close code. */
    public static final int PROTOCOL_CLOSES = 10;
    /** Requests refused by a rate limit. */
    public static final int RATE_LIMITED = 11;
    /** Tasks whose write the store refused before touching its journal (disk full, faulted, closed). */
    public static final int STORE_REFUSED = 12;
    /** Commands and tasks parked because a read had to wait for the database (asynchronous stores). */
    public static final int READS_PARKED = 13;
    /** Buffers made for typed commands' bytes because none was spare ({@link CommandBuffers}). */
    public static final int INBOX_BUFFERS_ALLOCATED = 14;

    private static final String[] NAMES = {
        "inbox_events", "deliveries", "handoffs_out", "handoffs_deferred", "handoffs_dropped", "inbox_refused",
        "task_errors", "busy_cycles", "busy_nanos", "slow_consumer_closes", "protocol_closes", "rate_limited",
        "store_refused", "reads_parked", "inbox_buffers_allocated",
    };

    private final CounterBlock values;

    /**
     * @param counters the node's counters.
     * @param shard    the shard.
     */
    public ShardCounters(final NodeCounters counters, final int shard)
    {
        final String[] labels = new String[NAMES.length];
        for (int i = 0; i < labels.length; i++)
        {
            labels[i] = "pinwheel_shard_" + NAMES[i] + "_total{shard=\"" + shard + "\"}";
        }
        this.values = new CounterBlock(counters, CounterTypes.SHARD, shard, labels);
    }

    /**
     * @param id counter id; shard thread only.
     */
    public void increment(final int id)
    {
        values.increment(id);
    }

    /**
     * @param id    counter id; shard thread only.
     * @param delta amount.
     */
    public void add(final int id, final long delta)
    {
        values.add(id, delta);
    }

    /**
     * Increment from any thread.
     *
     * @param id counter id.
     */
    public void incrementConcurrent(final int id)
    {
        values.incrementConcurrent(id);
    }

    /**
     * @param id counter id.
     * @return current value.
     */
    public long get(final int id)
    {
        return values.get(id);
    }

    /**
     * @return counter count.
     */
    public static int size()
    {
        return NAMES.length;
    }

    /**
     * @param id counter id.
     * @return stable name.
     */
    public static String name(final int id)
    {
        return NAMES[id];
    }
}
