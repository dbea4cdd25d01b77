package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;

/**
 * A message's attachments as kept in its extras ({@code "attachments": [objects]}, rendered as they are): the objects
 * are built once, when the files are stored, so every later read shows the same URLs.
 * An edit carries {@code {"keep": [ids], "add": [objects]}} (or {@code "all": true} instead of {@code keep}: the
 * request named no list, every old one stays): the listed old ones stay in their order, the others are
 * dropped (their files released once the edit is committed), the new ones follow.
 */
final class Attachments
{
    private Attachments()
    {
    }

    /**
     * @param extra           the extras text, or null.
     * @param attachmentsJson a JSON array of attachment objects, or null.
     * @return the extras with the attachments.
     */
    static String withAttachments(final String extra, final String attachmentsJson)
    {
        if (attachmentsJson == null || "[]".equals(attachmentsJson))
        {
            return extra;
        }
        if (extra == null)
        {
            return "{\"attachments\":" + attachmentsJson + "}";
        }
        return extra.substring(0, extra.length() - 1) + ",\"attachments\":" + attachmentsJson + "}";
    }

    /**
     * @param extra the extras text, or null.
     * @return whether the message has at least one attachment.
     */
    static boolean has(final String extra)
    {
        return extra != null && extra.contains("\"attachments\"")
            && MessageExtras.parseExtra(extra).path("attachments").size() > 0;
    }

    /**
     * @param extra the extras text, or null.
     * @return the ids of its attachments (maybe none).
     */
    static long[] ids(final String extra)
    {
        if (extra == null || !extra.contains("\"attachments\""))
        {
            return new long[0];
        }
        final JsonNode list = MessageExtras.parseExtra(extra).path("attachments");
        final long[] ids = new long[list.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = Json.parseId(list.get(i).path("id").asText());
        }
        return ids;
    }

    /**
     * @param edit an edit's attachment list, or null.
     * @return its new attachments as a JSON array, or null when it adds none.
     */
    static String added(final String edit)
    {
        if (edit == null)
        {
            return null;
        }
        final JsonNode add = Json.parse(edit).path("add");
        return add.size() == 0 ? null : add.toString();
    }

    /**
     * @param extra the message's extras.
     * @param edit  the edit's attachment list.
     * @return the ids of the message's attachments the edit does not keep.
     */
    static long[] dropped(final String extra, final String edit)
    {
        final JsonNode e = Json.parse(edit);
        if (e.path("all").asBoolean(false))
        {
            return new long[0];
        }
        final JsonNode keep = e.path("keep");
        final long[] old = ids(extra);
        int n = 0;
        final long[] out = new long[old.length];
        for (final long id : old)
        {
            if (!contains(keep, id))
            {
                out[n++] = id;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * @param extra the message's extras.
     * @param edit  the edit's attachment list.
     * @return the extras with the kept attachments and the new ones (null when nothing is left).
     */
    static String edited(final String extra, final String edit)
    {
        final JsonNode e = Json.parse(edit);
        final ObjectNode o = MessageExtras.parseExtra(extra);
        final ArrayNode out = Json.array();
        for (final JsonNode a : o.path("attachments"))
        {
            if (e.path("all").asBoolean(false) || contains(e.path("keep"), Json.parseId(a.path("id").asText())))
            {
                out.add(a);
            }
        }
        for (final JsonNode a : e.path("add"))
        {
            out.add(a);
        }
        if (out.isEmpty())
        {
            o.remove("attachments");
        }
        else
        {
            o.set("attachments", out);
        }
        return MessageExtras.toExtra(o);
    }

    private static boolean contains(final JsonNode ids, final long id)
    {
        for (final JsonNode k : ids)
        {
            if (Json.parseId(k.asText()) == id)
            {
                return true;
            }
        }
        return false;
    }
}
