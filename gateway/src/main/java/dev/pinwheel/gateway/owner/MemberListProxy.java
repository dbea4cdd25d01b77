package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends a session's op 8 REQUEST_GUILD_MEMBERS to the guild's owner as a typed command
 * ({@link OwnerCommands#REQUEST_MEMBERS}), read back in this order by {@link MemberListService}. Runs on the session's
 * shard (its command writer); the chunks ({@link OwnerCommands#MEMBER_CHUNKS}) come back to this shard.
 */
public final class MemberListProxy
{
    private final Shard shard;

    /**
     * @param shard the session's shard (this thread).
     */
    public MemberListProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param sessionId the session.
     * @param userId    its user.
     * @param guildId   the guild.
     * @param userIds   the users asked for, or null for a query.
     * @param query     username/nickname prefix ("" for everyone) when {@code userIds} is null.
     * @param limit     at most this many members for a query (0: no limit).
     * @param presences whether presences go with the members (the session holds GUILD_PRESENCES and asked).
     * @param nonce     echoed in every chunk, or null.
     */
    public void requestMembers(final String sessionId, final long userId, final long guildId, final long[] userIds,
        final String query, final int limit, final boolean presences, final String nonce)
    {
        shard.send(shard.group().ownerOf(guildId), shard.commandWriter().begin(OwnerCommands.REQUEST_MEMBERS)
            .putInt(shard.address()).putString(sessionId).putLong(guildId).putLong(userId).putLongs(userIds)
            .putString(query).putInt(limit).putBoolean(presences).putString(nonce));
    }
}
