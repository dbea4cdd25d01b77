package dev.pinwheel.core.store;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

/**
 * The health of one shard's store, in the node's {@link NodeCounters}: counters (type {@link CounterTypes#STORE})
 * {@code pinwheel_store_{damaged_records,repaired_headers,refused_writes}_total{shard="i"}} counted by the store on its
 * shard's thread, and the gauge (type {@link CounterTypes#STORE_GAUGE}) {@code pinwheel_store_writable{shard="i"}}
 * (1 while writes are accepted) sampled by the shard at every tick. The shard hands them to its store
 * ({@link ShardStore#bindCounters}) before recovery.
 */
public final class StoreCounters
{
    /** Records lost to damage found by recovery or a read. */
    public static final int DAMAGED_RECORDS = 0;
    /** Records recovered past a damaged header. */
    public static final int REPAIRED_HEADERS = 1;
    /** Writes refused before touching the journal. */
    public static final int REFUSED_WRITES = 2;

    private final CounterBlock counts;
    private final CounterBlock writable;

    /**
     * @param counters the node's counters.
     * @param shard    the store's shard.
     */
    public StoreCounters(final NodeCounters counters, final int shard)
    {
        final String s = "{shard=\"" + shard + "\"}";
        this.counts = new CounterBlock(counters, CounterTypes.STORE, shard,
            "pinwheel_store_damaged_records_total" + s, "pinwheel_store_repaired_headers_total" + s,
            "pinwheel_store_refused_writes_total" + s);
        this.writable = new CounterBlock(counters, CounterTypes.STORE_GAUGE, shard, "pinwheel_store_writable" + s);
        this.writable.set(0, 1);
    }

    /**
     * @return counters of a store no node counts (a store opened on its own: tools, tests).
     */
    public static StoreCounters standalone()
    {
        return new StoreCounters(NodeCounters.inMemory(4), 0);
    }

    /**
     * @param id counter id; the store's thread only.
     */
    public void increment(final int id)
    {
        counts.increment(id);
    }

    /**
     * @param id    counter id; the store's thread only.
     * @param delta amount.
     */
    public void add(final int id, final long delta)
    {
        counts.add(id, delta);
    }

    /**
     * @param id counter id.
     * @return its value (any thread).
     */
    public long get(final int id)
    {
        return counts.get(id);
    }

    /**
     * @param value whether the store accepts writes now; the shard's thread only.
     */
    public void writable(final boolean value)
    {
        writable.set(0, value ? 1 : 0);
    }
}
