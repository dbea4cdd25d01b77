package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends the member operations of a guild (read one, list, search, edit, give and take a role) to the guild's owner
 * as typed commands ({@link OwnerCommands}), read back field by field, in this order, by {@link MemberService}. Runs
 * on the shard holding the request; the answer comes back to {@code correlation} on this shard.
 */
public final class MemberProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public MemberProxy(final Shard shard)
    {
        this.shard = shard;
    }

    private int owner(final long guildId)
    {
        return shard.group().ownerOf(guildId);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader (a member).
     * @param guildId     the guild.
     * @param memberId    the member read.
     */
    public void get(final long correlation, final long userId, final long guildId, final long memberId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MEMBER_GET, correlation, userId)
            .putLong(guildId).putLong(memberId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader (a member).
     * @param guildId     the guild.
     * @param limit       1-1,000.
     * @param after       the highest user id not wanted (0: from the start).
     */
    public void list(final long correlation, final long userId, final long guildId, final int limit,
        final long after)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MEMBER_LIST, correlation, userId)
            .putLong(guildId).putInt(limit).putLong(after));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader (a member).
     * @param guildId     the guild.
     * @param query       the username or nickname prefix, 1-100 characters.
     * @param limit       1-1,000.
     */
    public void search(final long correlation, final long userId, final long guildId, final String query,
        final int limit)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MEMBER_SEARCH, correlation, userId)
            .putLong(guildId).putString(query).putInt(limit));
    }

    /**
     * A member edit: each field may be left as it is ({@code null}, or {@link OwnerCommands#KEEP} for numbers).
     *
     * @param correlation the waiting request.
     * @param userId      the editor.
     * @param guildId     the guild.
     * @param memberId    the member edited.
     * @param mute        server mute: 1, 0, or KEEP.
     * @param deaf        server deafen: 1, 0, or KEEP.
     * @param moveTo      the voice channel to move to, 0 to disconnect, or KEEP.
     * @param nick        the nickname ({@code ""} clears it), or null.
     * @param roles       the whole set of roles, or null.
     * @param timeoutUntil the end of a timeout (epoch millis), 0 to lift it, or KEEP.
     * @param reason      the audit-log reason, or null.
     */
    public void edit(final long correlation, final long userId, final long guildId, final long memberId,
        final int mute, final int deaf, final long moveTo, final String nick, final long[] roles,
        final long timeoutUntil, final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.MEMBER_EDIT, correlation, userId, reason)
            .putLong(guildId).putLong(memberId).putInt(mute).putInt(deaf).putLong(moveTo).putString(nick)
            .putLongs(roles).putLong(timeoutUntil));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who gives or takes it (MANAGE_ROLES, above the role).
     * @param guildId     the guild.
     * @param memberId    the member.
     * @param roleId      the role.
     * @param give        true to give the role, false to take it.
     * @param reason      the audit-log reason, or null.
     */
    public void role(final long correlation, final long userId, final long guildId, final long memberId,
        final long roleId, final boolean give, final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, give ? OwnerCommands.MEMBER_ROLE_ADD
            : OwnerCommands.MEMBER_ROLE_REMOVE, correlation, userId, reason).putLong(guildId).putLong(memberId)
            .putLong(roleId));
    }
}
