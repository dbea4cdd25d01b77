package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static dev.pinwheel.storage.Messages.ids;
import static dev.pinwheel.storage.Messages.idsDescending;
import static dev.pinwheel.storage.Messages.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention of message journal files, and the disk footprint.
 * <p>
 * Defined behaviour: with N days kept, a message journal file older than N days (today counts) is deleted when the
 * shard opens or its appender starts a new day; after the next start the indexes hold exactly the messages whose
 * newest version is in a kept file; state records are never deleted.
 */
class RetentionTest
{
    private static final long CHANNEL = 10;
    private static final long DAY = TimeUnit.DAYS.toMillis(1);

    @TempDir
    Path dataDir;

    private EmbeddedStoreFactory factory(final SetTimeProvider clock, final int days)
    {
        return new EmbeddedStoreFactory(new EmbeddedStoreContext().dataDir(dataDir).clock(clock).retentionDays(days));
    }

    private long cycleFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dataDir.resolve("shard-0").resolve("messages")))
        {
            return files.filter(f -> f.toString().endsWith(".cq4")).count();
        }
    }

    private void awaitCycleFiles(final long expected) throws IOException
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (cycleFiles() != expected)
        {
            assertTrue(System.nanoTime() < deadline, "cycle files: " + cycleFiles() + ", expected " + expected);
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Test
    void oldDaysAreDeletedAndForgottenAtTheNextStart() throws IOException
    {
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T12:00:00Z"));
        final List<byte[]> states = new ArrayList<>();
        try (EmbeddedStoreFactory factory = factory(clock, 2))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            store.appendState(1, new byte[] {1}); // day 1: state and messages 1..10
            for (long id = 1; id <= 10; id++)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            clock.advanceMillis(DAY); // day 2: 11..20, and an edit of 5
            for (long id = 11; id <= 20; id++)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            store.appendMessage(message(5, CHANNEL).withEdit("kept by its edit", clock.currentTimeMillis()));
            assertEquals(2, cycleFiles());
            clock.advanceMillis(DAY); // day 3: the first append deletes day 1 (2 days kept: days 2 and 3)
            for (long id = 21; id <= 30; id++)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            awaitCycleFiles(2); // day 1 is deleted by the housekeeper after the roll, off the shard thread
            assertEquals(message(25, CHANNEL), store.message(CHANNEL, 25), "the store keeps working");
        }
        try (EmbeddedStoreFactory factory = factory(clock, 2))
        {
            final ChronicleShardStore store = factory.open(0);
            assertEquals(1 + 21, store.recover((type, payload) -> states.add(payload)));
            assertFalse(store.indexesReused(), "a deleted file means a rebuild");
            final List<Long> expected = new ArrayList<>(idsDescending(30, 11, 1));
            expected.add(5L);
            assertEquals(expected, ids(store.history(CHANNEL, LATEST, 0, 100)));
            assertNull(store.message(CHANNEL, 4));
            final StoredMessage kept = store.message(CHANNEL, 5);
            assertEquals("kept by its edit", kept.content());
            assertEquals(21, store.liveMessageCount());
            assertEquals(1, states.size(), "state records are never deleted");
        }
        clock.advanceMillis(3 * DAY); // day 6: days 2 and 3 are out of a 2-day window, deleted at open
        states.clear();
        try (EmbeddedStoreFactory factory = factory(clock, 2))
        {
            final ChronicleShardStore store = factory.open(0);
            assertEquals(0, cycleFiles());
            assertEquals(1, store.recover((type, payload) -> states.add(payload)));
            assertEquals(List.of(), store.history(CHANNEL, LATEST, 0, 100));
            assertEquals(0, store.lastMessageId(CHANNEL));
            assertEquals(1, states.size());
            store.appendMessage(message(99, CHANNEL));
            assertEquals(List.of(99L), ids(store.history(CHANNEL, LATEST, 0, 100)));
        }
    }

    @Test
    void zeroKeepsEverythingAndReadsSpanMoreDaysThanMappedAtOnce() throws IOException
    {
        final int days = Journal.MAX_READERS + 4;
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T12:00:00Z"));
        try (EmbeddedStoreFactory factory = factory(clock, 0))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (int day = 0; day < days; day++)
            {
                store.appendMessage(message(day + 1, CHANNEL));
                clock.advanceMillis(DAY);
            }
        }
        assertEquals(days, cycleFiles());
        try (EmbeddedStoreFactory factory = factory(clock, 0))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (int round = 0; round < 2; round++)
            {
                final List<StoredMessage> all = store.history(CHANNEL, LATEST, 0, 100);
                assertEquals(idsDescending(days, 1, 1), ids(all));
                assertEquals(message(7, CHANNEL), all.get(days - 7));
            }
        }
    }

    @Test
    void footprintCountsAllocatedBytesPerMessage()
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            final String content = "x".repeat(100);
            for (long id = 1; id <= 5000; id++)
            {
                store.appendMessage(new StoredMessage(id, CHANNEL, 1, 2, content, 0, 0, false, false));
            }
            final DiskFootprint footprint = store.footprint();
            assertEquals(5000, footprint.liveMessages());
            // 100 B of content + 50 B of fields + Chronicle's header and index: the sparse 1 GiB file is not counted
            assertTrue(footprint.journalBytesPerMessage() > 150 && footprint.journalBytesPerMessage() < 2000,
                footprint.toString());
            assertTrue(footprint.indexBytes() > 0, footprint.toString());
        }
    }
}
