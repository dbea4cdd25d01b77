package dev.pinwheel.core.routing;

import dev.pinwheel.core.store.RingPublisher;

/**
 * The node's current {@link RoutingRing} behind one volatile reference: readers never lock, a change
 * builds a new snapshot, publishes it (so other processes on the host see it) and swaps.
 */
public final class RoutingTable
{
    private volatile RoutingRing ring;
    private final RingPublisher publisher;

    /**
     * @param initial   the first ring.
     * @param publisher where to publish every snapshot (may be a no-op).
     */
    public RoutingTable(final RoutingRing initial, final RingPublisher publisher)
    {
        this.publisher = publisher;
        swap(initial);
    }

    /**
     * @return the current snapshot.
     */
    public RoutingRing ring()
    {
        return ring;
    }

    /**
     * @param key guild or user id.
     * @return owning shard on its node.
     */
    public int shardOf(final long key)
    {
        return ring.shardOf(key);
    }

    /**
     * Publishes and installs a new ring.
     *
     * @param next the new snapshot.
     */
    public void swap(final RoutingRing next)
    {
        publisher.publish(next.version(), next.points(), next.owners());
        ring = next;
    }
}
