package dev.pinwheel.gateway.owner;

import org.agrona.collections.LongHashSet;

import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.PresenceFields;

/**
 * What the presence of a guild's members needs from its lazy member lists (op 14), on the guild's owner shard.
 */
public interface MemberListUpdates
{
    /**
     * @param g a guild this shard owns.
     * @return who receives its PRESENCE_UPDATEs and typing: null for every session (a small guild, Discord's eager
     *         behaviour), else the users that subscribed to it (a lazy guild: a snapshot never modified after).
     */
    LongHashSet presenceAudience(Guild g);

    /**
     * A member's presence changed (published already).
     *
     * @param owner  this shard.
     * @param g      the guild.
     * @param userId the member.
     * @param before what others saw (null: offline).
     * @param after  what they see now (null: offline).
     */
    void presenceChanged(Shard owner, Guild g, long userId, PresenceFields before, PresenceFields after);

    /**
     * A member's roles or nickname changed (GUILD_MEMBER_UPDATE published already): the lists move the member (to the
     * group of its highest hoisted role, or by its new name).
     *
     * @param owner  this shard.
     * @param g      the guild.
     * @param userId the member.
     */
    default void memberUpdated(final Shard owner, final Guild g, final long userId)
    {
    }

    /**
     * A role was hoisted or lowered, created or deleted (published already): the lists regroup their members.
     *
     * @param owner this shard.
     * @param g     the guild.
     */
    default void rolesChanged(final Shard owner, final Guild g)
    {
    }
}
