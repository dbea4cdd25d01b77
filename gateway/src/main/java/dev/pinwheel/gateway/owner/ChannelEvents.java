package dev.pinwheel.gateway.owner;

import java.util.ArrayList;
import java.util.List;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;

/**
 * Publishes an event of one channel to those who may see the channel: the guild keeps each channel's viewers
 * ({@link Guild#viewers}, recomputed only after a change of roles, members or overwrites; null when everyone sees
 * it), and the event carries that snapshot to every interested shard, whose sessions outside it skip the event.
 * The event is still encoded once and handed once per shard. A change of roles (or of a member's roles) that changes
 * who sees a channel sends CHANNEL_CREATE / CHANNEL_DELETE to those concerned ({@link #restricted} before,
 * {@link #announceVisibility} after). Owner shard only.
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
        owner.publish(g, withAudience(g, channelId, event));
    }

    /**
     * @param g         the guild.
     * @param channelId the event's channel.
     * @param event     the event.
     * @return the event for the channel's viewers (as {@link #publish} sends it).
     */
    static Dispatch withAudience(final Guild g, final long channelId, final Dispatch event)
    {
        final GuildChannel c = g.channel(channelId);
        return c == null ? event : event.withAudience(g.viewers(c));
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

    /**
     * Before a change of roles or of a member's roles: who sees each channel not everyone sees.
     *
     * @param g the guild.
     * @return channel id → its viewers, for the restricted channels only.
     */
    static Long2ObjectHashMap<LongHashSet> restricted(final Guild g)
    {
        final Long2ObjectHashMap<LongHashSet> viewers = new Long2ObjectHashMap<>();
        for (final GuildChannel c : g.channels())
        {
            final LongHashSet v = g.viewers(c);
            if (v != null)
            {
                viewers.put(c.id(), v);
            }
        }
        return viewers;
    }

    /**
     * After such a change (committed): CHANNEL_CREATE to each member who now sees a channel they did not, and
     * CHANNEL_DELETE to each who no longer does, published after the commit.
     *
     * @param owner  this shard.
     * @param g      the guild.
     * @param before {@link #restricted} before the change.
     */
    static void announceVisibility(final Shard owner, final Guild g, final Long2ObjectHashMap<LongHashSet> before)
    {
        final List<Dispatch> events = new ArrayList<>();
        for (final GuildChannel c : g.channels())
        {
            final LongHashSet was = before.get(c.id());
            final LongHashSet now = g.viewers(c);
            if (was == null && now == null)
            {
                continue;
            }
            byte[] d = null;
            for (final Member m : g.members())
            {
                final long u = m.userId();
                final boolean saw = was == null || was.contains(u);
                final boolean sees = now == null || now.contains(u);
                if (saw != sees)
                {
                    d = d != null ? d : Json.bytes(Entities.channel(c, owner.store().lastMessageId(c.id())));
                    events.add(new Dispatch(sees ? "CHANNEL_CREATE" : "CHANNEL_DELETE", d, null, Intents.GUILDS, g.id(),
                        0, u));
                }
            }
        }
        if (!events.isEmpty())
        {
            owner.afterCommit(() -> events.forEach(e -> owner.publish(g, e)));
        }
    }
}
