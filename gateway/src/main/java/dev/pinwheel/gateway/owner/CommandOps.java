package dev.pinwheel.gateway.owner;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.routes.CommandValidator;

/**
 * Application commands (slash, user and message commands) as a registry, on the <b>owner shard of the
 * application</b> (a bot's user id): list, bulk overwrite (PUT), create-or-update by name (POST), get, edit,
 * delete — global or per guild — so bots that register commands at start-up ({@code tree.sync()},
 * {@code updateCommands()}) work. Each change journals the application's whole list for that scope
 * ({@code COMMANDS_SET}). Pinwheel has no interactions yet: nothing invokes the commands. Every method MUST run on
 * the application's owner shard.
 */
public final class CommandOps
{
    /** Most commands per type and scope (Discord: 100 chat-input, 15 user, 15 message; one cap here). */
    public static final int MAX_COMMANDS = 100;
    private static final Pattern CHAT_NAME = Pattern.compile("^[-_\\p{L}\\p{N}]{1,32}$");

    private CommandOps()
    {
    }

    /**
     * Checks one command body and reduces it to the fields Discord documents.
     *
     * @param in a command from the client.
     * @return the command, or a reason (a {@code String}) when it is invalid.
     */
    public static Object sanitize(final JsonNode in)
    {
        if (in == null || !in.isObject())
        {
            return "a command must be an object";
        }
        final int type = in.path("type").asInt(1);
        final String name = in.path("name").asText("");
        if (type < 1 || type > 3)
        {
            return "type must be 1, 2 or 3";
        }
        if (type == 1 ? !CHAT_NAME.matcher(name).matches() || !name.equals(name.toLowerCase(java.util.Locale.ROOT))
            : name.isBlank() || name.length() > 32)
        {
            return "name must be 1-32 characters" + (type == 1 ? ", lower case, letters, digits, - or _" : "");
        }
        final String description = in.path("description").asText("");
        if (type == 1 && (description.isEmpty() || description.length() > 100))
        {
            return "description must be 1-100 characters";
        }
        final ObjectNode out = Json.object();
        out.put("type", type);
        out.put("name", name);
        out.put("description", type == 1 ? description : "");
        final JsonNode options = in.get("options");
        if (options != null && !options.isNull())
        {
            if (!options.isArray())
            {
                return "options must be a list"; // the limits inside are CommandValidator's
            }
            out.set("options", options);
        }
        final JsonNode perms = in.get("default_member_permissions");
        if (perms == null || perms.isNull())
        {
            out.putNull("default_member_permissions");
        }
        else
        {
            out.put("default_member_permissions", perms.asText());
        }
        out.put("dm_permission", in.path("dm_permission").asBoolean(true));
        out.put("nsfw", in.path("nsfw").asBoolean(false));
        for (final String list : new String[] {"contexts", "integration_types"})
        {
            if (in.path(list).isArray())
            {
                out.set(list, in.get(list));
            }
        }
        for (final String map : new String[] {"name_localizations", "description_localizations"})
        {
            if (in.path(map).isObject())
            {
                out.set(map, in.get(map));
            }
            else
            {
                out.putNull(map);
            }
        }
        return out;
    }

    /** {@code GET …/commands}. */
    public static void list(final Shard owner, final GatewayContext ctx, final long app, final long guildId,
        final RestExchange ex)
    {
        ex.reply(owner, 200, ctx.node().directory().commands(app, guildId)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code GET …/commands/{id}}. */
    public static void get(final Shard owner, final GatewayContext ctx, final long app, final long guildId,
        final long commandId, final RestExchange ex)
    {
        final ObjectNode c = find(current(ctx, app, guildId), commandId);
        if (c == null)
        {
            ex.error(owner, 404, 10063, "Unknown application command");
            return;
        }
        ex.reply(owner, 200, c);
    }

    /** {@code PUT …/commands}: the list becomes exactly {@code commands}; names keep their ids. */
    public static void overwrite(final Shard owner, final GatewayContext ctx, final long app, final long guildId,
        final ArrayNode commands, final RestExchange ex)
    {
        final ArrayNode old = current(ctx, app, guildId);
        final ArrayNode next = Json.array();
        for (final JsonNode c : commands)
        {
            final ObjectNode prior = byName(old, c.path("name").asText(), c.path("type").asInt());
            next.add(stamp(owner, (ObjectNode)c, prior == null ? 0 : Json.parseId(prior.path("id").asText()), app,
                guildId));
        }
        save(owner, ctx, app, guildId, next);
        owner.afterCommit(() -> ex.reply(owner, 200, next));
    }

    /** {@code POST …/commands}: creates, or replaces the command of the same name and type. */
    public static void upsert(final Shard owner, final GatewayContext ctx, final long app, final long guildId,
        final ObjectNode command, final RestExchange ex)
    {
        final ArrayNode list = current(ctx, app, guildId);
        final ObjectNode prior = byName(list, command.path("name").asText(), command.path("type").asInt());
        if (prior == null && list.size() >= MAX_COMMANDS)
        {
            ex.error(owner, 400, 30032, "Maximum number of application commands reached (" + MAX_COMMANDS + ")");
            return;
        }
        final ObjectNode stamped = stamp(owner, command, prior == null ? 0 : Json.parseId(prior.path("id").asText()),
            app, guildId);
        replace(list, prior, stamped);
        save(owner, ctx, app, guildId, list);
        owner.afterCommit(() -> ex.reply(owner, prior == null ? 201 : 200, stamped));
    }

    /** {@code PATCH …/commands/{id}}: the given fields replace the command's. */
    public static void edit(final Shard owner, final GatewayContext ctx, final long app, final long guildId,
        final long commandId, final JsonNode changes, final RestExchange ex)
    {
        final ArrayNode list = current(ctx, app, guildId);
        final ObjectNode prior = find(list, commandId);
        if (prior == null)
        {
            ex.error(owner, 404, 10063, "Unknown application command");
            return;
        }
        final ObjectNode merged = prior.deepCopy();
        changes.fields().forEachRemaining(f -> merged.set(f.getKey(), f.getValue()));
        final Object checked = sanitize(merged);
        if (checked instanceof String reason)
        {
            ex.invalidField(owner, "command", "BASE_TYPE_BAD_VALUE", reason);
            return;
        }
        final CommandValidator.Problem problem = CommandValidator.check(merged);
        if (problem != null)
        {
            ex.invalidPath(owner, problem.path(), problem.code(), problem.message());
            return;
        }
        final ObjectNode stamped = stamp(owner, (ObjectNode)checked, commandId, app, guildId);
        replace(list, prior, stamped);
        save(owner, ctx, app, guildId, list);
        owner.afterCommit(() -> ex.reply(owner, 200, stamped));
    }

    /** {@code DELETE …/commands/{id}}. */
    public static void delete(final Shard owner, final GatewayContext ctx, final long app, final long guildId,
        final long commandId, final RestExchange ex)
    {
        final ArrayNode list = current(ctx, app, guildId);
        final ObjectNode prior = find(list, commandId);
        if (prior == null)
        {
            ex.error(owner, 404, 10063, "Unknown application command");
            return;
        }
        replace(list, prior, null);
        save(owner, ctx, app, guildId, list);
        owner.afterCommit(() -> ex.reply(owner, 204, (JsonNode)null));
    }

    private static ArrayNode current(final GatewayContext ctx, final long app, final long guildId)
    {
        try
        {
            return (ArrayNode)Json.MAPPER.readTree(ctx.node().directory().commands(app, guildId));
        }
        catch (final java.io.IOException | ClassCastException ex)
        {
            return Json.array(); // written by us: cannot happen
        }
    }

    private static ObjectNode stamp(final Shard owner, final ObjectNode c, final long keepId, final long app,
        final long guildId)
    {
        final ObjectNode out = c.deepCopy();
        final long version = owner.ids().next();
        out.put("id", Json.id(keepId == 0 ? version : keepId));
        out.put("application_id", Json.id(app));
        if (guildId != 0)
        {
            out.put("guild_id", Json.id(guildId));
        }
        out.put("version", Json.id(version));
        return out;
    }

    private static void save(final Shard owner, final GatewayContext ctx, final long app, final long guildId,
        final ArrayNode list)
    {
        StateLog.commit(owner, ctx.node(), StateRecords.COMMANDS_SET,
            StateRecords.commandsSet(app, guildId, list.toString()));
    }

    private static ObjectNode find(final ArrayNode list, final long id)
    {
        for (final JsonNode c : list)
        {
            if (Json.id(id).equals(c.path("id").asText()))
            {
                return (ObjectNode)c;
            }
        }
        return null;
    }

    private static ObjectNode byName(final ArrayNode list, final String name, final int type)
    {
        for (final JsonNode c : list)
        {
            if (name.equals(c.path("name").asText()) && c.path("type").asInt(1) == (type == 0 ? 1 : type))
            {
                return (ObjectNode)c;
            }
        }
        return null;
    }

    private static void replace(final ArrayNode list, final ObjectNode prior, final ObjectNode with)
    {
        for (int i = 0; i < list.size(); i++)
        {
            if (list.get(i) == prior)
            {
                if (with == null)
                {
                    list.remove(i);
                }
                else
                {
                    list.set(i, with);
                }
                return;
            }
        }
        list.add(with);
    }
}
