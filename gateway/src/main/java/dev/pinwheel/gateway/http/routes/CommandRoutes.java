package dev.pinwheel.gateway.http.routes;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.CommandValidator;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.CommandProxy;

/**
 * {@code /applications/{app}[/guilds/{guild}]/commands[/{command}]}: the application's command registry, global or
 * per guild. Only the application itself (its bot token) may read or change it; guild commands need the bot to be in
 * the guild (50001 otherwise). Bodies are checked here ({@link CommandValidator}: the command's fields, then its
 * options' limits) and travel to the application's owner shard reduced to Discord's fields ({@link CommandProxy}).
 * An edit is checked as a whole by the owner, which alone knows the command it applies to. Runs on the shard that
 * holds the request.
 */
public final class CommandRoutes
{
    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final CommandProxy commands;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public CommandRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.commands = new CommandProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        for (final String list : new String[] {"/applications/{app}/commands",
            "/applications/{app}/guilds/{guild}/commands"})
        {
            final boolean guild = list.contains("/guilds/");
            table.add("GET", list, (ex, r) -> list(ex, r, guild))
                .add("PUT", list, (ex, r) -> overwrite(ex, r, guild))
                .add("POST", list, (ex, r) -> upsert(ex, r, guild))
                .add("GET", list + "/{command}", (ex, r) -> get(ex, r, guild))
                .add("PATCH", list + "/{command}", (ex, r) -> edit(ex, r, guild))
                .add("DELETE", list + "/{command}", (ex, r) -> delete(ex, r, guild));
        }
    }

    private void list(final RestExchange ex, final Request r, final boolean guildScope)
    {
        final long guildId = scope(ex, r, guildScope);
        if (guildId >= 0)
        {
            commands.list(exchanges.register(ex), ex.userId(), r.id(0), guildId);
        }
    }

    /** {@code PUT …/commands [commands]}: the list becomes exactly these (at most 100). */
    private void overwrite(final RestExchange ex, final Request r, final boolean guildScope)
    {
        final long guildId = scope(ex, r, guildScope);
        if (guildId < 0)
        {
            return;
        }
        final JsonNode body = r.body();
        if (body == null || !body.isArray() || body.size() > CommandValidator.MAX_COMMANDS)
        {
            error(ex, DiscordError.INVALID_FORM_BODY);
            return;
        }
        final ArrayNode list = Json.array();
        for (int i = 0; i < body.size(); i++)
        {
            final JsonNode c = body.get(i);
            final CommandValidator.Sanitized checked = CommandValidator.sanitize(c);
            if (!checked.valid())
            {
                ex.invalidField(shard, "command", "BASE_TYPE_BAD_VALUE", checked.reason());
                return;
            }
            final CommandValidator.Problem problem = CommandValidator.check(c);
            if (problem != null)
            {
                final List<String> path = new ArrayList<>(problem.path());
                path.add(0, Integer.toString(i));
                ex.invalidPath(shard, path, problem.code(), problem.message());
                return;
            }
            list.add(checked.command());
        }
        commands.overwrite(exchanges.register(ex), ex.userId(), r.id(0), guildId, list.toString());
    }

    /** {@code POST …/commands {command}}: creates it, or replaces the one of the same name and type. */
    private void upsert(final RestExchange ex, final Request r, final boolean guildScope)
    {
        final long guildId = scope(ex, r, guildScope);
        if (guildId < 0)
        {
            return;
        }
        final CommandValidator.Sanitized checked = CommandValidator.sanitize(r.body());
        if (!checked.valid())
        {
            ex.invalidField(shard, "command", "BASE_TYPE_BAD_VALUE", checked.reason());
            return;
        }
        final CommandValidator.Problem problem = CommandValidator.check(r.body());
        if (problem != null)
        {
            ex.invalidPath(shard, problem.path(), problem.code(), problem.message());
            return;
        }
        commands.upsert(exchanges.register(ex), ex.userId(), r.id(0), guildId, checked.command().toString());
    }

    private void get(final RestExchange ex, final Request r, final boolean guildScope)
    {
        final long guildId = scope(ex, r, guildScope);
        final long commandId = guildId < 0 ? -1 : commandId(ex, r, guildScope);
        if (commandId >= 0)
        {
            commands.get(exchanges.register(ex), ex.userId(), r.id(0), guildId, commandId);
        }
    }

    /** {@code PATCH …/commands/{command} {fields}}: the given fields replace the command's. */
    private void edit(final RestExchange ex, final Request r, final boolean guildScope)
    {
        final long guildId = scope(ex, r, guildScope);
        final long commandId = guildId < 0 ? -1 : commandId(ex, r, guildScope);
        if (commandId < 0)
        {
            return;
        }
        if (r.body() == null || !r.body().isObject())
        {
            error(ex, DiscordError.INVALID_FORM_BODY);
            return;
        }
        commands.edit(exchanges.register(ex), ex.userId(), r.id(0), guildId, commandId, r.body().toString());
    }

    private void delete(final RestExchange ex, final Request r, final boolean guildScope)
    {
        final long guildId = scope(ex, r, guildScope);
        final long commandId = guildId < 0 ? -1 : commandId(ex, r, guildScope);
        if (commandId >= 0)
        {
            commands.delete(exchanges.register(ex), ex.userId(), r.id(0), guildId, commandId);
        }
    }

    /**
     * @return the guild of a guild-scoped route, 0 for a global one, or -1 after answering: not an application id
     *         (404), not the caller's own application or not in that guild (50001).
     */
    private long scope(final RestExchange ex, final Request r, final boolean guildScope)
    {
        final long app = r.id(0);
        if (app < 0)
        {
            error(ex, DiscordError.NOT_FOUND);
            return -1;
        }
        if (app != ex.userId())
        {
            error(ex, DiscordError.MISSING_ACCESS);
            return -1;
        }
        final long guildId = guildScope ? r.id(1) : 0;
        if (guildScope && (guildId < 0 || !ctx.node().accounts().guildsOf(app).contains(guildId)))
        {
            error(ex, DiscordError.MISSING_ACCESS);
            return -1;
        }
        return guildId;
    }

    private long commandId(final RestExchange ex, final Request r, final boolean guildScope)
    {
        final long commandId = r.id(guildScope ? 2 : 1);
        if (commandId < 0)
        {
            error(ex, DiscordError.UNKNOWN_APPLICATION_COMMAND);
        }
        return commandId;
    }

    private void error(final RestExchange ex, final DiscordError error)
    {
        ex.reply(shard, error.status(), error.body());
    }
}
