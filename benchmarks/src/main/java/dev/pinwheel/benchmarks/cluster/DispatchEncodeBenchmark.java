package dev.pinwheel.benchmarks.cluster;

import java.util.concurrent.TimeUnit;

import org.agrona.ExpandableArrayBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.pinwheel.benchmarks.fanout.MessageCreateSample;
import dev.pinwheel.cluster.DispatchFlyweight;
import dev.pinwheel.cluster.LinkFrameFlyweight;
import dev.pinwheel.core.fanout.Dispatch;

/**
 * What the owner shard spends framing one MESSAGE_CREATE (with its redacted variant, about 700 bytes) for the other
 * {@code nodes - 1} nodes of a cluster, before the offers: {@code perNode} is how {@code NodeLink.offerDispatch} did it
 * until 2026-12-06 (for each node: the exact length, which compares the body with its variant, then the encoding, which
 * compares them again); {@code once} is how it does it now (room from a bound that compares nothing, one encoding per
 * event, then only each node's header).
 * <pre>
 *   benchmarks/run.sh jmh DispatchEncodeBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchEncodeBenchmark
{
    @Param({"2", "6"})
    public int nodes;

    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(2048);
    private Dispatch[] events;
    private int next;

    @Setup
    public void build()
    {
        events = new Dispatch[64]; // distinct events: nothing carried over between invocations
        for (int i = 0; i < events.length; i++)
        {
            events[i] = MessageCreateSample.of(81_384_788_765_712_384L + i, "hello from the benchmark, message " + i
                + ": a sentence or two of ordinary chat text, as most messages are").dispatch();
        }
    }

    /**
     * @return bytes framed (consumed by JMH).
     */
    @Benchmark
    public int perNode()
    {
        final Dispatch d = events[next++ & (events.length - 1)];
        int bytes = 0;
        for (int node = 1; node < nodes; node++)
        {
            LinkFrameFlyweight.putHeader(frame, 0, LinkFrameFlyweight.DISPATCH, 0, node);
            frame.checkLimit(LinkFrameFlyweight.HEADER_LENGTH + DispatchFlyweight.length(d));
            bytes += DispatchFlyweight.encode(d, frame, LinkFrameFlyweight.HEADER_LENGTH);
        }
        return bytes;
    }

    /**
     * @return bytes framed (consumed by JMH).
     */
    @Benchmark
    public int once()
    {
        final Dispatch d = events[next++ & (events.length - 1)];
        frame.checkLimit(LinkFrameFlyweight.HEADER_LENGTH + DispatchFlyweight.maxLength(d));
        final int n = DispatchFlyweight.encode(d, frame, LinkFrameFlyweight.HEADER_LENGTH);
        int bytes = 0;
        for (int node = 1; node < nodes; node++)
        {
            LinkFrameFlyweight.putHeader(frame, 0, LinkFrameFlyweight.DISPATCH, 0, node);
            bytes += n;
        }
        return bytes;
    }
}
