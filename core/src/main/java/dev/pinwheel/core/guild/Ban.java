package dev.pinwheel.core.guild;

/**
 * A user banned from a guild: they cannot join it again until the ban is lifted.
 *
 * @param userId the banned user.
 * @param reason why (the moderator's audit-log reason), or null.
 */
public record Ban(long userId, String reason)
{
}
