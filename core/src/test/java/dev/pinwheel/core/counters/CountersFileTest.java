package dev.pinwheel.core.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.state.NodeState;

/**
 * The counters file: what a writer allocates and counts is what a reader of the file sees (type, key, label, value);
 * the header says whose counters these are and whether that process runs, stopped cleanly or is gone; a new file
 * replaces the old one atomically.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CountersFileTest
{
    @TempDir
    Path dir;

    /** One counter as a reader sees it. */
    private record Seen(int type, int scope, int id, String label, long value)
    {
    }

    private static List<Seen> seen(final CountersFileReader reader)
    {
        final List<Seen> out = new ArrayList<>();
        reader.counters().forEach((counterId, type, key, label) -> out.add(new Seen(type, NodeCounters.scope(key, 0),
            NodeCounters.id(key, 0), label, reader.counters().getCounterValue(counterId))));
        return out;
    }

    @Test
    void aReaderSeesTheWritersCountersAndWhoseTheyAre() throws Exception
    {
        try (CountersFile file = CountersFile.create(dir, 3, 2, NodeCounters.capacityFor(2)))
        {
            final CounterBlock block = new CounterBlock(file.counters(), CounterTypes.SHARD, 1,
                "pinwheel_shard_a_total{shard=\"1\"}", "pinwheel_shard_b_total{shard=\"1\"}");
            final CounterBlock gauges = new CounterBlock(file.counters(), CounterTypes.SHARD_GAUGE, 1,
                "pinwheel_shard_level{shard=\"1\"}");
            block.increment(0);
            block.add(1, 41);
            block.increment(1);
            block.incrementConcurrent(0);
            gauges.set(0, -7);

            final CountersFileReader reader = CountersFileReader.open(dir);
            assertEquals(ProcessHandle.current().pid(), reader.pid());
            assertEquals(3, reader.nodeId());
            assertEquals(2, reader.shards());
            assertEquals(CountersFile.STATE_RUNNING, reader.state());
            assertEquals(CountersFileReader.Liveness.RUNNING, reader.liveness(System.currentTimeMillis()));
            assertTrue(reader.startMillis() > 0 && reader.startMillis() <= System.currentTimeMillis());
            assertEquals(List.of(
                new Seen(CounterTypes.SHARD, 1, 0, "pinwheel_shard_a_total{shard=\"1\"}", 2),
                new Seen(CounterTypes.SHARD, 1, 1, "pinwheel_shard_b_total{shard=\"1\"}", 42),
                new Seen(CounterTypes.SHARD_GAUGE, 1, 0, "pinwheel_shard_level{shard=\"1\"}", -7)), seen(reader));

            block.increment(1); // live: the reader's mapping sees the next store
            assertEquals(43, reader.counters().getCounterValue(block.counterId(1)));
            file.heartbeat(12345);
            assertEquals(12345, reader.heartbeatMillis());

            file.close();
            assertEquals(CountersFileReader.Liveness.STOPPED, reader.liveness(System.currentTimeMillis()));
            assertTrue(reader.stopMillis() > 0);
            assertEquals(43, reader.counters().getCounterValue(block.counterId(1)), "last values stay readable");
        }
    }

    @Test
    void aNewNodeReplacesTheFileAndAReaderNoticesIt() throws Exception
    {
        try (CountersFile old = CountersFile.create(dir, 0, 1, 64))
        {
            new CounterBlock(old.counters(), CounterTypes.SHARD, 0, "old_total").increment(0);
            final CountersFileReader reader = CountersFileReader.open(dir);
            assertFalse(reader.replaced());
            try (CountersFile next = CountersFile.create(dir, 0, 1, 64))
            {
                assertTrue(reader.replaced());
                assertEquals(1, seen(reader).get(0).value(), "the old mapping still reads the old file");
                assertTrue(seen(CountersFileReader.open(dir)).isEmpty(), "the new file starts empty");
                assertFalse(Files.exists(dir.resolve(CountersFile.FILE_NAME + ".tmp")));
            }
        }
    }

    @Test
    void aFileLeftByAProcessThatIsNoMoreIsGone() throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(30, TimeUnit.SECONDS));
        try (CountersFile file = CountersFile.create(dir, 0, 1, 64))
        {
            try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.WRITE))
            {
                final ByteBuffer pid = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
                pid.putLong(0, gone.pid());
                ch.write(pid, CountersFile.PID_OFFSET);
            }
            final CountersFileReader reader = CountersFileReader.open(dir);
            assertEquals(gone.pid(), reader.pid());
            assertEquals(CountersFileReader.Liveness.GONE, reader.liveness(System.currentTimeMillis()));
        }
    }

    @Test
    void noFileOrNotACountersFileIsRefusedClearly() throws Exception
    {
        assertThrows(NoSuchFileException.class, () -> CountersFileReader.open(dir));
        Files.write(dir.resolve(CountersFile.FILE_NAME), new byte[CountersFile.HEADER_LENGTH]);
        final Exception ex = assertThrows(java.io.IOException.class, () -> CountersFileReader.open(dir));
        assertTrue(ex.getMessage().contains("not a Pinwheel counters file"), ex.getMessage());
    }

    @Test
    void theSamplerWritesTheNodesGaugesAndTheHeartbeat() throws Exception
    {
        try (CountersFile file = CountersFile.create(dir, 0, 1, NodeCounters.capacityFor(1)))
        {
            final NodeState node = NodeState.create();
            final CachedEpochClock clock = new CachedEpochClock();
            clock.update(System.currentTimeMillis());
            final NodeSampler sampler = new NodeSampler(file.counters(), file, node, clock);
            file.heartbeat(0);
            assertEquals(1, sampler.doWork());
            clock.advance(NodeSampler.INTERVAL_MILLIS - 1);
            assertEquals(0, sampler.doWork(), "once a second");
            clock.advance(1);
            assertEquals(1, sampler.doWork(), "once a second");
            final CountersFileReader reader = CountersFileReader.open(dir);
            assertTrue(reader.heartbeatMillis() > 0);
            long heap = -1;
            long cpu = -1;
            for (final Seen s : seen(reader))
            {
                if (s.label().equals("jvm_memory_used_bytes{area=\"heap\"}"))
                {
                    heap = s.value();
                }
                else if (s.label().equals("process_cpu_nanoseconds_total"))
                {
                    cpu = s.value();
                }
            }
            assertTrue(heap > 0, "heap");
            assertTrue(cpu > 0, "cpu");
        }
    }

    @Test
    void aFullFileRefusesAnotherCounterAtAllocation()
    {
        try (CountersFile file = CountersFile.create(dir, 0, 1, 2))
        {
            new CounterBlock(file.counters(), CounterTypes.SHARD, 0, "a", "b");
            assertThrows(IllegalStateException.class,
                () -> new CounterBlock(file.counters(), CounterTypes.SHARD, 0, "c"));
        }
    }
}
