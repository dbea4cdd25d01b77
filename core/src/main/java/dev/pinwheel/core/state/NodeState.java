package dev.pinwheel.core.state;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.directory.Directory;

/**
 * The node-wide directories every shard reads (accounts, channel/invite/guild lookups).
 *
 * @param accounts  users, tokens, memberships.
 * @param directory routing lookups.
 */
public record NodeState(Accounts accounts, Directory directory)
{
    /**
     * @return empty directories.
     */
    public static NodeState create()
    {
        return new NodeState(new Accounts(), new Directory());
    }
}
