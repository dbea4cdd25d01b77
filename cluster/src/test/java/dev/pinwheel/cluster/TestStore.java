package dev.pinwheel.cluster;

import java.util.List;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoredMessage;

/** A store with nothing in it: the link tests journal nothing (the catch-up test's journal extends it). */
class TestStore implements ShardStore
{
    @Override
    public long recover(final StateRecordHandler handler)
    {
        return 0;
    }

    @Override
    public void appendState(final int type, final byte[] payload)
    {
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
