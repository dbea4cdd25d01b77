package dev.pinwheel.gateway.codec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An application command body checked against Discord's rules before it is stored: {@link #sanitize} checks its
 * type, name and description and reduces it to the fields Discord documents; {@link #check} checks its options
 * against Discord's limits:
 * <ul>
 *   <li>only chat-input commands (type 1) have options; at most 25 per list, names unique in a list;</li>
 *   <li>an option has a type 1-11, a lower-case name of 1-32 letters, digits, {@code -}, {@code _} or {@code '},
 *   and a description of 1-100 characters;</li>
 *   <li>sub-command groups (2) hold only sub-commands (1); sub-commands hold only value options; a list holds
 *   either sub-commands/groups or value options, not both; nesting stops there;</li>
 *   <li>required options come before optional ones;</li>
 *   <li>{@code choices} (at most 25, each a 1-100 character name and a value of the option's type, strings up to
 *   100 characters) only on string, integer and number options, never together with {@code autocomplete};
 *   {@code min_value}/{@code max_value} only on integer and number options (within ±2^53, min ≤ max);
 *   {@code min_length}/{@code max_length} only on string options (0-6000 and 1-6000, min ≤ max);
 *   {@code channel_types} only on channel options.</li>
 * </ul>
 * An error names its place the way Discord's 50035 form errors do: {@code options, 0, choices}. Stateless; used by the
 * routes, and by the owner for an edit (only there is the command the edit applies to known).
 */
public final class CommandValidator
{
    /** Most options in one list, and most choices of one option. */
    public static final int MAX_OPTIONS = 25;
    private static final int SUB_COMMAND = 1;
    private static final int SUB_COMMAND_GROUP = 2;
    private static final int STRING = 3;
    private static final int INTEGER = 4;
    private static final int CHANNEL = 7;
    private static final int NUMBER = 10;
    private static final int ATTACHMENT = 11;
    private static final double MAX_SAFE = 9_007_199_254_740_992.0; // 2^53
    private static final int MAX_STRING_LENGTH = 6000;
    private static final Pattern NAME = Pattern.compile("^[-_'\\p{L}\\p{N}\\p{IsDevanagari}\\p{IsThai}]{1,32}$");

    /**
     * One form error.
     *
     * @param path    where: object keys and list indexes, outermost first.
     * @param code    Discord's error code.
     * @param message what is wrong.
     */
    public record Problem(List<String> path, String code, String message)
    {
        Problem at(final String outer)
        {
            final List<String> p = new ArrayList<>(path.size() + 1);
            p.add(outer);
            p.addAll(path);
            return new Problem(p, code, message);
        }
    }

    /**
     * A command body reduced to the fields Discord documents, or why it cannot be.
     *
     * @param command the reduced command, or null when invalid.
     * @param reason  what is wrong, or null when valid.
     */
    public record Sanitized(ObjectNode command, String reason)
    {
        /**
         * @return whether the body is a valid command.
         */
        public boolean valid()
        {
            return reason == null;
        }
    }

    /** Most commands per type and scope (Discord: 100 chat-input, 15 user, 15 message; one cap here). */
    public static final int MAX_COMMANDS = 100;
    private static final Pattern CHAT_NAME = Pattern.compile("^[-_\\p{L}\\p{N}]{1,32}$");

    private CommandValidator()
    {
    }

    /**
     * Checks one command's type (1-3), name (chat input: 1-32 lower-case letters, digits, {@code -} or {@code _};
     * others 1-32 characters) and description (chat input: 1-100 characters), and reduces it to the fields Discord
     * documents (options are kept as they are: {@link #check} looks at them).
     *
     * @param in a command from the client.
     * @return the reduced command, or the reason it is invalid.
     */
    public static Sanitized sanitize(final JsonNode in)
    {
        if (in == null || !in.isObject())
        {
            return new Sanitized(null, "a command must be an object");
        }
        final int type = in.path("type").asInt(1);
        final String name = in.path("name").asText("");
        if (type < 1 || type > 3)
        {
            return new Sanitized(null, "type must be 1, 2 or 3");
        }
        if (type == 1 ? !CHAT_NAME.matcher(name).matches() || !name.equals(name.toLowerCase(Locale.ROOT))
            : name.isBlank() || name.length() > 32)
        {
            return new Sanitized(null, "name must be 1-32 characters"
                + (type == 1 ? ", lower case, letters, digits, - or _" : ""));
        }
        final String description = in.path("description").asText("");
        if (type == 1 && (description.isEmpty() || description.length() > 100))
        {
            return new Sanitized(null, "description must be 1-100 characters");
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
                return new Sanitized(null, "options must be a list"); // the limits inside are check's
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
        return new Sanitized(out, null);
    }

    /**
     * @param command a command body (already an object).
     * @return the first problem with its options, or null when they are within Discord's limits.
     */
    public static Problem check(final JsonNode command)
    {
        final JsonNode options = command.get("options");
        if (options == null || options.isNull())
        {
            return null;
        }
        if (!options.isArray())
        {
            return problem("options", "BASE_TYPE_LIST", "Must be a list.");
        }
        final int type = command.path("type").asInt(1);
        if (type != 1 && !options.isEmpty())
        {
            return problem("options", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Only chat input commands may have options.");
        }
        final Problem p = list(options, 0);
        return p == null ? null : p.at("options");
    }

    /**
     * @param options an option list.
     * @param depth   0 for the command's own options, 1 inside a group or sub-command, 2 inside a sub-command of a
     *                group.
     */
    private static Problem list(final JsonNode options, final int depth)
    {
        if (options.size() > MAX_OPTIONS)
        {
            return new Problem(List.of(), "BASE_TYPE_MAX_LENGTH", "Must be " + MAX_OPTIONS + " or fewer in length.");
        }
        final Set<String> names = new HashSet<>();
        boolean commands = false;
        boolean values = false;
        boolean optionalSeen = false;
        for (int i = 0; i < options.size(); i++)
        {
            final JsonNode o = options.get(i);
            final Problem p = option(o, depth);
            if (p != null)
            {
                return p.at(Integer.toString(i));
            }
            final int type = o.get("type").asInt();
            final boolean isCommand = type == SUB_COMMAND || type == SUB_COMMAND_GROUP;
            commands |= isCommand;
            values |= !isCommand;
            if (commands && values)
            {
                return problem(Integer.toString(i), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "Sub-commands and groups cannot be mixed with other options.");
            }
            if (!names.add(o.get("name").asText()))
            {
                return problem(Integer.toString(i), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option names must be unique.");
            }
            final boolean required = o.path("required").asBoolean(false);
            if (!isCommand && required && optionalSeen)
            {
                return problem(Integer.toString(i), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options.");
            }
            optionalSeen |= !required;
        }
        return null;
    }

    private static Problem option(final JsonNode o, final int depth)
    {
        if (o == null || !o.isObject())
        {
            return new Problem(List.of(), "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType.");
        }
        final JsonNode t = o.get("type");
        if (t == null || !t.isIntegralNumber() || t.asInt() < SUB_COMMAND || t.asInt() > ATTACHMENT)
        {
            return problem("type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.");
        }
        final int type = t.asInt();
        final JsonNode name = o.get("name");
        if (name == null || !name.isTextual() || !NAME.matcher(name.asText()).matches()
            || !name.asText().equals(name.asText().toLowerCase(Locale.ROOT)))
        {
            return problem("name", "APPLICATION_COMMAND_INVALID_NAME",
                "Must be 1-32 lower-case letters, digits, '-', '_' or '''.");
        }
        final JsonNode description = o.get("description");
        if (description == null || !description.isTextual() || description.asText().isEmpty()
            || description.asText().length() > 100)
        {
            return problem("description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
        }
        final JsonNode required = o.get("required");
        if (required != null && !required.isNull() && !required.isBoolean())
        {
            return problem("required", "BASE_TYPE_BOOLEAN", "Must be either true or false.");
        }
        final Problem nested = nested(o, type, depth);
        if (nested != null)
        {
            return nested;
        }
        final Problem choices = choices(o, type);
        return choices != null ? choices : ranges(o, type);
    }

    private static Problem nested(final JsonNode o, final int type, final int depth)
    {
        final JsonNode options = o.get("options");
        final boolean has = options != null && !options.isNull() && !(options.isArray() && options.isEmpty());
        if (type == SUB_COMMAND_GROUP || type == SUB_COMMAND)
        {
            if ((type == SUB_COMMAND_GROUP && depth > 0) || (type == SUB_COMMAND && depth > 1))
            {
                return problem("type", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    type == SUB_COMMAND_GROUP ? "Groups may only be options of a command."
                        : "Sub-commands may only be options of a command or a group.");
            }
            if (options != null && !options.isNull() && !options.isArray())
            {
                return problem("options", "BASE_TYPE_LIST", "Must be a list.");
            }
            if (!has)
            {
                return type == SUB_COMMAND_GROUP ? problem("options", "BASE_TYPE_REQUIRED",
                    "A group needs at least one sub-command.") : null;
            }
            for (int i = 0; i < options.size(); i++)
            {
                final int inner = options.get(i).path("type").asInt();
                final boolean nested = inner == SUB_COMMAND || inner == SUB_COMMAND_GROUP;
                if (type == SUB_COMMAND_GROUP ? inner != SUB_COMMAND : nested)
                {
                    return new Problem(List.of("options", Integer.toString(i), "type"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", type == SUB_COMMAND_GROUP
                            ? "A group may only hold sub-commands." : "A sub-command may not hold sub-commands.");
                }
            }
            final Problem p = list(options, depth + 1);
            return p == null ? null : p.at("options");
        }
        return has ? problem("options", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Only sub-commands and groups have options.") : null;
    }

    private static Problem choices(final JsonNode o, final int type)
    {
        final JsonNode choices = o.get("choices");
        final boolean has = choices != null && !choices.isNull() && !(choices.isArray() && choices.isEmpty());
        final boolean autocomplete = o.path("autocomplete").asBoolean(false);
        final boolean valued = type == STRING || type == INTEGER || type == NUMBER;
        if (autocomplete && !valued)
        {
            return problem("autocomplete", "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                "Only string, integer and number options may autocomplete.");
        }
        if (!has)
        {
            return null;
        }
        if (!valued)
        {
            return problem("choices", "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                "Only string, integer and number options have choices.");
        }
        if (autocomplete)
        {
            return problem("autocomplete", "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                "Autocomplete may not be set when choices are present.");
        }
        if (!choices.isArray())
        {
            return problem("choices", "BASE_TYPE_LIST", "Must be a list.");
        }
        if (choices.size() > MAX_OPTIONS)
        {
            return problem("choices", "BASE_TYPE_MAX_LENGTH", "Must be " + MAX_OPTIONS + " or fewer in length.");
        }
        for (int i = 0; i < choices.size(); i++)
        {
            final JsonNode c = choices.get(i);
            final String at = Integer.toString(i);
            final JsonNode name = c.get("name");
            if (!c.isObject() || name == null || !name.isTextual() || name.asText().isEmpty()
                || name.asText().length() > 100)
            {
                return new Problem(List.of("choices", at, "name"), "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.");
            }
            final JsonNode value = c.get("value");
            final boolean ok = value != null && switch (type)
            {
                case STRING -> value.isTextual() && value.asText().length() <= 100;
                case INTEGER -> value.isIntegralNumber() && Math.abs(value.asDouble()) <= MAX_SAFE;
                default -> value.isNumber() && Math.abs(value.asDouble()) <= MAX_SAFE;
            };
            if (!ok)
            {
                return new Problem(List.of("choices", at, "value"), "BASE_TYPE_BAD_VALUE", type == STRING
                    ? "Must be a string of 100 or fewer characters." : "Must be a number within ±2^53 of the "
                        + "option's type.");
            }
        }
        return null;
    }

    private static Problem ranges(final JsonNode o, final int type)
    {
        final JsonNode minValue = o.get("min_value");
        final JsonNode maxValue = o.get("max_value");
        if (present(minValue) || present(maxValue))
        {
            if (type != INTEGER && type != NUMBER)
            {
                return problem(present(minValue) ? "min_value" : "max_value", "BASE_TYPE_BAD_VALUE",
                    "Only integer and number options have a value range.");
            }
            for (final String key : new String[] {"min_value", "max_value"})
            {
                final JsonNode v = o.get(key);
                if (present(v) && (!(type == INTEGER ? v.isIntegralNumber() : v.isNumber())
                    || Math.abs(v.asDouble()) > MAX_SAFE))
                {
                    return problem(key, "NUMBER_TYPE_MAX", "Must be a " + (type == INTEGER ? "whole " : "")
                        + "number within ±2^53.");
                }
            }
            if (present(minValue) && present(maxValue) && minValue.asDouble() > maxValue.asDouble())
            {
                return problem("min_value", "BASE_TYPE_BAD_VALUE", "Must not be greater than max_value.");
            }
        }
        final JsonNode minLength = o.get("min_length");
        final JsonNode maxLength = o.get("max_length");
        if (present(minLength) || present(maxLength))
        {
            if (type != STRING)
            {
                return problem(present(minLength) ? "min_length" : "max_length", "BASE_TYPE_BAD_VALUE",
                    "Only string options have a length range.");
            }
            if (present(minLength) && (!minLength.isIntegralNumber() || minLength.asInt() < 0
                || minLength.asInt() > MAX_STRING_LENGTH))
            {
                return problem("min_length", "NUMBER_TYPE_MAX", "Must be between 0 and 6000.");
            }
            if (present(maxLength) && (!maxLength.isIntegralNumber() || maxLength.asInt() < 1
                || maxLength.asInt() > MAX_STRING_LENGTH))
            {
                return problem("max_length", "NUMBER_TYPE_MAX", "Must be between 1 and 6000.");
            }
            if (present(minLength) && present(maxLength) && minLength.asInt() > maxLength.asInt())
            {
                return problem("min_length", "BASE_TYPE_BAD_VALUE", "Must not be greater than max_length.");
            }
        }
        final JsonNode channelTypes = o.get("channel_types");
        if (present(channelTypes))
        {
            if (type != CHANNEL)
            {
                return problem("channel_types", "BASE_TYPE_BAD_VALUE", "Only channel options have channel types.");
            }
            if (!channelTypes.isArray())
            {
                return problem("channel_types", "BASE_TYPE_LIST", "Must be a list.");
            }
            for (final JsonNode ct : channelTypes)
            {
                if (!ct.isIntegralNumber() || ct.asInt() < 0)
                {
                    return problem("channel_types", "BASE_TYPE_CHOICES", "Must be channel types.");
                }
            }
        }
        return null;
    }

    private static boolean present(final JsonNode n)
    {
        return n != null && !n.isNull();
    }

    private static Problem problem(final String field, final String code, final String message)
    {
        return new Problem(List.of(field), code, message);
    }
}
