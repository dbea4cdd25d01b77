package dev.pinwheel.core.store;

/**
 * Whether a node may still send the writes of what it owns to a store other nodes share (Cassandra). A node whose
 * ownership lapsed — stalled, or cut off, past its lease — may have been declared lost, and its keys taken over by
 * others who read the store without its pending writes; a write of its sent after that (a driver's timed-out write
 * sent again on resuming from a stall) would land over theirs: a post written twice. So an asynchronous store holds its
 * writes while {@link #mayWrite()} is false, and abandons — never sends — those issued before the node was last
 * declared lost ({@link #term()} changed since): their acknowledgements fail (503), and the node's copies of what they
 * changed were released with its keys.
 * <p>
 * <b>Thread safety:</b> any thread; must not block.
 */
public interface WriteFence
{
    /** No fence: a single node, or a store no other node writes to. */
    WriteFence NONE = new WriteFence()
    {
        @Override
        public long term()
        {
            return 0;
        }

        @Override
        public boolean mayWrite()
        {
            return true;
        }
    };

    /**
     * @return a number that changes each time this node was declared lost (an epoch without it was reached).
     */
    long term();

    /**
     * @return whether this node may send writes now: it owns what it holds (its lease holds, it routes by the newest
     *         epoch it reached).
     */
    boolean mayWrite();
}
