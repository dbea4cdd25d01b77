package dev.pinwheel.gateway.owner;

import java.util.ArrayList;
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
import dev.pinwheel.core.memberlist.SortedMembers;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.PresenceFields;

/**
 * The lazy member lists (op 14) of the guilds a shard owns, and which sessions look at them. A channel's list holds
 * the members who may see the channel (VIEW_CHANNEL with its overwrites; "everyone" when nobody is excluded, else an
 * id derived from who is in it, so channels with the same audience share one list), ordered by a
 * {@link SortedMembers}: online members first, then offline (roles cannot be hoisted in Pinwheel yet: the group is
 * the place for them), each group by display name then id. The rows a client sees are the groups' headers and their
 * members:
 * <pre>
 *   row 0 {group online, count}   row 1..k members online   row k+1 {group offline, count}   rows ... members offline
 *   (an empty group has no header row)
 * </pre>
 * <pre>
 *   op 14 ─▶ session's shard ─MEMBER_LIST_SUBSCRIBE─▶ owner: subscribe, SYNC for each range (to that session),
 *                                                           INVALIDATE for the ranges it no longer looks at
 *   presence change on the owner ─▶ DELETE/INSERT (group changed) or UPDATE (same row) encoded once per list,
 *                                   published to the shards of the list's subscribers (audience: their users)
 *   a change of members, roles, channels (the guild's permissions version moved) ─▶ lists rebuilt, SYNC again
 * </pre>
 * Lazy guilds: above {@code lazyGuildMembers} members a guild's PRESENCE_UPDATEs go only to the users subscribed to
 * one of its lists ({@link #presenceAudience}); smaller guilds stay eager (every session with GUILD_PRESENCES).
 * Shard thread only.
 */
public final class LazyMemberLists implements MemberListUpdates
{
    /** Group numbers in a list's order. */
    private static final int ONLINE = 0;
    private static final int OFFLINE = 1;
    private static final String[] GROUP_IDS = {"online", "offline"};
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

    /** One list: the members a set of viewers allows, in order. */
    private static final class MemberList
    {
        final String id;
        final LongHashSet viewers;
        final SortedMembers order;
        final ArrayList<Subscriber> subscribers = new ArrayList<>();
        LongHashSet audience = new LongHashSet();

        MemberList(final String id, final LongHashSet viewers, final int capacity)
        {
            this.id = id;
            this.viewers = viewers;
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
        LongHashSet audience = new LongHashSet();

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
        final ObjectNode d = header(g, list);
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
            sync(g, list, sub.ranges[i], sub.ranges[i + 1], ops.addObject());
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
            gl.lists.remove(list.id);
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
            guilds.put(g.id(), gl);
        }
        return gl;
    }

    private MemberList listFor(final Guild g, final GuildLists gl, final GuildChannel channel)
    {
        final LongHashSet viewers = g.viewers(channel);
        final String id = viewers == null ? "everyone" : listId(viewers);
        MemberList list = gl.lists.get(id);
        if (list == null)
        {
            list = new MemberList(id, viewers, g.memberCount());
            for (final Member m : g.members())
            {
                if (viewers == null || viewers.contains(m.userId()))
                {
                    final int slot = gl.slot(m.userId());
                    list.order.key(slot, presences.presenceIn(g.id(), m.userId()) == null ? OFFLINE : ONLINE,
                        sortName(m), m.userId());
                    list.order.insert(slot);
                }
            }
            gl.lists.put(id, list);
        }
        return list;
    }

    /** A stable id for a set of viewers (the same set: the same list). */
    private static String listId(final LongHashSet viewers)
    {
        long h = 0x9E3779B97F4A7C15L;
        final LongHashSet.LongIterator it = viewers.iterator();
        long sum = 0;
        long xor = 0;
        while (it.hasNext())
        {
            final long v = it.nextValue() * 0xC2B2AE3D27D4EB4FL;
            sum += v;
            xor ^= Long.rotateLeft(v, 31);
        }
        h ^= sum + Long.rotateLeft(xor, 17) + viewers.size();
        return Long.toUnsignedString((h ^ (h >>> 29)) & 0xFFFFFFFFL);
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
            public void tokensRevoked(final Shard owner, final long userId)
            {
                next.tokensRevoked(owner, userId);
            }
        };
    }

    /**
     * A member joined or left: when the guild's only list is "everyone", the member is inserted or deleted in place
     * (INSERT/DELETE to its subscribers: a join costs one insert, not a rebuild); a guild with lists of restricted
     * channels (their audience, hence their ids, may change) is rebuilt and synced again.
     *
     * @param owner   this shard.
     * @param guildId the guild.
     * @param userId  the member who joined or left.
     */
    public void memberChanged(final Shard owner, final long guildId, final long userId)
    {
        final GuildLists gl = guilds.get(guildId);
        final Guild g = owner.guilds().get(guildId);
        if (gl == null || g == null || gl.version == g.permissionsVersion())
        {
            return;
        }
        final MemberList everyone = gl.lists.get("everyone");
        if (everyone == null || gl.lists.size() != 1)
        {
            resync(owner, g, gl);
            return;
        }
        gl.version = g.permissionsVersion();
        final Member m = g.member(userId);
        final int slot = gl.slot(userId);
        final ArrayNode ops = Json.array();
        if (m == null && everyone.order.contains(slot))
        {
            final int row = row(everyone.order, slot);
            final int group = everyone.order.group(slot);
            everyone.order.remove(slot);
            ops.addObject().put("op", "DELETE").put("index", row);
            if (everyone.order.groupCount(group) == 0)
            {
                ops.addObject().put("op", "DELETE").put("index", row - 1);
            }
        }
        else if (m != null && !everyone.order.contains(slot))
        {
            final PresenceFields p = presences.presenceIn(guildId, userId);
            final int group = p == null ? OFFLINE : ONLINE;
            everyone.order.key(slot, group, sortName(m), userId);
            everyone.order.insert(slot);
            final int row = row(everyone.order, slot);
            if (everyone.order.groupCount(group) == 1)
            {
                ops.addObject().put("op", "INSERT").put("index", row - 1).set("item", groupItem(everyone, group));
            }
            ops.addObject().put("op", "INSERT").put("index", row).set("item", memberItem(g, userId, p));
        }
        if (ops.isEmpty())
        {
            return;
        }
        final ObjectNode d = header(g, everyone);
        d.set("ops", ops);
        owner.publish(g, new Dispatch("GUILD_MEMBER_LIST_UPDATE", Json.bytes(d), null, 0, g.id(), 0, 0,
            everyone.audience));
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
        if (slot < 0 && g.member(userId) == null)
        {
            return;
        }
        final int newGroup = after == null ? OFFLINE : ONLINE;
        for (final MemberList list : gl.lists.values())
        {
            if (slot < 0 || !list.order.contains(slot))
            {
                continue;
            }
            final ObjectNode d = header(g, list);
            final ArrayNode ops = Json.array();
            final int oldRow = row(list.order, slot);
            final int oldGroup = list.order.group(slot);
            if (oldGroup == newGroup)
            {
                ops.addObject().put("op", "UPDATE").put("index", oldRow).set("item", memberItem(g, userId, after));
            }
            else
            {
                ops.addObject().put("op", "DELETE").put("index", oldRow);
                list.order.remove(slot);
                if (list.order.groupCount(oldGroup) == 0)
                {
                    ops.addObject().put("op", "DELETE").put("index", oldRow - 1); // the emptied group's header
                }
                final Member m = g.member(userId);
                list.order.key(slot, newGroup, m == null ? "" : sortName(m), userId);
                list.order.insert(slot);
                final int newRow = row(list.order, slot);
                if (list.order.groupCount(newGroup) == 1)
                {
                    ops.addObject().put("op", "INSERT").put("index", newRow - 1).set("item", groupItem(list,
                        newGroup));
                }
                ops.addObject().put("op", "INSERT").put("index", newRow).set("item", memberItem(g, userId, after));
            }
            // header() counted before the move: the groups and counts are those after it
            d.set("groups", groups(list));
            d.put("online_count", list.order.groupCount(ONLINE));
            d.set("ops", ops);
            owner.publish(g, new Dispatch("GUILD_MEMBER_LIST_UPDATE", Json.bytes(d), null, 0, g.id(), 0, 0,
                list.audience));
        }
    }

    /** Members, roles or channels changed: every list is built again and its subscribers get a fresh SYNC. */
    private void resync(final Shard owner, final Guild g, final GuildLists gl)
    {
        final ArrayList<Subscriber> subs = new ArrayList<>(gl.bySession.values());
        gl.lists.clear();
        gl.version = g.permissionsVersion();
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
            final ObjectNode d = header(g, list);
            final ArrayNode ops = d.putArray("ops");
            for (int i = 0; i + 1 < sub.ranges.length; i += 2)
            {
                ops.addObject().put("op", "INVALIDATE").putArray("range").add(sub.ranges[i]).add(sub.ranges[i + 1]);
                sync(g, list, sub.ranges[i], sub.ranges[i + 1], ops.addObject());
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

    private ObjectNode header(final Guild g, final MemberList list)
    {
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(g.id()));
        d.put("id", list.id);
        d.put("member_count", list.order.size());
        d.put("online_count", list.order.groupCount(ONLINE));
        d.set("groups", groups(list));
        return d;
    }

    private static ArrayNode groups(final MemberList list)
    {
        final ArrayNode groups = Json.array();
        for (int g = 0; g < GROUP_IDS.length; g++)
        {
            if (list.order.groupCount(g) > 0)
            {
                groups.addObject().put("id", GROUP_IDS[g]).put("count", list.order.groupCount(g));
            }
        }
        return groups;
    }

    private static ObjectNode groupItem(final MemberList list, final int group)
    {
        final ObjectNode item = Json.object();
        item.putObject("group").put("id", GROUP_IDS[group]).put("count", list.order.groupCount(group));
        return item;
    }

    private ObjectNode memberItem(final Guild g, final long userId, final PresenceFields p)
    {
        final Member m = g.member(userId);
        final ObjectNode member = m == null ? Json.object() : Entities.member(m, accounts, true);
        member.set("presence", PresenceService.presence(userId, p == null
            ? new PresenceFields(PresenceFields.OFFLINE, 0, false, "[]") : p));
        final ObjectNode item = Json.object();
        item.set("member", member);
        return item;
    }

    /** One SYNC op: the rows from..to (inclusive) as they are now. */
    private void sync(final Guild g, final MemberList list, final int from, final int to, final ObjectNode op)
    {
        op.put("op", "SYNC");
        op.putArray("range").add(from).add(to);
        final ArrayNode items = op.putArray("items");
        final SortedMembers order = list.order;
        int rowStart = 0;
        int rankStart = 0;
        for (int group = 0; group < GROUP_IDS.length && rowStart <= to; group++)
        {
            final int n = order.groupCount(group);
            if (n == 0)
            {
                continue;
            }
            if (rowStart >= from)
            {
                items.add(groupItem(list, group));
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
                    final long userId = gl(g).userOf[rangeScratch[i]];
                    items.add(memberItem(g, userId, presences.presenceIn(g.id(), userId)));
                }
                row += Math.max(1, got);
            }
            rowStart += n + 1;
            rankStart += n;
        }
    }

    private GuildLists gl(final Guild g)
    {
        return guilds.get(g.id());
    }
}
