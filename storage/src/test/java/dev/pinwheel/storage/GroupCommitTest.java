package dev.pinwheel.storage;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static dev.pinwheel.storage.Messages.ids;
import static dev.pinwheel.storage.Messages.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sync}: appends never sync, {@link ChronicleShardStore#commit()} syncs each journal file written since the
 * previous commit once; {@code os}: no sync at all.
 */
class GroupCommitTest
{
    private static final long CHANNEL = 10;

    @TempDir
    Path dataDir;

    @Test
    void syncCommitsOncePerBatchAndFile()
    {
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T23:59:00Z"));
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.SYNC, clock))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            assertTrue(store.groupCommit());
            for (long id = 1; id <= 50; id++)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            store.deleteMessage(CHANNEL, 7);
            assertEquals(0, store.syncCount(), "appends do not sync");
            store.commit();
            assertEquals(1, store.syncCount(), "one fdatasync for the batch");
            store.commit();
            assertEquals(1, store.syncCount(), "nothing new: nothing synced");
            store.appendState(1, new byte[] {1});
            store.appendMessage(message(51, CHANNEL));
            store.commit();
            assertEquals(3, store.syncCount(), "state and message journals");
            store.appendMessage(message(52, CHANNEL));
            clock.advanceMillis(TimeUnit.MINUTES.toMillis(2)); // past midnight: a new file
            store.appendMessage(message(53, CHANNEL));
            store.commit();
            assertEquals(5, store.syncCount(), "both days' files");
        }
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.SYNC, clock))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            assertEquals(List.of(53L, 52L, 51L, 50L), ids(store.history(CHANNEL, LATEST, 0, 4)));
        }
    }

    @Test
    void osNeverSyncs()
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            assertFalse(store.groupCommit());
            store.appendMessage(message(1, CHANNEL));
            store.commit();
            assertEquals(0, store.syncCount());
        }
    }
}
