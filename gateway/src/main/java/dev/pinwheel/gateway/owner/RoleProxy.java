package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends the role operations of a guild (list, create, edit, delete) to the guild's owner as typed commands
 * ({@link OwnerCommands}), read back field by field, in this order, by {@link RoleService}. Runs on the shard holding
 * the request; the answer comes back to {@code correlation} on this shard.
 */
public final class RoleProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public RoleProxy(final Shard shard)
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
     * @param roleId      one role ({@code GET /guilds/{g}/roles/{r}}), or 0 for all of them.
     */
    public void list(final long correlation, final long userId, final long guildId, final long roleId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.ROLE_LIST, correlation, userId)
            .putLong(guildId).putLong(roleId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who creates it (MANAGE_ROLES).
     * @param guildId     the guild.
     * @param name        1-100 characters, or null ("new role").
     * @param permissions permission bits, or {@link OwnerCommands#KEEP} ({@code @everyone}'s).
     * @param color       RGB colour, or KEEP (none).
     */
    public void create(final long correlation, final long userId, final long guildId, final String name,
        final long permissions, final int color)
    {
        create(correlation, userId, guildId, name, permissions, color, null);
    }

    /**
     * {@link #create(long, long, long, String, long, int)} with the request's audit-log reason (or null).
     */
    public void create(final long correlation, final long userId, final long guildId, final String name,
        final long permissions, final int color, final String reason)
    {
        create(correlation, userId, guildId, name, permissions, color, OwnerCommands.KEEP, reason);
    }

    /**
     * {@link #create(long, long, long, String, long, int, String)} with {@code hoist}: 1 hoisted, 0 or
     * {@link OwnerCommands#KEEP} not.
     */
    public void create(final long correlation, final long userId, final long guildId, final String name,
        final long permissions, final int color, final int hoist, final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.ROLE_CREATE, correlation, userId,
            reason).putLong(guildId).putString(name).putLong(permissions).putInt(color).putInt(hoist));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the editor (MANAGE_ROLES, above the role).
     * @param guildId     the guild.
     * @param roleId      the role.
     * @param name        the new name, or null.
     * @param permissions the new permission bits, or {@link OwnerCommands#KEEP}.
     * @param color       the new colour, or KEEP.
     */
    public void edit(final long correlation, final long userId, final long guildId, final long roleId,
        final String name, final long permissions, final int color)
    {
        edit(correlation, userId, guildId, roleId, name, permissions, color, null);
    }

    /**
     * {@link #edit(long, long, long, long, String, long, int)} with the request's audit-log reason (or null).
     */
    public void edit(final long correlation, final long userId, final long guildId, final long roleId,
        final String name, final long permissions, final int color, final String reason)
    {
        edit(correlation, userId, guildId, roleId, name, permissions, color, OwnerCommands.KEEP, reason);
    }

    /**
     * {@link #edit(long, long, long, long, String, long, int, String)} with {@code hoist}: 1 hoisted, 0 lowered,
     * {@link OwnerCommands#KEEP} unchanged.
     */
    public void edit(final long correlation, final long userId, final long guildId, final long roleId,
        final String name, final long permissions, final int color, final int hoist, final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.ROLE_EDIT, correlation, userId, reason)
            .putLong(guildId).putLong(roleId).putString(name).putLong(permissions).putInt(color).putInt(hoist));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who deletes it (MANAGE_ROLES, above the role).
     * @param guildId     the guild.
     * @param roleId      the role.
     */
    public void delete(final long correlation, final long userId, final long guildId, final long roleId)
    {
        delete(correlation, userId, guildId, roleId, null);
    }

    /**
     * {@link #delete(long, long, long, long)} with the request's audit-log reason (or null).
     */
    public void delete(final long correlation, final long userId, final long guildId, final long roleId,
        final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.ROLE_DELETE, correlation, userId,
            reason).putLong(guildId).putLong(roleId));
    }

    /**
     * {@code PATCH /guilds/{g}/roles}: moves roles.
     *
     * @param correlation the waiting request.
     * @param userId      who moves them (MANAGE_ROLES, above every role moved and every position asked).
     * @param reason      the audit-log reason, or null.
     * @param guildId     the guild.
     * @param moves       role, position, role, position…
     */
    public void positions(final long correlation, final long userId, final String reason, final long guildId,
        final long[] moves)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.ROLE_POSITIONS, correlation, userId,
            reason).putLong(guildId).putLongs(moves));
    }
}
