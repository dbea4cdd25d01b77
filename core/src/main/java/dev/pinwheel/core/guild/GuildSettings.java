package dev.pinwheel.core.guild;

/**
 * What a guild's managers set beyond its name and owner ({@code PATCH /guilds/{g}}).
 *
 * @param description          the guild's description, or null.
 * @param systemChannelId      where system messages go (0: none).
 * @param afkChannelId         the AFK voice channel (0: none).
 * @param afkTimeoutSeconds    seconds before moving idle members there (60, 300, 900, 1800, 3600).
 * @param verificationLevel    0-4.
 * @param defaultNotifications 0 (all messages) or 1 (only mentions).
 * @param explicitContentFilter 0-2.
 */
public record GuildSettings(String description, long systemChannelId, long afkChannelId, int afkTimeoutSeconds,
    int verificationLevel, int defaultNotifications, int explicitContentFilter)
{
    /** A new guild's settings. */
    public static final GuildSettings DEFAULT = new GuildSettings(null, 0, 0, 300, 0, 0, 0);
}
