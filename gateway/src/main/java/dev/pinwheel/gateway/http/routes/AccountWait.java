package dev.pinwheel.gateway.http.routes;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.Shard;

/**
 * A login by username in a cluster, on a node that does not know that name's account yet: the account was
 * registered through another node and its record (a node-wide record, sent once it is durable) may trail the
 * registration's own answer, which a client can follow at once with a login here. Rather than a wrong "invalid
 * login", the login waits up to {@value NodeRecordWait#WAIT_MILLIS} ms for the record, rechecked every shard tick (as invite codes
 * do, {@link InviteRoutes}). It does not wait when this node knows the answer: the account is here; or no claim of
 * the name is known and this node owns the name's key ({@link Usernames}), which decides every claim of it. A single
 * node never waits. At most {@value NodeRecordWait#MAX_WAITING} logins wait at a time per shard; past that they go on at once.
 * Shard thread only.
 */
final class AccountWait
{
    private final Shard shard;
    private final Accounts accounts;
    private final NodeRecordWait wait;

    /**
     * @param shard    this shard.
     * @param accounts the node's accounts.
     */
    AccountWait(final Shard shard, final Accounts accounts)
    {
        this.shard = shard;
        this.accounts = accounts;
        this.wait = new NodeRecordWait(shard);
    }

    /**
     * Runs {@code then} now if this node can answer a login by {@code username}, else once the account arrives or the
     * wait ends (the login then fails as a wrong name does).
     *
     * @param username the name given.
     * @param then     the rest of the login.
     */
    void whenKnown(final String username, final Runnable then)
    {
        if (shard.group().clusterLink() == null || known(username)
            || !wait.await(() -> accounts.byUsername(username) != null, then))
        {
            then.run();
        }
    }

    private boolean known(final String username)
    {
        if (accounts.byUsername(username) != null)
        {
            return true;
        }
        if (accounts.holderOf(username) != -1)
        {
            return false; // claimed: its account is on its way here
        }
        return !ShardRoute.remote(shard.group().ownerOf(Usernames.key(username)), shard.group().nodeId());
    }
}
