package dev.pinwheel.benchmarks.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.infra.Blackhole;

import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.storage.ChronicleShardStore;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.EmbeddedStoreFactory;

/**
 * How long a catch-up holds its shard (issue 12): the shard thread runs nothing else while it reads its state journal
 * for a peer. Before, one task read the whole journal ({@code wholeJournal}); now a duty cycle reads one slice of at
 * most 256 records / 64 KiB ({@code oneSlice}, the slices taken in turn through the journal, round and round), and
 * {@code wholeJournalInSlices} is what slicing costs in all. A journal of {@code records} state records of
 * {@code payloadBytes} (a registration journals about three: account, token, name claim). The record handler only
 * consumes the payload: the frame each record becomes and its offer to the peer's publication cost the same per record
 * either way.
 * <pre>
 *   flock /tmp/jmh.lock benchmarks/run.sh jmh CatchUpScanBenchmark -f 1 -wi 3 -i 5 -w 1s -r 2s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CatchUpScanBenchmark
{
    @Param({"30000", "300000"})
    public int records;

    @Param({"120"})
    public int payloadBytes;

    private Path dir;
    private EmbeddedStoreFactory factory;
    private ChronicleShardStore store;
    private long until;
    private long cursor = ShardStore.STATE_SCAN_START;
    private Blackhole sink;
    private final StateRecordHandler consume = (type, payload) -> sink.consume(payload);

    @Setup(Level.Trial)
    public void journal(final Blackhole bh) throws IOException
    {
        sink = bh;
        dir = Files.createTempDirectory("catch-up-bench");
        factory = new EmbeddedStoreFactory(dir, Durability.OS);
        store = factory.open(0);
        store.recover((type, payload) -> { });
        final byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < records; i++)
        {
            payload[i % payloadBytes] = (byte)i;
            store.appendState(1 + i % 3, payload.clone());
        }
        store.commit();
        until = store.stateJournalEnd();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        store.close();
        factory.close();
        try (var files = Files.walk(dir))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * @return records read: the shard's pause before, one task for the whole journal.
     */
    @Benchmark
    public long wholeJournal()
    {
        return store.scanState(consume);
    }

    /**
     * @return the cursor: the shard's pause now, one slice per duty cycle.
     */
    @Benchmark
    public long oneSlice()
    {
        cursor = store.scanState(cursor, until, 256, 64 << 10, consume);
        if (cursor == ShardStore.STATE_SCAN_DONE)
        {
            cursor = ShardStore.STATE_SCAN_START;
        }
        return cursor;
    }

    /**
     * @return slices taken: the whole journal in slices (the cost of slicing, spread over as many duty cycles).
     */
    @Benchmark
    public int wholeJournalInSlices()
    {
        int slices = 0;
        long c = ShardStore.STATE_SCAN_START;
        while (c != ShardStore.STATE_SCAN_DONE)
        {
            c = store.scanState(c, until, 256, 64 << 10, consume);
            slices++;
        }
        return slices;
    }
}
