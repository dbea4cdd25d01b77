package dev.pinwheel.benchmarks.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

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

import dev.pinwheel.core.store.StoredMessage;

/**
 * The reads Discord clients make, on {@code messages} messages spread over {@code channels} channels: Pinwheel's
 * store vs SQLite (WAL, index on (channel_id, id)) in the same run, results materialised as objects.
 * <ul>
 *   <li>{@code latest50}: the newest 50 of a random channel (opening a channel).</li>
 *   <li>{@code before50}: 50 before a random message of a random channel (scrolling back).</li>
 *   <li>{@code getById}: one random message by id.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreReadBenchmark
{
    @Param({"pinwheel", "sqlite"})
    public String engine;

    @Param({"1000000"})
    public long messages;

    @Param({"100"})
    public int channels;

    private Path dir;
    private MessageStoreUnderTest store;
    private final SplittableRandom random = new SplittableRandom(42);

    @Setup(Level.Trial)
    public void load()
    {
        dir = BenchData.tempDir("pinwheel-read-" + engine);
        store = BenchData.open(engine, dir, "os");
        BenchData.load(store, messages, channels);
    }

    @TearDown(Level.Trial)
    public void close()
    {
        store.close();
        BenchData.deleteTree(dir);
    }

    @Benchmark
    public List<StoredMessage> latest50()
    {
        return store.latest(BenchData.FIRST_CHANNEL + random.nextInt(channels), 50);
    }

    @Benchmark
    public List<StoredMessage> before50()
    {
        final long i = random.nextLong(messages);
        return store.before(BenchData.channel(i, channels), BenchData.id(i), 50);
    }

    @Benchmark
    public StoredMessage getById()
    {
        final long i = random.nextLong(messages);
        return store.get(BenchData.channel(i, channels), BenchData.id(i));
    }
}
