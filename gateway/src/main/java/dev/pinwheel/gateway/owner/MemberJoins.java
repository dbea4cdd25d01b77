package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * What the owner of a guild tells the rest of the node when a user becomes a member (created the guild, accepted an
 * invite): every shard with a session of that user subscribes it to the guild, so it receives GUILD_CREATE and the
 * guild's events; and when a user stops being one ({@link #left}). The owner services call it after the commit; the node's implementation tells every shard's
 * sessions ({@link SessionProxy#userJoined}), tests record it. Owner shard thread.
 */
@FunctionalInterface
public interface MemberJoins
{
    /** Tells no one (tests of other areas). */
    MemberJoins NONE = (owner, userId, guildId) ->
    {
    };

    /**
     * @param owner   the guild's owner shard (this thread).
     * @param userId  the new member.
     * @param guildId the guild.
     */
    void joined(Shard owner, long userId, long guildId);

    /**
     * A user is no member of a guild any more (left, kicked, banned, the guild deleted): every shard unsubscribes
     * that user's sessions from the guild at once and sends them GUILD_DELETE. Called after the commit, after the
     * guild's GUILD_MEMBER_REMOVE was published (so the others see it, the user's sessions see nothing later).
     *
     * @param owner   the guild's owner shard (this thread).
     * @param userId  the former member.
     * @param guildId the guild.
     */
    default void left(final Shard owner, final long userId, final long guildId)
    {
    }

    /**
     * A guild was deleted: as {@link #left} for each of its members (the node's implementation tells every shard once
     * per batch of members rather than once per member).
     *
     * @param owner   the guild's owner shard (this thread).
     * @param guildId the guild.
     * @param members its members.
     */
    default void guildDeleted(final Shard owner, final long guildId, final long[] members)
    {
        for (final long userId : members)
        {
            left(owner, userId, guildId);
        }
    }

    /**
     * A user's tokens were revoked (a bot's token reset): every shard closes that user's connections with 4004.
     * Called after the commit.
     *
     * @param owner  the user's owner shard (this thread).
     * @param userId the user.
     */
    default void tokensRevoked(final Shard owner, final long userId)
    {
    }
}
