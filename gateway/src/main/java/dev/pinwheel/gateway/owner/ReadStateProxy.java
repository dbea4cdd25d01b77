package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends read-state operations to the owner of the user they belong to (the routing ring, as for guilds) as typed
 * commands, read back in this order by {@link ReadStateService}: a REST ack or bulk ack, a session's request for the
 * read states of its READY, and a guild owner's mentions of a new message. Runs on the sending shard (its command
 * writer).
 */
public final class ReadStateProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public ReadStateProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who read.
     * @param channelId   the channel.
     * @param messageId   the message read up to.
     */
    public void ack(final long correlation, final long userId, final long channelId, final long messageId)
    {
        shard.send(shard.group().ownerOf(userId), OwnerCommands.request(shard, OwnerCommands.READ_STATE_ACK,
            correlation, userId).putLong(channelId).putLong(messageId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who read.
     * @param channelIds  the channels.
     * @param messageIds  the message read up to in each.
     */
    public void ackBulk(final long correlation, final long userId, final long[] channelIds, final long[] messageIds)
    {
        shard.send(shard.group().ownerOf(userId), OwnerCommands.request(shard, OwnerCommands.READ_STATE_ACK_BULK,
            correlation, userId).putLongs(channelIds).putLongs(messageIds));
    }

    /**
     * Asks the user's owner for the user's read states; they come back as {@link OwnerCommands#READ_STATES}.
     *
     * @param userId    the user identifying.
     * @param sessionId the new session.
     */
    public void requestReadStates(final long userId, final String sessionId)
    {
        shard.send(shard.group().ownerOf(userId), shard.commandWriter().begin(OwnerCommands.READ_STATES_GET)
            .putLong(userId).putString(sessionId).putInt(shard.address()));
    }

    /**
     * From a guild's owner, once a message is durable: one command per owner (shard or other node's shard) of
     * the users it mentions.
     *
     * @param owner     this shard.
     * @param channelId the message's channel.
     * @param messageId the message.
     * @param users     the users whose mention count grows.
     */
    static void mentioned(final Shard owner, final long channelId, final long messageId, final long[] users)
    {
        // owners are routes: a shard of this node or of another (users are owned across the cluster)
        final org.agrona.collections.Int2ObjectHashMap<org.agrona.collections.LongArrayList> byOwner =
            new org.agrona.collections.Int2ObjectHashMap<>();
        for (final long u : users)
        {
            byOwner.computeIfAbsent(owner.group().ownerOf(u), s -> new org.agrona.collections.LongArrayList())
                .addLong(u);
        }
        byOwner.forEach((route, owned) -> owner.send(route, owner.commandWriter()
            .begin(OwnerCommands.READ_STATE_MENTIONS).putLong(channelId).putLong(messageId)
            .putLongs(owned.toLongArray())));
    }
}
