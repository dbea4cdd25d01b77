package dev.pinwheel.storage;

import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.io.Closeable;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.pinwheel.core.store.HistoryQuery.AROUND;
import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static dev.pinwheel.storage.Messages.ids;
import static dev.pinwheel.storage.Messages.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing and reopening journals: replay order, edits and tombstones after a restart, torn and undecodable
 * records, day rolls, SYNC durability.
 */
class ChronicleShardStoreRecoveryTest
{
    private static final long CHANNEL = 10;

    @TempDir
    Path dataDir;

    /** A state record as recovery saw it. */
    private record State(int type, byte[] payload)
    {
    }

    /** What one recovery saw. */
    private record Recovered(long count, List<State> states)
    {
    }

    private Recovered reopen(final Durability durability, final Consumer<ChronicleShardStore> use)
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, durability))
        {
            final ChronicleShardStore store = factory.open(0);
            final List<State> states = new ArrayList<>();
            final StateRecordHandler handler = (type, payload) -> states.add(new State(type, payload));
            final long count = store.recover(handler);
            use.accept(store);
            return new Recovered(count, states);
        }
    }

    private Recovered reopen(final Consumer<ChronicleShardStore> use)
    {
        return reopen(Durability.OS, use);
    }

    private static void assertStates(final List<State> expected, final List<State> actual)
    {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.get(i).type(), actual.get(i).type(), "type of record " + i);
            assertArrayEquals(expected.get(i).payload(), actual.get(i).payload(), "payload of record " + i);
        }
    }

    private static List<State> someStates()
    {
        final byte[] large = new byte[100_000];
        for (int i = 0; i < large.length; i++)
        {
            large[i] = (byte)(i * 31);
        }
        return List.of(
            new State(1, "guild".getBytes(StandardCharsets.UTF_8)),
            new State(2, new byte[0]),
            new State(Integer.MAX_VALUE, large),
            new State(1, new byte[] {-1, 0, 1}));
    }

    @Test
    void stateRecordsReplayInOrderWithExactBytes()
    {
        final List<State> states = someStates();
        reopen(store ->
        {
            for (int i = 0; i < states.size(); i++)
            {
                store.appendState(states.get(i).type(), states.get(i).payload());
                store.appendMessage(message(100 + i, CHANNEL)); // interleaved with messages
            }
        });
        final Recovered recovered = reopen(store -> { });
        assertEquals(8, recovered.count());
        assertStates(states, recovered.states());
    }

    @Test
    void restartKeepsMessagesEditsAndTombstones()
    {
        final StoredMessage edited = message(300, CHANNEL).withEdit("edited", 1_700_000_000_000L);
        reopen(store ->
        {
            for (long id = 100; id <= 1000; id += 100)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            store.appendMessage(edited);
            store.deleteMessage(CHANNEL, 500);
            store.deleteMessage(CHANNEL, 1000);
            store.appendState(3, new byte[] {9});
        });
        final Recovered recovered = reopen(store ->
        {
            assertEquals(List.of(900L, 800L, 700L, 600L, 400L, 300L, 200L, 100L),
                ids(store.history(CHANNEL, LATEST, 0, 100)));
            assertEquals(edited, store.message(CHANNEL, 300));
            assertNull(store.message(CHANNEL, 500));
            assertNull(store.message(CHANNEL, 1000));
            assertEquals(900, store.lastMessageId(CHANNEL));
            assertEquals(8, store.liveMessageCount());
            assertEquals(List.of(600L, 400L), ids(store.history(CHANNEL, AROUND, 500, 2)));
        });
        assertEquals(14, recovered.count());
        assertEquals(1, recovered.states().size());
    }

    @Test
    void recordAppendedThenReopenedTwiceInARow()
    {
        reopen(store ->
        {
            store.appendState(1, new byte[] {1});
            store.appendMessage(message(100, CHANNEL));
        });
        for (int round = 0; round < 2; round++)
        {
            final Recovered recovered =
                reopen(store -> assertEquals(message(100, CHANNEL), store.message(CHANNEL, 100)));
            assertEquals(2, recovered.count(), "round " + round);
            assertStates(List.of(new State(1, new byte[] {1})), recovered.states());
        }
        reopen(store -> store.appendMessage(message(200, CHANNEL)));
        final Recovered recovered = reopen(store ->
            assertEquals(List.of(200L, 100L), ids(store.history(CHANNEL, LATEST, 0, 10))));
        assertEquals(3, recovered.count());
    }

    @Test
    void syncDurabilityWritesAndRecovers()
    {
        reopen(Durability.SYNC, store ->
        {
            store.appendState(1, new byte[] {1, 2});
            store.appendMessage(message(100, CHANNEL));
            store.appendMessage(message(200, CHANNEL));
            store.deleteMessage(CHANNEL, 100);
        });
        final Recovered recovered = reopen(Durability.SYNC, store ->
            assertEquals(List.of(200L), ids(store.history(CHANNEL, LATEST, 0, 10))));
        assertEquals(4, recovered.count());
    }

    @Test
    void journalRollsByDayAndReadsAcrossDays() throws IOException
    {
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T23:59:00Z"));
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS, clock))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (long id = 1; id <= 30; id++)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            clock.advanceMillis(TimeUnit.MINUTES.toMillis(2)); // past midnight UTC: a new cycle file
            for (long id = 31; id <= 60; id++)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            store.appendMessage(message(5, CHANNEL).withEdit("edited on day two", clock.currentTimeMillis()));
            assertEquals(List.of(32L, 31L, 30L, 29L), ids(store.history(CHANNEL, AROUND, 31, 4)));
            assertEquals("edited on day two", store.message(CHANNEL, 5).content());
        }
        try (Stream<Path> files = Files.list(dataDir.resolve("shard-0").resolve("messages")))
        {
            assertEquals(2, files.filter(f -> f.toString().endsWith(".cq4")).count());
        }
        final SetTimeProvider later = new SetTimeProvider(Instant.parse("2026-03-02T08:00:00Z"));
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS, later))
        {
            final ChronicleShardStore store = factory.open(0);
            assertEquals(61, store.recover((type, payload) -> { }));
            assertEquals(List.of(60L, 59L), ids(store.history(CHANNEL, LATEST, 0, 2)));
            assertEquals(List.of(31L, 30L), ids(store.history(CHANNEL, AROUND, 31, 2)));
            assertEquals("edited on day two", store.message(CHANNEL, 5).content());
        }
    }

    @Test
    void undecodableRecordsAreSkipped()
    {
        reopen(store ->
        {
            store.appendState(1, new byte[] {1});
            store.appendMessage(message(100, CHANNEL));
        });
        final Path journal = dataDir.resolve("shard-0").resolve("messages");
        try (SingleChronicleQueue queue =
                 Journal.builder(journal, SystemTimeProvider.INSTANCE).build();
             ExcerptAppender appender = queue.createAppender())
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().writeByte((byte)0x7F).writeLong(1); // unknown kind
            }
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().writeSkip(0); // empty: Chronicle stores one padding byte (0x8F)
            }
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().writeByte(JournalRecordCodec.MESSAGE).writeInt(5); // truncated message
            }
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().writeByte(JournalRecordCodec.STATE).writeInt(1).writeInt(1000); // short payload
            }
        }
        reopen(store ->
        {
            store.appendState(2, new byte[] {2});
            store.appendMessage(message(200, CHANNEL));
        });
        final Recovered recovered = reopen(store ->
            assertEquals(List.of(200L, 100L), ids(store.history(CHANNEL, LATEST, 0, 10))));
        assertEquals(4, recovered.count());
        assertStates(List.of(new State(1, new byte[] {1}), new State(2, new byte[] {2})), recovered.states());
    }

    @Test
    void tornLastRecordOfAKilledWriterIsSkipped() throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TornTailWriter.class.getName());
        command.add(dataDir.toString());
        final File log = dataDir.resolve("writer.log").toFile();
        final Process writer = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        assertTrue(writer.waitFor(2, TimeUnit.MINUTES), "writer finished");
        final String output = Files.readString(log.toPath());
        assertEquals(0, writer.exitValue(), output);
        assertTrue(output.contains("halting inside a document"), output);

        final Recovered first = reopen(store ->
        {
            assertEquals(List.of(200L, 100L), ids(store.history(TornTailWriter.CHANNEL, LATEST, 0, 10)));
            assertNull(store.message(TornTailWriter.CHANNEL, 300));
            store.appendMessage(message(400, TornTailWriter.CHANNEL)); // takes the torn record's place
        });
        assertEquals(TornTailWriter.COMPLETE_RECORDS, first.count());
        assertEquals(2, first.states().size());
        final Recovered second = reopen(store ->
            assertEquals(List.of(400L, 200L, 100L), ids(store.history(TornTailWriter.CHANNEL, LATEST, 0, 10))));
        assertEquals(TornTailWriter.COMPLETE_RECORDS + 1, second.count());
    }

    @Test
    void writeLockLeftByAnEarlierProcessWithOurPidIsReleased()
    {
        reopen(store -> store.appendMessage(message(100, CHANNEL)));
        final Path journal = dataDir.resolve("shard-0").resolve("messages");
        try (SingleChronicleQueue queue =
                 Journal.builder(journal, SystemTimeProvider.INSTANCE).build())
        {
            final LongValue lock = queue.metaStore()
                .doWithExclusiveLock(table -> table.acquireValueFor(EmbeddedStoreFactory.WRITE_LOCK_KEY));
            lock.setVolatileValue(Jvm.getProcessId()); // as a killed writer with our pid would have left it
            Closeable.closeQuietly(lock);
        }
        // without the release the first write would wait for Chronicle's lock timeout, then fail
        reopen(store -> store.appendMessage(message(200, CHANNEL)));
        final Recovered recovered = reopen(store ->
            assertEquals(List.of(200L, 100L), ids(store.history(CHANNEL, LATEST, 0, 10))));
        assertEquals(2, recovered.count());
    }
}
