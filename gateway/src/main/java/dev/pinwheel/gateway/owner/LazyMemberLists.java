package dev.pinwheel.gateway.owner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.memberlist.SortedMembers;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.PresenceFields;

/**
 * The lazy member lists (op 14) of the guilds a shard owns, and which sessions look at them. A channel's list holds
 * the members who may see the channel (VIEW_CHANNEL with its overwrites; "everyone" when nobody is excluded, else an
 * id derived from the overwrites that decide it, so channels with the same ones share one list), ordered by a
 * {@link SortedMembers}: online members grouped by their highest hoisted role (by position, highest first), then the
 * other online members, then offline, each group by display name then id. The rows a client sees are the groups'
 * headers and their members:
 * <pre>
 *   row 0 {group ROLE_ID, count}  rows members  {group online, count}  rows members  {group offline, count}  rows ...
 *   (an empty group has no header row)
 * </pre>
 * <pre>
 *   op 14 ─▶ session's shard ─MEMBER_LIST_SUBSCRIBE─▶ owner: subscribe, SYNC for each range (to that session),
 *                                                           INVALIDATE for the ranges it no longer looks at
 *   presence, roles or nick of a member ─▶ DELETE/INSERT (row changed) or UPDATE (same row) encoded once per list,
 *                                   published to the users whose ranges it touches (from the first shifted row on,
 *                                   the updated row, a header whose count changed)
 *   a role hoisted/lowered/deleted, channels or overwrites changed ─▶ lists rebuilt, INVALIDATE + SYNC again
 * </pre>
 * Lazy guilds: above {@code lazyGuildMembers} members a guild's PRESENCE_UPDATEs go only to the users subscribed to
 * one of its lists ({@link #presenceAudience}); smaller guilds stay eager (every session with GUILD_PRESENCES).
 * Shard thread only.
 */
public final class LazyMemberLists implements MemberListUpdates
{
    /** Hoisted roles that get a group of their own (the highest first); members of lower ones show as online. */
    private static final int MAX_ROLE_GROUPS = SortedMembers.MAX_GROUPS - 2;
    /** Discord: ranges of at most 100 rows, at most 5 per channel. */
    public static final int MAX_RANGES = 5;

    /** A session looking at one channel's list of a guild. */
    private static final class Subscriber
    {
        final int shard;
        final String sessionId;
        final long userId;
        long channelId;
        int[] ranges;
        MemberList list;

        Subscriber(final int shard, final String sessionId, final long userId)
        {
            this.shard = shard;
            this.sessionId = sessionId;
            this.userId = userId;
        }
    }

    /** One list: the members who may see its channels, in order. */
    private static final class MemberList
    {
        /** Its key among the guild's lists: "everyone", or the VIEW_CHANNEL overwrites that decide it, written out. */
        final String key;
        /** The id clients see: "everyone", or a hash of the key. */
        final String id;
        /** A channel of the list (every channel of it has the same VIEW_CHANNEL overwrites), 0 for "everyone". */
        final long channelId;
        final SortedMembers order;
        final ArrayList<Subscriber> subscribers = new ArrayList<>();
        LongHashSet audience = new LongHashSet();

        MemberList(final String key, final String id, final long channelId, final int capacity)
        {
            this.key = key;
            this.id = id;
            this.channelId = channelId;
            this.order = new SortedMembers(capacity);
        }
    }

    /** A guild's lists and subscribers. */
    private static final class GuildLists
    {
        final Long2LongHashMap slotOf = new Long2LongHashMap(-1);
        long[] userOf = new long[64];
        int nextSlot;
        final HashMap<String, MemberList> lists = new HashMap<>();
        final HashMap<String, Subscriber> bySession = new HashMap<>();
        long version = Long.MIN_VALUE;
        /** {@link Guild#structureVersion} the lists were built at: a member's change alone is applied in place. */
        long structure = Long.MIN_VALUE;
        LongHashSet audience = new LongHashSet();
        /** The groups, in list order: hoisted roles by position (highest first), then online, then offline. */
        String[] groupIds = {"online", "offline"};
        final Long2LongHashMap roleGroup = new Long2LongHashMap(-1);

        int online()
        {
            return groupIds.length - 2;
        }

        int offline()
        {
            return groupIds.length - 1;
        }

        /** Numbers the guild's hoisted roles (position, highest first; then id). */
        void regroup(final Guild g)
        {
            final Role[] hoisted = g.roles().stream().filter(r -> r.id() != g.id() && g.hoisted(r.id()))
                .sorted(Comparator.comparingInt(Role::position).reversed().thenComparingLong(Role::id))
                .limit(MAX_ROLE_GROUPS).toArray(Role[]::new);
            roleGroup.clear();
            groupIds = new String[hoisted.length + 2];
            for (int i = 0; i < hoisted.length; i++)
            {
                roleGroup.put(hoisted[i].id(), i);
                groupIds[i] = Long.toString(hoisted[i].id());
            }
            groupIds[hoisted.length] = "online";
            groupIds[hoisted.length + 1] = "offline";
        }

        /** A member's group: offline, else its highest hoisted role's, else online. */
        int groupOf(final Member m, final PresenceFields p)
        {
            if (p == null)
            {
                return offline();
            }
            int best = online();
            if (m != null)
            {
                for (final long roleId : m.roleIds())
                {
                    final int group = (int)roleGroup.get(roleId);
                    if (group >= 0 && group < best)
                    {
                        best = group;
                    }
                }
            }
            return best;
        }

        int slot(final long userId)
        {
            int s = (int)slotOf.get(userId);
            if (s < 0)
            {
                s = nextSlot++;
                if (s == userOf.length)
                {
                    userOf = java.util.Arrays.copyOf(userOf, s * 2);
                }
                userOf[s] = userId;
                slotOf.put(userId, s);
            }
            return s;
        }
    }

    private final Long2ObjectHashMap<GuildLists> guilds = new Long2ObjectHashMap<>();
    private final Accounts accounts;
    private final PresenceService presences;
    private final SessionProxy sessions;
    private final int lazyGuildMembers;
    private final int[] rangeScratch = new int[100];

    /**
     * @param accounts         the node's accounts (display names, member bodies).
     * @param presences        this shard's presences (who is online; told of every change).
     * @param sessions         this shard's way to the sessions of every shard.
     * @param lazyGuildMembers members above which a guild is lazy.
     */
    public LazyMemberLists(final Accounts accounts, final PresenceService presences, final SessionProxy sessions,
        final int lazyGuildMembers)
    {
        this.accounts = accounts;
        this.presences = presences;
        this.sessions = sessions;
        this.lazyGuildMembers = lazyGuildMembers;
        presences.memberLists(this);
    }

    @Override
    public LongHashSet presenceAudience(final Guild g)
    {
        if (g.memberCount() <= lazyGuildMembers)
        {
            return null;
        }
        final GuildLists gl = guilds.get(g.id());
        return gl == null ? EMPTY : gl.audience;
    }

    private static final LongHashSet EMPTY = new LongHashSet();

    /**
     * {@link OwnerCommands#MEMBER_LIST_SUBSCRIBE}: origin shard, session id, user, guild, channel, ranges.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void subscribe(final Shard owner, final CommandReader command)
    {
        final int from = command.getInt();
        final String sessionId = command.getString();
        final long userId = command.getLong();
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long[] pairs = command.getLongs();
        final Guild g = owner.guilds().get(guildId);
        final GuildChannel channel = g == null ? null : g.channel(channelId);
        if (g == null || g.member(userId) == null || channel == null || !g.sees(userId, channel))
        {
            return; // as on Discord: no answer for a list one may not see
        }
        final GuildLists gl = guildLists(g);
        if (gl.version != g.permissionsVersion())
        {
            resync(owner, g, gl);
        }
        Subscriber sub = gl.bySession.get(sessionId);
        if (sub == null)
        {
            sub = new Subscriber(from, sessionId, userId);
            gl.bySession.put(sessionId, sub);
        }
        final MemberList list = listFor(g, gl, channel);
        final int[] before = sub.list == list ? sub.ranges : null;
        if (sub.list != null && sub.list != list)
        {
            leave(gl, sub);
        }
        sub.channelId = channelId;
        sub.ranges = new int[pairs == null ? 0 : pairs.length];
        for (int i = 0; i < sub.ranges.length; i++)
        {
            sub.ranges[i] = (int)pairs[i];
        }
        if (sub.list != list)
        {
            sub.list = list;
            list.subscribers.add(sub);
            list.audience = audienceOf(list.subscribers);
            gl.audience = guildAudience(gl);
        }
        final List<Dispatch> out = new ArrayList<>(1);
        final ObjectNode d = header(g, gl, list);
        final ArrayNode ops = d.putArray("ops");
        if (before != null)
        {
            for (int i = 0; i + 1 < before.length; i += 2)
            {
                if (!hasRange(sub.ranges, before[i], before[i + 1]))
                {
                    ops.addObject().put("op", "INVALIDATE").putArray("range").add(before[i]).add(before[i + 1]);
                }
            }
        }
        for (int i = 0; i + 1 < sub.ranges.length; i += 2)
        {
            sync(g, gl, list, sub.ranges[i], sub.ranges[i + 1], ops.addObject());
        }
        out.add(new Dispatch("GUILD_MEMBER_LIST_UPDATE", Json.bytes(d), null, 0, guildId, 0, userId));
        sessions.memberChunks(from, sessionId, out);
    }

    /**
     * {@link OwnerCommands#MEMBER_LIST_UNSUBSCRIBE}: origin shard, session id, guild. The session ended.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void unsubscribe(final Shard owner, final CommandReader command)
    {
        command.getInt();
        final String sessionId = command.getString();
        final long guildId = command.getLong();
        final GuildLists gl = guilds.get(guildId);
        final Subscriber sub = gl == null ? null : gl.bySession.remove(sessionId);
        if (sub != null)
        {
            leave(gl, sub);
            gl.audience = guildAudience(gl);
            if (gl.bySession.isEmpty())
            {
                guilds.remove(guildId); // nobody looks: the lists are built again on the next op 14
            }
        }
    }

    /**
     * Another node's sessions are gone (it was found unreachable, or started again): those looking at this shard's
     * member lists stop (as if each had ended: {@link #unsubscribe}); a session of a new start sends op 14 again.
     *
     * @param node the node.
     * @return subscriptions dropped.
     */
    public int nodeGone(final int node)
    {
        int n = 0;
        for (final long guildId : guilds.keySet().stream().mapToLong(Long::longValue).toArray())
        {
            final GuildLists gl = guilds.get(guildId);
            final List<String> gone = new ArrayList<>();
            gl.bySession.forEach((id, sub) ->
            {
                if (dev.pinwheel.core.routing.ShardRoute.onNode(sub.shard, node))
                {
                    gone.add(id);
                }
            });
            for (final String id : gone)
            {
                final Subscriber sub = gl.bySession.remove(id);
                if (sub.list != null)
                {
                    leave(gl, sub);
                }
                n++;
            }
            if (!gone.isEmpty())
            {
                gl.audience = guildAudience(gl);
                if (gl.bySession.isEmpty())
                {
                    guilds.remove(guildId);
                }
            }
        }
        return n;
    }

    private static boolean hasRange(final int[] ranges, final int a, final int b)
    {
        for (int i = 0; i + 1 < ranges.length; i += 2)
        {
            if (ranges[i] == a && ranges[i + 1] == b)
            {
                return true;
            }
        }
        return false;
    }

    private void leave(final GuildLists gl, final Subscriber sub)
    {
        final MemberList list = sub.list;
        list.subscribers.remove(sub);
        list.audience = audienceOf(list.subscribers);
        sub.list = null;
        if (list.subscribers.isEmpty())
        {
            gl.lists.remove(list.key);
        }
    }

    private static LongHashSet audienceOf(final List<Subscriber> subscribers)
    {
        final LongHashSet users = new LongHashSet();
        for (int i = 0; i < subscribers.size(); i++)
        {
            users.add(subscribers.get(i).userId);
        }
        return users;
    }

    private static LongHashSet guildAudience(final GuildLists gl)
    {
        final LongHashSet users = new LongHashSet();
        for (final Subscriber s : gl.bySession.values())
        {
            users.add(s.userId);
        }
        return users;
    }

    /** The guild's lists, rebuilt (and every subscriber synced again) when its members, roles or channels changed. */
    private GuildLists guildLists(final Guild g)
    {
        GuildLists gl = guilds.get(g.id());
        if (gl == null)
        {
            gl = new GuildLists();
            gl.version = g.permissionsVersion();
            gl.structure = g.structureVersion();
            gl.regroup(g);
            guilds.put(g.id(), gl);
        }
        return gl;
    }

    private MemberList listFor(final Guild g, final GuildLists gl, final GuildChannel channel)
    {
        final LongHashSet viewers = g.viewers(channel);
        final String key = viewers == null ? "everyone" : listKey(channel);
        MemberList list = gl.lists.get(key);
        if (list == null)
        {
            list = new MemberList(key, viewers == null ? "everyone" : listId(key), viewers == null ? 0 : channel.id(),
                g.memberCount());
            for (final Member m : g.members())
            {
                if (viewers == null || viewers.contains(m.userId()))
                {
                    final int slot = gl.slot(m.userId());
                    list.order.key(slot, gl.groupOf(m, presences.presenceIn(g.id(), m.userId())), sortName(m),
                        m.userId());
                    list.order.insert(slot);
                }
            }
            gl.lists.put(key, list);
        }
        return list;
    }

    /**
     * The key of a restricted channel's list: what decides who sees it, the channel's overwrites that allow or deny
     * VIEW_CHANNEL, in order. Channels with the same ones share a list, and the key stays the same while members
     * join, leave and get roles, so a member's change is an INSERT or DELETE in the lists, not a new list. (Before,
     * lists were keyed by a hash of their viewers, which a join could change.)
     */
    private static String listKey(final GuildChannel channel)
    {
        final List<String> parts = new ArrayList<>();
        for (final dev.pinwheel.core.guild.Overwrite o : channel.overwrites())
        {
            final boolean allow = (o.allow() & dev.pinwheel.core.guild.Permissions.VIEW_CHANNEL) != 0;
            final boolean deny = (o.deny() & dev.pinwheel.core.guild.Permissions.VIEW_CHANNEL) != 0;
            if (allow || deny)
            {
                parts.add(o.type() + ":" + o.id() + (allow ? ":allow" : "") + (deny ? ":deny" : ""));
            }
        }
        parts.sort(null);
        return String.join(",", parts);
    }

    /** @return the id clients see for a list's key (as Discord's: a 32-bit hash of the overwrites, in decimal). */
    private static String listId(final String key)
    {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < key.length(); i++)
        {
            h = (h ^ key.charAt(i)) * 0x100000001B3L;
        }
        h ^= h >>> 29;
        h *= 0xFF51AFD7ED558CCDL;
        return Long.toUnsignedString((h ^ (h >>> 32)) & 0xFFFFFFFFL);
    }

    private String sortName(final Member m)
    {
        if (m.nick() != null)
        {
            return m.nick().toLowerCase(Locale.ROOT);
        }
        final Account a = accounts.get(m.userId());
        return a == null ? "" : a.username().toLowerCase(Locale.ROOT);
    }

    /**
     * Wraps the node's way of telling shards about joins and departures so that the guild's lists follow its
     * members at once (their subscribers get a fresh SYNC).
     *
     * @param next what tells the shards.
     * @return the wrapper.
     */
    public MemberJoins following(final MemberJoins next)
    {
        return new MemberJoins()
        {
            @Override
            public void joined(final Shard owner, final long userId, final long guildId)
            {
                next.joined(owner, userId, guildId);
                memberChanged(owner, guildId, userId);
            }

            @Override
            public void left(final Shard owner, final long userId, final long guildId)
            {
                next.left(owner, userId, guildId);
                memberChanged(owner, guildId, userId);
            }

            @Override
            public void guildDeleted(final Shard owner, final long guildId, final long[] members)
            {
                next.guildDeleted(owner, guildId, members); // its lists went with it
            }

            @Override
            public void tokensRevoked(final Shard owner, final long userId)
            {
                next.tokensRevoked(owner, userId);
            }
        };
    }

    /**
     * A member joined or left: the member is inserted or deleted in place in each list (INSERT/DELETE to its
     * subscribers: a join costs one insert per list, not a rebuild; see {@link #memberUpdated}).
     *
     * @param owner   this shard.
     * @param guildId the guild.
     * @param userId  the member who joined or left.
     */
    public void memberChanged(final Shard owner, final long guildId, final long userId)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g != null)
        {
            memberUpdated(owner, g, userId);
        }
    }

    /**
     * A member joined, left, or changed roles or nickname: in each list the member moves in place — DELETE where it
     * was (and its group's header if the group emptied), INSERT where it goes (a header first for a new group), or one
     * UPDATE when its row stays; a restricted channel's list takes the member in or out as the member now may see it
     * or not (its id, from the channel's overwrites, stays). Every list is rebuilt and synced again only when the
     * guild's roles, channels or owner changed since they were built, or when one of the member's own sessions looks
     * at a list it may no longer see. (Before, a guild with a restricted channel's list open was rebuilt on every
     * join: a pass over every member and a SYNC to every subscriber.)
     */
    @Override
    public void memberUpdated(final Shard owner, final Guild g, final long userId)
    {
        final GuildLists gl = guilds.get(g.id());
        if (gl == null || gl.version == g.permissionsVersion())
        {
            return;
        }
        if (gl.structure != g.structureVersion() || !stillSees(g, gl, userId))
        {
            resync(owner, g, gl);
            return;
        }
        gl.version = g.permissionsVersion();
        final Member m = g.member(userId);
        final int slot = gl.slot(userId);
        final PresenceFields p = presences.presenceIn(g.id(), userId);
        for (final MemberList list : gl.lists.values())
        {
            final GuildChannel channel = list.channelId == 0 ? null : g.channel(list.channelId);
            final ListOps ops = new ListOps(list);
            if (m == null || channel != null && !g.sees(userId, channel))
            {
                if (!list.order.contains(slot))
                {
                    continue;
                }
                ops.delete(slot);
            }
            else
            {
                ops.place(g, gl, slot, m, p);
            }
            publish(owner, g, gl, list, ops);
        }
    }

    /** @return whether every list the user's sessions look at is still one the user may see. */
    private static boolean stillSees(final Guild g, final GuildLists gl, final long userId)
    {
        for (final Subscriber sub : gl.bySession.values())
        {
            if (sub.userId == userId)
            {
                final GuildChannel channel = g.channel(sub.channelId);
                if (channel == null || g.member(userId) == null || !g.sees(userId, channel))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A role was hoisted or lowered, or a hoisted role created or deleted: the groups are numbered again and every list
     * is rebuilt, its subscribers get INVALIDATE and a fresh SYNC of their ranges (a hoist can move many members).
     */
    @Override
    public void rolesChanged(final Shard owner, final Guild g)
    {
        final GuildLists gl = guilds.get(g.id());
        if (gl != null)
        {
            resync(owner, g, gl);
        }
    }

    @Override
    public void presenceChanged(final Shard owner, final Guild g, final long userId, final PresenceFields before,
        final PresenceFields after)
    {
        final GuildLists gl = guilds.get(g.id());
        if (gl == null)
        {
            return;
        }
        if (gl.version != g.permissionsVersion())
        {
            resync(owner, g, gl);
            return;
        }
        final int slot = (int)gl.slotOf.get(userId);
        final Member m = g.member(userId);
        if (slot < 0 || m == null)
        {
            return;
        }
        for (final MemberList list : gl.lists.values())
        {
            if (!list.order.contains(slot))
            {
                continue;
            }
            final ListOps ops = new ListOps(list);
            ops.place(g, gl, slot, m, after);
            publish(owner, g, gl, list, ops);
        }
    }

    /**
     * The ops of one change to one list, and which rows they touch: every row from {@code shiftFrom} on (an INSERT or
     * DELETE moves them), the rows of UPDATEs, and the header rows of groups whose count changed.
     */
    private final class ListOps
    {
        final MemberList list;
        final ArrayNode ops = Json.array();
        int shiftFrom = Integer.MAX_VALUE;
        int updated = -1;
        boolean countsChanged;

        ListOps(final MemberList list)
        {
            this.list = list;
        }

        /** Takes a member out (DELETE, and its group's header if the group empties). */
        void delete(final int slot)
        {
            final SortedMembers order = list.order;
            final int row = row(order, slot);
            final int group = order.group(slot);
            order.remove(slot);
            ops.addObject().put("op", "DELETE").put("index", row);
            int first = row;
            if (order.groupCount(group) == 0)
            {
                ops.addObject().put("op", "DELETE").put("index", row - 1); // the emptied group's header
                first = row - 1;
            }
            shiftFrom = Math.min(shiftFrom, first);
            countsChanged = true;
        }

        /** Puts a member where its group and name say (UPDATE when its row stays, else DELETE and INSERT). */
        void place(final Guild g, final GuildLists gl, final int slot, final Member m, final PresenceFields p)
        {
            final SortedMembers order = list.order;
            final int group = gl.groupOf(m, p);
            final int oldRow = order.contains(slot) ? row(order, slot) : -1;
            final int oldGroup = oldRow < 0 ? -1 : order.group(slot);
            if (oldRow >= 0)
            {
                order.remove(slot);
            }
            final boolean oldEmptied = oldRow >= 0 && order.groupCount(oldGroup) == 0;
            order.key(slot, group, sortName(m), m.userId());
            order.insert(slot);
            final int newRow = row(order, slot);
            if (oldRow == newRow && oldGroup == group)
            {
                ops.addObject().put("op", "UPDATE").put("index", newRow).set("item", memberItem(g, m.userId(), p));
                updated = newRow;
                return;
            }
            // the client applies the ops in order: the DELETEs see the list before, the INSERTs the list after
            if (oldRow >= 0)
            {
                ops.addObject().put("op", "DELETE").put("index", oldRow);
                if (oldEmptied)
                {
                    ops.addObject().put("op", "DELETE").put("index", oldRow - 1); // the emptied group's header
                }
                shiftFrom = Math.min(shiftFrom, oldEmptied ? oldRow - 1 : oldRow);
            }
            final boolean newGroup = order.groupCount(group) == 1;
            if (newGroup)
            {
                ops.addObject().put("op", "INSERT").put("index", newRow - 1).set("item", groupItem(gl, list, group));
            }
            ops.addObject().put("op", "INSERT").put("index", newRow).set("item", memberItem(g, m.userId(), p));
            shiftFrom = Math.min(shiftFrom, newGroup ? newRow - 1 : newRow);
            countsChanged |= oldGroup != group;
        }
    }

    /**
     * Sends a change to the subscribers it touches: those looking at a row from the first one it shifts on, at an
     * updated row, or (when group counts changed) at a group's header; nobody else hears of it (lazy: a subscriber's
     * next delivery carries the new counts anyway).
     */
    private void publish(final Shard owner, final Guild g, final GuildLists gl, final MemberList list,
        final ListOps change)
    {
        if (change.ops.isEmpty())
        {
            return;
        }
        final LongHashSet audience = new LongHashSet();
        final ArrayList<Subscriber> subs = list.subscribers;
        for (int i = 0; i < subs.size(); i++)
        {
            final Subscriber sub = subs.get(i);
            if (touches(gl, list, sub.ranges, change))
            {
                audience.add(sub.userId);
            }
        }
        if (audience.isEmpty())
        {
            return;
        }
        final ObjectNode d = header(g, gl, list);
        d.set("ops", change.ops);
        owner.publish(g, new Dispatch("GUILD_MEMBER_LIST_UPDATE", Json.bytes(d), null, 0, g.id(), 0, 0, audience));
    }

    private static boolean touches(final GuildLists gl, final MemberList list, final int[] ranges,
        final ListOps change)
    {
        for (int i = 0; i + 1 < ranges.length; i += 2)
        {
            final int from = ranges[i];
            final int to = ranges[i + 1];
            if (to >= change.shiftFrom || (change.updated >= from && change.updated <= to))
            {
                return true;
            }
            if (change.countsChanged)
            {
                // a header row in the range shows its group's count
                int row = 0;
                for (int group = 0; group < gl.groupIds.length && row <= to; group++)
                {
                    final int n = list.order.groupCount(group);
                    if (n > 0)
                    {
                        if (row >= from)
                        {
                            return true;
                        }
                        row += n + 1;
                    }
                }
            }
        }
        return false;
    }

    /** Members, roles or channels changed: every list is built again and its subscribers get a fresh SYNC. */
    private void resync(final Shard owner, final Guild g, final GuildLists gl)
    {
        final ArrayList<Subscriber> subs = new ArrayList<>(gl.bySession.values());
        gl.lists.clear();
        gl.version = g.permissionsVersion();
        gl.structure = g.structureVersion();
        gl.regroup(g);
        for (final Subscriber sub : subs)
        {
            sub.list = null;
            final GuildChannel channel = g.channel(sub.channelId);
            if (channel == null || g.member(sub.userId) == null || !g.sees(sub.userId, channel))
            {
                gl.bySession.remove(sub.sessionId);
                continue;
            }
            final MemberList list = listFor(g, gl, channel);
            sub.list = list;
            list.subscribers.add(sub);
            final ObjectNode d = header(g, gl, list);
            final ArrayNode ops = d.putArray("ops");
            for (int i = 0; i + 1 < sub.ranges.length; i += 2)
            {
                ops.addObject().put("op", "INVALIDATE").putArray("range").add(sub.ranges[i]).add(sub.ranges[i + 1]);
                sync(g, gl, list, sub.ranges[i], sub.ranges[i + 1], ops.addObject());
            }
            sessions.memberChunks(sub.shard, sub.sessionId, List.of(new Dispatch("GUILD_MEMBER_LIST_UPDATE",
                Json.bytes(d), null, 0, g.id(), 0, sub.userId)));
        }
        for (final MemberList list : gl.lists.values())
        {
            list.audience = audienceOf(list.subscribers);
        }
        gl.audience = guildAudience(gl);
    }

    /** The row of a member: its rank plus the header rows of the non-empty groups up to its own. */
    private static int row(final SortedMembers order, final int slot)
    {
        final int group = order.group(slot);
        int headers = 0;
        for (int g = 0; g <= group; g++)
        {
            if (order.groupCount(g) > 0)
            {
                headers++;
            }
        }
        return order.rank(slot) + headers;
    }

    private static ObjectNode header(final Guild g, final GuildLists gl, final MemberList list)
    {
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(g.id()));
        d.put("id", list.id);
        d.put("member_count", list.order.size());
        d.put("online_count", list.order.size() - list.order.groupCount(gl.offline()));
        final ArrayNode groups = d.putArray("groups");
        for (int group = 0; group < gl.groupIds.length; group++)
        {
            if (list.order.groupCount(group) > 0)
            {
                groups.addObject().put("id", gl.groupIds[group]).put("count", list.order.groupCount(group));
            }
        }
        return d;
    }

    private static ObjectNode groupItem(final GuildLists gl, final MemberList list, final int group)
    {
        final ObjectNode item = Json.object();
        item.putObject("group").put("id", gl.groupIds[group]).put("count", list.order.groupCount(group));
        return item;
    }

    private ObjectNode memberItem(final Guild g, final long userId, final PresenceFields p)
    {
        final Member m = g.member(userId);
        final ObjectNode member = m == null ? Json.object() : Entities.member(m, accounts, true);
        member.set("presence", PresenceService.presence(userId, p == null
            ? PresenceFields.OFFLINE_FIELDS : p));
        final ObjectNode item = Json.object();
        item.set("member", member);
        return item;
    }

    /** One SYNC op: the rows from..to (inclusive) as they are now. */
    private void sync(final Guild g, final GuildLists gl, final MemberList list, final int from, final int to,
        final ObjectNode op)
    {
        op.put("op", "SYNC");
        op.putArray("range").add(from).add(to);
        final ArrayNode items = op.putArray("items");
        final SortedMembers order = list.order;
        int rowStart = 0;
        int rankStart = 0;
        for (int group = 0; group < gl.groupIds.length && rowStart <= to; group++)
        {
            final int n = order.groupCount(group);
            if (n == 0)
            {
                continue;
            }
            if (rowStart >= from)
            {
                items.add(groupItem(gl, list, group));
            }
            // member rows of this group: rowStart+1 .. rowStart+n
            final int first = Math.max(from, rowStart + 1);
            final int last = Math.min(to, rowStart + n);
            for (int row = first; row <= last; )
            {
                final int take = Math.min(rangeScratch.length, last - row + 1);
                final int got = order.range(rankStart + row - rowStart - 1, rangeScratch, take);
                for (int i = 0; i < got; i++)
                {
                    final long userId = gl.userOf[rangeScratch[i]];
                    items.add(memberItem(g, userId, presences.presenceIn(g.id(), userId)));
                }
                row += Math.max(1, got);
            }
            rowStart += n + 1;
            rankStart += n;
        }
    }
}
