package dev.pinwheel.benchmarks.storage;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.pinwheel.core.store.StoredMessage;

/**
 * Appending a ~100-byte message until it is durable at the level: Pinwheel's store vs SQLite (WAL) doing the same
 * work, in the same run.
 * <ul>
 *   <li>{@code append}: one message, acknowledged alone. {@code os}: Pinwheel returns once the record is in the
 *   mapped journal and indexed; SQLite commits with {@code synchronous=NORMAL}. {@code sync}: Pinwheel appends and
 *   commits (one fdatasync) per message; SQLite commits with {@code synchronous=FULL}.</li>
 *   <li>{@code appendBatch16}: 16 messages acknowledged together (Pinwheel's group commit per duty-cycle batch;
 *   one SQLite transaction), reported per message.</li>
 * </ul>
 * {@code idle=true}: between two timed invocations the store gets the idle call a shard makes when its duty cycle
 * runs out of work (untimed, {@code Level.Invocation}) — the case of a server whose appends arrive spaced, not
 * back to back. Sample mode: JMH reports p50/p90/p99/p99.9 of single invocations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreAppendBenchmark
{
    private static final int CHANNELS = 100;
    private static final int BATCH = 16;

    @Param({"pinwheel", "sqlite"})
    public String engine;

    @Param({"os", "sync"})
    public String durability;

    @Param({"false", "true"})
    public boolean idle;

    private Path dir;
    private MessageStoreUnderTest store;
    private long next;
    private final StoredMessage[] batch = new StoredMessage[BATCH];

    @Setup(Level.Trial)
    public void open()
    {
        dir = BenchData.tempDir("pinwheel-append-" + engine + "-" + durability);
        store = BenchData.open(engine, dir, durability);
    }

    @Setup(Level.Invocation)
    public void betweenAppends()
    {
        if (idle)
        {
            store.idle();
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        store.close();
        BenchData.deleteTree(dir);
    }

    @Benchmark
    public void append()
    {
        store.append(BenchData.message(next++, CHANNELS));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void appendBatch16()
    {
        for (int i = 0; i < BATCH; i++)
        {
            batch[i] = BenchData.message(next++, CHANNELS);
        }
        store.appendBatch(batch);
    }
}
