package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.OwnerCommands;
import dev.pinwheel.gateway.owner.RoleProxy;

/**
 * The roles of a guild — {@code GET|POST|PATCH /guilds/{guild}/roles} (PATCH: positions),
 * {@code GET|PATCH|DELETE /guilds/{guild}/roles/{role}}
 * — parsed and checked here, then handed to the guild's owner as typed commands ({@link RoleProxy}). Runs on the
 * shard that holds the request.
 */
public final class RoleRoutes
{
    private static final int MAX_COLOR = 0xFFFFFF;

    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final RoleProxy roles;

    /**
     * A role create/edit body, checked: each field null or {@link OwnerCommands#KEEP} when not given.
     *
     * @param name        1-100 characters (stripped).
     * @param permissions permission bits (unknown bits dropped).
     * @param color       RGB colour.
     * @param hoist       1 hoisted, 0 not, KEEP not given.
     */
    private record Fields(String name, long permissions, int color, int hoist)
    {
    }

    /**
     * @param directory the node's directory (guilds, channels, invites).
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public RoleRoutes(final Directory directory, final Shard shard, final ExchangeTable exchanges)
    {
        this.directory = directory;
        this.shard = shard;
        this.exchanges = exchanges;
        this.roles = new RoleProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/guilds/{guild}/roles", this::list)
            .add("POST", "/guilds/{guild}/roles", this::create)
            .add("PATCH", "/guilds/{guild}/roles", this::positions)
            .add("GET", "/guilds/{guild}/roles/{role}", this::get)
            .add("PATCH", "/guilds/{guild}/roles/{role}", this::edit)
            .add("DELETE", "/guilds/{guild}/roles/{role}", this::delete);
    }

    private void list(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId >= 0)
        {
            roles.list(exchanges.register(ex), ex.userId(), guildId, 0);
        }
    }

    private void get(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long roleId = guildId < 0 ? -1 : role(ex, r);
        if (roleId >= 0)
        {
            roles.list(exchanges.register(ex), ex.userId(), guildId, roleId);
        }
    }

    private void create(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final Fields f = guildId < 0 ? null : fields(ex, r);
        if (f != null)
        {
            roles.create(exchanges.register(ex), ex.userId(), guildId, f.name(), f.permissions(), f.color(),
                f.hoist(), ex.auditReason());
        }
    }

    private void edit(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long roleId = guildId < 0 ? -1 : role(ex, r);
        final Fields f = roleId < 0 ? null : fields(ex, r);
        if (f != null)
        {
            roles.edit(exchanges.register(ex), ex.userId(), guildId, roleId, f.name(), f.permissions(), f.color(),
                f.hoist(), ex.auditReason());
        }
    }

    private void delete(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final long roleId = guildId < 0 ? -1 : role(ex, r);
        if (roleId >= 0)
        {
            roles.delete(exchanges.register(ex), ex.userId(), guildId, roleId, ex.auditReason());
        }
    }

    /** {@code PATCH /guilds/{guild}/roles [{id, position}…]}: moves roles; 200 with every role. */
    private void positions(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        final JsonNode b = guildId < 0 ? null : RouteChecks.positionsBody(shard, ex, r);
        if (b == null)
        {
            return;
        }
        final long[] moves = new long[2 * b.size()];
        for (int i = 0; i < b.size(); i++)
        {
            final JsonNode e = b.get(i);
            final long id = RouteChecks.snowflake(e.get("id"));
            final JsonNode pos = e.get("position");
            if (pos == null || !pos.canConvertToInt() || pos.asInt() < 0)
            {
                ex.invalidField(shard, i + ".position", "NUMBER_TYPE_COERCE", "Value is not int.");
                return;
            }
            moves[2 * i] = id;
            moves[2 * i + 1] = pos.asInt();
        }
        roles.positions(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, moves);
    }

    /** @return the path's role, or -1 after answering 10011. */
    private long role(final RestExchange ex, final Request r)
    {
        final long roleId = r.id(1);
        if (roleId < 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_ROLE);
        }
        return roleId;
    }

    /**
     * A role create/edit body: {@code name} (1-100), {@code permissions} (a decimal string or a number),
     * {@code color} (0-16,777,215), {@code hoist} (a boolean).
     *
     * @return the fields, or null after an error answer.
     */
    private Fields fields(final RestExchange ex, final Request r)
    {
        final JsonNode b = r.body() == null || r.body().isNull() ? Json.object() : r.body();
        if (!b.isObject())
        {
            RouteChecks.error(shard, ex, DiscordError.INVALID_FORM_BODY);
            return null;
        }
        final JsonNode name = b.get("name");
        final JsonNode perms = b.get("permissions");
        final JsonNode color = b.get("color");
        if (RouteChecks.badOptionalName(name))
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            return null;
        }
        long permissions = OwnerCommands.KEEP;
        if (perms != null && !perms.isNull())
        {
            try
            {
                permissions = perms.isIntegralNumber() ? perms.asLong() : Long.parseLong(perms.asText());
            }
            catch (final NumberFormatException e)
            {
                permissions = -1;
            }
            if (permissions < 0)
            {
                ex.invalidField(shard, "permissions", "NUMBER_TYPE_COERCE", "Value is not a valid permission set.");
                return null;
            }
            permissions &= Permissions.ALL;
        }
        if (color != null && !color.isNull() && (!color.canConvertToInt() || color.asInt() < 0
            || color.asInt() > MAX_COLOR))
        {
            ex.invalidField(shard, "color", "NUMBER_TYPE_MAX", "Must be between 0 and 16777215.");
            return null;
        }
        final JsonNode hoist = b.get("hoist");
        if (hoist != null && !hoist.isNull() && !hoist.isBoolean())
        {
            ex.invalidField(shard, "hoist", "BASE_TYPE_BOOLEAN", "Must be either true or false.");
            return null;
        }
        return new Fields(name == null || name.isNull() ? null : name.asText().strip(), permissions,
            color == null || color.isNull() ? OwnerCommands.KEEP : color.asInt(),
            hoist == null || hoist.isNull() ? OwnerCommands.KEEP : hoist.asBoolean() ? 1 : 0);
    }
}
