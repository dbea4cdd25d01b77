package dev.pinwheel.core.directory;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Node-wide lookups that let any shard route a request to the owner of the state it touches:
 * channel → guild, invite code → invite, guild → summary (name, owner) for guild lists.
 * Written by the owner shard when the thing is created (and during recovery), read by every shard.
 */
public final class Directory
{
    /**
     * What any shard may know about a guild without asking its owner.
     *
     * @param id      guild id.
     * @param name    name.
     * @param ownerId owner user id.
     */
    public record GuildSummary(long id, String name, long ownerId)
    {
    }

    private final ConcurrentHashMap<Long, Long> channelGuild = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Invite> invites = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, GuildSummary> guilds = new ConcurrentHashMap<>();
    /** Application commands: "appId:guildId" (guild 0 = global) → JSON array text; written by the app's owner shard. */
    private final ConcurrentHashMap<String, String> commands = new ConcurrentHashMap<>();
    /** Direct-message channels: channel → its two users; and "low:high" user pair → channel. */
    private final ConcurrentHashMap<Long, long[]> dmUsers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> dmByPair = new ConcurrentHashMap<>();

    /**
     * @param channelId channel.
     * @param guildId   its guild.
     */
    public void putChannel(final long channelId, final long guildId)
    {
        channelGuild.put(channelId, guildId);
    }

    /**
     * @param channelId a deleted channel.
     */
    public void removeChannel(final long channelId)
    {
        channelGuild.remove(channelId);
    }

    /**
     * @param channelId channel.
     * @return its guild id, or 0 if unknown.
     */
    public long guildOfChannel(final long channelId)
    {
        final Long g = channelGuild.get(channelId);
        return g == null ? 0 : g;
    }

    /**
     * @param invite invite to add.
     */
    public void putInvite(final Invite invite)
    {
        invites.put(invite.code(), invite);
    }

    /**
     * @param code invite code.
     * @return the invite or null.
     */
    public Invite invite(final String code)
    {
        return invites.get(code);
    }

    /**
     * @param summary guild summary to add or replace.
     */
    public void putGuild(final GuildSummary summary)
    {
        guilds.put(summary.id(), summary);
    }

    /**
     * @param guildId guild.
     * @return summary or null.
     */
    public GuildSummary guild(final long guildId)
    {
        return guilds.get(guildId);
    }

    /**
     * @return number of guilds on the node.
     */
    public int guildCount()
    {
        return guilds.size();
    }

    /**
     * @param applicationId application (a bot's user id).
     * @param guildId       guild, or 0 for global commands.
     * @param json          the whole command list as a JSON array text.
     */
    public void putCommands(final long applicationId, final long guildId, final String json)
    {
        commands.put(applicationId + ":" + guildId, json);
    }

    /**
     * @param applicationId application.
     * @param guildId       guild, or 0 for global commands.
     * @return the command list as a JSON array text ("[]" when none).
     */
    public String commands(final long applicationId, final long guildId)
    {
        return commands.getOrDefault(applicationId + ":" + guildId, "[]");
    }

    /**
     * @param channelId a direct-message channel.
     * @param a         one user.
     * @param b         the other.
     */
    public void putDm(final long channelId, final long a, final long b)
    {
        dmUsers.put(channelId, new long[] {a, b});
        dmByPair.put(pairKey(a, b), channelId);
    }

    /**
     * @param channelId a channel id.
     * @return its two users if it is a direct-message channel, else null.
     */
    public long[] dmUsers(final long channelId)
    {
        return dmUsers.get(channelId);
    }

    /**
     * @param a a user.
     * @param b another.
     * @return their direct-message channel, or 0.
     */
    public long dmBetween(final long a, final long b)
    {
        return dmByPair.getOrDefault(pairKey(a, b), 0L);
    }

    /**
     * @param a a user.
     * @param b another.
     * @return the key of the pair, the same whichever comes first.
     */
    public static String pairKey(final long a, final long b)
    {
        return Math.min(a, b) + ":" + Math.max(a, b);
    }
}
