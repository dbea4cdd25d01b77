package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static dev.pinwheel.storage.Messages.ids;
import static dev.pinwheel.storage.Messages.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins: a version with {@code pinned} set pins, one without unpins, a delete unpins; newest pin first; kept across
 * restarts (index files reused, and rebuilt from the journal).
 */
class PinsTest
{
    private static final long CHANNEL = 10;
    private static final long OTHER = 11;

    @TempDir
    Path dataDir;

    private void session(final boolean reuse, final Consumer<ChronicleShardStore> use)
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(
            new EmbeddedStoreContext().dataDir(dataDir).reuseCleanIndex(reuse).reuseIndexAfterKill(reuse)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            use.accept(store);
        }
    }

    private static StoredMessage pinned(final StoredMessage m, final boolean pinned)
    {
        return m.withPinned(pinned);
    }

    @Test
    void pinUnpinDeleteAndRestart()
    {
        session(true, store ->
        {
            for (long id = 100; id <= 600; id += 100)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            assertEquals(List.of(), store.pinned(CHANNEL));
            store.appendMessage(pinned(message(300, CHANNEL), true));
            store.appendMessage(pinned(message(100, CHANNEL), true));
            store.appendMessage(pinned(message(500, CHANNEL), true));
            store.appendMessage(pinned(message(300, CHANNEL), true)); // pinned again: stays where it was
            assertEquals(List.of(500L, 100L, 300L), ids(store.pinned(CHANNEL)), "most recently pinned first");
            assertTrue(store.pinned(CHANNEL).get(0).pinned());
            store.appendMessage(pinned(message(100, CHANNEL), false));
            assertEquals(List.of(500L, 300L), ids(store.pinned(CHANNEL)), "unpinned");
            store.appendMessage(store.message(CHANNEL, 300).withEdit("edited while pinned", 1));
            assertEquals("edited while pinned", store.pinned(CHANNEL).get(1).content(), "an edit keeps the pin");
            assertTrue(store.deleteMessage(CHANNEL, 500));
            assertEquals(List.of(300L), ids(store.pinned(CHANNEL)), "deleted");
            store.appendMessage(pinned(message(600, CHANNEL), true));
            assertEquals(List.of(), store.pinned(OTHER));
        });
        session(true, store -> assertEquals(List.of(600L, 300L), ids(store.pinned(CHANNEL)), "reused"));
        session(false, store -> assertEquals(List.of(600L, 300L), ids(store.pinned(CHANNEL)), "rebuilt"));
    }

    @Test
    void aChannelHoldsAtMostMaxPins()
    {
        session(true, store ->
        {
            for (long id = 1; id <= ChronicleShardStore.MAX_PINS + 1; id++)
            {
                store.appendMessage(message(id, CHANNEL));
            }
            for (long id = 1; id <= ChronicleShardStore.MAX_PINS; id++)
            {
                store.appendMessage(pinned(message(id, CHANNEL), true));
            }
            final long last = ChronicleShardStore.MAX_PINS + 1;
            assertThrows(IllegalStateException.class, () -> store.appendMessage(pinned(message(last, CHANNEL), true)));
            assertEquals(false, store.message(CHANNEL, last).pinned(), "nothing appended");
            store.appendMessage(pinned(message(1, CHANNEL), true)); // re-pinning a pinned one is fine
            assertEquals(ChronicleShardStore.MAX_PINS, store.pinned(CHANNEL).size());
            assertEquals(ChronicleShardStore.MAX_PINS, store.pinned(CHANNEL).get(0).id());
        });
    }
}
