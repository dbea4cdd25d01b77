package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.shard.Shard;

/**
 * Publishes an event of one channel to those who may see the channel: the guild keeps each channel's viewers
 * ({@link Guild#viewers}, recomputed only after a change of roles, members or overwrites; null when everyone sees
 * it), and the event carries that snapshot to every interested shard, whose sessions outside it skip the event.
 * The event is still encoded once and handed once per shard. Owner shard only, after the commit.
 */
final class ChannelEvents
{
    private ChannelEvents()
    {
    }

    /**
     * @param owner     this shard.
     * @param g         the guild.
     * @param channelId the event's channel.
     * @param event     the event.
     */
    static void publish(final Shard owner, final Guild g, final long channelId, final Dispatch event)
    {
        final GuildChannel c = g.channel(channelId);
        owner.publish(g, c == null ? event : event.withAudience(g.viewers(c)));
    }

    /**
     * @param owner the shard.
     * @param g     the guild.
     * @param c     the channel (also one just deleted).
     * @param event the event.
     */
    static void publish(final Shard owner, final Guild g, final GuildChannel c, final Dispatch event)
    {
        owner.publish(g, event.withAudience(g.viewers(c)));
    }
}
