package dev.pinwheel.core.fanout;

import java.util.ArrayList;
import java.util.List;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * One shard's local index {@code guild → sessions on this shard subscribed to it}, and the list of
 * sessions that have unflushed output. Confined to the shard thread.
 * <p>
 * Delivery walks an array; removal is O(1) by swap-remove (each endpoint remembers its slot per guild).
 */
public final class SessionIndex
{
    private final Long2ObjectHashMap<Members> byGuild = new Long2ObjectHashMap<>();
    private final ArrayList<SessionEndpoint> dirty = new ArrayList<>();

    private static final class Members
    {
        SessionEndpoint[] sessions = new SessionEndpoint[4];
        int size;
    }

    /**
     * Subscribes a session to a guild's events on this shard.
     *
     * @param guildId  guild.
     * @param endpoint session.
     * @return true if the guild had no local subscriber before (the shard became interested).
     */
    public boolean subscribe(final long guildId, final SessionEndpoint endpoint)
    {
        if (endpoint.guildSlots.containsKey(guildId))
        {
            return false;
        }
        Members m = byGuild.get(guildId);
        final boolean first = m == null;
        if (first)
        {
            m = new Members();
            byGuild.put(guildId, m);
        }
        if (m.size == m.sessions.length)
        {
            m.sessions = java.util.Arrays.copyOf(m.sessions, m.size * 2);
        }
        m.sessions[m.size] = endpoint;
        endpoint.guildSlots.put(guildId, m.size);
        m.size++;
        return first;
    }

    /**
     * @param guildId  guild.
     * @param endpoint session.
     * @return true if the guild has no local subscriber left (the shard lost interest).
     */
    public boolean unsubscribe(final long guildId, final SessionEndpoint endpoint)
    {
        final long slot = endpoint.guildSlots.remove(guildId);
        final Members m = byGuild.get(guildId);
        if (slot < 0 || m == null)
        {
            return false;
        }
        final int last = --m.size;
        final SessionEndpoint moved = m.sessions[last];
        m.sessions[(int)slot] = moved;
        m.sessions[last] = null;
        if (moved != endpoint)
        {
            moved.guildSlots.put(guildId, slot);
        }
        if (m.size == 0)
        {
            byGuild.remove(guildId);
            return true;
        }
        return false;
    }

    /**
     * Removes a session from every guild.
     *
     * @param endpoint session.
     * @return guilds that have no local subscriber left.
     */
    public List<Long> unsubscribeAll(final SessionEndpoint endpoint)
    {
        final List<Long> emptied = new ArrayList<>();
        for (final long g : endpoint.subscribedGuilds())
        {
            if (unsubscribe(g, endpoint))
            {
                emptied.add(g);
            }
        }
        return emptied;
    }

    /**
     * Delivers an event to every local session subscribed to its guild (or to one user's sessions; or, for an event
     * of a channel not everyone may see, to the sessions of its audience: a hash lookup per session the first time a
     * snapshot of the audience is seen, a reference comparison after that).
     *
     * @param dispatch the event.
     * @return sessions it was queued to.
     */
    public int deliver(final Dispatch dispatch)
    {
        final Members m = byGuild.get(dispatch.guildId());
        if (m == null)
        {
            return 0;
        }
        final long target = dispatch.targetUserId();
        final org.agrona.collections.LongHashSet audience = dispatch.audience();
        final SessionEndpoint[] sessions = m.sessions;
        int n = 0;
        for (int i = 0, size = m.size; i < size; i++)
        {
            final SessionEndpoint s = sessions[i];
            if ((target == 0 || s.userId() == target) && (audience == null || s.inAudience(audience)))
            {
                deliverTo(s, dispatch);
                n++;
            }
        }
        return n;
    }

    /**
     * Queues one event to one session and marks it for flushing at the end of the duty cycle.
     *
     * @param endpoint session.
     * @param dispatch event.
     */
    public void deliverTo(final SessionEndpoint endpoint, final Dispatch dispatch)
    {
        endpoint.dispatch(dispatch);
        if (!endpoint.dirty)
        {
            endpoint.dirty = true;
            dirty.add(endpoint);
        }
    }

    /**
     * Flushes every session that received events since the last call.
     *
     * @return sessions flushed.
     */
    public int flushDirty()
    {
        final int n = dirty.size();
        for (int i = 0; i < n; i++)
        {
            final SessionEndpoint s = dirty.get(i);
            s.dirty = false;
            s.flush();
        }
        dirty.clear();
        return n;
    }

    /**
     * @param guildId guild.
     * @return local subscribers of the guild.
     */
    public int subscribers(final long guildId)
    {
        final Members m = byGuild.get(guildId);
        return m == null ? 0 : m.size;
    }

    /**
     * @return guilds with at least one local subscriber.
     */
    public int guildCount()
    {
        return byGuild.size();
    }
}
