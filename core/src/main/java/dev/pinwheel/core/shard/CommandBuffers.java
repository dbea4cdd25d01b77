package dev.pinwheel.core.shard;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * The buffers that carry typed commands' bytes through one shard's inbox ring. A producer (any thread) takes one when it
 * claims a slot, the shard gives it back once the command ran; so the buffers in use are the commands in flight, not
 * the slots a ring ever passed through.
 * <p>
 * Before (issue 14), each of the ring's 65,536 slots kept the buffer of the first command through it: ≈ 300 bytes of
 * heap per slot once the ring had wrapped, ≈ 20 MB per shard, and in the capacity probe ≈ 300 bytes per idle session,
 * since every session's connect reached slots never used before. Now a shard keeps at most {@link #SPARE} buffers
 * (≈ 1.2 MB); a burst with more commands in flight allocates the extra ones, which are dropped as they come back.
 * Each allocation is counted ({@link ShardCounters#INBOX_BUFFERS_ALLOCATED}).
 */
final class CommandBuffers
{
    /** Buffers kept between commands: more than a shard's inbox holds in flight outside connect storms and bursts. */
    static final int SPARE = 4096;
    /** A buffer is made at least this big (a typical command fits). */
    static final int INITIAL_BYTES = 256;
    /**
     * A buffer bigger than this is not kept: a rare big command (a guild's GUILD_CREATE travelling to a session's
     * shard, ≈ 1.3 KB for a small guild) would otherwise leave spares of its size.
     */
    static final int MAX_RETAINED_BYTES = 1024;

    private final ManyToManyConcurrentArrayQueue<ExpandableArrayBuffer> spare =
        new ManyToManyConcurrentArrayQueue<>(SPARE);
    private final ShardCounters counters;

    /**
     * @param counters where allocations are counted (null: not counted).
     */
    CommandBuffers(final ShardCounters counters)
    {
        this.counters = counters;
    }

    /**
     * @param capacity bytes the command needs.
     * @return a buffer with room for them (any thread).
     */
    ExpandableArrayBuffer take(final int capacity)
    {
        final ExpandableArrayBuffer b = spare.poll();
        if (b == null)
        {
            if (counters != null)
            {
                counters.incrementConcurrent(ShardCounters.INBOX_BUFFERS_ALLOCATED);
            }
            return new ExpandableArrayBuffer(Math.max(INITIAL_BYTES, capacity));
        }
        if (b.capacity() < capacity)
        {
            b.checkLimit(capacity);
        }
        return b;
    }

    /**
     * @param b a buffer whose command ran (the shard thread).
     */
    void giveBack(final ExpandableArrayBuffer b)
    {
        if (b.capacity() <= MAX_RETAINED_BYTES)
        {
            spare.offer(b); // false when SPARE are kept already: dropped
        }
    }

    /** @return buffers kept now. */
    int spares()
    {
        return spare.size();
    }
}
