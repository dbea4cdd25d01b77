package dev.pinwheel.gateway.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A presence as a session sets it (op 3 PRESENCE_UPDATE, or the {@code presence} of op 2 IDENTIFY): status, the time
 * it went idle, afk, and the activities as validated JSON. Status codes order by how present a user is, so the
 * aggregate over a user's sessions is the largest code: {@link #ONLINE} &gt; {@link #DND} &gt; {@link #IDLE} &gt;
 * {@link #INVISIBLE} &gt; {@link #OFFLINE} (no session). An invisible user shows {@code offline} to others.
 *
 * @param status     one of the status codes.
 * @param since      unix milliseconds the client went idle, or 0.
 * @param afk        whether the client is afk.
 * @param activities the activities as a JSON array (validated, unknown fields dropped).
 */
public record PresenceFields(int status, long since, boolean afk, String activities)
{
    /** No session: shown as {@code offline}. */
    public static final int OFFLINE = 0;
    /** Connected but shown as {@code offline} to others. */
    public static final int INVISIBLE = 1;
    /** {@code idle}. */
    public static final int IDLE = 2;
    /** {@code dnd}. */
    public static final int DND = 3;
    /** {@code online}. */
    public static final int ONLINE = 4;
    /** What an IDENTIFY without {@code presence} starts with. */
    public static final PresenceFields DEFAULT = new PresenceFields(ONLINE, 0, false, "[]");
    /** No presence: offline, no activity (shared, like {@link #DEFAULT}). */
    public static final PresenceFields OFFLINE_FIELDS = new PresenceFields(OFFLINE, 0, false, "[]");
    /** Discord: at most this many activities per presence. */
    private static final int MAX_ACTIVITIES = 10;
    /** Activity type 4: a custom status. */
    private static final int CUSTOM_STATUS = 4;
    private static final String[] NAMES = {"offline", "invisible", "idle", "dnd", "online"};

    /**
     * The fields, sharing {@link #DEFAULT} or {@link #OFFLINE_FIELDS} when they equal it (what almost every session
     * identifies with): an idle session's presence, kept by its user's owner and by its guilds' owners, then costs no
     * objects of its own (issue 14).
     *
     * @param status     a status code.
     * @param since      ms since the epoch, or 0.
     * @param afk        afk.
     * @param activities the activities as a JSON array.
     * @return the fields.
     */
    public static PresenceFields of(final int status, final long since, final boolean afk, final String activities)
    {
        if (since == 0 && !afk && "[]".equals(activities))
        {
            if (status == ONLINE)
            {
                return DEFAULT;
            }
            if (status == OFFLINE)
            {
                return OFFLINE_FIELDS;
            }
        }
        return new PresenceFields(status, since, afk, activities);
    }

    /**
     * @param status a status code.
     * @return its name in Discord's payloads.
     */
    public static String name(final int status)
    {
        return NAMES[status];
    }

    /**
     * @param status a status code.
     * @return what others see: invisible is offline.
     */
    public static int shown(final int status)
    {
        return status == INVISIBLE ? OFFLINE : status;
    }

    /**
     * Reads a presence update as Discord documents it ({@code since}: integer or null; {@code activities}: array of
     * objects with a {@code name} and an integer {@code type} 0-6; {@code status}: online, dnd, idle, invisible or
     * offline — the last one is invisible; {@code afk}: boolean).
     *
     * @param d the payload's {@code d}.
     * @return the presence, or null if the payload is malformed (the connection closes with 4002).
     */
    public static PresenceFields parse(final JsonNode d)
    {
        if (d == null || !d.isObject())
        {
            return null;
        }
        final JsonNode statusNode = d.get("status");
        if (statusNode == null || !statusNode.isTextual())
        {
            return null;
        }
        final int status = switch (statusNode.asText())
        {
            case "online" -> ONLINE;
            case "dnd" -> DND;
            case "idle" -> IDLE;
            case "invisible", "offline" -> INVISIBLE;
            default -> -1;
        };
        final JsonNode sinceNode = d.get("since");
        if (status < 0 || (sinceNode != null && !sinceNode.isNull() && !sinceNode.canConvertToLong()))
        {
            return null;
        }
        final JsonNode afkNode = d.get("afk");
        if (afkNode != null && !afkNode.isNull() && !afkNode.isBoolean())
        {
            return null;
        }
        final JsonNode list = d.get("activities");
        final ArrayNode activities = Json.array();
        if (list != null && !list.isNull())
        {
            if (!list.isArray() || list.size() > MAX_ACTIVITIES)
            {
                return null;
            }
            for (final JsonNode a : list)
            {
                final ObjectNode kept = activity(a);
                if (kept == null)
                {
                    return null;
                }
                activities.add(kept);
            }
        }
        final long since = sinceNode == null || sinceNode.isNull() ? 0 : Math.max(0, sinceNode.asLong());
        return new PresenceFields(status, since, afkNode != null && afkNode.asBoolean(), Json.text(activities));
    }

    /** A stable 16-digit hex id for an activity: the same name and type always get the same one. */
    static String activityId(final String name, final int type)
    {
        long h = 0x9E3779B97F4A7C15L * (type + 1);
        for (int i = 0; i < name.length(); i++)
        {
            h = (h ^ name.charAt(i)) * 0x100000001B3L;
        }
        return java.util.HexFormat.of().toHexDigits(h ^ (h >>> 29));
    }

    private static ObjectNode activity(final JsonNode a)
    {
        if (!a.isObject() || !a.path("name").isTextual() || a.path("name").asText().length() > 128
            || !a.path("type").canConvertToInt() || a.path("type").asInt() < 0 || a.path("type").asInt() > 6)
        {
            return null;
        }
        final ObjectNode o = Json.object();
        final String name = a.get("name").asText();
        final int type = a.get("type").asInt();
        // Discord names every activity it sends: "custom" for a custom status, else a hex id (Discord4J requires it)
        o.put("id", type == CUSTOM_STATUS ? "custom" : activityId(name, type));
        o.put("name", name);
        o.put("type", type);
        for (final String field : new String[] {"url", "state", "details"})
        {
            final JsonNode v = a.get(field);
            if (v != null && v.isTextual() && v.asText().length() <= 128)
            {
                o.put(field, v.asText());
            }
        }
        o.put("created_at", System.currentTimeMillis());
        return o;
    }
}
