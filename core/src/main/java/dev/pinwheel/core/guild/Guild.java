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
    /** Bumped by every change that can change many members' base permissions at once (roles, owner). */
    private long rolesVersion;

    /** Who sees a channel, as of a version of the guild's permissions: null users means every member. */
    private record Viewers(long version, org.agrona.collections.LongHashSet users)
    {
    }

    /** The members holding one guild permission, as of {@link #rolesVersion}, kept up to date by member changes. */
    private static final class Holders
    {
        final org.agrona.collections.LongHashSet users = new org.agrona.collections.LongHashSet();
        final long permission;
        long version = -1;
        /** {@code @everyone} holds it: every member does, and {@link #users} is not kept. */
        boolean everyone;

        Holders(final long permission)
        {
            this.permission = permission;
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
        this.icon = hash;
    }

    /**
     * @param newName the guild's new name.
     */
    public void rename(final String newName)
    {
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
        permissionsVersion++;
        rolesVersion++;
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
        this.settings = newSettings;
    }

    /**
     * @param role role to add or replace.
     */
    public void putRole(final Role role)
    {
        permissionsVersion++;
        rolesVersion++;
        roles.put(role.id(), role);
    }

    /**
     * Deletes a role and takes it from every member who had it.
     *
     * @param roleId role id.
     */
    public void removeRole(final long roleId)
    {
        permissionsVersion++;
        rolesVersion++;
        roles.remove(roleId);
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
        permissionsVersion++;
        channels.put(channel.id(), channel);
    }

    /**
     * Removes a channel and its webhooks (they go with it, as on Discord).
     *
     * @param channelId channel to remove.
     */
    public void removeChannel(final long channelId)
    {
        permissionsVersion++;
        channels.remove(channelId);
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
        if (!holders.isEmpty())
        {
            for (final Holders h : holders.values())
            {
                if (h.version == rolesVersion && !h.everyone)
                {
                    if (Permissions.has(Permissions.base(this, member.userId()), h.permission))
                    {
                        h.users.add(member.userId());
                    }
                    else
                    {
                        h.users.remove(member.userId());
                    }
                }
            }
        }
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
        if (!holders.isEmpty())
        {
            for (final Holders h : holders.values())
            {
                h.users.remove(userId);
            }
        }
        return members.remove(userId) != null;
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
        final PageHeap heap = new PageHeap(after, Math.max(0, Math.min(limit, members.size())));
        if (heap.ids.length > 0)
        {
            members.forEachLong(heap);
        }
        final long[] page = heap.n == heap.ids.length ? heap.ids : java.util.Arrays.copyOf(heap.ids, heap.n);
        java.util.Arrays.sort(page);
        return page;
    }

    /** The smallest ids above a bound seen so far, as a max-heap ({@link #memberIdsAfter}). */
    private static final class PageHeap implements org.agrona.collections.LongObjConsumer<Member>
    {
        final long after;
        final long[] ids;
        int n;

        PageHeap(final long after, final int limit)
        {
            this.after = after;
            this.ids = new long[limit];
        }

        @Override
        public void accept(final long id, final Member member)
        {
            final long[] heap = ids;
            if (id <= after)
            {
                return;
            }
            if (n < heap.length)
            {
                heap[n] = id;
                int i = n++;
                while (i > 0 && heap[(i - 1) >> 1] < heap[i])
                {
                    swap(heap, i, (i - 1) >> 1);
                    i = (i - 1) >> 1;
                }
            }
            else if (id < heap[0])
            {
                heap[0] = id;
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
        Holders h = holders.get(permission);
        if (h == null)
        {
            h = new Holders(permission);
            holders.put(permission, h);
        }
        if (h.version != rolesVersion)
        {
            h.version = rolesVersion;
            h.users.clear();
            final Role everyone = roles.get(id);
            h.everyone = everyone != null && (Permissions.has(everyone.permissions(), permission)
                || (everyone.permissions() & Permissions.ADMINISTRATOR) != 0);
            if (!h.everyone)
            {
                for (final Member m : members.values())
                {
                    if (Permissions.has(Permissions.base(this, m.userId()), permission))
                    {
                        h.users.add(m.userId());
                    }
                }
            }
        }
        return h.everyone ? null : h.users;
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
     * The users who may see a channel (VIEW_CHANNEL there), kept per channel and recomputed only after a change of
     * roles, members, channels or owner: the events of the channel go to them alone. Null when every member sees
     * it (no overwrite denies VIEW_CHANNEL and {@code @everyone} has it): the common case costs nothing.
     *
     * @param channel a channel of this guild.
     * @return the viewers (a snapshot: never modified, replaced after a change), or null for every member.
     */
    public org.agrona.collections.LongHashSet viewers(final GuildChannel channel)
    {
        final Viewers cached = viewers.get(channel.id());
        if (cached != null && cached.version() == permissionsVersion)
        {
            return cached.users();
        }
        org.agrona.collections.LongHashSet users = null;
        final Role everyone = roles.get(id);
        boolean restricted = everyone == null || (everyone.permissions() & Permissions.VIEW_CHANNEL) == 0;
        for (final Overwrite o : channel.overwrites())
        {
            restricted |= (o.deny() & Permissions.VIEW_CHANNEL) != 0;
        }
        if (restricted)
        {
            users = new org.agrona.collections.LongHashSet();
            for (final Member m : members.values())
            {
                if ((Permissions.in(this, m.userId(), channel) & Permissions.VIEW_CHANNEL) != 0)
                {
                    users.add(m.userId());
                }
            }
        }
        viewers.put(channel.id(), new Viewers(permissionsVersion, users));
        return users;
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
