package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends the moderation of a guild (kick, leave, bans, bulk ban) to the guild's owner as typed commands
 * ({@link OwnerCommands}), read back field by field, in this order, by {@link ModerationService}. Every command that
 * changes something carries the request's audit-log reason in its header. Runs on the shard holding the request; the
 * answer comes back to {@code correlation} on this shard.
 */
public final class ModerationProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public ModerationProxy(final Shard shard)
    {
        this.shard = shard;
    }

    private int owner(final long guildId)
    {
        return shard.group().ownerOf(guildId);
    }

    /**
     * A kick ({@code DELETE /guilds/{g}/members/{u}}) or, when the member is the caller and {@code leave} is set, a
     * leave ({@code DELETE /users/@me/guilds/{g}}).
     *
     * @param correlation the waiting request.
     * @param userId      the caller.
     * @param reason      the audit-log reason, or null.
     * @param guildId     the guild.
     * @param memberId    the member removed.
     * @param leave       true: the caller leaves.
     */
    public void remove(final long correlation, final long userId, final String reason, final long guildId,
        final long memberId, final boolean leave)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MEMBER_REMOVE, correlation, userId,
            reason).putLong(guildId).putLong(memberId).putBoolean(leave));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the caller (BAN_MEMBERS).
     * @param guildId     the guild.
     * @param limit       1-1,000.
     * @param before      only users below this id (0: none).
     * @param after       only users above this id (0: none).
     */
    public void list(final long correlation, final long userId, final long guildId, final int limit,
        final long before, final long after)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.BAN_LIST, correlation, userId)
            .putLong(guildId).putInt(limit).putLong(before).putLong(after));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the caller (BAN_MEMBERS).
     * @param guildId     the guild.
     * @param bannedId    the user whose ban is read.
     */
    public void get(final long correlation, final long userId, final long guildId, final long bannedId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.BAN_GET, correlation, userId)
            .putLong(guildId).putLong(bannedId));
    }

    /**
     * @param correlation    the waiting request.
     * @param userId         the caller (BAN_MEMBERS).
     * @param reason         the audit-log reason (also the ban's), or null.
     * @param guildId        the guild.
     * @param bannedIds      the users to ban (one for {@code PUT /bans/{u}}).
     * @param deleteSeconds  how far back to delete their messages, 0-604,800.
     * @param bulk           whether this is a bulk ban (answered with the banned and failed users).
     */
    public void ban(final long correlation, final long userId, final String reason, final long guildId,
        final long[] bannedIds, final int deleteSeconds, final boolean bulk)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, bulk ? OwnerCommands.BAN_BULK : OwnerCommands.BAN_ADD,
            correlation, userId, reason).putLong(guildId).putLongs(bannedIds).putInt(deleteSeconds));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the caller (BAN_MEMBERS).
     * @param reason      the audit-log reason, or null.
     * @param guildId     the guild.
     * @param bannedId    the user whose ban is lifted.
     */
    public void unban(final long correlation, final long userId, final String reason, final long guildId,
        final long bannedId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.BAN_REMOVE, correlation, userId, reason)
            .putLong(guildId).putLong(bannedId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the caller (VIEW_AUDIT_LOG).
     * @param guildId     the guild.
     * @param user        only entries by this user (0: any).
     * @param actionType  only entries of this type (0: any).
     * @param before      only entries below this id (0: none).
     * @param after       only entries above this id (0: none).
     * @param limit       1-100.
     */
    public void auditLog(final long correlation, final long userId, final long guildId, final long user,
        final int actionType, final long before, final long after, final int limit)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.AUDIT_LOG, correlation, userId)
            .putLong(guildId).putLong(user).putInt(actionType).putLong(before).putLong(after).putInt(limit));
    }
}
