package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;

/**
 * A user's avatar, on the user's owner shard: {@link OwnerCommands#USER_AVATAR_SET} journals the hash of an image
 * that is already durable in the file store ({@code USER_AVATAR_SET} state record) and answers with the user.
 */
public final class AvatarService
{
    private final NodeState node;

    /**
     * @param node the node's accounts.
     */
    public AvatarService(final NodeState node)
    {
        this.node = node;
    }

    /**
     * Sends {@link OwnerCommands#USER_AVATAR_SET} from the file store's thread (or a shard, to clear).
     *
     * @param group       the node's shards.
     * @param origin      the shard holding the request.
     * @param correlation its id there.
     * @param userId      the user.
     * @param hash        the avatar's hash, or "" to clear it.
     * @return false if the owner's inbox is full.
     */
    public static boolean send(final ShardGroup group, final int origin, final long correlation, final long userId,
        final String hash)
    {
        return group.send(group.ownerOf(userId), OwnerCommands.request(origin, OwnerCommands.USER_AVATAR_SET,
            correlation, userId).putString(hash));
    }

    /**
     * {@link OwnerCommands#USER_AVATAR_SET}: hash.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void set(final Shard owner, final CommandReader command, final Reply reply)
    {
        final String hash = command.getString();
        final Account a = node.accounts().get(reply.userId());
        if (a == null)
        {
            reply.error(DiscordError.UNKNOWN_USER);
            return;
        }
        StateLog.commit(owner, node, StateRecords.USER_AVATAR_SET, StateRecords.userAvatarSet(a.id(),
            hash == null || hash.isEmpty() ? null : hash));
        final byte[] body = Json.bytes(Entities.selfUser(node.accounts().get(a.id())));
        owner.afterCommit(() -> reply.ok(200, body));
    }
}
