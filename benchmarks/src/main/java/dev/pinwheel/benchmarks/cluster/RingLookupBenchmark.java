package dev.pinwheel.benchmarks.cluster;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;

/**
 * The owner lookup every command pays ({@code ShardGroup#ownerOf}: one volatile read of the ring epoch's immutable
 * snapshot, then a binary search over its points; during a handover a second search for the keys that may move), on a cluster's ring of {@code nodes × shards × 128} points; and the
 * same lookup while another thread swaps ring epochs as fast as it can (readers never lock, never retry).
 * <pre>
 *   flock /tmp/jmh.lock benchmarks/run.sh jmh RingLookupBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RingLookupBenchmark
{
    @Param({"3", "6"})
    public int nodes;

    @Param({"2"})
    public int shards;

    private RoutingTable table;
    private RoutingRing all;
    private RoutingRing withoutOne;
    private RoutingRing handover;
    private final long[] keys = new long[1024];
    private int next;
    private boolean flip;

    @Setup
    public void build()
    {
        all = RoutingRing.build(1, nodes, shards, RoutingRing.DEFAULT_VIRTUAL_NODES);
        withoutOne = RoutingRing.buildLive(2, (1 << nodes) - 1 & ~2, shards, RoutingRing.DEFAULT_VIRTUAL_NODES);
        table = new RoutingTable(all, (v, p, o) -> { });
        handover = all.inHandover(withoutOne, 0);
        long id = 1_300_000_000_000_000_000L;
        for (int i = 0; i < keys.length; i++)
        {
            id += 4_194_304L * (1 + (i * 7919 % 97)); // snowflakes a few milliseconds apart
            keys[i] = id;
        }
    }

    /**
     * @return the owner of the next key.
     */
    @Benchmark
    public int ownerOf()
    {
        return table.ring().route(keys[next++ & 1023]);
    }

    /**
     * @return the route of the next key while a handover runs (a third of the keys moving: two lookups for those).
     */
    @Benchmark
    public int ownerOfDuringHandover()
    {
        return handover.route(keys[next++ & 1023]);
    }

    /**
     * @return the owner of the next key, while {@link #swapEpochs} swaps.
     */
    @Benchmark
    @Group("swapping")
    @GroupThreads(1)
    public int ownerOfWhileSwapping()
    {
        return table.ring().route(keys[next++ & 1023]);
    }

    /**
     * One epoch change after another (publishing to nobody): the writer side of the lookup.
     *
     * @param bh keeps the loop honest.
     */
    @Benchmark
    @Group("swapping")
    @GroupThreads(1)
    public void swapEpochs(final Blackhole bh)
    {
        flip = !flip;
        table.swap(flip ? withoutOne : all);
        Blackhole.consumeCPU(200);
        bh.consume(flip);
    }
}
