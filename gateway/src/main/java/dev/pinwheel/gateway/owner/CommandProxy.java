package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends the application-command registry operations to the owner of the application id (a bot's user id) as typed
 * commands ({@link OwnerCommands} 120-125), read back in this order by {@link CommandService}. Command bodies travel
 * as JSON text (their shape is open-ended), checked by the route first. Runs on the shard holding the request.
 */
public final class CommandProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public CommandProxy(final Shard shard)
    {
        this.shard = shard;
    }

    private int owner(final long applicationId)
    {
        return shard.group().ownerOf(applicationId);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the application itself.
     * @param app         the application.
     * @param guildId     the guild, or 0 for global commands.
     */
    public void list(final long correlation, final long userId, final long app, final long guildId)
    {
        shard.send(owner(app), OwnerCommands.request(shard, OwnerCommands.APP_COMMAND_LIST, correlation, userId)
            .putLong(app).putLong(guildId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the application itself.
     * @param app         the application.
     * @param guildId     the guild, or 0 for global commands.
     * @param commandId   the command.
     */
    public void get(final long correlation, final long userId, final long app, final long guildId,
        final long commandId)
    {
        shard.send(owner(app), OwnerCommands.request(shard, OwnerCommands.APP_COMMAND_GET, correlation, userId)
            .putLong(app).putLong(guildId).putLong(commandId));
    }

    /**
     * @param correlation  the waiting request.
     * @param userId       the application itself.
     * @param app          the application.
     * @param guildId      the guild, or 0 for global commands.
     * @param commandsJson the whole new list, each command checked and reduced, as a JSON array.
     */
    public void overwrite(final long correlation, final long userId, final long app, final long guildId,
        final String commandsJson)
    {
        shard.send(owner(app), OwnerCommands.request(shard, OwnerCommands.APP_COMMAND_OVERWRITE, correlation, userId)
            .putLong(app).putLong(guildId).putString(commandsJson));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the application itself.
     * @param app         the application.
     * @param guildId     the guild, or 0 for global commands.
     * @param commandJson the command, checked and reduced, as a JSON object.
     */
    public void upsert(final long correlation, final long userId, final long app, final long guildId,
        final String commandJson)
    {
        shard.send(owner(app), OwnerCommands.request(shard, OwnerCommands.APP_COMMAND_UPSERT, correlation, userId)
            .putLong(app).putLong(guildId).putString(commandJson));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the application itself.
     * @param app         the application.
     * @param guildId     the guild, or 0 for global commands.
     * @param commandId   the command.
     * @param changesJson the fields to replace, as a JSON object (checked, merged, by the owner).
     */
    public void edit(final long correlation, final long userId, final long app, final long guildId,
        final long commandId, final String changesJson)
    {
        shard.send(owner(app), OwnerCommands.request(shard, OwnerCommands.APP_COMMAND_EDIT, correlation, userId)
            .putLong(app).putLong(guildId).putLong(commandId).putString(changesJson));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the application itself.
     * @param app         the application.
     * @param guildId     the guild, or 0 for global commands.
     * @param commandId   the command.
     */
    public void delete(final long correlation, final long userId, final long app, final long guildId,
        final long commandId)
    {
        shard.send(owner(app), OwnerCommands.request(shard, OwnerCommands.APP_COMMAND_DELETE, correlation, userId)
            .putLong(app).putLong(guildId).putLong(commandId));
    }
}
