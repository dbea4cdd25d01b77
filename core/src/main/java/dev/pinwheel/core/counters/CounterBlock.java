package dev.pinwheel.core.counters;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Counters of one type and one scope (a shard, a media loop), indexed by their id within the type: what one writer
 * updates. Allocated once in {@link NodeCounters}; updating one is one store into the values buffer, no allocation,
 * no lock.
 * <ul>
 *   <li>{@link #increment}, {@link #add}, {@link #set}: <b>the single writer only</b> (a plain read, then a store with
 *   release semantics: Aeron's {@code incrementRelease}, or {@code AtomicLongArray.lazySet});</li>
 *   <li>{@link #incrementConcurrent}, {@link #addConcurrent}, {@link #proposeMaxConcurrent}: any thread (an atomic
 *   add, a compare-and-set), for the few counters with several writers;</li>
 *   <li>{@link #get}: any thread (acquire read).</li>
 * </ul>
 */
public final class CounterBlock
{
    private final AtomicBuffer values;
    private final int[] offsets;
    private final int[] counterIds;

    /**
     * Allocates one counter per label; the id of each is its index in {@code labels}.
     *
     * @param counters the node's counters.
     * @param type     their {@link CounterTypes type id}.
     * @param scope    the shard, loop or collector they belong to.
     * @param labels   each counter's label (a Prometheus sample), by id.
     */
    public CounterBlock(final NodeCounters counters, final int type, final int scope, final String... labels)
    {
        this.values = counters.values();
        this.offsets = new int[labels.length];
        this.counterIds = new int[labels.length];
        for (int i = 0; i < labels.length; i++)
        {
            counterIds[i] = counters.allocate(type, scope, i, labels[i]);
            offsets[i] = NodeCounters.valueOffset(counterIds[i]);
        }
    }

    /**
     * @param id counter id within the block; single writer only.
     */
    public void increment(final int id)
    {
        values.addLongRelease(offsets[id], 1);
    }

    /**
     * @param id    counter id within the block; single writer only.
     * @param delta amount.
     */
    public void add(final int id, final long delta)
    {
        values.addLongRelease(offsets[id], delta);
    }

    /**
     * @param id    gauge id within the block; single writer only.
     * @param value the new level.
     */
    public void set(final int id, final long value)
    {
        values.putLongRelease(offsets[id], value);
    }

    /**
     * @param id counter id within the block; from any thread (atomic).
     */
    public void incrementConcurrent(final int id)
    {
        values.getAndAddLong(offsets[id], 1);
    }

    /**
     * @param id    counter id within the block; from any thread (atomic).
     * @param delta amount (negative: a gauge going down).
     */
    public void addConcurrent(final int id, final long delta)
    {
        values.getAndAddLong(offsets[id], delta);
    }

    /**
     * Raises a high-water mark to {@code value} if it is higher (Aeron's {@code AtomicCounter#proposeMax}).
     *
     * @param id    gauge id within the block; from any thread (compare-and-set).
     * @param value the candidate.
     */
    public void proposeMaxConcurrent(final int id, final long value)
    {
        long current;
        do
        {
            current = values.getLongVolatile(offsets[id]);
            if (value <= current)
            {
                return;
            }
        }
        while (!values.compareAndSetLong(offsets[id], current, value));
    }

    /**
     * @param id counter id within the block.
     * @return its value (any thread).
     */
    public long get(final int id)
    {
        return values.getLongAcquire(offsets[id]);
    }

    /**
     * @param id counter id within the block.
     * @return its id in the node's counters (for readers).
     */
    public int counterId(final int id)
    {
        return counterIds[id];
    }

    /**
     * @return counters in the block.
     */
    public int size()
    {
        return offsets.length;
    }
}
