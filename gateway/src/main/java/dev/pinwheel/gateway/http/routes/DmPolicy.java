package dev.pinwheel.gateway.http.routes;

import java.util.Set;

import dev.pinwheel.core.directory.Accounts;

/**
 * Who may open a direct message with whom. As on Discord, a DM needs a relationship with the recipient; Pinwheel
 * has no friends list, so the relationship is a guild both users are in. Without one the answer is 50007
 * ("Cannot send messages to this user"). Reads the node's account directory (concurrent maps): callable from any
 * shard.
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
}
