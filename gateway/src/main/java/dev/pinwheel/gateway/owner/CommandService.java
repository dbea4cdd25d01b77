package dev.pinwheel.gateway.owner;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.CommandValidator;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;

/**
 * Application commands (slash, user and message commands) as a registry, on the <b>owner shard of the
 * application</b> (a bot's user id): list, bulk overwrite, create-or-update by name, get, edit, delete — global or
 * per guild — so bots that register commands at start-up ({@code tree.sync()}, {@code updateCommands()}) work. Each
 * change journals the application's whole list for that scope ({@code COMMANDS_SET}, into the node's directory).
 * Pinwheel has no interactions yet: nothing invokes the commands. Reads each command in the order
 * {@link CommandProxy} wrote it; answers only through {@link Reply}. Owner shard only.
 */
public final class CommandService
{
    private final NodeState node;

    /**
     * @param node the node's directories (the command lists live in its directory).
     */
    public CommandService(final NodeState node)
    {
        this.node = node;
    }

    /**
     * {@link OwnerCommands#APP_COMMAND_LIST}: application, guild.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final long guildId = command.getLong();
        reply.ok(200, node.directory().commands(app, guildId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@link OwnerCommands#APP_COMMAND_GET}: application, guild, command id.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final long guildId = command.getLong();
        final long commandId = command.getLong();
        final ObjectNode c = find(current(app, guildId), commandId);
        if (c == null)
        {
            reply.error(DiscordError.UNKNOWN_APPLICATION_COMMAND);
            return;
        }
        reply.ok(200, c);
    }

    /**
     * {@link OwnerCommands#APP_COMMAND_OVERWRITE}: application, guild, the new list (JSON). The list becomes exactly
     * that; a command keeps its id when one of the same name and type was there.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 with the list, once durable).
     */
    public void overwrite(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final long guildId = command.getLong();
        final ArrayNode commands = (ArrayNode)Json.parse(command.getString());
        final ArrayNode old = current(app, guildId);
        final ArrayNode next = Json.array();
        for (final JsonNode c : commands)
        {
            final ObjectNode prior = byName(old, c.path("name").asText(), c.path("type").asInt());
            next.add(stamp(owner, (ObjectNode)c, prior == null ? 0 : Json.parseId(prior.path("id").asText()), app,
                guildId));
        }
        save(owner, app, guildId, next);
        final byte[] body = Json.bytes(next);
        owner.afterCommit(() -> reply.ok(200, body));
    }

    /**
     * {@link OwnerCommands#APP_COMMAND_UPSERT}: application, guild, the command (JSON). Creates it (201; at most
     * {@value CommandValidator#MAX_COMMANDS}), or replaces the command of the same name and type (200).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer, once durable.
     */
    public void upsert(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final long guildId = command.getLong();
        final ObjectNode given = (ObjectNode)Json.parse(command.getString());
        final ArrayNode list = current(app, guildId);
        final ObjectNode prior = byName(list, given.path("name").asText(), given.path("type").asInt());
        if (prior == null && list.size() >= CommandValidator.MAX_COMMANDS)
        {
            reply.error(DiscordError.MAX_APPLICATION_COMMANDS);
            return;
        }
        final ObjectNode stamped = stamp(owner, given, prior == null ? 0 : Json.parseId(prior.path("id").asText()),
            app, guildId);
        replace(list, prior, stamped);
        save(owner, app, guildId, list);
        final byte[] body = Json.bytes(stamped);
        owner.afterCommit(() -> reply.ok(prior == null ? 201 : 200, body));
    }

    /**
     * {@link OwnerCommands#APP_COMMAND_EDIT}: application, guild, command id, the changes (JSON object). The given
     * fields replace the command's; the result is checked as a whole ({@link CommandValidator}), here, where the
     * command it applies to is known.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 with the command, once durable).
     */
    public void edit(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final long guildId = command.getLong();
        final long commandId = command.getLong();
        final JsonNode changes = Json.parse(command.getString());
        final ArrayNode list = current(app, guildId);
        final ObjectNode prior = find(list, commandId);
        if (prior == null)
        {
            reply.error(DiscordError.UNKNOWN_APPLICATION_COMMAND);
            return;
        }
        final ObjectNode merged = prior.deepCopy();
        changes.properties().forEach(f -> merged.set(f.getKey(), f.getValue()));
        final CommandValidator.Sanitized checked = CommandValidator.sanitize(merged);
        if (!checked.valid())
        {
            reply.invalidField("command", "BASE_TYPE_BAD_VALUE", checked.reason());
            return;
        }
        final CommandValidator.Problem problem = CommandValidator.check(merged);
        if (problem != null)
        {
            reply.invalidPath(problem.path(), problem.code(), problem.message());
            return;
        }
        final ObjectNode stamped = stamp(owner, checked.command(), commandId, app, guildId);
        replace(list, prior, stamped);
        save(owner, app, guildId, list);
        final byte[] body = Json.bytes(stamped);
        owner.afterCommit(() -> reply.ok(200, body));
    }

    /**
     * {@link OwnerCommands#APP_COMMAND_DELETE}: application, guild, command id.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (204, once durable).
     */
    public void delete(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long app = command.getLong();
        final long guildId = command.getLong();
        final long commandId = command.getLong();
        final ArrayNode list = current(app, guildId);
        final ObjectNode prior = find(list, commandId);
        if (prior == null)
        {
            reply.error(DiscordError.UNKNOWN_APPLICATION_COMMAND);
            return;
        }
        replace(list, prior, null);
        save(owner, app, guildId, list);
        owner.afterCommit(() -> reply.ok(204, (byte[])null));
    }

    private ArrayNode current(final long app, final long guildId)
    {
        return Json.parse(node.directory().commands(app, guildId)) instanceof ArrayNode a ? a : Json.array();
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

    private void save(final Shard owner, final long app, final long guildId, final ArrayNode list)
    {
        StateLog.commit(owner, node, StateRecords.COMMANDS_SET, StateRecords.commandsSet(app, guildId,
            list.toString()));
    }

    private static ObjectNode find(final ArrayNode list, final long id)
    {
        final String wanted = Json.id(id);
        for (final JsonNode c : list)
        {
            if (wanted.equals(c.path("id").asText()))
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
