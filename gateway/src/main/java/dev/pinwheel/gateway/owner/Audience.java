package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;

/**
 * Events only some members of a guild may receive (Discord sends INVITE_CREATE/DELETE to those who may manage
 * channels, GUILD_AUDIT_LOG_ENTRY_CREATE to those who may read the audit log): the bytes are encoded once, and one
 * dispatch per permitted member is published with that member as its target. Meant for rare moderation events (a
 * guild's moderators are few); the hot paths publish to the whole guild. Owner shard only, after the commit.
 */
final class Audience
{
    private Audience()
    {
    }

    /**
     * @param owner  this shard.
     * @param g      the guild.
     * @param needed the guild permissions a member needs to receive it.
     * @param type   the event's name.
     * @param data   its encoded {@code d}.
     * @param intent the intent a session needs.
     * @return members it went to.
     */
    static int publish(final Shard owner, final Guild g, final long needed, final String type, final byte[] data,
        final int intent)
    {
        int n = 0;
        for (final Member m : g.members())
        {
            if (Permissions.has(Permissions.of(g, m.userId()), needed))
            {
                owner.publish(g, new Dispatch(type, data, null, intent, g.id(), 0, m.userId()));
                n++;
            }
        }
        return n;
    }
}
