package dev.pinwheel.core.shard;

import java.util.ArrayList;
import java.util.List;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;

/**
 * Test fixture: keeps state records in lists and replays them on {@link #recover}; messages are not needed by the
 * core tests. It can be told to refuse writes the way a full disk makes a real store refuse them (the same
 * exception, thrown before anything is kept), to run in group-commit mode with a failing commit, and it remembers
 * which thread closed it.
 */
public final class InMemoryShardStore implements ShardStore
{
    public final List<Integer> types = new ArrayList<>();
    public final List<byte[]> records = new ArrayList<>();
    /** Set: appends throw this reason's {@link StoreUnavailableException} before keeping anything. */
    public volatile StoreUnavailableException.Reason refuse;
    /** Set: {@link #groupCommit()} is true and {@link #commit()} throws this. */
    public volatile RuntimeException failCommit;
    public volatile Thread closedBy;

    @Override
    public long recover(final StateRecordHandler handler)
    {
        for (int i = 0; i < records.size(); i++)
        {
            handler.onStateRecord(types.get(i), records.get(i));
        }
        return records.size();
    }

    @Override
    public void appendState(final int type, final byte[] payload)
    {
        final StoreUnavailableException.Reason r = refuse;
        if (r != null)
        {
            throw new StoreUnavailableException(r, "refused: " + r);
        }
        types.add(type);
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
    public boolean groupCommit()
    {
        return failCommit != null;
    }

    @Override
    public void commit()
    {
        final RuntimeException ex = failCommit;
        if (ex != null)
        {
            throw ex;
        }
    }

    @Override
    public void close()
    {
        closedBy = Thread.currentThread();
    }
}
