package dev.pinwheel.core.guild;

/**
 * A guild member.
 *
 * @param userId             user snowflake.
 * @param joinedAtMillis     epoch millis of joining.
 * @param roleIds            roles beyond @everyone.
 * @param nick               nickname or null.
 * @param timeoutUntilMillis epoch millis until which the member is timed out ({@code communication_disabled_until});
 *                           0: never.
 */
public record Member(long userId, long joinedAtMillis, long[] roleIds, String nick, long timeoutUntilMillis)
{
    /** The roles of a member without any: one array for all of them (most members; 16 B each before, issue 14). */
    private static final long[] NO_ROLES = new long[0];

    /**
     * A member.
     *
     * @param userId             user snowflake.
     * @param joinedAtMillis     epoch millis of joining.
     * @param roleIds            roles beyond @everyone (an empty array is replaced by a shared one).
     * @param nick               nickname or null.
     * @param timeoutUntilMillis epoch millis until which the member is timed out; 0: never.
     */
    public Member
    {
        if (roleIds != null && roleIds.length == 0)
        {
            roleIds = NO_ROLES;
        }
    }

    /**
     * A member who is not timed out.
     *
     * @param userId         user snowflake.
     * @param joinedAtMillis epoch millis of joining.
     * @param roleIds        roles beyond @everyone.
     * @param nick           nickname or null.
     */
    public Member(final long userId, final long joinedAtMillis, final long[] roleIds, final String nick)
    {
        this(userId, joinedAtMillis, roleIds, nick, 0);
    }

    /**
     * @param nowMillis now, epoch millis.
     * @return whether the member is timed out at that moment.
     */
    public boolean timedOut(final long nowMillis)
    {
        return timeoutUntilMillis > nowMillis;
    }

    /**
     * @param roles the roles from now on.
     * @return this member with those roles.
     */
    public Member withRoles(final long[] roles)
    {
        return new Member(userId, joinedAtMillis, roles, nick, timeoutUntilMillis);
    }

    /**
     * @param newNick the nickname from now on (null: none).
     * @return this member with that nickname.
     */
    public Member withNick(final String newNick)
    {
        return new Member(userId, joinedAtMillis, roleIds, newNick, timeoutUntilMillis);
    }

    /**
     * @param untilMillis the end of the timeout (0: none).
     * @return this member timed out until then.
     */
    public Member withTimeout(final long untilMillis)
    {
        return new Member(userId, joinedAtMillis, roleIds, nick, untilMillis);
    }
}
