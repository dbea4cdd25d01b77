package dev.pinwheel.voicesfu.media;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of the media plane: one {@link AtomicLongArray} per loop, each written by its loop only (ordered
 * writes, no contention), summed on read by any thread.
 */
public final class MediaCounters
{
    private final AtomicLongArray[] perLoop;

    /**
     * @param loops number of media loops.
     */
    public MediaCounters(final int loops)
    {
        perLoop = new AtomicLongArray[loops];
        for (int i = 0; i < loops; i++)
        {
            perLoop[i] = new AtomicLongArray(MediaCounter.all().length);
        }
    }

    /**
     * Increments a counter of loop {@code loop}; only that loop's thread may call this.
     *
     * @param loop    loop index.
     * @param counter counter.
     */
    public void increment(final int loop, final MediaCounter counter)
    {
        final AtomicLongArray a = perLoop[loop];
        final int i = counter.ordinal();
        a.lazySet(i, a.get(i) + 1);
    }

    /**
     * @param counter counter.
     * @return its sum over all loops.
     */
    public long get(final MediaCounter counter)
    {
        long sum = 0;
        for (final AtomicLongArray a : perLoop)
        {
            sum += a.get(counter.ordinal());
        }
        return sum;
    }

    /**
     * @return a snapshot of every counter.
     */
    public Map<MediaCounter, Long> snapshot()
    {
        final EnumMap<MediaCounter, Long> m = new EnumMap<>(MediaCounter.class);
        for (final MediaCounter c : MediaCounter.all())
        {
            m.put(c, get(c));
        }
        return m;
    }
}
