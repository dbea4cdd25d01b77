package dev.pinwheel.gateway.codec;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.gateway.codec.Json;

/**
 * The parts of a message body beyond {@code content} that Pinwheel keeps: {@code embeds} (rich embeds, Discord's
 * limits) and {@code message_reference} (a reply). Validated and reduced to the fields Discord documents, so what
 * is stored and echoed back is exactly what a client may send; anything else in an embed is dropped, as Discord
 * drops it; links must be http(s) (images also {@code attachment://}, see {@link EmbedUrls}). Errors are Discord's
 * 50035 field errors. Stateless.
 */
public final class MessageExtras
{
    /** Most embeds per message. */
    public static final int MAX_EMBEDS = 10;
    /** Most characters over every embed's title, description, field names and values, footer and author. */
    public static final int MAX_EMBED_CHARS = 6000;
    private static final int MAX_FIELDS = 25;
    /** A body without embeds or a reply (most messages): one shared result. */
    private static final Parsed NONE = new Parsed(null, 0, 0, true, null, null, null);

    /**
     * A validated result: {@code embeds} (null when the body has none), the reply target (0 for none) and whether
     * a missing target fails the request; or a field error.
     *
     * @param embeds           sanitized embeds, or null if the body carries no {@code embeds}.
     * @param replyTo          message id replied to, 0 for none.
     * @param replyChannel     channel of that message (0: the same channel).
     * @param failIfNotExists  whether an unknown target is an error (Discord's default) or just dropped.
     * @param errorField       the offending field, or null when valid.
     * @param errorCode        Discord's error code for it.
     * @param errorMessage     human-readable reason.
     */
    public record Parsed(ArrayNode embeds, long replyTo, long replyChannel, boolean failIfNotExists,
        String errorField, String errorCode, String errorMessage)
    {
        public boolean valid()
        {
            return errorField == null;
        }

        static Parsed error(final String field, final String code, final String message)
        {
            return new Parsed(null, 0, 0, true, field, code, message);
        }
    }

    private MessageExtras()
    {
    }

    /**
     * @param body a message create/edit body.
     * @return the validated extras, or the first error.
     */
    public static Parsed parse(final JsonNode body)
    {
        ArrayNode embeds = null;
        final JsonNode e = body.get("embeds");
        if (e != null && !e.isNull())
        {
            if (!e.isArray())
            {
                return Parsed.error("embeds", "BASE_TYPE_LIST", "Must be a list.");
            }
            if (e.size() > MAX_EMBEDS)
            {
                return Parsed.error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
            }
            embeds = Json.array();
            int chars = 0;
            for (final JsonNode in : e)
            {
                if (!in.isObject())
                {
                    return Parsed.error("embeds", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
                }
                final String badUrl = EmbedUrls.firstBad(in);
                if (badUrl != null)
                {
                    return Parsed.error("embeds", EmbedUrls.ERROR_CODE, badUrl);
                }
                final ObjectNode out = embeds.addObject();
                out.put("type", "rich");
                final String bad = copyEmbed(in, out);
                if (bad != null)
                {
                    return Parsed.error("embeds", "BASE_TYPE_BAD_VALUE", bad);
                }
                chars += embedChars(out);
            }
            if (chars > MAX_EMBED_CHARS)
            {
                return Parsed.error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000");
            }
        }
        final JsonNode r = body.get("message_reference");
        long replyTo = 0;
        long replyChannel = 0;
        boolean fail = true;
        if (r != null && !r.isNull())
        {
            if (!r.isObject())
            {
                return Parsed.error("message_reference", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
            }
            replyTo = snowflake(r.get("message_id"));
            replyChannel = r.has("channel_id") && !r.get("channel_id").isNull() ? snowflake(r.get("channel_id")) : 0;
            if (replyTo <= 0 || replyChannel < 0)
            {
                return Parsed.error("message_reference", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
            }
            fail = r.path("fail_if_not_exists").asBoolean(true);
        }
        return embeds == null && replyTo == 0 && replyChannel == 0 && fail ? NONE
            : new Parsed(embeds, replyTo, replyChannel, fail, null, null, null);
    }

    /**
     * @param embeds    sanitized embeds, or null.
     * @param replyTo   referenced message (0: none).
     * @param channelId its channel.
     * @param guildId   its guild.
     * @return the extra JSON text kept with the message, or null when there is nothing to keep.
     */
    public static String extra(final ArrayNode embeds, final long replyTo, final long channelId, final long guildId)
    {
        if ((embeds == null || embeds.isEmpty()) && replyTo == 0)
        {
            return null;
        }
        final ObjectNode o = Json.object();
        if (embeds != null && !embeds.isEmpty())
        {
            o.set("embeds", embeds);
        }
        if (replyTo != 0)
        {
            final ObjectNode ref = o.putObject("message_reference");
            ref.put("type", 0);
            ref.put("message_id", Json.id(replyTo));
            ref.put("channel_id", Json.id(channelId));
            ref.put("guild_id", Json.id(guildId));
        }
        return o.toString();
    }

    /**
     * The same as {@link #extra(ArrayNode, long, long, long)} from embeds already encoded (as a command carries them),
     * composed as text without parsing them again.
     *
     * @param embedsJson validated embeds as a JSON array, or null.
     * @param replyTo    the message replied to, or 0.
     * @param channelId  its channel.
     * @param guildId    its guild.
     * @return the extra JSON text, or null when there is nothing to keep.
     */
    public static String extra(final String embedsJson, final long replyTo, final long channelId, final long guildId)
    {
        final boolean embeds = embedsJson != null && !"[]".equals(embedsJson);
        if (!embeds && replyTo == 0)
        {
            return null;
        }
        final StringBuilder o = new StringBuilder(64 + (embeds ? embedsJson.length() : 0)).append('{');
        if (embeds)
        {
            o.append("\"embeds\":").append(embedsJson);
        }
        if (replyTo != 0)
        {
            o.append(embeds ? "," : "").append("\"message_reference\":{\"type\":0,\"message_id\":\"").append(replyTo)
                .append("\",\"channel_id\":\"").append(channelId).append("\",\"guild_id\":\"").append(guildId)
                .append("\"}");
        }
        return o.append('}').toString();
    }

    /**
     * @param extra a stored message's extra JSON text (or null).
     * @return whether the message carries at least one embed.
     */
    public static boolean hasEmbeds(final String extra)
    {
        return extra != null && parseExtra(extra).path("embeds").size() > 0;
    }

    /** Copies the documented embed fields with their limits; returns a reason when one is wrong. */
    private static String copyEmbed(final JsonNode in, final ObjectNode out)
    {
        String bad = text(in, out, "title", 256);
        bad = bad != null ? bad : text(in, out, "description", 4096);
        bad = bad != null ? bad : text(in, out, "url", 2048);
        bad = bad != null ? bad : text(in, out, "timestamp", 64);
        if (bad != null)
        {
            return bad;
        }
        final JsonNode color = in.get("color");
        if (color != null && !color.isNull())
        {
            if (!color.canConvertToInt() || color.asInt() < 0 || color.asInt() > 0xFFFFFF)
            {
                return "color must be an integer from 0 to 16777215";
            }
            out.put("color", color.asInt());
        }
        for (final String part : new String[] {"footer", "image", "thumbnail", "author"})
        {
            final JsonNode p = in.get(part);
            if (p == null || p.isNull())
            {
                continue;
            }
            if (!p.isObject())
            {
                return part + " must be an object";
            }
            final ObjectNode o = Json.object();
            bad = switch (part)
            {
                case "footer" -> firstBad(text(p, o, "text", 2048), text(p, o, "icon_url", 2048));
                case "author" -> firstBad(text(p, o, "name", 256), text(p, o, "url", 2048), text(p, o, "icon_url", 2048));
                default -> text(p, o, "url", 2048);
            };
            if (bad != null)
            {
                return part + "." + bad;
            }
            out.set(part, o);
        }
        final JsonNode fields = in.get("fields");
        if (fields != null && !fields.isNull())
        {
            if (!fields.isArray() || fields.size() > MAX_FIELDS)
            {
                return "fields must be a list of at most 25";
            }
            final ArrayNode arr = out.putArray("fields");
            for (final JsonNode f : fields)
            {
                final ObjectNode o = arr.addObject();
                if (!f.isObject() || !f.path("name").isTextual() || !f.path("value").isTextual())
                {
                    return "fields need a name and a value";
                }
                bad = firstBad(text(f, o, "name", 256), text(f, o, "value", 1024));
                if (bad != null)
                {
                    return "fields." + bad;
                }
                o.put("inline", f.path("inline").asBoolean(false));
            }
        }
        return null;
    }

    private static String firstBad(final String... reasons)
    {
        for (final String r : reasons)
        {
            if (r != null)
            {
                return r;
            }
        }
        return null;
    }

    private static String text(final JsonNode in, final ObjectNode out, final String name, final int max)
    {
        final JsonNode v = in.get(name);
        if (v == null || v.isNull())
        {
            return null;
        }
        if (!v.isTextual())
        {
            return name + " must be a string";
        }
        if (v.asText().length() > max)
        {
            return name + " must be " + max + " or fewer in length";
        }
        out.put(name, v.asText());
        return null;
    }

    private static int embedChars(final ObjectNode e)
    {
        int n = e.path("title").asText("").length() + e.path("description").asText("").length()
            + e.path("footer").path("text").asText("").length() + e.path("author").path("name").asText("").length();
        for (final JsonNode f : e.path("fields"))
        {
            n += f.path("name").asText("").length() + f.path("value").asText("").length();
        }
        return n;
    }

    private static long snowflake(final JsonNode n)
    {
        if (n == null)
        {
            return -1;
        }
        if (n.isTextual())
        {
            return Json.parseId(n.asText());
        }
        return n.isIntegralNumber() && n.canConvertToLong() ? n.asLong() : -1;
    }

    /**
     * @param extra a stored extra JSON text, or null.
     * @return it as a mutable object (empty when there is none).
     */
    public static ObjectNode parseExtra(final String extra)
    {
        if (extra != null)
        {
            try
            {
                final JsonNode o = Json.MAPPER.readTree(extra);
                if (o instanceof ObjectNode on)
                {
                    return on;
                }
            }
            catch (final java.io.IOException ex)
            {
                // written by us, validated: cannot happen; treat as no extras
            }
        }
        return Json.object();
    }

    /**
     * @param o extras.
     * @return the text to store, or null when {@code o} is empty.
     */
    public static String toExtra(final ObjectNode o)
    {
        return o.isEmpty() ? null : o.toString();
    }

    /** The stored field that names the request a post came from (never shown: {@link #render} leaves it out). */
    public static final String REQUEST = "request";

    /**
     * @param extra a message's extras (JSON object text, or null).
     * @param key   the request key of the post that writes it ({@code MessageService}): origin shard and correlation.
     * @return the extras with the key.
     */
    public static String withRequest(final String extra, final String key)
    {
        if (extra == null)
        {
            return "{\"" + REQUEST + "\":\"" + key + "\"}";
        }
        final ObjectNode o = parseExtra(extra);
        o.put(REQUEST, key);
        return toExtra(o);
    }

    /**
     * @param extra a message's extras.
     * @param key   a request key.
     * @return whether they name that request.
     */
    public static boolean fromRequest(final String extra, final String key)
    {
        return extra != null && extra.contains("\"" + REQUEST + "\":\"" + key + "\"");
    }

    /**
     * @param extra a message's extras, or null.
     * @return whether they hold nothing to show: none, or only the request key ({@link #withRequest} on none).
     */
    public static boolean nothingShown(final String extra)
    {
        return extra == null || extra.startsWith("{\"" + REQUEST + "\":\"") && extra.indexOf(',') < 0;
    }

    /**
     * Writes the kept extras of a stored message into its API object: {@code embeds}; for a reply {@code type 19}
     * and {@code message_reference}; {@code reactions} as Discord shows them (count, and {@code me} for
     * {@code viewerId}), never the list of who reacted.
     *
     * @param extra    the stored JSON text, or null.
     * @param target   the message object being built (its {@code embeds} array is replaced).
     * @param viewerId the user the object is for (0: nobody in particular, {@code me} is false).
     */
    public static void render(final String extra, final ObjectNode target, final long viewerId)
    {
        if (extra == null)
        {
            return;
        }
        final ObjectNode o = parseExtra(extra);
        final Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext())
        {
            final Map.Entry<String, JsonNode> f = it.next();
            if (REQUEST.equals(f.getKey()))
            {
                continue; // the server's own
            }
            if ("reactions".equals(f.getKey()))
            {
                final ArrayNode out = Json.array();
                final String viewer = Json.id(viewerId);
                for (final JsonNode r : f.getValue())
                {
                    final int count = r.path("users").size();
                    if (count == 0)
                    {
                        continue;
                    }
                    boolean me = false;
                    for (final JsonNode u : r.path("users"))
                    {
                        me |= viewerId != 0 && viewer.equals(u.asText());
                    }
                    final ObjectNode e = out.addObject();
                    e.put("count", count);
                    e.putObject("count_details").put("burst", 0).put("normal", count);
                    e.put("me", me);
                    e.put("me_burst", false);
                    e.putArray("burst_colors");
                    e.set("emoji", r.path("emoji"));
                }
                if (!out.isEmpty())
                {
                    target.set("reactions", out);
                }
            }
            else
            {
                target.set(f.getKey(), f.getValue());
            }
        }
        if (o.has("message_reference"))
        {
            target.put("type", 19);
        }
    }
}
