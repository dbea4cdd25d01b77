package dev.pinwheel.storage;

import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Child-JVM main for the torn-tail test: writes complete records through the store, then starts a record with
 * Chronicle's API and halts the JVM in the middle of it (as {@code kill -9} would), leaving the journal's last
 * document incomplete and its write lock held by a dead process.
 */
public final class TornTailWriter
{
    /** Complete records the writer leaves: 2 state records and 2 messages. */
    static final int COMPLETE_RECORDS = 4;
    /** Channel of the writer's messages. */
    static final long CHANNEL = 77;

    private TornTailWriter()
    {
    }

    /**
     * @param args the data directory.
     */
    public static void main(final String[] args)
    {
        final Path dataDir = Path.of(args[0]);
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dataDir, Durability.OS))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            store.appendState(1, new byte[] {1, 2, 3});
            store.appendMessage(Messages.message(100, CHANNEL));
            store.appendMessage(Messages.message(200, CHANNEL));
            store.appendState(2, new byte[] {4});
        }
        final SingleChronicleQueue queue =
            Journal.builder(dataDir.resolve("shard-0").resolve("messages"), SystemTimeProvider.INSTANCE).build();
        final ExcerptAppender appender = queue.createAppender();
        final DocumentContext dc = appender.writingDocument();
        dc.wire().bytes().writeByte(JournalRecordCodec.MESSAGE).writeLong(300).writeLong(CHANNEL);
        System.out.println("halting inside a document");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
