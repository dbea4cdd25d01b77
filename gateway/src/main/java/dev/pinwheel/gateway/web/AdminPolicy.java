package dev.pinwheel.gateway.web;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.ids.SnowflakeIds;

/**
 * Who may read {@code /metrics} (and so the dashboard): the users listed in the system property
 * {@value #ADMIN_USERS_PROP_NAME} (comma-separated user ids), or, when it is unset or empty, the first
 * registered account — the lowest user id, since ids are snowflakes that sort by creation time.
 * <p>
 * The first account never changes once it is settled, so it is cached — once it is a minute old: accounts
 * registered at the same moment are applied by different shards and may land out of order. Thread-safe.
 */
public final class AdminPolicy
{
    /** Comma-separated admin user ids. */
    public static final String ADMIN_USERS_PROP_NAME = "pinwheel.admin.users";

    private static final long SETTLED_MILLIS = 60_000;

    private volatile long firstAccount = -1;

    /**
     * @param userId   an authenticated user, or a negative value.
     * @param accounts the node's accounts.
     * @return whether that user is an admin.
     */
    public boolean isAdmin(final long userId, final Accounts accounts)
    {
        if (userId < 0)
        {
            return false;
        }
        final String listed = System.getProperty(ADMIN_USERS_PROP_NAME, "").trim();
        if (!listed.isEmpty())
        {
            for (final String part : listed.split(","))
            {
                if (part.trim().equals(Long.toString(userId)))
                {
                    return true;
                }
            }
            return false;
        }
        long first = firstAccount;
        if (first < 0)
        {
            first = accounts.lowestUserId();
            if (first >= 0 && System.currentTimeMillis() - SnowflakeIds.timestampMillis(first) > SETTLED_MILLIS)
            {
                firstAccount = first;
            }
        }
        return first >= 0 && first == userId;
    }
}
