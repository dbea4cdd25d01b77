package dev.pinwheel.storage;

import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static dev.pinwheel.storage.Messages.ids;
import static dev.pinwheel.storage.Messages.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store handed to its shard thread and confined there refuses every other thread loudly — a foreign read, write
 * or close throws instead of silently taking the store over — and keeps working for its owner.
 */
class ShardStoreConfinementTest
{
    private static final long CHANNEL = 10;

    @TempDir
    Path dataDir;

    @Test
    void aConfinedStoreRefusesOtherThreads() throws Exception
    {
        final ExecutorService shardThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "shard-0-test"));
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            final ChronicleShardStore store = factory.open(0); // opened here, handed over below
            shardThread.submit(() ->
            {
                store.confineToCurrentThread();
                store.recover((type, payload) -> { });
                store.appendMessage(message(100, CHANNEL));
            }).get(1, TimeUnit.MINUTES);

            final IllegalStateException write = assertThrows(IllegalStateException.class,
                () -> store.appendMessage(message(200, CHANNEL)));
            assertTrue(write.getMessage().contains("shard-0-test"), write.getMessage());
            assertThrows(IllegalStateException.class, () -> store.history(CHANNEL, LATEST, 0, 10));
            assertThrows(IllegalStateException.class, () -> store.appendState(1, new byte[] {1}));
            assertThrows(IllegalStateException.class, store::close);

            final List<Long> seen = shardThread.submit(() ->
            {
                final List<Long> page = ids(store.history(CHANNEL, LATEST, 0, 10));
                store.close();
                return page;
            }).get(1, TimeUnit.MINUTES);
            assertEquals(List.of(100L), seen, "the owner still has it, untouched by the refused calls");
        }
        finally
        {
            shardThread.shutdownNow();
        }
    }
}
