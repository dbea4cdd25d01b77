package dev.pinwheel.storage;

import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static dev.pinwheel.storage.Messages.ids;
import static dev.pinwheel.storage.Messages.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shard written by the first layout (one journal of both record kinds) is split into state and message journals.
 */
class LegacyJournalTest
{
    private static final long CHANNEL = 10;

    @TempDir
    Path dataDir;

    @Test
    void theOldCombinedJournalIsSplitOnce()
    {
        final Path legacy = dataDir.resolve("shard-0").resolve("journal");
        try (SingleChronicleQueue queue = Journal.builder(legacy, SystemTimeProvider.INSTANCE).build();
             ExcerptAppender appender = queue.createAppender())
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                LegacyRecords.writeState(dc.wire().bytes(), 1, new byte[] {1});
            }
            for (long id = 100; id <= 300; id += 100)
            {
                try (DocumentContext dc = appender.writingDocument())
                {
                    LegacyRecords.writeMessage(dc.wire().bytes(), message(id, CHANNEL));
                }
            }
            try (DocumentContext dc = appender.writingDocument())
            {
                LegacyRecords.writeTombstone(dc.wire().bytes(), CHANNEL, 200);
            }
            try (DocumentContext dc = appender.writingDocument())
            {
                LegacyRecords.writeState(dc.wire().bytes(), 2, new byte[] {2});
            }
        }
        for (int round = 0; round < 2; round++)
        {
            final List<byte[]> states = new ArrayList<>();
            try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS))
            {
                final ChronicleShardStore store = factory.open(0);
                assertEquals(6, store.recover((type, payload) -> states.add(payload)), "round " + round);
                assertEquals(List.of(300L, 100L), ids(store.history(CHANNEL, LATEST, 0, 10)));
            }
            assertEquals(2, states.size());
            assertArrayEquals(new byte[] {1}, states.get(0));
            assertArrayEquals(new byte[] {2}, states.get(1));
            assertFalse(Files.exists(legacy));
            assertTrue(Files.isDirectory(dataDir.resolve("shard-0").resolve("journal.split")));
        }
    }
}
