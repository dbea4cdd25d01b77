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
 * guild's moderators are few); the hot paths publish to the whole guild. The guild keeps who holds each permission
 * asked for ({@link Guild#holders}), so an event costs its receivers (≈ 0.2 µs for eight), not a pass over every
 * member (23–90 ns each: 9 ms of the owner's shard in a guild of 100,000; {@code AudienceBenchmark}). Owner shard only,
 * after the commit.
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
        final org.agrona.collections.LongHashSet holders = g.holders(needed);
        int n = 0;
        if (holders == null)
        {
            for (final Member m : g.members())
            {
                n += publish(owner, g, m.userId(), needed, type, data, intent);
            }
        }
        else
        {
            for (final org.agrona.collections.LongHashSet.LongIterator it = holders.iterator(); it.hasNext(); )
            {
                n += publish(owner, g, it.nextValue(), needed, type, data, intent);
            }
        }
        return n;
    }

    /** Publishes it to one member if the member holds {@code needed} now (a timeout takes it away): 1, else 0. */
    private static int publish(final Shard owner, final Guild g, final long userId, final long needed,
        final String type, final byte[] data, final int intent)
    {
        if (!Permissions.has(Permissions.of(g, userId), needed))
        {
            return 0;
        }
        owner.publish(g, new Dispatch(type, data, null, intent, g.id(), 0, userId));
        return 1;
    }
}
