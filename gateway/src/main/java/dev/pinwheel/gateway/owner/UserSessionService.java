package dev.pinwheel.gateway.owner;

import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.Shard;

/**
 * Where the users a shard owns (the routing ring, as for guilds) have gateway sessions, for the events addressed to a
 * user rather than a guild (direct messages): a bitmask of the shards holding at least one session of the user. Each
 * shard tells the user's owner when it gets its first session of the user and when its last one ends
 * ({@link UserSessionProxy#sessionsOn}); bits of different shards are independent and each shard's updates arrive in
 * order, so the mask converges without locks. An event for a user comes here and goes to each shard in the mask:
 * <pre>
 *   DM channel's shard ──ordered──▶ owner(user): mask ──ordered──▶ each shard with a session of the user
 * </pre>
 * (FIFO at every hop: a channel's events reach a session in production order). Shard thread only.
 */
public final class UserSessionService
{
    /** For the users this shard owns: bit k set = shard k holds at least one of their sessions. */
    private final Long2LongHashMap userShards = new Long2LongHashMap(0);
    /** In a cluster, the shards of other nodes holding sessions of a user (clustered routes), per user. */
    private final Long2ObjectHashMap<IntHashSet> remoteShards = new Long2ObjectHashMap<>();
    private final SessionProxy sessions;
    private final Accounts accounts;
    /**
     * Per unreachable node: the users this shard owns that had sessions there, and the events addressed to them since
     * (a node cut off keeps its sessions: they get these once it tells again where they are). Dropped when the node
     * restarts (its sessions are new) or after {@link #HOLD_NANOS}.
     */
    private final org.agrona.collections.Int2ObjectHashMap<Away> away = new org.agrona.collections.Int2ObjectHashMap<>();
    /**
     * Users this shard gained in the last ring epoch (the shared Cassandra store) until {@link #learningUntil}: their
     * sessions' shards tell it where they are right after the epoch settles, and what is addressed to them meanwhile
     * is kept for those shards ({@link #learningEvents}).
     */
    private final org.agrona.collections.LongHashSet gainedUsers = new org.agrona.collections.LongHashSet();
    /** Per gained user that got an event: the events, and the shards that got them (live or replayed). */
    private final Long2ObjectHashMap<Learning> learningEvents = new Long2ObjectHashMap<>();
    private long learningUntil;
    /** How long the events of users this shard gained are kept for the shards that tell where their sessions are. */
    static final long LEARN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    /** Events held per user for an unreachable node, at most. */
    static final int HOLD_PER_USER = 256;
    /** How long the events of an unreachable node's sessions are held, at most. */
    static final long HOLD_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);

    /**
     * @param sessions this shard's way to the sessions of every shard.
     */
    public UserSessionService(final SessionProxy sessions)
    {
        this(sessions, null);
    }

    /**
     * @param sessions this shard's way to the sessions of every shard.
     * @param accounts the node's accounts (a user's temporary memberships end with their last session), or null.
     */
    public UserSessionService(final SessionProxy sessions, final Accounts accounts)
    {
        this.sessions = sessions;
        this.accounts = accounts;
    }

    /**
     * {@link OwnerCommands#USER_SESSIONS}: user, shard, present.
     *
     * @param command the command, at its first field.
     */
    void sessionsOn(final Shard owner, final CommandReader command)
    {
        final long userId = command.getLong();
        final int route = command.getInt();
        final boolean present = command.getBoolean();
        final boolean before = online(userId);
        if (ShardRoute.remote(route, owner.group().nodeId()))
        {
            IntHashSet routes = remoteShards.get(userId);
            if (present)
            {
                if (routes == null)
                {
                    routes = new IntHashSet(4);
                    remoteShards.put(userId, routes);
                }
                routes.add(route);
                replayHeld(userId, route);
                replayLearning(userId, route);
            }
            else if (routes != null)
            {
                routes.remove(route);
                if (routes.isEmpty())
                {
                    remoteShards.remove(userId);
                }
            }
        }
        else
        {
            final int on = ShardRoute.shard(route);
            final long was = userShards.get(userId);
            final long mask = present ? was | 1L << on : was & ~(1L << on);
            if (mask == 0)
            {
                userShards.remove(userId);
            }
            else
            {
                userShards.put(userId, mask);
            }
            if (present)
            {
                replayLearning(userId, on);
            }
        }
        if (before && !online(userId) && accounts != null)
        {
            // the user's last session anywhere ended: the guilds they joined temporarily let them go (before, only
            // the sessions on this node counted: a session on another node was let go with the user still online
            // here, or never, when the user's only sessions were elsewhere)
            for (final long guildId : accounts.temporaryGuildsOf(userId).toArray(new Long[0]))
            {
                owner.send(owner.group().ownerOf(guildId), owner.commandWriter()
                    .begin(OwnerCommands.USER_OFFLINE).putLong(guildId).putLong(userId));
            }
        }
    }

    /** Whether a shard of any node holds a session of the user (this shard owns the user). */
    private boolean online(final long userId)
    {
        return userShards.get(userId) != 0 || remoteShards.containsKey(userId);
    }

    /**
     * Another node's sessions are gone (it was found unreachable, or started again): the users this shard owns are no
     * longer sent events there; that node tells again where it holds sessions of them when it is back
     * ({@code ShardSessions#announceUsersTo}).
     *
     * @param node the node.
     * @return users that had sessions there.
     */
    public int nodeGone(final int node)
    {
        return nodeGone(node, true);
    }

    /**
     * As {@link #nodeGone(int)}; when the node is only unreachable (not started again), the events addressed to the
     * users that had sessions there are held for them until it tells again where its sessions are (a cut, a long pause
     * of that process: the sessions are still there, and their clients see no gap), at most {@link #HOLD_PER_USER}
     * per user for {@link #HOLD_NANOS}. Before, a direct message to such a user was acknowledged and stored but reached
     * none of their sessions. A new start of the node drops what was held for its old one.
     *
     * @param node      the node.
     * @param restarted whether it started again (its sessions are gone).
     * @return users that had sessions there.
     */
    public int nodeGone(final int node, final boolean restarted)
    {
        final Away held = restarted ? null : away.computeIfAbsent(node, k -> new Away(System.nanoTime()));
        if (restarted)
        {
            away.remove(node);
        }
        int n = 0;
        final Long2ObjectHashMap<IntHashSet>.EntryIterator it = remoteShards.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            final IntHashSet routes = it.getValue();
            boolean had = false;
            final IntHashSet.IntIterator r = routes.iterator();
            while (r.hasNext())
            {
                final int route = r.nextValue();
                if (ShardRoute.onNode(route, node))
                {
                    r.remove();
                    had = true;
                    if (held != null)
                    {
                        held.byUser.computeIfAbsent(it.getLongKey(), k -> new Held()).routes.add(route);
                    }
                }
            }
            if (had)
            {
                n++;
                if (routes.isEmpty())
                {
                    it.remove();
                }
            }
        }
        if (held != null && held.byUser.isEmpty())
        {
            away.remove(node);
        }
        return n;
    }

    /** Users of an unreachable node's sessions, and the events held for them. */
    private static final class Away
    {
        final long sinceNanos;
        final Long2ObjectHashMap<Held> byUser = new Long2ObjectHashMap<>();

        Away(final long sinceNanos)
        {
            this.sinceNanos = sinceNanos;
        }
    }

    /** What is held for one user's sessions on an unreachable node: the shards they were on, the events since. */
    private static final class Held
    {
        final IntHashSet routes = new IntHashSet(4);
        final java.util.ArrayDeque<Dispatch> events = new java.util.ArrayDeque<>();
    }

    /** Holds an event for the user's sessions on unreachable nodes, if they had any there. */
    private void hold(final long userId, final Dispatch event)
    {
        if (away.isEmpty())
        {
            return;
        }
        final long now = System.nanoTime();
        final org.agrona.collections.Int2ObjectHashMap<Away>.EntryIterator it = away.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            final Away a = it.getValue();
            if (now - a.sinceNanos > HOLD_NANOS)
            {
                it.remove(); // the node stayed away: its sessions are most likely gone
                continue;
            }
            final Held h = a.byUser.get(userId);
            if (h != null)
            {
                if (h.events.size() >= HOLD_PER_USER)
                {
                    h.events.poll(); // the oldest goes
                }
                h.events.add(event);
            }
        }
    }

    /** A shard of a node that was unreachable holds sessions of the user again: what was held for it goes there. */
    private void replayHeld(final long userId, final int route)
    {
        final Away a = away.get(ShardRoute.node(route));
        if (a == null)
        {
            return;
        }
        final Held h = a.byUser.get(userId);
        if (h == null || !h.routes.remove(route))
        {
            return; // no session of the user was there before: nothing was held for this shard
        }
        for (final Dispatch event : h.events)
        {
            sessions.userDispatch(route, userId, event);
        }
        if (h.routes.isEmpty())
        {
            a.byUser.remove(userId);
        }
        if (a.byUser.isEmpty())
        {
            away.remove(ShardRoute.node(route));
        }
    }

    /**
     * A ring epoch moved these keys to this shard (the shared Cassandra store). Until their sessions' shards tell it
     * where they are — each node's shards do right after the epoch settles — an event addressed to one of these users
     * is kept (at most {@link #HOLD_PER_USER} per user, for {@link #LEARN_NANOS}) and handed to each shard that then
     * tells it, in order, once. Before, an acknowledged DM sent in that window (tens of milliseconds after the epoch
     * settled) reached none of the recipient's sessions.
     *
     * @param keys the keys gained (users among them; other keys are never addressed as users).
     */
    public void gained(final long[] keys)
    {
        final long now = System.nanoTime();
        if (now - learningUntil > 0)
        {
            gainedUsers.clear();
            learningEvents.clear();
        }
        learningUntil = now + LEARN_NANOS;
        for (final long key : keys)
        {
            gainedUsers.add(key);
        }
    }

    /** Whether events for the user are kept for the shards that will tell where its sessions are. */
    private boolean learning(final long userId)
    {
        if (gainedUsers.isEmpty())
        {
            return false;
        }
        if (System.nanoTime() - learningUntil > 0)
        {
            gainedUsers.clear();
            learningEvents.clear();
            return false;
        }
        return gainedUsers.contains(userId);
    }

    /** A shard told where sessions of a user this shard just gained are: what it did not get yet goes there. */
    private void replayLearning(final long userId, final int route)
    {
        final Learning l = learningEvents.get(userId);
        if (l == null || !learning(userId) || !l.served.add(route))
        {
            return;
        }
        for (final Dispatch event : l.events)
        {
            sessions.userDispatch(route, userId, event);
        }
    }

    /** What was addressed to a user this shard just gained: the events, and the routes that got them. */
    private static final class Learning
    {
        final IntHashSet served = new IntHashSet(4);
        final java.util.ArrayDeque<Dispatch> events = new java.util.ArrayDeque<>();
    }

    /**
     * A ring epoch moved users away from this shard (the shared Cassandra store): where their sessions are is no
     * longer kept here (their new owner is told once the epoch settles; a stale copy would count sessions that ended
     * meanwhile, should the key come back).
     *
     * @param users whether this shard no longer owns a user.
     * @return users forgotten.
     */
    public int forget(final java.util.function.LongPredicate users)
    {
        final int before = userShards.size() + remoteShards.size();
        userShards.keySet().removeIf(users::test);
        remoteShards.keySet().removeIf(users::test);
        gainedUsers.removeIf(users::test);
        learningEvents.keySet().removeIf(users::test);
        return before - userShards.size() - remoteShards.size();
    }

    /**
     * {@link OwnerCommands#USER_EVENT}: user, event. Hands the event to each shard holding sessions of the user.
     *
     * @param command the command, at its first field.
     */
    void relay(final CommandReader command)
    {
        final long userId = command.getLong();
        long mask = userShards.get(userId);
        final IntHashSet remote = remoteShards.get(userId);
        final boolean learn = learning(userId);
        if (mask == 0 && remote == null && away.isEmpty() && !learn)
        {
            return;
        }
        final Dispatch event = DispatchFields.get(command);
        hold(userId, event);
        Learning l = null;
        if (learn)
        {
            l = learningEvents.get(userId);
            if (l == null)
            {
                l = new Learning();
                learningEvents.put(userId, l);
            }
            if (l.events.size() >= HOLD_PER_USER)
            {
                l.events.poll(); // the oldest goes
            }
            l.events.add(event);
        }
        if (remote != null)
        {
            final IntHashSet.IntIterator it = remote.iterator();
            while (it.hasNext())
            {
                final int route = it.nextValue();
                sessions.userDispatch(route, userId, event);
                if (l != null)
                {
                    l.served.add(route);
                }
            }
        }
        while (mask != 0)
        {
            final int target = Long.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            sessions.userDispatch(target, userId, event);
            if (l != null)
            {
                l.served.add(target);
            }
        }
    }

    /**
     * A {@link OwnerCommands#USER_EVENT} this shard sent was refused because the user's owner cannot be reached (its
     * node is down, or the user's key is moving): the event goes to every shard of every connected node instead
     * ({@link SessionProxy#userDispatchEverywhere}). Before, an acknowledged DM to a user whose owner node was down
     * reached none of their sessions on the live nodes.
     *
     * @param command the refused command, at its first field.
     */
    void ownerUnreachable(final CommandReader command)
    {
        final long userId = command.getLong();
        sessions.userDispatchEverywhere(userId, DispatchFields.get(command));
    }

    /**
     * @param userId a user this shard owns.
     * @return the shards holding sessions of the user, as a bitmask (0: none).
     */
    public long shardsOfUser(final long userId)
    {
        return userShards.get(userId);
    }
}
