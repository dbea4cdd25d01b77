package dev.pinwheel.storage;

/**
 * A routing ring as published: build a core {@code RoutingRing} from it with {@code RoutingRing.of(...)}.
 * The arrays are fresh copies owned by the caller (record equality compares array references).
 *
 * @param version ring version.
 * @param points  sorted hash points.
 * @param owners  owner ({@code node << 16 | shard}) of each point.
 */
public record RingSnapshot(long version, long[] points, int[] owners)
{
}
