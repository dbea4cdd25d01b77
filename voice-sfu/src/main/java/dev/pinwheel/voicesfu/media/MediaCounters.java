package dev.pinwheel.voicesfu.media;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

/**
 * Counters of the media plane: one block per loop in the node's counters (type {@link CounterTypes#MEDIA}, key
 * (loop, {@link MediaCounter} ordinal), label {@code pinwheel_voice_<counter>_total{loop="i"}}), each written by its
 * loop only (release stores, no contention), summed on read by any thread — in this process or from the counters
 * file.
 */
public final class MediaCounters
{
    private final CounterBlock[] perLoop;

    /**
     * Counters of a media plane outside any node (tests, benchmarks).
     *
     * @param loops number of media loops.
     */
    public MediaCounters(final int loops)
    {
        this(NodeCounters.inMemory(loops * MediaCounter.all().length), loops);
    }

    /**
     * @param counters the node's counters.
     * @param loops    number of media loops.
     */
    public MediaCounters(final NodeCounters counters, final int loops)
    {
        perLoop = new CounterBlock[loops];
        final MediaCounter[] all = MediaCounter.all();
        for (int i = 0; i < loops; i++)
        {
            final String[] labels = new String[all.length];
            for (int c = 0; c < all.length; c++)
            {
                labels[c] = "pinwheel_voice_" + all[c].name().toLowerCase(Locale.ROOT) + "_total{loop=\"" + i + "\"}";
            }
            perLoop[i] = new CounterBlock(counters, CounterTypes.MEDIA, i, labels);
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
        perLoop[loop].increment(counter.ordinal());
    }

    /**
     * @param counter counter.
     * @return its sum over all loops.
     */
    public long get(final MediaCounter counter)
    {
        long sum = 0;
        for (final CounterBlock b : perLoop)
        {
            sum += b.get(counter.ordinal());
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
