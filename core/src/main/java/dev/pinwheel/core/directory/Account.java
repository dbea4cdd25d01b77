package dev.pinwheel.core.directory;

/**
 * A registered user.
 *
 * @param id           user snowflake.
 * @param username     unique name (case-insensitive).
 * @param passwordHash encoded password hash ({@code pbkdf2-sha512$iterations$salt$hash}).
 * @param bot          whether the account is a bot application.
 * @param avatar       the avatar's hash (served at {@code /avatars/{id}/{hash}.png}), or null.
 */
public record Account(long id, String username, String passwordHash, boolean bot, String avatar)
{
    /**
     * An account without an avatar.
     */
    public Account(final long id, final String username, final String passwordHash, final boolean bot)
    {
        this(id, username, passwordHash, bot, null);
    }

    /**
     * @param hash the new avatar's hash, or null for none.
     * @return this account with that avatar.
     */
    public Account withAvatar(final String hash)
    {
        return new Account(id, username, passwordHash, bot, hash);
    }
}
