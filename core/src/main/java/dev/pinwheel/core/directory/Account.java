package dev.pinwheel.core.directory;

/**
 * A registered user.
 *
 * @param id           user snowflake.
 * @param username     unique name (case-insensitive).
 * @param passwordHash encoded password hash ({@code pbkdf2-sha512$iterations$salt$hash}).
 * @param bot          whether the account is a bot application.
 */
public record Account(long id, String username, String passwordHash, boolean bot)
{
}
