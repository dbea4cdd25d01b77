package dev.pinwheel.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store factory holds its data directory: a second factory on it fails while the first is open, and works once it
 * closed. (The two-process case is {@code dev.pinwheel.server.storage.DataDirectoryLockTest}.)
 */
class DataDirectoryLockTest
{
    @TempDir
    Path dataDir;

    @Test
    void oneFactoryPerDirectoryAtATime()
    {
        try (EmbeddedStoreFactory first = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new EmbeddedStoreFactory(dataDir, Durability.OS));
            assertTrue(refused.getMessage().contains("is in use by process " + ProcessHandle.current().pid()),
                refused.getMessage());
            first.open(0).recover((type, payload) -> { });
        }
        try (EmbeddedStoreFactory again = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            again.open(0).recover((type, payload) -> { });
        }
    }
}
