package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;

/**
 * Sends the guild operations to the guild's owner as typed commands ({@link OwnerCommands}), read back field by
 * field, in this order, by {@link GuildService}. Runs on the shard holding the request (its command writer); the
 * answer comes back to {@code correlation} on this shard.
 */
public final class GuildProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public GuildProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the creator, who becomes the owner.
     * @param guildId     the new guild's id (made on this shard: it decides the owner).
     * @param name        the name, trimmed, 2-100 characters.
     */
    public void create(final long correlation, final long userId, final long guildId, final String name)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.GUILD_CREATE,
            correlation, userId).putLong(guildId).putString(name).putString(null));
    }

    /**
     * {@link #create} with an icon already durable in the file store, sent from the store's thread.
     *
     * @param group  the node's shards.
     * @param origin the shard holding the request.
     * @param icon   the icon's hash.
     * @return false if the owner's inbox is full.
     */
    public static boolean createWithIcon(final ShardGroup group, final int origin, final long correlation,
        final long userId, final long guildId, final String name, final String icon)
    {
        return group.send(group.ownerOf(guildId), OwnerCommands.request(origin, OwnerCommands.GUILD_CREATE,
            correlation, userId).putLong(guildId).putString(name).putString(icon));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader (a member).
     * @param guildId     the guild.
     * @param withCounts  whether to add the approximate member and presence counts.
     */
    public void get(final long correlation, final long userId, final long guildId, final boolean withCounts)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.GUILD_GET,
            correlation, userId).putLong(guildId).putBoolean(withCounts));
    }

    /**
     * A guild edit: each field may be left as it is (null, or {@link OwnerCommands#KEEP} for numbers and ids).
     *
     * @param correlation   the waiting request.
     * @param userId        the editor (MANAGE_GUILD; the owner to transfer ownership).
     * @param reason        the audit-log reason, or null.
     * @param guildId       the guild.
     * @param name          the new name, or null.
     * @param description   whether the description is given.
     * @param text          the description ({@code null} clears it) when given.
     * @param ownerId       the new owner, or KEEP.
     * @param systemChannel the system channel (0: none), or KEEP.
     * @param afkChannel    the AFK channel (0: none), or KEEP.
     * @param levels        afk timeout, verification level, default notifications, explicit content filter (KEEP
     *                      each).
     */
    public void edit(final long correlation, final long userId, final String reason, final long guildId,
        final String name, final boolean description, final String text, final long ownerId,
        final long systemChannel, final long afkChannel, final int[] levels)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.GUILD_EDIT,
            correlation, userId, reason).putLong(guildId).putString(name).putBoolean(description).putString(text)
            .putLong(ownerId).putLong(systemChannel).putLong(afkChannel).putInt(levels[0]).putInt(levels[1])
            .putInt(levels[2]).putInt(levels[3]).putBoolean(false).putString(null));
    }

    /**
     * {@link #edit} that also sets the icon: a hash already durable in the file store ("" clears it). Sent from the
     * store's thread ({@code group} and {@code origin}) or, to clear, from the request's shard.
     *
     * @return false if the owner's inbox is full.
     */
    public static boolean editWithIcon(final ShardGroup group, final int origin, final long correlation,
        final long userId, final String reason, final long guildId, final String name, final boolean description,
        final String text, final long ownerId, final long systemChannel, final long afkChannel, final int[] levels,
        final String icon)
    {
        return group.send(group.ownerOf(guildId), OwnerCommands.request(origin, OwnerCommands.GUILD_EDIT,
            correlation, userId, reason).putLong(guildId).putString(name).putBoolean(description).putString(text)
            .putLong(ownerId).putLong(systemChannel).putLong(afkChannel).putInt(levels[0]).putInt(levels[1])
            .putInt(levels[2]).putInt(levels[3]).putBoolean(true).putString(icon));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who deletes it (the owner).
     * @param guildId     the guild.
     */
    public void delete(final long correlation, final long userId, final long guildId)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.GUILD_DELETE,
            correlation, userId).putLong(guildId));
    }
}
