package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoredMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * Test data: small messages and id lists.
 */
final class Messages
{
    static final long GUILD = 7;
    static final long AUTHOR = 42;

    private Messages()
    {
    }

    static StoredMessage message(final long id, final long channelId)
    {
        return new StoredMessage(id, channelId, GUILD, AUTHOR, "message " + id, 0, 0, false, false);
    }

    static List<Long> ids(final List<StoredMessage> page)
    {
        final List<Long> ids = new ArrayList<>(page.size());
        for (final StoredMessage message : page)
        {
            ids.add(message.id());
        }
        return ids;
    }

    static List<Long> idsDescending(final long from, final long to, final long step)
    {
        final List<Long> ids = new ArrayList<>();
        for (long id = from; id >= to; id -= step)
        {
            ids.add(id);
        }
        return ids;
    }
}
