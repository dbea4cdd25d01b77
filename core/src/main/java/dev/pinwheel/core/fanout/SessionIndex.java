package dev.pinwheel.core.fanout;

import java.util.ArrayList;
import java.util.List;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * One shard's local index {@code guild → sessions on this shard subscribed to it}, and what has unflushed output.
 * Confined to the shard thread.
 * <p>
 * Delivery walks an array; removal is O(1) by swap-remove (each endpoint remembers its slot per guild). A session
 * with unflushed output is marked ({@link SessionEndpoint#dirty}); the flush finds it through the guild whose event
 * reached all or most of its sessions here (the guild is queued once per cycle, not each session: storing a session's
 * reference into a list costs a GC write barrier per recipient, whose fence on JDK 25's G1 was a tenth of a delivery),
 * or through the list of single sessions (events for one user, for a channel few here see, or for one session).
 */
public final class SessionIndex
{
    private final Long2ObjectHashMap<Members> byGuild = new Long2ObjectHashMap<>();
    /** Sessions marked dirty one by one (not through a queued guild); may hold one twice (flushed once). */
    private final ArrayList<SessionEndpoint> dirty = new ArrayList<>();
    /** Guilds whose event went to every local session in this cycle: their marked sessions are flushed. */
    private final ArrayList<Members> dirtyGuilds = new ArrayList<>();

    /** The keyed events delivered here: one sent again is delivered at most once. */
    private final DeliveredKeys delivered = new DeliveredKeys();

    /** Default most events a guild's {@link DispatchLog} holds: eight times the gateway's default resume buffer. */
    public static final int DEFAULT_LOG_LIMIT = 16384;
    private int logLimit = DEFAULT_LOG_LIMIT;

    private static final class Members implements DispatchLog.Readers
    {
        SessionEndpoint[] sessions = new SessionEndpoint[4];
        int size;
        /** The guild's events delivered to every session here; created by the first. */
        DispatchLog log;
        /** Bumped on every subscribe and unsubscribe: a view built at an older version is stale. */
        int version;
        /** Created by the first event of a restricted channel. */
        AudienceViews views;
        /** In {@link #dirtyGuilds} this cycle. */
        boolean queued;

        @Override
        public long oldestNeeded()
        {
            long oldest = Long.MAX_VALUE;
            for (int i = 0; i < size; i++)
            {
                oldest = Math.min(oldest, sessions[i].oldestNeeded(log));
            }
            return oldest;
        }

        @Override
        public int count()
        {
            return size;
        }

        @Override
        public void evictBefore(final long position)
        {
            for (int i = 0; i < size; i++)
            {
                sessions[i].evictBefore(log, position);
            }
        }
    }

    /**
     * For the last few audience snapshots (channels with overwrites) a guild's events were delivered to, the guild's
     * local sessions inside each: built once, then walked as they are, so an event of a restricted channel touches
     * only its viewers' sessions with no check per session. A rebuild after the guild's sessions changed costs one
     * reference compare per session that has seen the snapshot before ({@link SessionEndpoint#inAudience}). The
     * arrays are reused, so a steady state allocates nothing; an unsubscribe empties the views so that they never
     * keep a closed session reachable.
     */
    private static final class AudienceViews
    {
        static final int SLOTS = 4;
        final org.agrona.collections.LongHashSet[] keys = new org.agrona.collections.LongHashSet[SLOTS];
        final SessionEndpoint[][] sessions = new SessionEndpoint[SLOTS][];
        final int[] sizes = new int[SLOTS];
        final int[] versions = new int[SLOTS];
        int next;

        void clear()
        {
            for (int v = 0; v < SLOTS; v++)
            {
                if (sizes[v] > 0)
                {
                    java.util.Arrays.fill(sessions[v], 0, sizes[v], null);
                    sizes[v] = 0;
                }
                keys[v] = null;
            }
        }

        /** @return the slot holding the current view of {@code audience} over {@code m}, built if missing or stale. */
        int view(final Members m, final org.agrona.collections.LongHashSet audience)
        {
            int slot = -1;
            for (int v = 0; v < SLOTS; v++)
            {
                if (keys[v] == audience)
                {
                    if (versions[v] == m.version)
                    {
                        return v;
                    }
                    slot = v;
                }
            }
            if (slot < 0)
            {
                slot = next;
                next = (next + 1) % SLOTS;
            }
            SessionEndpoint[] view = sessions[slot];
            final int old = sizes[slot];
            if (view == null || view.length < m.size)
            {
                view = new SessionEndpoint[Math.max(4, m.size)];
            }
            int n = 0;
            for (int i = 0, size = m.size; i < size; i++)
            {
                final SessionEndpoint s = m.sessions[i];
                if (s.inAudience(audience))
                {
                    view[n++] = s;
                }
            }
            if (n < old && view == sessions[slot])
            {
                java.util.Arrays.fill(view, n, old, null);
            }
            sessions[slot] = view;
            keys[slot] = audience;
            sizes[slot] = n;
            versions[slot] = m.version;
            return slot;
        }
    }

    /**
     * @param limit the most events each guild's {@link DispatchLog} holds (a power of two, at least 16; the gateway
     *              sets eight times its resume buffer). Applies to logs created from now on.
     */
    public void logLimit(final int limit)
    {
        if (limit < 16 || Integer.bitCount(limit) != 1)
        {
            throw new IllegalArgumentException("a dispatch log's limit must be a power of two >= 16: " + limit);
        }
        logLimit = limit;
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
        if (endpoint.hasGuildSlot(guildId))
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
        endpoint.putGuildSlot(guildId, m.size);
        m.size++;
        m.version++;
        return first;
    }

    /**
     * @param guildId  guild.
     * @param endpoint session.
     * @return true if the guild has no local subscriber left (the shard lost interest).
     */
    public boolean unsubscribe(final long guildId, final SessionEndpoint endpoint)
    {
        final long slot = endpoint.removeGuildSlot(guildId);
        final Members m = byGuild.get(guildId);
        if (slot < 0 || m == null)
        {
            return false;
        }
        if (m.log != null)
        {
            endpoint.leaving(m.log);
        }
        final int last = --m.size;
        m.version++;
        if (m.views != null)
        {
            m.views.clear();
        }
        if (endpoint.dirty)
        {
            dirty.add(endpoint); // the guild's walk at the flush no longer finds it
        }
        final SessionEndpoint moved = m.sessions[last];
        m.sessions[(int)slot] = moved;
        m.sessions[last] = null;
        if (moved != endpoint)
        {
            moved.putGuildSlot(guildId, slot);
        }
        if (m.size == 0)
        {
            byGuild.remove(guildId);
            return true;
        }
        return false;
    }

    /**
     * @param guildId a guild.
     * @return the local sessions subscribed to it (a copy: the caller may unsubscribe them while walking it).
     */
    public List<SessionEndpoint> subscribersOf(final long guildId)
    {
        final Members m = byGuild.get(guildId);
        final List<SessionEndpoint> copy = new ArrayList<>(m == null ? 0 : m.size);
        for (int i = 0; m != null && i < m.size; i++)
        {
            copy.add(m.sessions[i]);
        }
        return copy;
    }

    /**
     * @return the guilds with at least one local subscriber (a copy).
     */
    public long[] followedGuilds()
    {
        final long[] ids = new long[byGuild.size()];
        int i = 0;
        for (final Long2ObjectHashMap<Members>.KeyIterator it = byGuild.keySet().iterator(); it.hasNext(); )
        {
            ids[i++] = it.nextLong();
        }
        return ids;
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
     * of a channel not everyone may see, to the sessions of its audience: walked from a view of the guild's sessions
     * filtered by that audience snapshot, built with one hash lookup per session the first time the snapshot is seen
     * here and reused while neither the snapshot nor the guild's local sessions change). The event goes into the
     * guild's {@link DispatchLog} once, and each session it is for notes its position there.
     *
     * @param dispatch the event.
     * @return sessions it was queued to.
     */
    public int deliver(final Dispatch dispatch)
    {
        final Members m = byGuild.get(dispatch.guildId());
        if (m == null || !delivered.admit(dispatch))
        {
            return 0;
        }
        DispatchLog log = m.log;
        if (log == null)
        {
            log = m.log = new DispatchLog(logLimit, m);
        }
        final long position = log.append(dispatch);
        final org.agrona.collections.LongHashSet audience = dispatch.audience();
        final boolean everyUser = dispatch.targetUserId() == 0;
        if (audience == null && everyUser)
        {
            return deliverQueued(m, m.sessions, m.size, dispatch, log, position);
        }
        if (audience == null)
        {
            return deliver(m.sessions, m.size, dispatch, log, position);
        }
        if (m.views == null)
        {
            m.views = new AudienceViews();
        }
        final int v = m.views.view(m, audience);
        final int viewers = m.views.sizes[v];
        if (everyUser && viewers >= m.size - viewers)
        {
            // most of the guild sees it: the flush walks the guild (a flag read per other session) rather than each
            // viewer being listed (a reference stored per viewer)
            return deliverQueued(m, m.views.sessions[v], viewers, dispatch, log, position);
        }
        return deliver(m.views.sessions[v], viewers, dispatch, log, position);
    }

    /**
     * An event for sessions of the guild here (all of them, or most: a channel's audience): each notes its position in
     * the log and is marked; the guild is queued for the flush once, and no session's reference is stored anywhere.
     */
    private int deliverQueued(final Members m, final SessionEndpoint[] sessions, final int size,
        final Dispatch dispatch, final DispatchLog log, final long position)
    {
        for (int i = 0; i < size; i++)
        {
            final SessionEndpoint s = sessions[i];
            s.dispatch(dispatch, log, position);
            s.dirty = true;
        }
        if (!m.queued)
        {
            m.queued = true;
            dirtyGuilds.add(m);
        }
        return size;
    }

    /**
     * The event is in the guild's log once; each session it is for notes its position (the others, not offered it,
     * find it is not theirs when they look: {@link SessionEndpoint#dispatch(Dispatch, DispatchLog, long)}).
     */
    private int deliver(final SessionEndpoint[] sessions, final int size, final Dispatch dispatch,
        final DispatchLog log, final long position)
    {
        final long target = dispatch.targetUserId();
        int n = 0;
        for (int i = 0; i < size; i++)
        {
            final SessionEndpoint s = sessions[i];
            if (target == 0 || s.userId() == target)
            {
                s.dispatch(dispatch, log, position);
                if (!s.dirty)
                {
                    s.dirty = true;
                    dirty.add(s);
                }
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
        int n = 0;
        for (int g = 0; g < dirtyGuilds.size(); g++)
        {
            final Members m = dirtyGuilds.get(g);
            m.queued = false;
            // newest first: the sessions delivered to last are likeliest still in cache (a flush that makes a session
            // leave moves the last one into its slot: one already walked)
            for (int i = m.size - 1; i >= 0; i--)
            {
                if (i >= m.size)
                {
                    continue; // sessions left during this walk
                }
                final SessionEndpoint s = m.sessions[i];
                if (s.dirty)
                {
                    s.dirty = false;
                    s.flush();
                    n++;
                }
            }
        }
        dirtyGuilds.clear();
        for (int i = 0; i < dirty.size(); i++) // what a flush marks is flushed in this pass too
        {
            final SessionEndpoint s = dirty.get(i);
            if (s.dirty)
            {
                s.dirty = false;
                s.flush();
                n++;
            }
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

    /**
     * @return the keys of the keyed events this shard delivered (for events delivered to one user's sessions, which do
     *         not pass {@link #deliver(Dispatch)}).
     */
    public DeliveredKeys deliveredKeys()
    {
        return delivered;
    }
}
