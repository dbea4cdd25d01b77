package dev.pinwheel.gateway.owner;

import java.util.Arrays;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.PresenceFields;
import dev.pinwheel.gateway.codec.SessionIds;

/**
 * Presence, in memory (never journaled: a restart forgets it, a RESUME keeps it because the session lives on). Two
 * roles on every shard:
 * <pre>
 *   session's shard ──PRESENCE_SET (per session)──▶ owner(user): aggregate over the user's sessions
 *        (the most present status wins; none left = offline); if what others see changed:
 *        ──PRESENCE_GUILDS (one per guild-owner shard, listing its guilds)──▶ owner(guild): keep the user's
 *        presence in the guild, encode PRESENCE_UPDATE once per guild ──Shard#publish──▶ one hand-off per
 *        interested shard (Manifold) ──▶ sessions holding GUILD_PRESENCES
 * </pre>
 * The guild side also answers what GUILD_CREATE ({@code presences}, below the session's {@code large_threshold}) and
 * op 8 ({@code presences: true}) carry, and tells the guild's lazy member lists ({@link MemberListUpdates}) who came
 * online or went offline. A user who joins a guild while online has their presence sent to the guild's owner by
 * their own owner ({@link #userJoined}). Shard thread only.
 */
public final class PresenceService
{
    /** What one session shows, and the shard that holds it (its route: in a cluster, of which node). */
    private static final class SessionPresence
    {
        /** The session id's 32 lower-case hex digits as two longs: every id a shard makes (no string of its own). */
        final long idHigh;
        final long idLow;
        /** Any other id as it came; null for a shard's. */
        final String otherId;
        final int route;
        PresenceFields fields;

        SessionPresence(final SessionKey id, final int route, final PresenceFields fields)
        {
            this.idHigh = id.high;
            this.idLow = id.low;
            this.otherId = id.other;
            this.route = route;
            this.fields = fields;
        }

        boolean is(final SessionKey id)
        {
            return otherId == null ? id.other == null && idHigh == id.high && idLow == id.low
                : otherId.equals(id.other);
        }
    }

    /** A session id from a command, read once: two longs when it is a shard's 32 hex digits. */
    private static final class SessionKey
    {
        long high;
        long low;
        String other;

        SessionKey of(final String sessionId)
        {
            if (SessionIds.isShardId(sessionId))
            {
                high = SessionIds.high(sessionId);
                low = SessionIds.low(sessionId);
                other = null;
            }
            else
            {
                high = 0;
                low = 0;
                other = sessionId;
            }
            return this;
        }
    }

    /**
     * A user this shard owns: their sessions' presences and the aggregate last sent to their guilds. The first session
     * is a field, any others an array of exactly their number, copied when one comes or goes (a user has one, mostly:
     * no array at all, where an array was 24 B, a list 48 B and each id a 72-byte string copy — issue 14).
     */
    private static final class UserPresence
    {
        /** Null when none. */
        SessionPresence first;
        /** The sessions after the first; null when none. */
        SessionPresence[] more;
        PresenceFields shown = PresenceFields.OFFLINE_FIELDS;

        int count()
        {
            return first == null ? 0 : more == null ? 1 : 1 + more.length;
        }

        SessionPresence at(final int i)
        {
            return i == 0 ? first : more[i - 1];
        }

        void add(final SessionPresence p)
        {
            if (first == null)
            {
                first = p;
                return;
            }
            final int n = more == null ? 0 : more.length;
            final SessionPresence[] longer = new SessionPresence[n + 1];
            if (n > 0)
            {
                System.arraycopy(more, 0, longer, 0, n);
            }
            longer[n] = p;
            more = longer;
        }

        /** Keeps the sessions the test accepts, in their order. */
        void retain(final java.util.function.Predicate<SessionPresence> keep)
        {
            final SessionPresence[] kept = new SessionPresence[count()];
            int n = 0;
            for (int i = 0; i < kept.length; i++)
            {
                if (keep.test(at(i)))
                {
                    kept[n++] = at(i);
                }
            }
            first = n == 0 ? null : kept[0];
            more = n <= 1 ? null : Arrays.copyOfRange(kept, 1, n);
        }
    }

    private final Long2ObjectHashMap<UserPresence> users = new Long2ObjectHashMap<>();
    private final SessionKey sessionKey = new SessionKey();
    /** Guilds this shard owns → user → what others see of them (offline users are absent). */
    private final Long2ObjectHashMap<Long2ObjectHashMap<PresenceFields>> byGuild = new Long2ObjectHashMap<>();
    /** Users shown in this shard's guilds → the route of the shard (their owner) that last told their presence. */
    private final org.agrona.collections.Long2LongHashMap toldBy = new org.agrona.collections.Long2LongHashMap(-1);
    private final Accounts accounts;
    private MemberListUpdates lists;

    /**
     * @param accounts the node's accounts (which guilds a user is in).
     */
    public PresenceService(final Accounts accounts)
    {
        this.accounts = accounts;
    }

    /**
     * @param updates the lazy member lists of this shard's guilds, told of every change of a member's presence.
     */
    public void memberLists(final MemberListUpdates updates)
    {
        this.lists = updates;
    }

    /**
     * {@link OwnerCommands#PRESENCE_SET} on the user's owner.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void onSessionPresence(final Shard owner, final CommandReader command)
    {
        final long userId = command.getLong();
        final String sessionId = command.getString();
        final int status = command.getInt();
        final long since = command.getLong();
        final boolean afk = command.getBoolean();
        final String activities = command.getString();
        final int route = command.getInt();
        UserPresence u = users.get(userId);
        if (u == null)
        {
            if (status == PresenceFields.OFFLINE)
            {
                return;
            }
            u = new UserPresence();
            users.put(userId, u);
        }
        final SessionKey key = sessionKey.of(sessionId);
        SessionPresence found = null;
        for (int i = 0, n = u.count(); i < n && found == null; i++)
        {
            found = u.at(i).is(key) ? u.at(i) : null;
        }
        final SessionPresence match = found;
        if (status == PresenceFields.OFFLINE)
        {
            if (match != null)
            {
                u.retain(p -> p != match);
            }
        }
        else if (match != null)
        {
            match.fields = PresenceFields.of(status, since, afk, activities);
        }
        else
        {
            u.add(new SessionPresence(key, route, PresenceFields.of(status, since, afk, activities)));
        }
        shownAgain(owner, userId, u);
    }

    /**
     * The user's sessions changed: what others see is aggregated again and, if it changed, sent to their guilds.
     *
     * @return whether what others see changed.
     */
    private boolean shownAgain(final Shard owner, final long userId, final UserPresence u)
    {
        final PresenceFields next = aggregate(u);
        if (u.count() == 0)
        {
            users.remove(userId);
        }
        if (next.equals(u.shown))
        {
            return false;
        }
        u.shown = next;
        fanOut(owner, userId, next, accounts.guildsOf(userId).stream().mapToLong(Long::longValue).toArray());
        return true;
    }

    /** The most present session wins (its activities, since and afk); invisible and no session show offline. */
    private static PresenceFields aggregate(final UserPresence u)
    {
        PresenceFields best = null;
        for (int i = 0, n = u.count(); i < n; i++)
        {
            final PresenceFields f = u.at(i).fields;
            if (best == null || f.status() > best.status())
            {
                best = f;
            }
        }
        if (best == null || PresenceFields.shown(best.status()) == PresenceFields.OFFLINE)
        {
            return PresenceFields.OFFLINE_FIELDS;
        }
        return best;
    }

    /**
     * One PRESENCE_GUILDS per owner of some of the guilds, listing them. Owners are routes: a shard of this node, a
     * shard of another node, or a guild moving between nodes (that send is refused, as any command to it is).
     */
    private static void fanOut(final Shard owner, final long userId, final PresenceFields shown, final long[] guilds)
    {
        final org.agrona.collections.Int2ObjectHashMap<LongArrayList> perOwner =
            new org.agrona.collections.Int2ObjectHashMap<>();
        for (final long g : guilds)
        {
            perOwner.computeIfAbsent(owner.group().ownerOf(g), t -> new LongArrayList()).addLong(g);
        }
        perOwner.forEach((route, owned) ->
        {
            final CommandWriter w = owner.commandWriter().begin(OwnerCommands.PRESENCE_GUILDS).putLong(userId)
                .putInt(shown.status()).putLong(shown.since()).putBoolean(shown.afk())
                .putString(shown.activities()).putLongs(owned.toLongArray()).putInt(owner.address());
            owner.send(route, w);
        });
    }

    /**
     * Another node's sessions are gone: it was found unreachable, or it started again (a new start holds none of the
     * sessions its old one told of). As the owner of users, the sessions of theirs it held no longer count: a user
     * with none left elsewhere goes offline in their guilds. As the owner of guilds, users whose owner is that node
     * show offline until it tells again (their sessions may have been there, and whatever their owner sent meanwhile
     * was lost): a new start does so as their sessions are announced to it again, a node whose link came back when
     * asked for its records ({@link #announceTo}). Before, a node killed with sessions on it left their users shown
     * online for good.
     *
     * @param owner this shard.
     * @param node  the node whose sessions are gone.
     * @return presences changed (users gone offline, members shown offline).
     */
    public int nodeGone(final Shard owner, final int node)
    {
        int changed = 0;
        final long[] owned = users.keySet().stream().mapToLong(Long::longValue).toArray();
        for (final long userId : owned)
        {
            final UserPresence u = users.get(userId);
            final int before = u.count();
            u.retain(p -> !ShardRoute.onNode(p.route, node));
            if (u.count() == before)
            {
                continue;
            }
            if (shownAgain(owner, userId, u))
            {
                changed++;
            }
        }
        final long[] guilds = byGuild.keySet().stream().mapToLong(Long::longValue).toArray();
        for (final long guildId : guilds)
        {
            final Long2ObjectHashMap<PresenceFields> present = byGuild.get(guildId);
            final Guild g = owner.guilds().get(guildId);
            final long[] members = present.keySet().stream().mapToLong(Long::longValue).toArray();
            for (final long userId : members)
            {
                // the user's owner is that node now, or was when it told this presence (on the shared Cassandra
                // store a lost node's users route to a survivor at once, which knows nothing of their presence)
                if (!ShardRoute.onNode(owner.group().ownerOf(userId), node)
                    && !ShardRoute.onNode((int)toldBy.get(userId), node))
                {
                    continue;
                }
                final PresenceFields before = present.remove(userId);
                changed++;
                if (g == null)
                {
                    continue;
                }
                final ObjectNode d = presence(userId, PresenceFields.OFFLINE_FIELDS);
                d.put("guild_id", Json.id(guildId));
                owner.publish(g, new Dispatch("PRESENCE_UPDATE", Json.bytes(d), null, Intents.GUILD_PRESENCES,
                    guildId, 0, 0, lists == null ? null : lists.presenceAudience(g)));
                if (lists != null)
                {
                    lists.presenceChanged(owner, g, userId, before, null);
                }
            }
            if (present.isEmpty())
            {
                byGuild.remove(guildId);
            }
        }
        return changed;
    }

    /**
     * Tells the owners on another node of the guilds of this shard's users what each user not offline shows: that node
     * asked for this node's records — it started (its guilds know no presence) or its link came back (what was sent
     * it meanwhile was refused, and it showed this node's users offline: {@link #nodeGone}).
     *
     * @param owner this shard.
     * @param node  the asking node.
     * @return users whose presence was sent.
     */
    public int announceTo(final Shard owner, final int node)
    {
        return announceIn(owner, g -> ShardRoute.onNode(owner.group().ownerOf(g), node));
    }

    /**
     * Tells the owners of some guilds what each user this shard owns shows, as {@link #announceTo} does for one node's
     * guilds: on the shared Cassandra store, once a ring epoch settled, for the guilds that moved (their new owner
     * knows no presence).
     *
     * @param owner  this shard.
     * @param guilds the guilds to tell.
     * @return users whose presence was sent.
     */
    public int announceIn(final Shard owner, final java.util.function.LongPredicate guilds)
    {
        int n = 0;
        final Long2ObjectHashMap<UserPresence>.EntryIterator it = users.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            final UserPresence u = it.getValue();
            if (u.shown.status() == PresenceFields.OFFLINE) // (every user here is one this shard owns)
            {
                continue;
            }
            final long[] there = accounts.guildsOf(it.getLongKey()).stream().mapToLong(Long::longValue)
                .filter(guilds).toArray();
            if (there.length > 0)
            {
                fanOut(owner, it.getLongKey(), u.shown, there);
                n++;
            }
        }
        return n;
    }

    /**
     * A ring epoch moved keys away from this shard (the shared Cassandra store): what it kept as their owner goes —
     * the sessions of users it no longer owns and the presences shown in guilds it no longer owns. Their new owners
     * are told again once the epoch settles; a stale copy here would show a user online who left meanwhile, should the
     * key come back.
     *
     * @param away whether this shard no longer owns a key (a user or a guild id).
     * @return users and guilds forgotten.
     */
    public int forget(final java.util.function.LongPredicate away)
    {
        final int before = users.size() + byGuild.size();
        users.keySet().removeIf(away::test);
        byGuild.keySet().removeIf(away::test);
        return before - users.size() - byGuild.size();
    }

    /**
     * A user joined a guild (told to every shard): if this shard owns the user and they are not offline, the guild's
     * owner learns their presence (its members see them come online).
     *
     * @param owner   this shard.
     * @param userId  the user.
     * @param guildId the guild.
     */
    public void userJoined(final Shard owner, final long userId, final long guildId)
    {
        final UserPresence u = users.get(userId);
        if (u != null && u.shown.status() != PresenceFields.OFFLINE
            && owner.group().ownerOf(userId) == owner.id())
        {
            fanOut(owner, userId, u.shown, new long[] {guildId});
        }
    }

    /**
     * {@link OwnerCommands#PRESENCE_GUILDS} on a guild's owner.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void onGuildPresence(final Shard owner, final CommandReader command)
    {
        final long userId = command.getLong();
        final int status = command.getInt();
        final long since = command.getLong();
        final boolean afk = command.getBoolean();
        final String activities = command.getString();
        final long[] guilds = command.getLongs();
        final int from = command.getInt();
        // shared when it is the default: one object per user in each of their guilds' owners otherwise (issue 14)
        final PresenceFields shown = PresenceFields.of(status, since, afk, activities);
        if (status != PresenceFields.OFFLINE)
        {
            toldBy.put(userId, from);
        }
        else
        {
            toldBy.remove(userId); // offline in every guild: no longer shown here
        }
        for (final long guildId : guilds)
        {
            final Guild g = owner.guilds().get(guildId);
            if (g == null || g.member(userId) == null)
            {
                continue;
            }
            Long2ObjectHashMap<PresenceFields> present = byGuild.get(guildId);
            final PresenceFields before = present == null ? null : present.get(userId);
            if (status == PresenceFields.OFFLINE)
            {
                if (present == null || present.remove(userId) == null)
                {
                    continue; // already offline here
                }
                if (present.isEmpty())
                {
                    byGuild.remove(guildId);
                }
            }
            else
            {
                if (shown.equals(before))
                {
                    continue; // told again (a peer's records after its link came back): nothing changed here
                }
                if (present == null)
                {
                    present = new Long2ObjectHashMap<>();
                    byGuild.put(guildId, present);
                }
                present.put(userId, shown);
            }
            final ObjectNode d = presence(userId, shown);
            d.put("guild_id", Json.id(guildId));
            final Dispatch update = new Dispatch("PRESENCE_UPDATE", Json.bytes(d), null, Intents.GUILD_PRESENCES,
                guildId, 0, 0, lists == null ? null : lists.presenceAudience(g));
            owner.publish(g, update);
            if (lists != null)
            {
                lists.presenceChanged(owner, g, userId, before, status == PresenceFields.OFFLINE ? null : shown);
            }
        }
    }

    /**
     * @param guildId a guild this shard owns.
     * @param userId  a member.
     * @return what others see of the member, or null when offline.
     */
    public PresenceFields presenceIn(final long guildId, final long userId)
    {
        final Long2ObjectHashMap<PresenceFields> present = byGuild.get(guildId);
        return present == null ? null : present.get(userId);
    }

    /**
     * @param guildId a guild this shard owns.
     * @return members of it not offline.
     */
    public int onlineCount(final long guildId)
    {
        final Long2ObjectHashMap<PresenceFields> present = byGuild.get(guildId);
        return present == null ? 0 : present.size();
    }

    /**
     * The {@code presences} of a GUILD_CREATE: every member not offline.
     *
     * @param g a guild this shard owns.
     * @return the presences.
     */
    public ArrayNode guildPresences(final Guild g)
    {
        return guildPresences(g, 0, null);
    }

    /**
     * {@link #guildPresences(Guild)} for a session of {@code userId} that shows {@code own}: when the user's presence
     * has not reached this guild yet (it travels through the user's owner, the session's GUILD_CREATE through the
     * guild's), the session's own is listed — a session sees itself in its guilds' presences (invisible: not).
     *
     * @param g           the guild.
     * @param sessionUser the subscribing session's user.
     * @param own         what that session shows, or null.
     * @return the presences, each naming the guild (Discordeno reads {@code guild_id} of every presence and failed on
     *         a GUILD_CREATE without it; the other libraries ignore it).
     */
    public ArrayNode guildPresences(final Guild g, final long sessionUser, final PresenceFields own)
    {
        final ArrayNode out = Json.array();
        final Long2ObjectHashMap<PresenceFields> present = byGuild.get(g.id());
        if (own != null && PresenceFields.shown(own.status()) != PresenceFields.OFFLINE
            && (present == null || !present.containsKey(sessionUser)))
        {
            out.add(presence(sessionUser, own).put("guild_id", Json.id(g.id())));
        }
        if (present != null)
        {
            present.forEach((userId, p) ->
            {
                if (g.member(userId) != null)
                {
                    out.add(presence(userId, p).put("guild_id", Json.id(g.id())));
                }
            });
        }
        return out;
    }

    /**
     * A presence object as Discord sends it (in GUILD_CREATE, member chunks, PRESENCE_UPDATE without the guild).
     *
     * @param userId the user.
     * @param p      what others see.
     * @return {@code {user: {id}, status, activities, client_status}}.
     */
    public static ObjectNode presence(final long userId, final PresenceFields p)
    {
        final ObjectNode d = Json.object();
        d.putObject("user").put("id", Json.id(userId));
        final String status = PresenceFields.name(p.status());
        d.put("status", status);
        d.putRawValue("activities", new RawValue(p.activities()));
        final ObjectNode client = d.putObject("client_status");
        if (p.status() != PresenceFields.OFFLINE)
        {
            client.put("web", status);
        }
        return d;
    }
}
