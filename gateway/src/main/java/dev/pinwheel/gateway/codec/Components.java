package dev.pinwheel.gateway.codec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Message components as Discord validates them: action rows (type 1) holding up to five buttons (type 2) or one
 * select menu (3 string, 5 user, 6 role, 7 mentionable, 8 channel); in modals, rows holding one text input (type 4).
 * Checked field by field with Discord's limits and reduced to the documented fields, so what is kept with the message
 * and echoed back is exactly what a client may send. Errors are Discord's 50035 with the field's path
 * ({@code components.0.components.1.style}). Stateless.
 * <pre>
 *   message: [ row{type 1, components: [button × 1..5] | [select × 1]} × 0..5 ]
 *   modal:   [ row{type 1, components: [text input × 1]} × 1..5 ]
 *   button:  style 1-4 need custom_id (≤ 100), no url; style 5 needs url (http, https, discord), no custom_id
 * </pre>
 */
public final class Components
{
    public static final int ACTION_ROW = 1;
    public static final int BUTTON = 2;
    public static final int STRING_SELECT = 3;
    public static final int TEXT_INPUT = 4;
    public static final int USER_SELECT = 5;
    public static final int ROLE_SELECT = 6;
    public static final int MENTIONABLE_SELECT = 7;
    public static final int CHANNEL_SELECT = 8;
    /** The link button style: a url, no custom_id, no interaction. */
    public static final int LINK = 5;
    private static final int MAX_ROWS = 5;
    private static final int MAX_IN_ROW = 5;
    private static final int MAX_CUSTOM_ID = 100;

    /**
     * The outcome: the reduced components, or the first problem.
     *
     * @param components the reduced array (empty when none), or null with a problem.
     * @param path       the offending field's path, or null.
     * @param code       Discord's error code for it.
     * @param message    why.
     */
    public record Result(ArrayNode components, List<String> path, String code, String message)
    {
        /**
         * @return whether they are valid.
         */
        public boolean valid()
        {
            return path == null;
        }
    }

    private Components()
    {
    }

    /**
     * @param node the {@code components} field of a message body (null or JSON null: none).
     * @return the reduced components, or the first problem (its path starts with {@code components}).
     */
    public static Result message(final JsonNode node)
    {
        return check(node, false);
    }

    /**
     * @param node the {@code components} of a modal (rows of text inputs, at least one).
     * @return the reduced components, or the first problem.
     */
    public static Result modal(final JsonNode node)
    {
        return check(node, true);
    }

    private static Result check(final JsonNode node, final boolean modal)
    {
        final List<String> path = new ArrayList<>();
        path.add("components");
        final ArrayNode out = Json.array();
        if (node == null || node.isNull())
        {
            return modal ? problem(path, "BASE_TYPE_REQUIRED", "This field is required") : new Result(out, null, null,
                null);
        }
        if (!node.isArray())
        {
            return problem(path, "BASE_TYPE_LIST", "Must be a list.");
        }
        if (node.size() > MAX_ROWS)
        {
            return problem(path, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
        }
        if (modal && node.isEmpty())
        {
            return problem(path, "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.");
        }
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < node.size(); i++)
        {
            path.add(Integer.toString(i));
            final JsonNode row = node.get(i);
            if (!row.isObject())
            {
                return problem(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
            }
            if (row.path("type").asInt(-1) != ACTION_ROW)
            {
                path.add("type");
                return problem(path, "BASE_TYPE_CHOICES", "Value must be one of {1}.");
            }
            final JsonNode children = row.get("components");
            path.add("components");
            if (children == null || !children.isArray())
            {
                return problem(path, "BASE_TYPE_REQUIRED", "This field is required");
            }
            if (children.isEmpty())
            {
                return problem(path, "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.");
            }
            if (children.size() > MAX_IN_ROW)
            {
                return problem(path, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
            }
            final ObjectNode outRow = out.addObject();
            outRow.put("type", ACTION_ROW);
            final ArrayNode outChildren = outRow.putArray("components");
            for (int j = 0; j < children.size(); j++)
            {
                path.add(Integer.toString(j));
                final JsonNode c = children.get(j);
                if (!c.isObject())
                {
                    return problem(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
                }
                final int type = c.path("type").asInt(-1);
                final boolean allowed = modal ? type == TEXT_INPUT : type == BUTTON || isSelect(type);
                if (!allowed)
                {
                    path.add("type");
                    return problem(path, "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of "
                        + (modal ? "(4,)." : "(2, 3, 5, 6, 7, 8)."));
                }
                if ((isSelect(type) || type == TEXT_INPUT) && children.size() > 1)
                {
                    path.remove(path.size() - 1);
                    return problem(path, "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "The specified component exceeds the maximum width");
                }
                final ObjectNode o = outChildren.addObject();
                o.put("type", type);
                final Result bad = type == BUTTON ? button(c, o, path) : type == TEXT_INPUT ? textInput(c, o, path)
                    : select(c, o, type, path);
                if (bad != null)
                {
                    return bad;
                }
                final String id = o.path("custom_id").asText(null);
                if (id != null && !ids.add(id))
                {
                    path.add("custom_id");
                    return problem(path, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated");
                }
                path.remove(path.size() - 1);
            }
            path.remove(path.size() - 1);
            path.remove(path.size() - 1);
        }
        return new Result(out, null, null, null);
    }

    /**
     * @param type a component type.
     * @return whether it is a select menu.
     */
    public static boolean isSelect(final int type)
    {
        return type == STRING_SELECT || type == USER_SELECT || type == ROLE_SELECT || type == MENTIONABLE_SELECT
            || type == CHANNEL_SELECT;
    }

    private static Result button(final JsonNode c, final ObjectNode o, final List<String> path)
    {
        final int style = c.path("style").asInt(-1);
        if (style < 1 || style > LINK)
        {
            return field(path, "style", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5}.");
        }
        o.put("style", style);
        final String customId = text(c, "custom_id");
        final String url = text(c, "url");
        if (style == LINK)
        {
            if (url == null)
            {
                return field(path, "url", "BUTTON_URL_REQUIRED", "A url is required for link buttons");
            }
            if (customId != null)
            {
                return field(path, "custom_id", "BUTTON_LINK_CUSTOM_ID", "A custom id cannot be set on link buttons");
            }
            if (url.length() > 512 || !(url.startsWith("http://") || url.startsWith("https://")
                || url.startsWith("discord://")))
            {
                return field(path, "url", "URL_TYPE_INVALID_URL", "Not a well formed URL.");
            }
            o.put("url", url);
        }
        else
        {
            if (url != null)
            {
                return field(path, "url", "BUTTON_NON_LINK_URL", "A url cannot be set on non-link buttons");
            }
            final Result bad = customId(c, o, path);
            if (bad != null)
            {
                return bad;
            }
        }
        final String label = text(c, "label");
        if (label != null)
        {
            if (label.length() > 80)
            {
                return field(path, "label", "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.");
            }
            o.put("label", label);
        }
        else if (!c.has("emoji"))
        {
            return field(path, "label", "BUTTON_LABEL_OR_EMOJI_REQUIRED", "A label or an emoji is required");
        }
        final Result emoji = emoji(c, o, path);
        if (emoji != null)
        {
            return emoji;
        }
        o.put("disabled", c.path("disabled").asBoolean(false));
        return null;
    }

    private static Result select(final JsonNode c, final ObjectNode o, final int type, final List<String> path)
    {
        final Result bad = customId(c, o, path);
        if (bad != null)
        {
            return bad;
        }
        final String placeholder = text(c, "placeholder");
        if (placeholder != null)
        {
            if (placeholder.length() > 150)
            {
                return field(path, "placeholder", "BASE_TYPE_MAX_LENGTH", "Must be 150 or fewer in length.");
            }
            o.put("placeholder", placeholder);
        }
        final int min = c.path("min_values").asInt(1);
        final int max = c.path("max_values").asInt(1);
        if (min < 0 || min > 25)
        {
            return field(path, "min_values", "NUMBER_TYPE_MAX", "int value should be between 0 and 25.");
        }
        if (max < 1 || max > 25)
        {
            return field(path, "max_values", "NUMBER_TYPE_MAX", "int value should be between 1 and 25.");
        }
        if (min > max)
        {
            return field(path, "min_values", "SELECT_COMPONENT_MIN_VALUES_TOO_HIGH",
                "min_values must be less than or equal to max_values");
        }
        o.put("min_values", min);
        o.put("max_values", max);
        o.put("disabled", c.path("disabled").asBoolean(false));
        if (type == STRING_SELECT)
        {
            final JsonNode options = c.get("options");
            if (options == null || !options.isArray() || options.isEmpty())
            {
                return field(path, "options", "BASE_TYPE_REQUIRED", "This field is required");
            }
            if (options.size() > 25)
            {
                return field(path, "options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
            }
            if (max > options.size())
            {
                return field(path, "max_values", "SELECT_COMPONENT_MAX_VALUES_TOO_HIGH",
                    "max_values must be less than or equal to the number of options");
            }
            final ArrayNode out = o.putArray("options");
            final Set<String> values = new HashSet<>();
            for (int i = 0; i < options.size(); i++)
            {
                final JsonNode opt = options.get(i);
                path.add("options");
                path.add(Integer.toString(i));
                final String label = text(opt, "label");
                final String value = text(opt, "value");
                if (label == null || label.isEmpty() || label.length() > 100)
                {
                    return field(path, "label", label == null ? "BASE_TYPE_REQUIRED" : "BASE_TYPE_BAD_LENGTH",
                        label == null ? "This field is required" : "Must be between 1 and 100 in length.");
                }
                if (value == null || value.isEmpty() || value.length() > 100)
                {
                    return field(path, "value", value == null ? "BASE_TYPE_REQUIRED" : "BASE_TYPE_BAD_LENGTH",
                        value == null ? "This field is required" : "Must be between 1 and 100 in length.");
                }
                if (!values.add(value))
                {
                    return field(path, "value", "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                        "Select component option values must be unique");
                }
                final ObjectNode oo = out.addObject();
                oo.put("label", label);
                oo.put("value", value);
                final String description = text(opt, "description");
                if (description != null)
                {
                    if (description.length() > 100)
                    {
                        return field(path, "description", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.");
                    }
                    oo.put("description", description);
                }
                final Result emoji = emoji(opt, oo, path);
                if (emoji != null)
                {
                    return emoji;
                }
                oo.put("default", opt.path("default").asBoolean(false));
                path.remove(path.size() - 1);
                path.remove(path.size() - 1);
            }
        }
        else if (c.has("options"))
        {
            return field(path, "options", "SELECT_COMPONENT_OPTIONS_NOT_ALLOWED",
                "Options are only allowed on string selects");
        }
        if (type == CHANNEL_SELECT && c.path("channel_types").isArray())
        {
            final ArrayNode types = o.putArray("channel_types");
            for (final JsonNode t : c.get("channel_types"))
            {
                types.add(t.asInt());
            }
        }
        return null;
    }

    private static Result textInput(final JsonNode c, final ObjectNode o, final List<String> path)
    {
        final Result bad = customId(c, o, path);
        if (bad != null)
        {
            return bad;
        }
        final int style = c.path("style").asInt(-1);
        if (style != 1 && style != 2)
        {
            return field(path, "style", "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.");
        }
        o.put("style", style);
        final String label = text(c, "label");
        if (label == null || label.isEmpty() || label.length() > 45)
        {
            return field(path, "label", label == null ? "BASE_TYPE_REQUIRED" : "BASE_TYPE_BAD_LENGTH",
                label == null ? "This field is required" : "Must be between 1 and 45 in length.");
        }
        o.put("label", label);
        final int min = c.path("min_length").asInt(0);
        final int max = c.path("max_length").asInt(4000);
        if (min < 0 || min > 4000 || max < 1 || max > 4000 || min > max)
        {
            return field(path, min < 0 || min > 4000 ? "min_length" : "max_length", "NUMBER_TYPE_MAX",
                "int value should be between 0 and 4000.");
        }
        if (c.has("min_length"))
        {
            o.put("min_length", min);
        }
        if (c.has("max_length"))
        {
            o.put("max_length", max);
        }
        o.put("required", c.path("required").asBoolean(true));
        for (final String f : new String[] {"value", "placeholder"})
        {
            final String v = text(c, f);
            if (v != null)
            {
                if (v.length() > ("value".equals(f) ? 4000 : 100))
                {
                    return field(path, f, "BASE_TYPE_MAX_LENGTH", "Must be " + ("value".equals(f) ? 4000 : 100)
                        + " or fewer in length.");
                }
                o.put(f, v);
            }
        }
        return null;
    }

    private static Result customId(final JsonNode c, final ObjectNode o, final List<String> path)
    {
        final String customId = text(c, "custom_id");
        if (customId == null)
        {
            return field(path, "custom_id", "BASE_TYPE_REQUIRED", "This field is required");
        }
        if (customId.isEmpty() || customId.length() > MAX_CUSTOM_ID)
        {
            return field(path, "custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
        }
        o.put("custom_id", customId);
        return null;
    }

    private static Result emoji(final JsonNode c, final ObjectNode o, final List<String> path)
    {
        final JsonNode e = c.get("emoji");
        if (e == null || e.isNull())
        {
            return null;
        }
        if (!e.isObject())
        {
            return field(path, "emoji", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
        }
        final ObjectNode out = o.putObject("emoji");
        if (e.hasNonNull("id"))
        {
            out.put("id", e.get("id").asText());
        }
        if (e.hasNonNull("name"))
        {
            out.put("name", e.get("name").asText());
        }
        if (e.has("animated"))
        {
            out.put("animated", e.get("animated").asBoolean());
        }
        return null;
    }

    private static String text(final JsonNode c, final String name)
    {
        final JsonNode v = c.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Result field(final List<String> path, final String name, final String code, final String message)
    {
        final List<String> at = new ArrayList<>(path);
        at.add(name);
        return new Result(null, at, code, message);
    }

    private static Result problem(final List<String> path, final String code, final String message)
    {
        return new Result(null, List.copyOf(path), code, message);
    }

    /**
     * @param components a message's kept components (rows), or null.
     * @param customId   the clicked component's custom id.
     * @return that component (a button that is no link, or a select), or null.
     */
    public static JsonNode find(final JsonNode components, final String customId)
    {
        if (components == null)
        {
            return null;
        }
        for (final JsonNode row : components)
        {
            for (final JsonNode c : row.path("components"))
            {
                if (customId.equals(c.path("custom_id").asText(null)))
                {
                    return c;
                }
            }
        }
        return null;
    }
}
