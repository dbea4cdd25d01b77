package dev.pinwheel.storage.cassandra;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.pinwheel.core.store.BlockingReads;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoredMessage;

/**
 * A store as the contract's test thread uses it: every call that may have to fetch waits the fetch out
 * ({@link BlockingReads}), as a shard would by parking the request and running it again. A synchronous store passes
 * through unchanged.
 */
final class BlockingShardStore implements ShardStore
{
    private static final long TIMEOUT_SECONDS = 30;
    final ShardStore store;

    BlockingShardStore(final ShardStore store)
    {
        this.store = store;
    }

    @Override
    public long recover(final StateRecordHandler handler)
    {
        return store.recover(handler);
    }

    @Override
    public void appendState(final int type, final byte[] payload)
    {
        store.appendState(type, payload);
    }

    @Override
    public void appendMessage(final StoredMessage message)
    {
        BlockingReads.run(store, () -> store.appendMessage(message), TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public boolean deleteMessage(final long channelId, final long messageId)
    {
        return BlockingReads.await(store, () -> store.deleteMessage(channelId, messageId), TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
    }

    @Override
    public StoredMessage message(final long channelId, final long messageId)
    {
        return BlockingReads.await(store, () -> store.message(channelId, messageId), TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
    }

    @Override
    public List<StoredMessage> history(final long channelId, final HistoryQuery query, final long anchorId,
        final int limit)
    {
        return BlockingReads.await(store, () -> store.history(channelId, query, anchorId, limit), TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
    }

    @Override
    public List<StoredMessage> pinned(final long channelId)
    {
        return BlockingReads.await(store, () -> store.pinned(channelId), TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public long lastMessageId(final long channelId)
    {
        return BlockingReads.await(store, () -> store.lastMessageId(channelId), TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close()
    {
        store.close();
    }
}
