package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends the pin operations of a guild channel to the guild's owner as typed commands ({@link OwnerCommands}
 * 105-107), read back in this order by {@link PinService}. Runs on the shard holding the request.
 */
public final class PinProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public PinProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param itemsShape  true for the current route's {@code {items: [{pinned_at, message}], has_more}}, false for the
     *                    classic route's plain array.
     */
    public void list(final long correlation, final long userId, final long guildId, final long channelId,
        final boolean itemsShape)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, OwnerCommands.PIN_LIST, correlation,
            userId).putLong(guildId).putLong(channelId).putBoolean(itemsShape));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who pins or unpins (MANAGE_MESSAGES).
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageId   the message.
     * @param pin         true to pin, false to unpin.
     */
    public void pin(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId, final boolean pin)
    {
        shard.send(shard.group().ownerOf(guildId), OwnerCommands.request(shard, pin ? OwnerCommands.PIN_ADD
            : OwnerCommands.PIN_REMOVE, correlation, userId).putLong(guildId).putLong(channelId).putLong(messageId));
    }
}
