package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends the invite operations (create, read, accept) to the owner of the invite's guild as typed commands
 * ({@link OwnerCommands}), read back field by field, in this order, by {@link InviteService}. Runs on the shard
 * holding the request; the answer comes back to {@code correlation} on this shard.
 */
public final class InviteProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public InviteProxy(final Shard shard)
    {
        this.shard = shard;
    }

    private int owner(final long guildId)
    {
        return shard.group().ownerOf(guildId);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the inviter (CREATE_INSTANT_INVITE).
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param maxAge      seconds it lives (0: forever), 0-604,800.
     * @param maxUses     uses (0: unlimited), 0-100.
     * @param temporary   whether it grants temporary membership.
     * @param reason      the audit-log reason, or null.
     */
    public void create(final long correlation, final long userId, final long guildId, final long channelId,
        final int maxAge, final int maxUses, final boolean temporary, final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.INVITE_CREATE, correlation, userId,
            reason).putLong(guildId).putLong(channelId).putInt(maxAge).putInt(maxUses).putBoolean(temporary));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader (MANAGE_GUILD, or MANAGE_CHANNELS for a channel's).
     * @param guildId     the guild.
     * @param channelId   one channel's invites, or 0 for the guild's.
     */
    public void list(final long correlation, final long userId, final long guildId, final long channelId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.INVITE_LIST, correlation, userId)
            .putLong(guildId).putLong(channelId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who deletes it (MANAGE_CHANNELS or MANAGE_GUILD).
     * @param reason      the audit-log reason, or null.
     * @param guildId     the invite's guild.
     * @param code        the invite's code.
     */
    public void delete(final long correlation, final long userId, final String reason, final long guildId,
        final String code)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.INVITE_DELETE, correlation, userId,
            reason).putLong(guildId).putString(code));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader (anyone).
     * @param guildId     the invite's guild.
     * @param code        the invite's code.
     */
    public void get(final long correlation, final long userId, final long guildId, final String code)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.INVITE_GET, correlation, userId)
            .putLong(guildId).putString(code));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who joins.
     * @param guildId     the invite's guild.
     * @param code        the invite's code.
     */
    public void join(final long correlation, final long userId, final long guildId, final String code)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.INVITE_JOIN, correlation, userId)
            .putLong(guildId).putString(code));
    }
}
