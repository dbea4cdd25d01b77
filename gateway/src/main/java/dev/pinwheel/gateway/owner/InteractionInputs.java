package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.Components;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.InteractionOptions;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;

/**
 * What a person sends back into an interaction besides a command: a component click (checked against the
 * components kept with the bot's message) and a modal's submitted values (checked against the modal shown). Each
 * fills the INTERACTION_CREATE's {@code data} or answers the request with Discord's error. Owner shard only.
 */
final class InteractionInputs
{
    private InteractionInputs()
    {
    }

    /**
     * Checks a click against the message's components; fills the interaction's data.
     *
     * @param source   the message clicked (null: unknown).
     * @param app      the application whose message it must be.
     * @param data     the click's {@code data}.
     * @param g        the guild.
     * @param userId   who clicked.
     * @param accounts the node's accounts (user selects).
     * @param out      the interaction's {@code data}, filled.
     * @param reply    answered with the error when false.
     * @return whether the click is valid.
     */
    static boolean click(final StoredMessage source, final long app, final ObjectNode data, final Guild g,
        final long userId, final Accounts accounts, final ObjectNode out, final Reply reply)
    {
        if (source == null || source.authorId() != app)
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return false;
        }
        final String customId = data.path("custom_id").asText("");
        final JsonNode c = Components.find(MessageExtras.parseExtra(source.extra()).get("components"), customId);
        final int type = data.path("component_type").asInt(-1);
        if (c == null || c.path("type").asInt() != type)
        {
            reply.invalidField("custom_id", "COMPONENT_NOT_FOUND", "Unknown component");
            return false;
        }
        if (c.path("disabled").asBoolean(false))
        {
            reply.invalidField("custom_id", "COMPONENT_DISABLED", "Component is disabled");
            return false;
        }
        out.put("custom_id", customId);
        out.put("component_type", type);
        if (Components.isSelect(type))
        {
            final JsonNode values = data.path("values");
            if (!values.isArray() || values.size() < c.path("min_values").asInt(1)
                || values.size() > c.path("max_values").asInt(1))
            {
                reply.invalidField("values", "BASE_TYPE_BAD_LENGTH", "Must be between "
                    + c.path("min_values").asInt(1) + " and " + c.path("max_values").asInt(1) + " in length.");
                return false;
            }
            final ArrayNode outValues = out.putArray("values");
            final ObjectNode resolved = Json.object();
            for (final JsonNode v : values)
            {
                final String value = v.asText();
                final long asId = Json.parseId(value);
                final boolean ok = switch (type)
                {
                    case Components.STRING_SELECT -> optionValue(c, value);
                    case Components.USER_SELECT -> InteractionOptions.user(asId, g, accounts, resolved);
                    case Components.ROLE_SELECT -> InteractionOptions.role(asId, g, resolved);
                    case Components.CHANNEL_SELECT -> InteractionOptions.channel(asId, g, userId, resolved);
                    default -> InteractionOptions.user(asId, g, accounts, resolved)
                        || InteractionOptions.role(asId, g, resolved);
                };
                if (!ok)
                {
                    reply.invalidField("values", "COMPONENT_INVALID_VALUE", "Invalid value \"" + value + "\"");
                    return false;
                }
                outValues.add(value);
            }
            if (!resolved.isEmpty())
            {
                out.set("resolved", resolved);
            }
        }
        return true;
    }

    private static boolean optionValue(final JsonNode select, final String value)
    {
        for (final JsonNode o : select.path("options"))
        {
            if (value.equals(o.path("value").asText()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks a modal's submitted values against the modal shown; fills the interaction's data.
     *
     * @param modal the modal shown.
     * @param data  the submit's {@code data}.
     * @param out   the interaction's {@code data}, filled.
     * @param reply answered with the error when false.
     * @return whether the values are valid.
     */
    static boolean modalSubmit(final JsonNode modal, final ObjectNode data, final ObjectNode out,
        final Reply reply)
    {
        final java.util.Map<String, String> given = new java.util.HashMap<>();
        for (final JsonNode row : data.path("components"))
        {
            for (final JsonNode c : row.path("components"))
            {
                given.put(c.path("custom_id").asText(), c.path("value").isNull() ? null : c.path("value").asText());
            }
        }
        out.put("custom_id", modal.path("custom_id").asText());
        final ArrayNode rows = out.putArray("components");
        for (final JsonNode row : modal.path("components"))
        {
            for (final JsonNode input : row.path("components"))
            {
                final String id = input.path("custom_id").asText();
                final String value = given.getOrDefault(id, "") == null ? "" : given.getOrDefault(id, "");
                final int min = input.path("min_length").asInt(0);
                final int max = input.path("max_length").asInt(4000);
                if (value.isEmpty() && input.path("required").asBoolean(true)
                    || !value.isEmpty() && (value.length() < min || value.length() > max))
                {
                    reply.invalidPath(java.util.List.of("data", "components", id), "BASE_TYPE_BAD_LENGTH",
                        "Must be between " + Math.max(min, input.path("required").asBoolean(true) ? 1 : 0) + " and "
                            + max + " in length.");
                    return false;
                }
                final ObjectNode r = rows.addObject();
                r.put("type", Components.ACTION_ROW);
                r.putArray("components").addObject().put("type", Components.TEXT_INPUT).put("custom_id", id)
                    .put("value", value);
            }
        }
        return true;
    }
}
