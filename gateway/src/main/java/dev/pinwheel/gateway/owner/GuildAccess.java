package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;

/**
 * The opening every owner operation shares: find the guild (and channel) the request names, check that the user
 * is a member (and holds the permissions), or answer the error. Owner shard only.
 */
public final class GuildAccess
{
    private GuildAccess()
    {
    }

    /**
     * @param owner   the owner shard.
     * @param guildId the guild.
     * @param reply   answers 10004 (unknown guild) or 50001 (not a member).
     * @return the guild, or null after an error answer.
     */
    public static Guild guild(final Shard owner, final long guildId, final Reply reply)
    {
        if (elsewhere(owner, guildId))
        {
            reply.error(DiscordError.GUILD_MOVING); // even when held here: that copy may be stale (see elsewhere)
            return null;
        }
        final Guild g = owner.guilds().get(guildId);
        if (g == null)
        {
            reply.error(DiscordError.UNKNOWN_GUILD);
            return null;
        }
        if (g.member(reply.userId()) == null)
        {
            reply.error(DiscordError.MISSING_ACCESS);
            return null;
        }
        return g;
    }

    /**
     * A command can reach a shard that does not own its guild by the current ring, in a cluster: it was routed here by
     * a ring in which this shard owned it, and the guild left (or is leaving) for its new owner before it ran, or it
     * came to the guild's new owner, which has not loaded it yet. That is "moving" (503, retry), not "unknown" (404: a
     * client drops the guild) — and not served from a copy this shard may still hold: a node whose ownership lease ran
     * out during a stall held the commands that reached it, and when the lease was renewed ran them at once, before its
     * handover had released the guilds others owned meanwhile and loaded them again — on its stale copy (a chaos soak:
     * a post sent again ran there, did not find the message its first try had written on the other owner, and was
     * written twice).
     *
     * @param owner   a shard.
     * @param guildId a guild.
     * @return whether the current ring routes the guild elsewhere, or it is moving.
     */
    static boolean elsewhere(final Shard owner, final long guildId)
    {
        return owner.group().clusterLink() != null && owner.group().ownerOf(guildId) != owner.id();
    }

    /**
     * @param owner   the owner shard.
     * @param guildId the guild.
     * @param needed  guild-wide permissions the user must hold (50013 otherwise), e.g. MANAGE_ROLES.
     * @param reply   where errors go (10004, 50001, 50013).
     * @return the guild, or null after an error answer.
     */
    public static Guild guildWith(final Shard owner, final long guildId, final long needed, final Reply reply)
    {
        final Guild g = guild(owner, guildId, reply);
        if (g != null && !Permissions.has(Permissions.of(g, reply.userId()), needed))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return null;
        }
        return g;
    }

    /**
     * @param g         the guild.
     * @param channelId a channel of it.
     * @param reply     answers 10003.
     * @return the channel, or null after an error answer.
     */
    public static GuildChannel channel(final Guild g, final long channelId, final Reply reply)
    {
        final GuildChannel c = g.channel(channelId);
        if (c == null)
        {
            reply.error(DiscordError.UNKNOWN_CHANNEL);
        }
        return c;
    }

    /**
     * @param owner     the owner shard.
     * @param guildId   the guild.
     * @param channelId a channel of it.
     * @param needed    permissions the user must hold there, overwrites applied (50013 otherwise; 50001 for a
     *                  channel the user cannot see).
     * @param reply     where errors go.
     * @return the channel, or null after an error answer.
     */
    public static GuildChannel channelWith(final Shard owner, final long guildId, final long channelId,
        final long needed, final Reply reply)
    {
        final Guild g = guild(owner, guildId, reply);
        final GuildChannel c = g == null ? null : channel(g, channelId, reply);
        if (c == null)
        {
            return null;
        }
        final long granted = Permissions.in(g, reply.userId(), c);
        if (!Permissions.has(granted, Permissions.VIEW_CHANNEL))
        {
            reply.error(DiscordError.MISSING_ACCESS); // a channel one cannot see: 50001, as on Discord
            return null;
        }
        if (!Permissions.has(granted, needed))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return null;
        }
        return c;
    }
}
