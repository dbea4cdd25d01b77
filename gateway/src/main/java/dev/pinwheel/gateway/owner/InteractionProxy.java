package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends interaction operations to the owner of the interaction's guild as typed commands ({@link OwnerCommands}
 * 150-152), read back in this order by {@link InteractionService}. The interaction's data travels as JSON text (its
 * shape is open-ended), checked by the route first. Runs on the shard holding the request.
 */
public final class InteractionProxy
{
    /** {@link OwnerCommands#INTERACTION_WEBHOOK}: a follow-up message. */
    public static final int EXECUTE = 0;
    /** {@link OwnerCommands#INTERACTION_WEBHOOK}: read a response message. */
    public static final int GET = 1;
    /** {@link OwnerCommands#INTERACTION_WEBHOOK}: edit a response message. */
    public static final int EDIT = 2;
    /** {@link OwnerCommands#INTERACTION_WEBHOOK}: delete a response message. */
    public static final int DELETE = 3;

    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public InteractionProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the invoking user.
     * @param app         the application.
     * @param guildId     the guild.
     * @param channelId   the channel.
     * @param type        the interaction type (2 command, 3 component, 4 autocomplete, 5 modal submit).
     * @param messageId   the message of the component (type 3), else 0.
     * @param nonce       the client's nonce, or null.
     * @param sessionId   the invoking gateway session, or null.
     * @param dataJson    the interaction's data, a JSON object.
     */
    public void invoke(final long correlation, final long userId, final long app, final long guildId,
        final long channelId, final int type, final long messageId, final String nonce, final String sessionId,
        final String dataJson)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.INTERACTION_INVOKE,
            correlation, userId).putLong(app).putLong(guildId).putLong(channelId).putInt(type).putLong(messageId)
            .putString(nonce).putString(sessionId).putString(dataJson));
    }

    /**
     * @param correlation   the waiting request.
     * @param guildId       the interaction's guild (from its token).
     * @param interactionId the interaction.
     * @param token         its token as given.
     * @param type          the callback type (1, 4-9).
     * @param withResponse  whether the answer carries the callback's result (200) instead of 204.
     * @param dataJson      the callback's data, checked and reduced by the route (JSON object, or null).
     */
    public void callback(final long correlation, final long guildId, final long interactionId, final String token,
        final int type, final boolean withResponse, final String dataJson)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.INTERACTION_CALLBACK,
            correlation, 0).putLong(interactionId).putString(token).putInt(type).putBoolean(withResponse)
            .putString(dataJson));
    }

    /**
     * @param correlation   the waiting request.
     * @param guildId       the interaction's guild (from its token).
     * @param app           the application in the path.
     * @param interactionId the interaction.
     * @param token         its token as given.
     * @param operation     {@link #EXECUTE}, {@link #GET}, {@link #EDIT} or {@link #DELETE}.
     * @param messageId     the message ({@code 0}: {@code @original}).
     * @param dataJson      the message fields (checked and reduced by the route), or null.
     */
    public void webhook(final long correlation, final long guildId, final long app, final long interactionId,
        final String token, final int operation, final long messageId, final String dataJson)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.INTERACTION_WEBHOOK,
            correlation, 0).putLong(app).putLong(interactionId).putString(token).putInt(operation).putLong(messageId)
            .putString(dataJson));
    }
}
