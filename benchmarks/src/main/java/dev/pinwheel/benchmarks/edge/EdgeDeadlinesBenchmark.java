package dev.pinwheel.benchmarks.edge;

import java.util.concurrent.TimeUnit;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.pinwheel.gateway.node.EdgeConfig;
import dev.pinwheel.gateway.edge.EdgeConnection;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.edge.EdgeDeadlines;

/**
 * What the edge deadlines cost a shard: one 50 ms tick over {@code connections} watched HTTP connections, none of
 * which is due (the steady state: deadlines are seconds long, a tick finds nothing almost always). A tick scans a
 * fifth of the deadline array, so a shard pays {@code 20 × score} per second for all its connections; compare with
 * one scheduled timer task per connection (a task object, a heap insertion and removal per request).
 * <pre>
 *   benchmarks/run.sh jmh EdgeDeadlinesBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EdgeDeadlinesBenchmark
{
    @Param({"1000", "20000"})
    public int connections;

    private final EdgeDeadlines deadlines = new EdgeDeadlines();
    private EmbeddedChannel[] channels;

    @Setup(Level.Trial)
    public void open()
    {
        final EdgeConfig config = new EdgeConfig().firstRequestTimeoutMillis((int)TimeUnit.HOURS.toMillis(1));
        final EdgeCounters counters = new EdgeCounters();
        channels = new EmbeddedChannel[connections];
        for (int i = 0; i < connections; i++)
        {
            final EdgeConnection edge = new EdgeConnection(deadlines, config, counters);
            channels[i] = new EmbeddedChannel(edge.bytes(), new HttpServerCodec(), edge);
        }
        if (deadlines.size() != connections)
        {
            throw new IllegalStateException("watched " + deadlines.size());
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        for (final EmbeddedChannel ch : channels)
        {
            ch.finishAndReleaseAll();
        }
    }

    /**
     * @return connections found due (0).
     */
    @Benchmark
    public int tick()
    {
        return deadlines.tick(System.nanoTime());
    }
}
