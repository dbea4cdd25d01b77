package dev.pinwheel.core.guild;

/**
 * A guild member.
 *
 * @param userId       user snowflake.
 * @param joinedAtMillis epoch millis of joining.
 * @param roleIds      roles beyond @everyone.
 * @param nick         nickname or null.
 */
public record Member(long userId, long joinedAtMillis, long[] roleIds, String nick)
{
}
