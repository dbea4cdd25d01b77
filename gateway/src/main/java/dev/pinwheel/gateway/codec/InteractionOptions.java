package dev.pinwheel.gateway.codec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;

/**
 * The options a user gives when invoking a slash command, checked against the command as the application registered
 * it (names, types, required options, choices, lengths and ranges, sub-commands), reduced to {@code {name, type,
 * value[, focused]}} and their {@code resolved} users, members, roles and channels as Discord sends them in
 * INTERACTION_CREATE. Errors are Discord's 50035 at {@code data.options.N…}. Stateless; the resolution reads the
 * guild, so it runs on the guild's owner shard.
 */
public final class InteractionOptions
{
    public static final int SUB_COMMAND = 1;
    public static final int SUB_COMMAND_GROUP = 2;
    public static final int STRING = 3;
    public static final int INTEGER = 4;
    public static final int BOOLEAN = 5;
    public static final int USER = 6;
    public static final int CHANNEL = 7;
    public static final int ROLE = 8;
    public static final int MENTIONABLE = 9;
    public static final int NUMBER = 10;
    private static final long MAX_SAFE = 9007199254740991L;

    /**
     * A checked option list, or why not.
     *
     * @param options the reduced options (null with a problem).
     * @param path    the offending field's path, or null.
     * @param code    Discord's error code.
     * @param message why.
     */
    public record Checked(ArrayNode options, List<String> path, String code, String message)
    {
        /**
         * @return whether the options are valid.
         */
        public boolean valid()
        {
            return path == null;
        }
    }

    private InteractionOptions()
    {
    }

    /**
     * @param definition   the registered command's {@code options} (missing: none).
     * @param given        the invoker's {@code data.options} (missing: none).
     * @param autocomplete whether this is an autocomplete request: exactly one option is {@code focused}, its value
     *                     may be partial, required options may be missing.
     * @return the reduced options, or the first problem.
     */
    public static Checked check(final JsonNode definition, final JsonNode given, final boolean autocomplete)
    {
        final List<String> path = new ArrayList<>(List.of("data", "options"));
        final int[] focused = new int[1];
        final Checked c = check(definition, given, autocomplete, path, focused);
        if (c.valid() && autocomplete && focused[0] != 1)
        {
            return new Checked(null, List.of("data", "options"), "AUTOCOMPLETE_FOCUSED_OPTION",
                "Exactly one option must be focused");
        }
        return c;
    }

    private static Checked check(final JsonNode definition, final JsonNode given, final boolean autocomplete,
        final List<String> path, final int[] focused)
    {
        final ArrayNode out = Json.array();
        final JsonNode defs = definition == null || !definition.isArray() ? Json.array() : definition;
        if (given != null && !given.isNull() && !given.isArray())
        {
            return problem(path, "BASE_TYPE_LIST", "Must be a list.");
        }
        final JsonNode list = given == null || given.isNull() ? Json.array() : given;
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++)
        {
            path.add(Integer.toString(i));
            final JsonNode o = list.get(i);
            final String name = o.path("name").asText("");
            final JsonNode def = byName(defs, name);
            if (def == null)
            {
                path.add("name");
                return problem(path, "APPLICATION_COMMAND_OPTION_UNKNOWN", "Unknown option \"" + name + "\"");
            }
            if (!seen.add(name))
            {
                path.add("name");
                return problem(path, "APPLICATION_COMMAND_OPTIONS_DUPLICATED", "Option names must be unique");
            }
            final int type = def.path("type").asInt();
            if (o.has("type") && o.path("type").asInt() != type)
            {
                path.add("type");
                return problem(path, "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Option type must be " + type);
            }
            final ObjectNode r = out.addObject();
            r.put("name", name);
            r.put("type", type);
            if (type == SUB_COMMAND || type == SUB_COMMAND_GROUP)
            {
                if (list.size() != 1)
                {
                    return problem(path, "APPLICATION_COMMAND_SUBCOMMAND_ONLY", "Only one sub-command may be given");
                }
                path.add("options");
                final Checked inner = check(def.get("options"), o.get("options"), autocomplete, path, focused);
                if (!inner.valid())
                {
                    return inner;
                }
                path.remove(path.size() - 1);
                r.set("options", inner.options());
            }
            else
            {
                final boolean isFocused = autocomplete && o.path("focused").asBoolean(false);
                if (isFocused)
                {
                    focused[0]++;
                    r.put("focused", true);
                }
                final JsonNode value = o.get("value");
                path.add("value");
                final String bad = value == null ? "This field is required"
                    : isFocused ? (value.isValueNode() ? null : "Must be a value") : value(def, type, value);
                if (bad != null)
                {
                    return problem(path, "APPLICATION_COMMAND_OPTION_INVALID_VALUE", bad);
                }
                path.remove(path.size() - 1);
                r.set("value", isFocused ? value : normalized(type, value));
            }
            path.remove(path.size() - 1);
        }
        if (!autocomplete)
        {
            for (final JsonNode def : defs)
            {
                if (def.path("required").asBoolean(false) && !seen.contains(def.path("name").asText()))
                {
                    return problem(path, "APPLICATION_COMMAND_OPTION_REQUIRED", "Option \""
                        + def.path("name").asText() + "\" is required");
                }
            }
        }
        return new Checked(out, null, null, null);
    }

    /** @return why the value does not fit the option, or null. */
    private static String value(final JsonNode def, final int type, final JsonNode v)
    {
        switch (type)
        {
            case STRING ->
            {
                if (!v.isTextual())
                {
                    return "Must be a string";
                }
                final int len = v.asText().length();
                if (len < def.path("min_length").asInt(0) || len > def.path("max_length").asInt(6000))
                {
                    return "Length must be between " + def.path("min_length").asInt(0) + " and "
                        + def.path("max_length").asInt(6000);
                }
            }
            case INTEGER, NUMBER ->
            {
                if (!v.isNumber() && !(v.isTextual() && isNumber(v.asText(), type == INTEGER)))
                {
                    return type == INTEGER ? "Must be an integer" : "Must be a number";
                }
                final double d = v.asDouble();
                if (type == INTEGER && (Math.abs(d) > MAX_SAFE || d != Math.rint(d)))
                {
                    return "Must be an integer";
                }
                if (def.has("min_value") && d < def.get("min_value").asDouble()
                    || def.has("max_value") && d > def.get("max_value").asDouble())
                {
                    return "Must be between " + def.path("min_value").asText("-inf") + " and "
                        + def.path("max_value").asText("inf");
                }
            }
            case BOOLEAN ->
            {
                if (!v.isBoolean())
                {
                    return "Must be a boolean";
                }
            }
            case USER, CHANNEL, ROLE, MENTIONABLE ->
            {
                if (Json.parseId(v.asText()) <= 0)
                {
                    return "Value \"" + v.asText() + "\" is not snowflake.";
                }
            }
            default ->
            {
                return "Option type " + type + " is not supported";
            }
        }
        final JsonNode choices = def.get("choices");
        if (choices != null && choices.isArray() && !choices.isEmpty())
        {
            for (final JsonNode c : choices)
            {
                if (type == STRING ? c.path("value").asText().equals(v.asText())
                    : c.path("value").asDouble() == v.asDouble())
                {
                    return null;
                }
            }
            return "Value must be one of the option's choices";
        }
        return null;
    }

    private static boolean isNumber(final String text, final boolean integer)
    {
        try
        {
            if (integer)
            {
                Long.parseLong(text);
            }
            else
            {
                Double.parseDouble(text);
            }
            return true;
        }
        catch (final NumberFormatException e)
        {
            return false;
        }
    }

    private static JsonNode normalized(final int type, final JsonNode v)
    {
        return switch (type)
        {
            case INTEGER -> Json.MAPPER.getNodeFactory().numberNode(v.asLong());
            case NUMBER -> Json.MAPPER.getNodeFactory().numberNode(v.asDouble());
            case USER, CHANNEL, ROLE, MENTIONABLE -> Json.MAPPER.getNodeFactory().textNode(v.asText());
            default -> v;
        };
    }

    private static JsonNode byName(final JsonNode defs, final String name)
    {
        for (final JsonNode d : defs)
        {
            if (name.equals(d.path("name").asText()))
            {
                return d;
            }
        }
        return null;
    }

    private static Checked problem(final List<String> path, final String code, final String message)
    {
        return new Checked(null, List.copyOf(path), code, message);
    }

    /**
     * Checks that each user, role, channel or mentionable option names something in the guild, and collects them as
     * Discord's {@code resolved} object.
     *
     * @param options  the reduced options ({@link #check}).
     * @param g        the guild.
     * @param accounts the node's accounts.
     * @param invoker  the invoking user (the channels' {@code permissions} are theirs).
     * @param resolved where the users, members, roles and channels go.
     * @return null, or the name of the option naming nothing known.
     */
    public static String resolve(final JsonNode options, final Guild g, final Accounts accounts, final long invoker,
        final ObjectNode resolved)
    {
        for (final JsonNode o : options)
        {
            final int type = o.path("type").asInt();
            if (type == SUB_COMMAND || type == SUB_COMMAND_GROUP)
            {
                final String bad = resolve(o.path("options"), g, accounts, invoker, resolved);
                if (bad != null)
                {
                    return bad;
                }
                continue;
            }
            if (o.path("focused").asBoolean(false) || type < USER || type > MENTIONABLE)
            {
                continue;
            }
            final long id = Json.parseId(o.path("value").asText());
            final boolean ok = switch (type)
            {
                case USER -> user(id, g, accounts, resolved);
                case ROLE -> role(id, g, resolved);
                case CHANNEL -> channel(id, g, invoker, resolved);
                default -> user(id, g, accounts, resolved) || role(id, g, resolved);
            };
            if (!ok)
            {
                return o.path("name").asText();
            }
        }
        return null;
    }

    /**
     * @param id       a user.
     * @param g        the guild.
     * @param accounts accounts.
     * @param resolved gets {@code users.id} and, for a member, {@code members.id} (without its user).
     * @return whether the user exists.
     */
    public static boolean user(final long id, final Guild g, final Accounts accounts, final ObjectNode resolved)
    {
        if (accounts.get(id) == null)
        {
            return false;
        }
        at(resolved, "users").set(Json.id(id), Entities.user(accounts.get(id), id));
        final Member m = g.member(id);
        if (m != null)
        {
            final ObjectNode member = Entities.member(m, accounts, false);
            member.put("permissions", Long.toString(Permissions.of(g, id)));
            at(resolved, "members").set(Json.id(id), member);
        }
        return true;
    }

    /**
     * @param id       a role.
     * @param g        the guild.
     * @param resolved gets {@code roles.id}.
     * @return whether the role exists.
     */
    public static boolean role(final long id, final Guild g, final ObjectNode resolved)
    {
        final Role r = g.role(id);
        if (r != null)
        {
            at(resolved, "roles").set(Json.id(id), Entities.role(r, g.hoisted(id)));
        }
        return r != null;
    }

    /**
     * @param id       a channel.
     * @param g        the guild.
     * @param invoker  whose permissions in it are given.
     * @param resolved gets {@code channels.id}.
     * @return whether the channel exists.
     */
    public static boolean channel(final long id, final Guild g, final long invoker, final ObjectNode resolved)
    {
        final GuildChannel c = g.channel(id);
        if (c != null)
        {
            final ObjectNode o = Entities.channel(c, 0);
            o.put("guild_id", Json.id(g.id()));
            o.put("permissions", Long.toString(Permissions.in(g, invoker, c)));
            at(resolved, "channels").set(Json.id(id), o);
        }
        return c != null;
    }

    private static ObjectNode at(final ObjectNode resolved, final String name)
    {
        final JsonNode o = resolved.get(name);
        return o instanceof ObjectNode on ? on : resolved.putObject(name);
    }
}
