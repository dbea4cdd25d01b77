package dev.pinwheel.server.gateway;

import java.util.List;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoredMessage;

/**
 * A real embedded store that can be told to throw from its writes, before they reach the journal — what the store
 * does when the disk is full ({@code StoreUnavailableException}) or a bug strikes (anything else). Reads pass through.
 */
final class RefusingStore implements ShardStore
{
    private final ShardStore store;
    /** Thrown by every write while set. */
    volatile RuntimeException refusal;

    RefusingStore(final ShardStore store)
    {
        this.store = store;
    }

    private void check()
    {
        final RuntimeException ex = refusal;
        if (ex != null)
        {
            throw ex;
        }
    }

    @Override
    public long recover(final StateRecordHandler handler)
    {
        return store.recover(handler);
    }

    @Override
    public void appendState(final int type, final byte[] payload)
    {
        check();
        store.appendState(type, payload);
    }

    @Override
    public void appendMessage(final StoredMessage message)
    {
        check();
        store.appendMessage(message);
    }

    @Override
    public boolean deleteMessage(final long channelId, final long messageId)
    {
        check();
        return store.deleteMessage(channelId, messageId);
    }

    @Override
    public StoredMessage message(final long channelId, final long messageId)
    {
        return store.message(channelId, messageId);
    }

    @Override
    public List<StoredMessage> history(final long channelId, final HistoryQuery query, final long anchorId,
        final int limit)
    {
        return store.history(channelId, query, anchorId, limit);
    }

    @Override
    public List<StoredMessage> pinned(final long channelId)
    {
        return store.pinned(channelId);
    }

    @Override
    public long lastMessageId(final long channelId)
    {
        return store.lastMessageId(channelId);
    }

    @Override
    public boolean groupCommit()
    {
        return store.groupCommit();
    }

    @Override
    public void commit()
    {
        store.commit();
    }

    @Override
    public void idle()
    {
        store.idle();
    }

    @Override
    public void confineToCurrentThread()
    {
        store.confineToCurrentThread();
    }

    @Override
    public void close()
    {
        store.close();
    }
}
