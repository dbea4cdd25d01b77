package dev.pinwheel.core.guild;

/**
 * One entry of a guild's audit log: who did what to whom, and why.
 *
 * @param id         the entry's snowflake (its time).
 * @param userId     who acted.
 * @param targetId   what or whom it was done to (a user, role, channel, message author...), 0 for none.
 * @param actionType Discord's audit log event type (e.g. 20 MEMBER_KICK).
 * @param reason     the moderator's {@code X-Audit-Log-Reason}, or null.
 * @param changes    the entry's {@code changes} as a JSON array text, or null.
 * @param options    the entry's {@code options} as a JSON object text, or null.
 */
public record AuditEntry(long id, long userId, long targetId, int actionType, String reason, String changes,
    String options)
{
}
