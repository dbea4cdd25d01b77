package dev.pinwheel.gateway.owner;

import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.codec.Intents;

/**
 * Roles on the guild's <b>owner shard</b>: create, edit, delete, give and take (MANAGE_ROLES). Every change is a
 * journaled state record applied through {@link StateLog}, so a restart rebuilds exactly what was acknowledged;
 * GUILD_ROLE_CREATE/UPDATE/DELETE and GUILD_MEMBER_UPDATE go out after the commit. As on Discord a new role sits
 * at position 1, just above {@code @everyone} (the others move up one), and {@code @everyone} can be edited but
 * neither deleted nor given. Discord's hierarchy holds for everyone but the owner: one manages (edits, deletes,
 * gives, takes) only roles below one's own highest role, and never grants a permission one does not hold — so
 * MANAGE_ROLES cannot be turned into ADMINISTRATOR. Every method MUST run on the owner shard's thread.
 */
public final class RoleOps
{
    /**
     * The fields of a create/edit body ({@code null}: not given).
     *
     * @param name        name (1-100 characters).
     * @param permissions permission bits.
     * @param color       RGB colour.
     */
    public record Fields(String name, Long permissions, Integer color)
    {
    }

    private RoleOps()
    {
    }

    private static Guild managing(final Shard owner, final long guildId, final RestExchange ex)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g == null || g.member(ex.userId()) == null)
        {
            ex.error(owner, g == null ? 404 : 403, g == null ? 10004 : 50001, g == null ? "Unknown Guild"
                : "Missing Access");
            return null;
        }
        if (!Permissions.has(Permissions.of(g, ex.userId()), Permissions.MANAGE_ROLES))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return null;
        }
        return g;
    }

    /** {@code POST /guilds/{id}/roles}. */
    public static void create(final Shard owner, final GatewayContext ctx, final long guildId, final Fields f,
        final RestExchange ex)
    {
        final Guild g = managing(owner, guildId, ex);
        if (g == null || !above(owner, g, null, f.permissions() == null ? 0 : f.permissions(), ex))
        {
            return;
        }
        for (final Role r : g.roles().toArray(new Role[0]))
        {
            if (r.id() != guildId && r.position() >= 1)
            {
                put(owner, ctx, g, new Role(r.id(), r.name(), r.permissions(), r.position() + 1, r.color()));
            }
        }
        final Role role = new Role(owner.ids().next(), f.name() == null ? "new role" : f.name(),
            f.permissions() == null ? g.role(guildId).permissions() : f.permissions(), 1,
            f.color() == null ? 0 : f.color());
        save(owner, ctx, g, role, "GUILD_ROLE_CREATE", ex);
    }

    /** {@code PATCH /guilds/{id}/roles/{role}}. */
    public static void modify(final Shard owner, final GatewayContext ctx, final long guildId, final long roleId,
        final Fields f, final RestExchange ex)
    {
        final Guild g = managing(owner, guildId, ex);
        final Role r = g == null ? null : role(owner, g, roleId, ex);
        if (r == null || !above(owner, g, r, f.permissions() == null ? 0 : f.permissions() & ~r.permissions(), ex))
        {
            return;
        }
        final Role changed = new Role(r.id(), f.name() == null || roleId == guildId ? r.name() : f.name(),
            f.permissions() == null ? r.permissions() : f.permissions(), r.position(),
            f.color() == null ? r.color() : f.color());
        save(owner, ctx, g, changed, "GUILD_ROLE_UPDATE", ex);
    }

    /** {@code DELETE /guilds/{id}/roles/{role}}: the role goes, and with it every member's grant of it. */
    public static void delete(final Shard owner, final GatewayContext ctx, final long guildId, final long roleId,
        final RestExchange ex)
    {
        final Guild g = managing(owner, guildId, ex);
        final Role r = g == null ? null : role(owner, g, roleId, ex);
        if (r == null)
        {
            return;
        }
        if (roleId == guildId)
        {
            ex.error(owner, 400, 50028, "Invalid Role");
            return;
        }
        if (!above(owner, g, r, 0, ex))
        {
            return;
        }
        StateLog.commit(owner, ctx.node(), StateRecords.ROLE_DELETED, StateRecords.roleDeleted(guildId, roleId));
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(guildId));
        d.put("role_id", Json.id(roleId));
        final Dispatch event = new Dispatch("GUILD_ROLE_DELETE", Json.bytes(d), null, Intents.GUILDS, guildId, 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            ex.reply(owner, 204, (JsonNode)null);
        });
    }

    /** {@code PUT|DELETE /guilds/{id}/members/{user}/roles/{role}}. */
    public static void grant(final Shard owner, final GatewayContext ctx, final long guildId, final long userId,
        final long roleId, final boolean give, final RestExchange ex)
    {
        final Guild g = managing(owner, guildId, ex);
        final Role r = g == null ? null : role(owner, g, roleId, ex);
        if (r == null)
        {
            return;
        }
        final Member m = g.member(userId);
        if (m == null)
        {
            ex.error(owner, 404, 10007, "Unknown Member");
            return;
        }
        if (roleId == guildId)
        {
            ex.error(owner, 400, 50028, "Invalid Role");
            return;
        }
        if (!above(owner, g, r, 0, ex))
        {
            return;
        }
        final boolean has = Arrays.stream(m.roleIds()).anyMatch(id -> id == roleId);
        if (has == give)
        {
            ex.reply(owner, 204, (JsonNode)null);
            return;
        }
        final long[] roles = give ? Arrays.copyOf(m.roleIds(), m.roleIds().length + 1)
            : Arrays.stream(m.roleIds()).filter(id -> id != roleId).toArray();
        if (give)
        {
            roles[roles.length - 1] = roleId;
        }
        StateLog.commit(owner, ctx.node(), StateRecords.MEMBER_ROLES_SET,
            StateRecords.memberRolesSet(guildId, userId, roles));
        final ObjectNode d = Entities.member(g.member(userId), ctx.node().accounts(), true);
        d.put("guild_id", Json.id(guildId));
        final Dispatch event = new Dispatch("GUILD_MEMBER_UPDATE", Json.bytes(d), null, Intents.GUILD_MEMBERS,
            guildId, 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            ex.reply(owner, 204, (JsonNode)null);
        });
    }

    /**
     * {@code PATCH /guilds/{id}/members/{user} {roles}}: replaces the member's roles (no reply, no event: the caller
     * answers with the member and sends one GUILD_MEMBER_UPDATE for the whole PATCH). Each role added or removed
     * must be below the caller's highest; {@code @everyone} is ignored, unknown roles are 10011.
     *
     * @return false if an error was answered.
     */
    static boolean setRoles(final Shard owner, final GatewayContext ctx, final Guild g, final long userId,
        final long[] wanted, final RestExchange ex)
    {
        if (!Permissions.has(Permissions.of(g, ex.userId()), Permissions.MANAGE_ROLES))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return false;
        }
        final Member m = g.member(userId);
        final long[] next = Arrays.stream(wanted).filter(id -> id != g.id()).distinct().toArray();
        for (final long id : next)
        {
            if (role(owner, g, id, ex) == null)
            {
                return false;
            }
        }
        final long[] changed = java.util.stream.LongStream.concat(
            Arrays.stream(next).filter(id -> Arrays.stream(m.roleIds()).noneMatch(x -> x == id)),
            Arrays.stream(m.roleIds()).filter(id -> Arrays.stream(next).noneMatch(x -> x == id))).toArray();
        for (final long id : changed)
        {
            if (!above(owner, g, g.role(id), 0, ex))
            {
                return false;
            }
        }
        if (changed.length > 0)
        {
            StateLog.commit(owner, ctx.node(), StateRecords.MEMBER_ROLES_SET,
                StateRecords.memberRolesSet(g.id(), userId, next));
        }
        return true;
    }

    private static Role role(final Shard owner, final Guild g, final long roleId, final RestExchange ex)
    {
        final Role r = g.role(roleId);
        if (r == null)
        {
            ex.error(owner, 404, 10011, "Unknown Role");
        }
        return r;
    }

    /** The position of {@code userId}'s highest role (0: only {@code @everyone}); the owner is above all. */
    private static int highest(final Guild g, final long userId)
    {
        if (g.ownerId() == userId)
        {
            return Integer.MAX_VALUE;
        }
        int top = 0;
        final Member m = g.member(userId);
        for (final long id : m == null ? new long[0] : m.roleIds())
        {
            final Role r = g.role(id);
            top = r == null ? top : Math.max(top, r.position());
        }
        return top;
    }

    /**
     * Discord's hierarchy: the caller may touch {@code target} only below its own highest role, and may grant only
     * permissions it holds. Answers 403 50013 and returns false otherwise.
     */
    private static boolean above(final Shard owner, final Guild g, final Role target, final long grantedPermissions,
        final RestExchange ex)
    {
        final long mine = Permissions.of(g, ex.userId());
        if ((target != null && target.id() != g.id() && target.position() >= highest(g, ex.userId()))
            || (grantedPermissions & ~mine) != 0)
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return false;
        }
        return true;
    }

    private static void put(final Shard owner, final GatewayContext ctx, final Guild g, final Role r)
    {
        StateLog.commit(owner, ctx.node(), StateRecords.ROLE_PUT, StateRecords.rolePut(g.id(), r));
    }

    /** Journals the role, then (after the commit) announces it with {@code type} and answers 200 with it. */
    private static void save(final Shard owner, final GatewayContext ctx, final Guild g, final Role r,
        final String type, final RestExchange ex)
    {
        put(owner, ctx, g, r);
        final ObjectNode body = Entities.role(r);
        final ObjectNode d = Json.object();
        d.put("guild_id", Json.id(g.id()));
        d.set("role", body);
        final Dispatch event = new Dispatch(type, Json.bytes(d), null, Intents.GUILDS, g.id(), 0, 0);
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            ex.reply(owner, 200, body);
        });
    }
}
