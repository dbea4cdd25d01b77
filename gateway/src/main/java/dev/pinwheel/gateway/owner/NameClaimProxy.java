package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;

/**
 * Sends a username's claim to the one shard of the cluster that decides it — the owner of the name's key
 * ({@link Usernames#key}) — with the rest of the registration riding along ({@link OwnerCommands#NAME_CLAIM}, read
 * back in this order by {@link NameClaimService}): that shard journals the claim and, once it is durable, sends the
 * registration on to the new account's owner; a name already held is answered 400 {@code USERNAME_ALREADY_TAKEN}
 * from there. Used only in a cluster: a single node reserves names in its own {@code Accounts}, as before.
 * <pre>
 *   origin ──NAME_CLAIM──▶ owner of key(name): free? journal NAME_CLAIMED ──(durable)──▶ ACCOUNT_REGISTER /
 *      ▲                                     taken? 400 (or the fallback name's owner)   APPLICATION_CREATE
 *      └──────────────────────── REPLY (201, 400, 503) ◀──────────────────────────────── to the id's owner
 * </pre>
 * The commands carry the new token, which the answer returns to the client: never log their bytes.
 */
public final class NameClaimProxy
{
    /** Discord's message for a person's name that is taken (as a single node answers it). */
    static final String USERNAME_TAKEN = "Username is unavailable.";
    /** ... and for a bot's. */
    static final String BOT_NAME_TAKEN = "A bot of that name exists.";

    private NameClaimProxy()
    {
    }

    /**
     * {@code POST /auth/register} in a cluster, from the control plane's hashing thread (its own writer).
     *
     * @param shards       the node's shards.
     * @param origin       the shard holding the request.
     * @param correlation  the waiting request there.
     * @param userId       the new account's id.
     * @param username     the name asked for.
     * @param passwordHash the password's hash.
     * @param bot          whether the account is a bot.
     * @param token        its first token.
     * @param tokenHash    the token's hash.
     * @return false if nothing was sent (a full inbox): the caller answers 503.
     */
    public static boolean claimForAccount(final ShardGroup shards, final int origin, final long correlation,
        final long userId, final String username, final String passwordHash, final boolean bot, final String token,
        final String tokenHash)
    {
        return shards.send(shards.ownerOf(Usernames.key(username)), OwnerCommands.request(origin,
            OwnerCommands.NAME_CLAIM, correlation, userId).putInt(OwnerCommands.ACCOUNT_REGISTER).putLong(userId)
            .putString(username).putString(null).putString("username").putString(USERNAME_TAKEN)
            .putString(passwordHash).putBoolean(bot).putString(token).putString(tokenHash));
    }

    /**
     * {@code POST /applications} in a cluster, on the shard holding the request.
     *
     * @param shard       this shard.
     * @param correlation the waiting request.
     * @param ownerId     the person creating the application.
     * @param app         the new application's id (and its bot's).
     * @param botName     the bot's username.
     * @param fallback    the name to try when that one is taken (null: none).
     * @param name        the application's name.
     * @param description its description.
     * @param token       the bot's first token.
     * @param tokenHash   its hash.
     */
    public static void claimForApplication(final Shard shard, final long correlation, final long ownerId,
        final long app, final String botName, final String fallback, final String name, final String description,
        final String token, final String tokenHash)
    {
        shard.send(shard.group().ownerOf(Usernames.key(botName)), OwnerCommands.request(shard,
            OwnerCommands.NAME_CLAIM, correlation, ownerId).putInt(OwnerCommands.APPLICATION_CREATE).putLong(app)
            .putString(botName).putString(fallback).putString("name").putString(BOT_NAME_TAKEN).putString(name)
            .putString(description).putString(token).putString(tokenHash));
    }

    /**
     * @param shards the node's shards.
     * @param keys   ring keys (a name's key, an id).
     * @return a bit per other node that owns one of the keys (the nodes a registration goes through).
     */
    public static long nodesOf(final ShardGroup shards, final long... keys)
    {
        long nodes = 0;
        for (final long key : keys)
        {
            final int route = shards.ownerOf(key);
            if (route != ShardRoute.MOVING && ShardRoute.remote(route, shards.nodeId()))
            {
                nodes |= 1L << ShardRoute.node(route);
            }
        }
        return nodes;
    }

    /**
     * A registration failed after its name was claimed and before its account was journaled: the name's owner gives
     * the name back ({@link OwnerCommands#NAME_RELEASE}) and acknowledges ({@link OwnerCommands#NAME_RELEASE_DONE});
     * {@link NameReleases} sends it until then. A cluster only.
     *
     * @param shard    this shard (where the registration failed or was dropped).
     * @param username the name.
     * @param userId   the id it was claimed for.
     */
    static void release(final Shard shard, final String username, final long userId)
    {
        shard.send(shard.group().ownerOf(Usernames.key(username)), OwnerCommands.request(shard,
            OwnerCommands.NAME_RELEASE, 0, userId).putString(username));
    }

    /**
     * A registration whose outcome is unknown (its origin got no answer) gives its name back through the id's owner
     * ({@link OwnerCommands#ID_VOID}): that owner keeps the name if the account exists, else voids the id and sends the
     * release on. The name's owner alone could not tell: the account's record may not have reached it yet, or the
     * registration may still be on its way. A cluster only.
     *
     * @param shard    this shard (where the release is owed).
     * @param username the name.
     * @param userId   the id it was claimed for.
     */
    static void releaseThroughIdOwner(final Shard shard, final String username, final long userId)
    {
        shard.send(shard.group().ownerOf(userId), OwnerCommands.request(shard, OwnerCommands.ID_VOID, 0, userId)
            .putString(username));
    }
}
