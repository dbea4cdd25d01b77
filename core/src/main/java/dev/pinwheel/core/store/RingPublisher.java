package dev.pinwheel.core.store;

/**
 * Publishes the routing ring (sorted points and their owners) so that other processes on the host, and a
 * restarted node, read the same ring without a round trip. Implemented over Chronicle Map in storage.
 */
public interface RingPublisher extends AutoCloseable
{
    /**
     * Publishes a ring snapshot, replacing the previous one.
     *
     * @param version monotonically increasing ring version.
     * @param points  sorted hash points.
     * @param owners  owner (node &lt;&lt; 16 | shard) of each point.
     */
    void publish(long version, long[] points, int[] owners);

    @Override
    default void close()
    {
    }
}
