package dev.pinwheel.core.guild;

/**
 * An incoming webhook of a guild channel. Its token is never kept: only its SHA-256 ({@code tokenHash}, hex), which
 * the owner compares with the hash of the token a request presents.
 *
 * @param id        the webhook's snowflake (also its pseudo-user's id as a message author).
 * @param guildId   its guild.
 * @param channelId the channel it posts to.
 * @param name      its default username (1-80 characters).
 * @param avatar    its default avatar's hash in the file store, or null.
 * @param tokenHash hex SHA-256 of its token.
 * @param creatorId the user who created it.
 */
public record Webhook(long id, long guildId, long channelId, String name, String avatar, String tokenHash,
    long creatorId)
{
}
