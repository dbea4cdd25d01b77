package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

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
            correlation, userId).putLong(guildId).putString(name));
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
}
