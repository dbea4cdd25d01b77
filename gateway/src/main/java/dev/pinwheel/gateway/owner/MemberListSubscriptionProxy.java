package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Op 14 from a session to the guild's owner ({@link OwnerCommands#MEMBER_LIST_SUBSCRIBE}, read by
 * {@link LazyMemberLists}), and the end of the session's subscriptions there
 * ({@link OwnerCommands#MEMBER_LIST_UNSUBSCRIBE}). Runs on the session's shard (its command writer).
 */
public final class MemberListSubscriptionProxy
{
    private final Shard shard;

    /**
     * @param shard the session's shard (this thread).
     */
    public MemberListSubscriptionProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param sessionId the session.
     * @param userId    its user.
     * @param guildId   the guild.
     * @param channelId the channel whose list it looks at.
     * @param ranges    the rows it looks at: first, last, first, last...
     */
    public void subscribe(final String sessionId, final long userId, final long guildId, final long channelId,
        final long[] ranges)
    {
        shard.send(shard.group().ownerOf(guildId), shard.commandWriter().begin(OwnerCommands.MEMBER_LIST_SUBSCRIBE)
            .putInt(shard.address()).putString(sessionId).putLong(userId).putLong(guildId).putLong(channelId)
            .putLongs(ranges));
    }

    /**
     * @param sessionId the session that ended.
     * @param guildId   a guild whose lists it looked at.
     */
    public void ended(final String sessionId, final long guildId)
    {
        shard.send(shard.group().ownerOf(guildId), shard.commandWriter()
            .begin(OwnerCommands.MEMBER_LIST_UNSUBSCRIBE).putInt(shard.address()).putString(sessionId).putLong(guildId));
    }
}
