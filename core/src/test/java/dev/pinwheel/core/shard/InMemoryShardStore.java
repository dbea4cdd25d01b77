package dev.pinwheel.core.shard;

import java.util.ArrayList;
import java.util.List;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoredMessage;

/** Test fixture: keeps state records in a list; messages are not needed by the core tests. */
final class InMemoryShardStore implements ShardStore
{
    final List<byte[]> records = new ArrayList<>();

    @Override
    public long recover(final StateRecordHandler handler)
    {
        return 0;
    }

    @Override
    public void appendState(final int type, final byte[] payload)
    {
        records.add(payload);
    }

    @Override
    public void appendMessage(final StoredMessage message)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean deleteMessage(final long channelId, final long messageId)
    {
        return false;
    }

    @Override
    public StoredMessage message(final long channelId, final long messageId)
    {
        return null;
    }

    @Override
    public List<StoredMessage> history(final long channelId, final HistoryQuery query, final long anchorId,
        final int limit)
    {
        return List.of();
    }

    @Override
    public void close()
    {
    }
}
