package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends application and OAuth2 operations as typed commands ({@link OwnerCommands} 153-155): creating an application
 * and resetting its bot's token go to the owner of the application's id (where its bot account lives), adding a bot
 * to a guild to the guild's owner. Read back in this order by {@link ApplicationService}. Runs on the shard holding
 * the request.
 */
public final class ApplicationProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public ApplicationProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param correlation the waiting request.
     * @param ownerId     the person creating it.
     * @param app         the new application's id (and its bot's).
     * @param botUsername the bot's username, reserved for {@code app}.
     * @param name        the application's name.
     * @param description its description.
     * @param token       the bot's first token.
     * @param tokenHash   its hash (what is stored).
     */
    public void create(final long correlation, final long ownerId, final long app, final String botUsername,
        final String name, final String description, final String token, final String tokenHash)
    {
        shard.send(shard.group().ownerOf(app), OwnerCommands.request(shard, OwnerCommands.APPLICATION_CREATE,
            correlation, ownerId).putLong(app).putString(botUsername).putString(name).putString(description)
            .putString(token).putString(tokenHash));
    }

    /**
     * @param correlation the waiting request.
     * @param ownerId     the person asking (the application's owner).
     * @param app         the application.
     * @param token       the new token.
     * @param tokenHash   its hash.
     */
    public void resetToken(final long correlation, final long ownerId, final long app, final String token,
        final String tokenHash)
    {
        shard.send(shard.group().ownerOf(app), OwnerCommands.request(shard, OwnerCommands.APPLICATION_TOKEN_RESET,
            correlation, ownerId).putLong(app).putString(token).putString(tokenHash));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the guild manager authorizing.
     * @param guildId     the guild.
     * @param bot         the application's bot.
     * @param permissions the permissions of the bot's role (0: no role).
     */
    public void addBot(final long correlation, final long userId, final long guildId, final long bot,
        final long permissions)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.OAUTH2_BOT_ADD,
            correlation, userId).putLong(guildId).putLong(bot).putLong(permissions));
    }
}
