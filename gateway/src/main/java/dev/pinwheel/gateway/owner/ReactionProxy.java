package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends the reaction operations on a guild channel's message to the guild's owner as typed commands
 * ({@link OwnerCommands} 100-103), read back field by field, in this order, by {@link ReactionService}. An emoji
 * travels as its Unicode name (checked by the route). Runs on the shard holding the request.
 */
public final class ReactionProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public ReactionProxy(final Shard shard)
    {
        this.shard = shard;
    }

    private int owner(final long guildId)
    {
        return shard.group().ownerOf(guildId);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who reacts.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageId   the message.
     * @param emoji       the emoji's name.
     */
    public void add(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId, final String emoji)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.REACTION_ADD, correlation, userId)
            .putLong(guildId).putLong(channelId).putLong(messageId).putString(emoji));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who asks.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageId   the message.
     * @param emoji       the emoji's name.
     * @param reactor     whose reaction goes (another user's needs MANAGE_MESSAGES).
     */
    public void remove(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId, final String emoji, final long reactor)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.REACTION_REMOVE, correlation, userId)
            .putLong(guildId).putLong(channelId).putLong(messageId).putString(emoji).putLong(reactor));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who asks (MANAGE_MESSAGES).
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageId   the message.
     * @param emoji       the emoji whose reactions go, or null for all of them.
     */
    public void clear(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId, final String emoji)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.REACTION_CLEAR, correlation, userId)
            .putLong(guildId).putLong(channelId).putLong(messageId).putString(emoji));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param messageId   the message.
     * @param emoji       the emoji.
     * @param after       only users with a greater id (0: from the first).
     * @param limit       1-100.
     */
    public void users(final long correlation, final long userId, final long guildId, final long channelId,
        final long messageId, final String emoji, final long after, final int limit)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.REACTION_USERS, correlation, userId)
            .putLong(guildId).putLong(channelId).putLong(messageId).putString(emoji).putLong(after).putInt(limit));
    }
}
