package dev.pinwheel.core.guild;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * A guild's state. <b>Owned by one shard</b> (the routing ring's owner of its id): only that shard's thread
 * reads or writes it. Besides the domain state it holds the bitmask of shards that have sessions
 * subscribed to it (Manifold's "interested cores").
 */
public final class Guild
{
    /** Audit log entries a guild keeps in memory (and replays from its journal): the newest ones. */
    public static final int AUDIT_LOG_KEPT = 2_000;
    /**
     * Discord's limits on what a guild holds (its JSON error codes 30013, 30005, 30007, 30058, 30016): each one's
     * GUILD_CREATE, lists and passes stay bounded, and a member with MANAGE_CHANNELS cannot grow them without end.
     */
    public static final int MAX_CHANNELS = 500;
    /** Roles besides {@code @everyone} (bots' own roles, made when they join, are not refused). */
    public static final int MAX_ROLES = 250;
    /** Webhooks of one channel. */
    public static final int MAX_CHANNEL_WEBHOOKS = 15;
    /** Webhooks of the guild. */
    public static final int MAX_WEBHOOKS = 1_000;
    /** Invites of the guild (expired ones are deleted to make room). */
    public static final int MAX_INVITES = 1_000;

    private final long id;
    private String name;
    private String icon;
    private long ownerId;
    private GuildSettings settings = GuildSettings.DEFAULT;
    private final Long2ObjectHashMap<Role> roles = new Long2ObjectHashMap<>();
    private final LinkedHashMap<Long, GuildChannel> channels = new LinkedHashMap<>();
    private final Long2ObjectHashMap<Member> members = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Ban> bans = new Long2ObjectHashMap<>();
    private final LinkedHashMap<Long, Webhook> webhooks = new LinkedHashMap<>();
    private final org.agrona.collections.Object2IntHashMap<String> inviteUses =
        new org.agrona.collections.Object2IntHashMap<>(0);
    /** The audit log, oldest first, at most {@link #AUDIT_LOG_KEPT} entries. */
    private final java.util.ArrayDeque<AuditEntry> auditLog = new java.util.ArrayDeque<>();
    private long interestedShards;
    /** Per node, its interested shards (clustered routes); null until the first. */
    private long[] nodeShards;
    private long interestedNodes;
    /** Bumped by every change that can change who sees a channel (roles, members, channels, owner). */
    private long permissionsVersion;
    private final Long2ObjectHashMap<Viewers> viewers = new Long2ObjectHashMap<>();
    /** Roles shown apart in the member list (Discord's {@code hoist}); a deleted role's id may linger, unused. */
    private final org.agrona.collections.LongHashSet hoistedRoles = new org.agrona.collections.LongHashSet();

    /** Per guild permission asked for ({@link #holders}), the members whose base permissions hold it. */
    private final Long2ObjectHashMap<Holders> holders = new Long2ObjectHashMap<>();
    /** Per role asked for ({@link #roleMembers}), the members who have it. */
    private final Long2ObjectHashMap<Holders> roleMembers = new Long2ObjectHashMap<>();
    /**
     * Bumped by every change that can change many members' permissions at once (roles, channels, owner): the caches of
     * {@link #viewers} and {@link #holders} are found again after it; a member's own change only updates them.
     */
    private long structureVersion;
    /** Bumped by every change of what a GUILD_CREATE shows besides the members ({@link #snapshotVersion}). */
    private long snapshotVersion;

    /**
     * Who sees a channel, as of {@link #structureVersion}: the snapshot last handed out (null: every member) and the
     * members changed since (joins, leaves, new roles), applied to a copy when it is asked for next.
     */
    private static final class Viewers
    {
        long version = -1;
        org.agrona.collections.LongHashSet users;
        org.agrona.collections.LongArrayList changed;
    }

    /**
     * The members holding one guild permission, or having one role, as of {@link #structureVersion}, kept up to date
     * by member changes.
     */
    private static final class Holders
    {
        final org.agrona.collections.LongHashSet users = new org.agrona.collections.LongHashSet();
        /** The permission bits held, or 0 for {@link #role}. */
        final long permission;
        final long role;
        long version = -1;
        /** {@code @everyone} holds it: every member does, and {@link #users} is not kept. */
        boolean everyone;

        Holders(final long permission, final long role)
        {
            this.permission = permission;
            this.role = role;
        }

        boolean of(final Guild g, final Member m)
        {
            if (permission != 0)
            {
                return Permissions.has(Permissions.base(g, m.userId()), permission);
            }
            for (final long r : m.roleIds())
            {
                if (r == role)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * @param id      guild snowflake.
     * @param name    name.
     * @param ownerId owner's user id.
     */
    public Guild(final long id, final String name, final long ownerId)
    {
        this.id = id;
        this.name = name;
        this.ownerId = ownerId;
    }

    public long id()
    {
        return id;
    }

    public String name()
    {
        return name;
    }

    /**
     * @param newName new name.
     */
    /**
     * @return the guild's webhooks, oldest first (owner shard only; changed through its state records).
     */
    public Collection<Webhook> webhooks()
    {
        return Collections.unmodifiableCollection(webhooks.values());
    }

    /**
     * @param webhookId a webhook.
     * @return it, or null if it is not one of this guild's.
     */
    public Webhook webhook(final long webhookId)
    {
        return webhooks.get(webhookId);
    }

    /**
     * @param w a webhook to add or replace.
     */
    public void putWebhook(final Webhook w)
    {
        webhooks.put(w.id(), w);
    }

    /**
     * @param webhookId a webhook to remove.
     * @return whether it was there.
     */
    public boolean removeWebhook(final long webhookId)
    {
        return webhooks.remove(webhookId) != null;
    }

    /**
     * @return the icon's hash (served at {@code /icons/{id}/{hash}.png}), or null.
     */
    public String icon()
    {
        return icon;
    }

    /**
     * @param hash the new icon's hash, or null for none.
     */
    public void icon(final String hash)
    {
        snapshotVersion++;
        this.icon = hash;
    }

    /**
     * @param newName the guild's new name.
     */
    public void rename(final String newName)
    {
        snapshotVersion++;
        this.name = newName;
    }

    public long ownerId()
    {
        return ownerId;
    }

    /**
     * @param newOwner the member who owns the guild from now on.
     */
    public void transferOwnership(final long newOwner)
    {
        snapshotVersion++;
        permissionsVersion++;
        structureVersion++;
        this.ownerId = newOwner;
    }

    /**
     * @return the guild's settings.
     */
    public GuildSettings settings()
    {
        return settings;
    }

    /**
     * @param newSettings the guild's settings from now on.
     */
    public void settings(final GuildSettings newSettings)
    {
        snapshotVersion++;
        this.settings = newSettings;
    }

    /**
     * @param role role to add or replace.
     */
    public void putRole(final Role role)
    {
        snapshotVersion++;
        permissionsVersion++;
        structureVersion++;
        roles.put(role.id(), role);
    }

    /**
     * Deletes a role and takes it from every member who had it.
     *
     * @param roleId role id.
     */
    public void removeRole(final long roleId)
    {
        snapshotVersion++;
        permissionsVersion++;
        structureVersion++;
        roles.remove(roleId);
        roleMembers.remove(roleId);
        for (final Member m : List.copyOf(members.values()))
        {
            if (java.util.Arrays.stream(m.roleIds()).anyMatch(r -> r == roleId))
            {
                members.put(m.userId(), m.withRoles(java.util.Arrays.stream(m.roleIds()).filter(r -> r != roleId)
                    .toArray()));
            }
        }
    }

    /**
     * Hoists a role (its members get a group of their own in the member list, Discord's {@code hoist}) or lowers it.
     * Kept beside the roles rather than in {@link Role} (record type ROLE_HOIST_SET).
     *
     * @param roleId role id.
     * @param hoist  whether it is hoisted.
     */
    public void hoist(final long roleId, final boolean hoist)
    {
        snapshotVersion++;
        if (hoist)
        {
            hoistedRoles.add(roleId);
        }
        else
        {
            hoistedRoles.remove(roleId);
        }
    }

    /**
     * @param roleId role id.
     * @return whether that role exists and is hoisted.
     */
    public boolean hoisted(final long roleId)
    {
        return hoistedRoles.contains(roleId) && roles.containsKey(roleId);
    }

    /**
     * @param roleId role id.
     * @return the role or null.
     */
    public Role role(final long roleId)
    {
        return roles.get(roleId);
    }

    /**
     * @return roles (read-only view).
     */
    public Collection<Role> roles()
    {
        return Collections.unmodifiableCollection(roles.values());
    }

    /**
     * @param channel channel to add or replace.
     */
    public void putChannel(final GuildChannel channel)
    {
        snapshotVersion++;
        permissionsVersion++;
        structureVersion++;
        channels.put(channel.id(), channel);
    }

    /**
     * Removes a channel and its webhooks (they go with it, as on Discord).
     *
     * @param channelId channel to remove.
     */
    public void removeChannel(final long channelId)
    {
        snapshotVersion++;
        permissionsVersion++;
        structureVersion++;
        channels.remove(channelId);
        viewers.remove(channelId);
        webhooks.values().removeIf(w -> w.channelId() == channelId);
    }

    /**
     * @param channelId channel id.
     * @return the channel or null.
     */
    public GuildChannel channel(final long channelId)
    {
        return channels.get(channelId);
    }

    /**
     * @return how many channels it has.
     */
    public int channelCount()
    {
        return channels.size();
    }

    /**
     * @return channels in creation order.
     */
    public List<GuildChannel> channels()
    {
        return new ArrayList<>(channels.values());
    }

    /**
     * @param member member to add or replace.
     * @return true if the user was not a member before.
     */
    public boolean putMember(final Member member)
    {
        permissionsVersion++;
        final boolean added = members.put(member.userId(), member) == null;
        memberChanged(member.userId(), member);
        return added;
    }

    /**
     * @param userId user.
     * @return the member or null.
     */
    public Member member(final long userId)
    {
        return members.get(userId);
    }

    /**
     * @return members (read-only view).
     */
    public Collection<Member> members()
    {
        return Collections.unmodifiableCollection(members.values());
    }

    /**
     * @return member count.
     */
    public int memberCount()
    {
        return members.size();
    }

    /**
     * @param userId a member to remove.
     * @return whether the user was a member.
     */
    public boolean removeMember(final long userId)
    {
        permissionsVersion++;
        final boolean was = members.remove(userId) != null;
        memberChanged(userId, null);
        return was;
    }

    /**
     * One page of the member list by user id (REST's list members): the {@code limit} smallest ids above {@code after},
     * found in one pass over the member map's arrays with a bounded heap, without touching the members themselves nor
     * sorting the guild (a page of a guild of 100,000 took a boxed sort of every member above {@code after} before).
     *
     * @param after the page starts above this user id.
     * @param limit the most ids.
     * @return the ids, ascending.
     */
    public long[] memberIdsAfter(final long after, final int limit)
    {
        final PageHeap<Member> heap = new PageHeap<>(after, 0, false, Math.max(0, Math.min(limit, members.size())));
        if (heap.keys.length > 0)
        {
            members.forEachLong(heap);
        }
        return heap.page();
    }

    /**
     * One page of the bans by user id (REST's list bans), found as {@link #memberIdsAfter}: with only {@code before},
     * the {@code limit} largest ids below it; else the smallest above {@code after} (and below {@code before} if set).
     *
     * @param after  above this user id (0: from the first).
     * @param before below this user id (0: no bound).
     * @param limit  the most ids.
     * @return the ids, ascending.
     */
    public long[] banIdsPage(final long after, final long before, final int limit)
    {
        final PageHeap<Ban> heap = new PageHeap<>(after, before, before != 0 && after == 0,
            Math.max(0, Math.min(limit, bans.size())));
        if (heap.keys.length > 0)
        {
            bans.forEachLong(heap);
        }
        return heap.page();
    }

    /**
     * The ids in (after, before) nearest one end seen so far, as a max-heap of keys (the id, or minus the id when the
     * page is taken from the top): {@link #memberIdsAfter}, {@link #banIdsPage}. Ids are snowflakes (positive).
     */
    private static final class PageHeap<V> implements org.agrona.collections.LongObjConsumer<V>
    {
        final long after;
        final long before;
        final boolean fromTop;
        final long[] keys;
        int n;

        PageHeap(final long after, final long before, final boolean fromTop, final int limit)
        {
            this.after = after;
            this.before = before;
            this.fromTop = fromTop;
            this.keys = new long[limit];
        }

        @Override
        public void accept(final long id, final V value)
        {
            if (id <= after || before != 0 && id >= before)
            {
                return;
            }
            final long key = fromTop ? -id : id;
            final long[] heap = keys;
            if (n < heap.length)
            {
                heap[n] = key;
                int i = n++;
                while (i > 0 && heap[(i - 1) >> 1] < heap[i])
                {
                    swap(heap, i, (i - 1) >> 1);
                    i = (i - 1) >> 1;
                }
            }
            else if (key < heap[0])
            {
                heap[0] = key;
                for (int i = 0; ; )
                {
                    final int l = 2 * i + 1;
                    int largest = l < n && heap[l] > heap[i] ? l : i;
                    if (l + 1 < n && heap[l + 1] > heap[largest])
                    {
                        largest = l + 1;
                    }
                    if (largest == i)
                    {
                        break;
                    }
                    swap(heap, i, largest);
                    i = largest;
                }
            }
        }

        long[] page()
        {
            final long[] page = n == keys.length ? keys : java.util.Arrays.copyOf(keys, n);
            if (fromTop)
            {
                for (int i = 0; i < page.length; i++)
                {
                    page[i] = -page[i];
                }
            }
            java.util.Arrays.sort(page);
            return page;
        }
    }

    private static void swap(final long[] a, final int i, final int j)
    {
        final long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /**
     * The members whose guild permissions, before timeouts, hold {@code permission}: found with one pass over the
     * members the first time it is asked for and after a change of roles or owner, then kept up to date by each
     * member's change (a join, a leave, new roles). An event only those who may moderate receive (INVITE_CREATE,
     * GUILD_AUDIT_LOG_ENTRY_CREATE) then costs its holders, not a pass over every member of a large guild.
     *
     * @param permission one or more guild permission bits, all needed.
     * @return the holders (read only; changes with the guild), or null when {@code @everyone} holds it (every member
     *     does, before timeouts).
     */
    public org.agrona.collections.LongHashSet holders(final long permission)
    {
        final Holders h = kept(holders, permission, 0);
        return h.everyone ? null : h.users;
    }

    /**
     * The members who have a role (a role mention notifies them): found with one pass over the members the first time
     * it is asked for and after a change of roles, then kept up to date by each member's change.
     *
     * @param roleId a role of this guild.
     * @return its members (read only; changes with the guild).
     */
    public org.agrona.collections.LongHashSet roleMembers(final long roleId)
    {
        return kept(roleMembers, roleId, roleId).users;
    }

    /**
     * @return the holders of a permission ({@code role} 0) or the members of a role, kept in {@code map} under
     *     {@code key}: found again with a pass over the members when the roles, channels or owner changed since.
     */
    private Holders kept(final Long2ObjectHashMap<Holders> map, final long key, final long role)
    {
        Holders h = map.get(key);
        if (h == null)
        {
            h = new Holders(role == 0 ? key : 0, role);
            map.put(key, h);
        }
        if (h.version != structureVersion)
        {
            h.version = structureVersion;
            h.users.clear();
            final Role everyone = roles.get(id);
            h.everyone = h.permission != 0 && everyone != null && (Permissions.has(everyone.permissions(),
                h.permission) || (everyone.permissions() & Permissions.ADMINISTRATOR) != 0);
            if (!h.everyone)
            {
                for (final Member m : members.values())
                {
                    if (h.of(this, m))
                    {
                        h.users.add(m.userId());
                    }
                }
            }
        }
        return h;
    }

    /**
     * @param ban a ban to add or replace.
     */
    public void putBan(final Ban ban)
    {
        bans.put(ban.userId(), ban);
    }

    /**
     * @param userId a banned user.
     * @return whether there was a ban.
     */
    public boolean removeBan(final long userId)
    {
        return bans.remove(userId) != null;
    }

    /**
     * @param userId a user.
     * @return the user's ban, or null.
     */
    public Ban ban(final long userId)
    {
        return bans.get(userId);
    }

    /**
     * @return bans (read-only view, no order).
     */
    public Collection<Ban> bans()
    {
        return Collections.unmodifiableCollection(bans.values());
    }

    /**
     * @param code an invite of this guild.
     * @return how many joined through it.
     */
    public int inviteUses(final String code)
    {
        return inviteUses.getValue(code);
    }

    /**
     * @param code an invite of this guild someone joined through.
     * @return its uses now.
     */
    public int useInvite(final String code)
    {
        final int n = inviteUses.getValue(code) + 1;
        inviteUses.put(code, n);
        return n;
    }

    /**
     * @param code a deleted invite (its count is dropped).
     */
    public void forgetInvite(final String code)
    {
        inviteUses.removeKey(code);
    }

    /**
     * @param entry a new audit log entry (the oldest is dropped past {@link #AUDIT_LOG_KEPT}).
     */
    public void addAuditEntry(final AuditEntry entry)
    {
        auditLog.addLast(entry);
        if (auditLog.size() > AUDIT_LOG_KEPT)
        {
            auditLog.removeFirst();
        }
    }

    /**
     * @return the audit log, newest first.
     */
    public java.util.Iterator<AuditEntry> auditLogNewestFirst()
    {
        return auditLog.descendingIterator();
    }

    /**
     * The users who may see a channel (VIEW_CHANNEL there), kept per channel: the events of the channel go to them
     * alone. Found with a pass over every member after a change of roles, channels or owner; a member's own change (a
     * join, a leave, new roles) is applied to a copy of the last snapshot instead (a pass costs ≈ 8 ms of the owner's
     * shard in a guild of 100,000, the copy well under one: {@code AudienceBenchmark#viewersAfterJoin}). Null when
     * every member sees it (no overwrite denies VIEW_CHANNEL and {@code @everyone} has it): the common case costs
     * nothing.
     *
     * @param channel a channel of this guild.
     * @return the viewers (a snapshot: never modified, replaced after a change), or null for every member.
     */
    public org.agrona.collections.LongHashSet viewers(final GuildChannel channel)
    {
        Viewers v = viewers.get(channel.id());
        if (v == null)
        {
            v = new Viewers();
            viewers.put(channel.id(), v);
        }
        if (v.version != structureVersion)
        {
            v.version = structureVersion;
            v.changed = null;
            v.users = null;
            final Role everyone = roles.get(id);
            boolean restricted = everyone == null || (everyone.permissions() & Permissions.VIEW_CHANNEL) == 0;
            for (final Overwrite o : channel.overwrites())
            {
                restricted |= (o.deny() & Permissions.VIEW_CHANNEL) != 0;
            }
            if (restricted)
            {
                final org.agrona.collections.LongHashSet users = new org.agrona.collections.LongHashSet();
                for (final Member m : members.values())
                {
                    if (mayView(m.userId(), channel))
                    {
                        users.add(m.userId());
                    }
                }
                v.users = users;
            }
        }
        else if (v.changed != null && sameViewers(v, channel))
        {
            v.changed = null; // nobody's visibility changed: the snapshot stays
        }
        else if (v.changed != null)
        {
            // the snapshot handed out may ride on events still on their way: changed in a copy
            final org.agrona.collections.LongHashSet was = v.users;
            final org.agrona.collections.LongHashSet users = new org.agrona.collections.LongHashSet(was.capacity(),
                was.loadFactor());
            if (users.capacity() == was.capacity())
            {
                users.copy(was);
            }
            else
            {
                users.addAll(was);
            }
            for (int i = 0, n = v.changed.size(); i < n; i++)
            {
                final long userId = v.changed.getLong(i);
                if (members.containsKey(userId) && mayView(userId, channel))
                {
                    users.add(userId);
                }
                else
                {
                    users.remove(userId);
                }
            }
            v.users = users;
            v.changed = null;
        }
        return v.users;
    }

    /**
     * @return whether none of the members changed since the snapshot was made changed whether they see the channel (a
     *     join of someone who may not see it): the snapshot stays, and so do the views other shards built of it.
     */
    private boolean sameViewers(final Viewers v, final GuildChannel channel)
    {
        for (int i = 0, n = v.changed.size(); i < n; i++)
        {
            final long userId = v.changed.getLong(i);
            if (v.users.contains(userId) != (members.containsKey(userId) && mayView(userId, channel)))
            {
                return false;
            }
        }
        return true;
    }

    private boolean mayView(final long userId, final GuildChannel channel)
    {
        return (Permissions.in(this, userId, channel) & Permissions.VIEW_CHANNEL) != 0;
    }

    private void update(final Long2ObjectHashMap<Holders> kept, final long userId, final Member now)
    {
        if (kept.isEmpty())
        {
            return;
        }
        for (final Holders h : kept.values())
        {
            if (h.version == structureVersion && !h.everyone)
            {
                if (now != null && h.of(this, now))
                {
                    h.users.add(userId);
                }
                else
                {
                    h.users.remove(userId);
                }
            }
        }
    }

    /**
     * A member joined, left or was changed: the holders of permissions and the members of roles asked for are updated
     * at once; each channel's viewers that are kept (of a channel not everyone sees) note it, to be applied when they
     * are asked for next; past a quarter of the viewers (and 64) it is cheaper to find them all again, and the kept
     * viewers are dropped.
     */
    private void memberChanged(final long userId, final Member now)
    {
        update(holders, userId, now);
        update(roleMembers, userId, now);
        if (viewers.isEmpty())
        {
            return;
        }
        for (final Viewers v : viewers.values())
        {
            if (v.version == structureVersion && v.users != null)
            {
                if (v.changed == null)
                {
                    v.changed = new org.agrona.collections.LongArrayList();
                }
                v.changed.addLong(userId);
                if (v.changed.size() > 64 + v.users.size() / 4)
                {
                    v.version = -1;
                    v.changed = null;
                }
            }
        }
    }

    /**
     * @param userId  a member.
     * @param channel a channel of this guild.
     * @return whether the member sees it.
     */
    public boolean sees(final long userId, final GuildChannel channel)
    {
        final org.agrona.collections.LongHashSet users = viewers(channel);
        return users == null ? members.containsKey(userId) : users.contains(userId);
    }

    /**
     * @return a number that changes with every change of roles, members, channels or owner (whatever can change who
     *         sees a channel, or who is in the member list).
     */
    public long permissionsVersion()
    {
        return permissionsVersion;
    }

    /**
     * @return a number that changes with every change of what a GUILD_CREATE shows besides its members and what the
     *         channels' newest messages are: name, icon, settings, owner, roles and their hoists, channels
     */
    public long snapshotVersion()
    {
        return snapshotVersion;
    }

    /**
     * @return a number that changes with every change of roles, channels or owner — not with a member's own change
     *         (who may see each channel changes with it only for that member).
     */
    public long structureVersion()
    {
        return structureVersion;
    }

    /**
     * @return bitmask of shards with subscribed sessions.
     */
    public long interestedShards()
    {
        return interestedShards;
    }

    /**
     * @param route the shard that now has subscribed sessions: a shard index of this node, or a clustered route
     *              ({@link dev.pinwheel.core.routing.ShardRoute}) naming a shard of any node.
     */
    public void addInterest(final int route)
    {
        if (dev.pinwheel.core.routing.ShardRoute.clustered(route))
        {
            if (nodeShards == null)
            {
                nodeShards = new long[dev.pinwheel.core.routing.ShardRoute.MAX_NODE + 1];
            }
            final int node = dev.pinwheel.core.routing.ShardRoute.node(route);
            nodeShards[node] |= 1L << dev.pinwheel.core.routing.ShardRoute.shard(route);
            interestedNodes |= 1L << node;
        }
        else
        {
            interestedShards |= 1L << route;
        }
    }

    /**
     * @param route a shard (as for {@link #addInterest}) that has no subscribed session left.
     */
    public void removeInterest(final int route)
    {
        if (dev.pinwheel.core.routing.ShardRoute.clustered(route))
        {
            if (nodeShards != null)
            {
                final int node = dev.pinwheel.core.routing.ShardRoute.node(route);
                nodeShards[node] &= ~(1L << dev.pinwheel.core.routing.ShardRoute.shard(route));
                if (nodeShards[node] == 0)
                {
                    interestedNodes &= ~(1L << node);
                }
            }
        }
        else
        {
            interestedShards &= ~(1L << route);
        }
    }

    /**
     * @return bitmask of the nodes with interested shards named by clustered routes (0 on a single node).
     */
    public long interestedNodes()
    {
        return interestedNodes;
    }

    /**
     * @param node a node.
     * @return bitmask of that node's shards with subscribed sessions, as named by clustered routes.
     */
    public long interestedShardsOf(final int node)
    {
        return nodeShards == null ? 0 : nodeShards[node];
    }
}
