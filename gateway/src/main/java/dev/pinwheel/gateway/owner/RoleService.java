package dev.pinwheel.gateway.owner;

import java.util.Comparator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Intents;

/**
 * The roles of the guilds a shard owns: list, create, edit, delete (MANAGE_ROLES, within the
 * {@link RoleHierarchy}). Runs on the owner shard; each operation reads its command's fields in the order
 * {@link RoleProxy} wrote them and answers only through its {@link Reply}. Every change is a journaled state record
 * (ROLE_PUT, ROLE_DELETED), so a restart rebuilds exactly what was acknowledged; GUILD_ROLE_CREATE/UPDATE/DELETE go
 * out after the commit. As on Discord a new role sits at position 1, just above {@code @everyone} (the others move
 * up one), and {@code @everyone} can be edited (not renamed) but neither deleted nor given.
 */
public final class RoleService
{
    private static final String[] AUDITED = {"name", "permissions", "color", "hoist", "mentionable"};
    private final NodeState node;
    private final AuditLog audit;
    private MemberListUpdates lists;

    /**
     * @param node  the node's directories (state records apply to them).
     * @param audit the guilds' audit logs (roles created, changed, deleted).
     */
    public RoleService(final NodeState node, final AuditLog audit)
    {
        this.node = node;
        this.audit = audit;
    }

    /**
     * @param updates this shard's member lists, told when a hoisted role appears, goes or changes its hoist.
     */
    void lazyGuilds(final MemberListUpdates updates)
    {
        this.lists = updates;
    }

    /**
     * {@link OwnerCommands#ROLE_LIST}: guild, role (0: all). Members only; all by position, then id, or the one role
     * (10011 if the guild has no such role).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final Guild g = GuildAccess.guild(owner, command.getLong(), reply);
        final long roleId = command.getLong();
        if (g == null)
        {
            return;
        }
        if (roleId != 0)
        {
            final Role role = g.role(roleId);
            if (role == null)
            {
                reply.error(DiscordError.UNKNOWN_ROLE);
            }
            else
            {
                reply.ok(200, Entities.role(role, g.hoisted(roleId)));
            }
            return;
        }
        final ArrayNode arr = Json.array();
        g.roles().stream().sorted(Comparator.comparingInt(Role::position).thenComparingLong(Role::id))
            .forEach(role -> arr.add(Entities.role(role, g.hoisted(role.id()))));
        reply.ok(200, arr);
    }

    /**
     * {@link OwnerCommands#ROLE_CREATE}: guild, name (null: "new role"), permissions ({@link OwnerCommands#KEEP}:
     * {@code @everyone}'s), colour (KEEP: 0). 200 with the role, GUILD_ROLE_CREATE.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void create(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final String name = command.getString();
        final long permissions = command.getLong();
        final int color = command.getInt();
        final int hoist = command.getInt();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_ROLES, reply);
        if (g == null || !RoleHierarchy.mayManage(g, null, permissions == OwnerCommands.KEEP ? 0 : permissions,
            reply))
        {
            return;
        }
        if (g.roles().size() - 1 >= Guild.MAX_ROLES)
        {
            reply.error(DiscordError.MAX_GUILD_ROLES);
            return;
        }
        for (final Role r : g.roles().toArray(new Role[0]))
        {
            if (r.id() != guildId && r.position() >= 1)
            {
                put(owner, g, r.withPosition(r.position() + 1));
            }
        }
        final Role role = new Role(owner.ids().next(), name == null ? "new role" : name,
            permissions == OwnerCommands.KEEP ? g.role(guildId).permissions() : permissions, 1,
            color == OwnerCommands.KEEP ? 0 : color);
        if (hoist == 1)
        {
            StateLog.commit(owner, node, StateRecords.ROLE_HOIST_SET, StateRecords.roleHoistSet(guildId, role.id(),
                true));
        }
        save(owner, g, role, "GUILD_ROLE_CREATE", reply);
        audit.record(owner, g, reply, AuditLog.ROLE_CREATE, role.id(), AuditLog.diff(null,
            Entities.role(role, hoist == 1), AUDITED));
        if (hoist == 1)
        {
            regroup(owner, g);
        }
    }

    /**
     * {@link OwnerCommands#ROLE_EDIT}: guild, role, name, permissions, colour (null or {@link OwnerCommands#KEEP}:
     * unchanged; {@code @everyone} keeps its name). 200 with the role, GUILD_ROLE_UPDATE.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void edit(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long roleId = command.getLong();
        final String name = command.getString();
        final long permissions = command.getLong();
        final int color = command.getInt();
        final int hoist = command.getInt();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_ROLES, reply);
        final Role r = g == null ? null : RoleHierarchy.role(g, roleId, reply);
        if (r == null || !RoleHierarchy.mayManage(g, r, permissions == OwnerCommands.KEEP ? 0
            : permissions & ~r.permissions(), reply))
        {
            return;
        }
        final Role changed = new Role(r.id(), name == null || roleId == guildId ? r.name() : name,
            permissions == OwnerCommands.KEEP ? r.permissions() : permissions, r.position(),
            color == OwnerCommands.KEEP ? r.color() : color, r.botId());
        final org.agrona.collections.Long2ObjectHashMap<org.agrona.collections.LongHashSet> seen =
            ChannelEvents.restricted(g);
        final boolean wasHoisted = g.hoisted(roleId);
        final boolean hoisted = hoist == OwnerCommands.KEEP || roleId == guildId ? wasHoisted : hoist == 1;
        if (hoisted != wasHoisted)
        {
            StateLog.commit(owner, node, StateRecords.ROLE_HOIST_SET, StateRecords.roleHoistSet(guildId, roleId,
                hoisted));
        }
        save(owner, g, changed, "GUILD_ROLE_UPDATE", reply);
        ChannelEvents.announceVisibility(owner, g, seen);
        audit.record(owner, g, reply, AuditLog.ROLE_UPDATE, roleId, AuditLog.diff(Entities.role(r, wasHoisted),
            Entities.role(changed, hoisted), AUDITED));
        if (hoisted != wasHoisted)
        {
            regroup(owner, g);
        }
    }

    /**
     * {@link OwnerCommands#ROLE_DELETE}: guild, role. The role goes, and with it every member's grant of it; 204,
     * GUILD_ROLE_DELETE. {@code @everyone} and a bot's managed role are 400/50028.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void delete(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long roleId = command.getLong();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_ROLES, reply);
        final Role r = g == null ? null : RoleHierarchy.role(g, roleId, reply);
        if (r == null)
        {
            return;
        }
        if (roleId == guildId || r.managed())
        {
            reply.error(DiscordError.INVALID_ROLE); // a bot's role goes only with its bot
            return;
        }
        if (!RoleHierarchy.mayManage(g, r, 0, reply))
        {
            return;
        }
        final org.agrona.collections.Long2ObjectHashMap<org.agrona.collections.LongHashSet> seen =
            ChannelEvents.restricted(g);
        final boolean wasHoisted = g.hoisted(roleId);
        StateLog.commit(owner, node, StateRecords.ROLE_DELETED, StateRecords.roleDeleted(guildId, roleId));
        ChannelEvents.announceVisibility(owner, g, seen);
        audit.record(owner, g, reply, AuditLog.ROLE_DELETE, roleId, AuditLog.diff(Entities.role(r, wasHoisted), null,
            AUDITED));
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(guildId));
        d.put("role_id", Json.id(roleId));
        final Dispatch event = new Dispatch("GUILD_ROLE_DELETE", Json.bytes(d), null, Intents.GUILDS, guildId, 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            reply.ok(204, (byte[])null);
        });
        if (wasHoisted)
        {
            regroup(owner, g);
        }
    }

    /**
     * {@link OwnerCommands#ROLE_POSITIONS}: guild, then (role, position) pairs. MANAGE_ROLES; a role asked to move
     * and its new position must both be below the caller's highest role (the owner is above all; 50013 otherwise); an unknown role
     * is 10011; {@code @everyone} stays at 0. The moved roles take the positions asked (clamped to 1..n, ties by
     * id), the others keep their order around them, so positions stay 1..n without gaps. Each role whose position
     * changed is journaled and announced (GUILD_ROLE_UPDATE); 200 with every role, by position.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void positions(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long[] moves = command.getLongs();
        final Guild g = GuildAccess.guildWith(owner, guildId, Permissions.MANAGE_ROLES, reply);
        if (g == null)
        {
            return;
        }
        final int top = RoleHierarchy.highest(g, reply.userId());
        final java.util.Map<Long, Integer> asked = new java.util.LinkedHashMap<>();
        for (int i = 0; moves != null && i + 1 < moves.length; i += 2)
        {
            final Role r = RoleHierarchy.role(g, moves[i], reply);
            if (r == null)
            {
                return;
            }
            if (r.id() == guildId)
            {
                continue; // @everyone is always at the bottom
            }
            // clients (JDA) send every role: only those asked to move are checked
            if (moves[i + 1] != r.position())
            {
                if (!RoleHierarchy.mayManage(g, r, 0, reply))
                {
                    return;
                }
                if (moves[i + 1] >= top)
                {
                    reply.error(DiscordError.MISSING_PERMISSIONS);
                    return;
                }
            }
            asked.put(r.id(), (int)Math.max(1, moves[i + 1]));
        }
        final java.util.List<Role> others = new java.util.ArrayList<>();
        final java.util.List<Role> moved = new java.util.ArrayList<>();
        for (final Role r : g.roles())
        {
            if (r.id() != guildId)
            {
                (asked.containsKey(r.id()) ? moved : others).add(r);
            }
        }
        others.sort(Comparator.comparingInt(Role::position).thenComparingLong(Role::id));
        moved.sort(Comparator.comparingInt((Role r) -> asked.get(r.id())).thenComparingLong(Role::id));
        final int n = others.size() + moved.size();
        final Role[] slots = new Role[n + 1];
        for (final Role r : moved)
        {
            int at = Math.min(asked.get(r.id()), n);
            while (at <= n && slots[at] != null)
            {
                at++;
            }
            while (at > n || slots[at] != null)
            {
                at--;
            }
            slots[at] = r;
        }
        int next = 0;
        for (int at = 1; at <= n; at++)
        {
            if (slots[at] == null)
            {
                slots[at] = others.get(next++);
            }
        }
        final ArrayNode answer = Json.array();
        answer.add(Entities.role(g.role(guildId), g.hoisted(guildId)));
        boolean hoistedMoved = false;
        for (int at = 1; at <= n; at++)
        {
            final Role r = slots[at];
            final Role placed = r.position() == at ? r : r.withPosition(at);
            if (placed != r)
            {
                put(owner, g, placed);
                hoistedMoved |= g.hoisted(r.id());
                announce(owner, g, "GUILD_ROLE_UPDATE", Entities.role(placed, g.hoisted(r.id())), null);
            }
            answer.add(Entities.role(placed, g.hoisted(r.id())));
        }
        final byte[] body = Json.bytes(answer);
        owner.afterCommit(() -> reply.ok(200, body));
        if (hoistedMoved)
        {
            regroup(owner, g);
        }
    }

    /** After the commit (and the role event): the member lists regroup around the hoisted roles. */
    private void regroup(final Shard owner, final Guild g)
    {
        if (lists != null)
        {
            owner.afterCommit(() -> lists.rolesChanged(owner, g));
        }
    }

    private void put(final Shard owner, final Guild g, final Role r)
    {
        StateLog.commit(owner, node, StateRecords.ROLE_PUT, StateRecords.rolePut(g.id(), r));
    }

    /** Journals the role, then (after the commit) announces it with {@code type} and answers 200 with it. */
    private void save(final Shard owner, final Guild g, final Role r, final String type, final Reply reply)
    {
        put(owner, g, r);
        announce(owner, g, type, Entities.role(r, g.hoisted(r.id())), reply);
    }

    /** After the commit: publishes {@code type} with the role, then (if given) answers 200 with it. */
    private static void announce(final Shard owner, final Guild g, final String type, final ObjectNode role,
        final Reply reply)
    {
        final byte[] answer = Json.bytes(role);
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(g.id()));
        d.set("role", role);
        final Dispatch event = new Dispatch(type, Json.bytes(d), null, Intents.GUILDS, g.id(), 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            if (reply != null)
            {
                reply.ok(200, answer);
            }
        });
    }
}
