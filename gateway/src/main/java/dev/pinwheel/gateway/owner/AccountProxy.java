package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.ShardGroup;

/**
 * Sends the owner step of register and login — journal the account and its token on the account's owner shard — as
 * typed commands ({@link OwnerCommands} 130-131), read back in this order by {@link AccountService}. Runs on the
 * control plane's hashing threads (no shard: each thread writes with its own {@link OwnerCommands#offShardWriter()}),
 * after the password work; the answer goes to the request's origin shard. The commands carry the new token, which
 * the answer's body returns to the client: never log their bytes.
 */
public final class AccountProxy
{
    private final ShardGroup shards;

    /**
     * @param shards the node's shards.
     */
    public AccountProxy(final ShardGroup shards)
    {
        this.shards = shards;
    }

    /**
     * @param origin       the shard holding the request.
     * @param correlation  the waiting request there.
     * @param userId       the new account's id (its owner shard journals it).
     * @param username     the name, reserved for this id.
     * @param passwordHash the password's hash.
     * @param bot          whether the account is a bot.
     * @param token        its first token.
     * @param tokenHash    the token's hash (what is stored).
     * @return false if the owner's inbox is full (nothing was sent: the caller releases the name and answers 503).
     */
    public boolean register(final int origin, final long correlation, final long userId, final String username,
        final String passwordHash, final boolean bot, final String token, final String tokenHash)
    {
        return shards.send(shards.ownerOf(userId), OwnerCommands.request(origin, OwnerCommands.ACCOUNT_REGISTER,
            correlation, userId).putString(username).putString(passwordHash).putBoolean(bot).putString(token)
            .putString(tokenHash));
    }

    /**
     * @param origin      the shard holding the request.
     * @param correlation the waiting request there.
     * @param userId      the account whose password matched.
     * @param token       the new token.
     * @param tokenHash   its hash (what is stored).
     * @return false if the owner's inbox is full (nothing was sent: the caller answers 503).
     */
    public boolean login(final int origin, final long correlation, final long userId, final String token,
        final String tokenHash)
    {
        return shards.send(shards.ownerOf(userId), OwnerCommands.request(origin, OwnerCommands.ACCOUNT_LOGIN,
            correlation, userId).putString(token).putString(tokenHash));
    }
}
