package dev.pinwheel.benchmarks.storage;

import java.nio.file.Path;
import java.util.List;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.storage.ChronicleShardStore;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.EmbeddedStoreContext;
import dev.pinwheel.storage.EmbeddedStoreFactory;

/**
 * Pinwheel's embedded store (one shard): {@code os} acknowledges at append, {@code sync} after {@code commit()}.
 */
final class PinwheelStoreUnderTest implements MessageStoreUnderTest
{
    private final EmbeddedStoreFactory factory;
    private final ChronicleShardStore store;
    private final boolean sync;

    @Override
    public void idle()
    {
        store.idle();
    }

    /**
     * @param dir        data directory.
     * @param durability os or sync.
     * @param reuse      whether clean index files are reused.
     */
    PinwheelStoreUnderTest(final Path dir, final Durability durability, final boolean reuse)
    {
        this.factory = new EmbeddedStoreFactory(new EmbeddedStoreContext().dataDir(dir).durability(durability)
            .reuseCleanIndex(reuse));
        this.store = factory.open(0);
        this.store.recover((type, payload) -> { });
        this.sync = durability == Durability.SYNC;
    }

    ChronicleShardStore store()
    {
        return store;
    }

    @Override
    public void append(final StoredMessage message)
    {
        store.appendMessage(message);
        if (sync)
        {
            store.commit();
        }
    }

    @Override
    public void appendBatch(final StoredMessage[] messages)
    {
        for (final StoredMessage message : messages)
        {
            store.appendMessage(message);
        }
        store.commit();
    }

    @Override
    public List<StoredMessage> latest(final long channelId, final int limit)
    {
        return store.history(channelId, HistoryQuery.LATEST, 0, limit);
    }

    @Override
    public List<StoredMessage> before(final long channelId, final long anchor, final int limit)
    {
        return store.history(channelId, HistoryQuery.BEFORE, anchor, limit);
    }

    @Override
    public StoredMessage get(final long channelId, final long id)
    {
        return store.message(channelId, id);
    }

    @Override
    public void close()
    {
        factory.close();
    }
}
