package dev.pinwheel.gateway.http.routes;

import java.util.Set;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.http.RestExchange;

/**
 * Who may open a direct message with whom. As on Discord, a DM needs a relationship with the recipient; Pinwheel
 * has no friends list, so the relationship is a guild both users are in. Without one the answer is 50007
 * ("Cannot send messages to this user"). Reads the node's account directory (concurrent maps): callable from any
 * shard. And which edit of a direct message is refused for leaving it empty ({@link #refuseEmptyEdit}, on the
 * channel's shard).
 */
final class DmPolicy
{
    private DmPolicy()
    {
    }

    /**
     * @param accounts  the account directory.
     * @param me        the user opening the DM.
     * @param recipient the other user.
     * @return whether the two share a guild.
     */
    static boolean mayOpen(final Accounts accounts, final long me, final long recipient)
    {
        final Set<Long> mine = accounts.guildsOf(me);
        final Set<Long> theirs = accounts.guildsOf(recipient);
        final Set<Long> smaller = mine.size() <= theirs.size() ? mine : theirs;
        final Set<Long> larger = smaller == mine ? theirs : mine;
        for (final Long g : smaller)
        {
            if (larger.contains(g))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * On the channel's shard: answers 50006 ("Cannot send an empty message") when an edit that blanks the content
     * would leave the caller's own message with no embed either; otherwise runs {@code edit} (which also answers
     * unknown messages and other authors).
     *
     * @param owner     the channel's shard (the caller runs on it).
     * @param channelId the channel.
     * @param messageId the message.
     * @param ex        the request.
     * @param edit      the edit to run when it leaves something in the message.
     */
    static void refuseEmptyEdit(final Shard owner, final long channelId, final long messageId, final RestExchange ex,
        final Runnable edit)
    {
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m != null && m.authorId() == ex.userId() && !MessageExtras.hasEmbeds(m.extra()))
        {
            ex.error(owner, 400, 50006, "Cannot send an empty message");
            return;
        }
        edit.run();
    }
}
