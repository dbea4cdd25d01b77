package dev.pinwheel.gateway.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

/**
 * Reactions read from and spliced back into a message's extras: the stored JSON stays what it was (records written
 * before read the same), the other fields pass through as text, and an extras left empty is null.
 */
class ReactionsTest
{
    /** Extras as the previous code wrote them: users in the order they reacted, reactions not last. */
    private static final String OLD = "{\"embeds\":[{\"type\":\"rich\",\"title\":\"a, \\\"b\\\" }\"}],"
        + "\"reactions\":[{\"emoji\":{\"id\":null,\"name\":\"👍\"},\"users\":[\"30\",\"10\",\"20\"]},"
        + "{\"emoji\":{\"id\":null,\"name\":\"🎉\"},\"users\":[\"10\"]}],"
        + "\"message_reference\":{\"type\":0,\"message_id\":\"5\",\"channel_id\":\"6\",\"guild_id\":\"7\"}}";

    @Test
    void readsWhatWasStoredBefore()
    {
        final Reactions r = Reactions.of(OLD);
        assertEquals(2, r.size());
        assertEquals("👍", r.emoji(0));
        assertArrayEquals(new long[] {10, 20, 30}, r.users(0));
        assertTrue(r.has(1, 10));
        assertFalse(r.has(1, 20));
        assertEquals(-1, r.indexOf("🙂"));
    }

    @Test
    void writesTheOtherFieldsBackUntouched()
    {
        final Reactions r = Reactions.of(OLD);
        assertTrue(r.add("🙂", 40));
        assertFalse(r.add("🙂", 40), "twice changes nothing");
        assertTrue(r.remove("🎉", 10));
        assertFalse(r.remove("🎉", 10));
        final JsonNode written = Json.parse(r.writeTo());
        final JsonNode old = Json.parse(OLD);
        assertEquals(old.get("embeds"), written.get("embeds"));
        assertEquals(old.get("message_reference"), written.get("message_reference"));
        assertEquals(2, written.get("reactions").size());
        assertEquals("🙂", written.get("reactions").get(1).path("emoji").path("name").asText());

        final ObjectNode rendered = Json.object();
        MessageExtras.render(r.writeTo(), rendered, 40);
        assertEquals(3, rendered.path("reactions").get(0).path("count").asInt());
        assertTrue(rendered.path("reactions").get(1).path("me").asBoolean());
        assertEquals(19, rendered.path("type").asInt(), "still a reply");
    }

    @Test
    void anEmptyResultIsNoExtrasAndNoExtrasIsNoReactions()
    {
        final Reactions none = Reactions.of(null);
        assertEquals(0, none.size());
        assertNull(none.writeTo());
        assertTrue(none.add("👍", 1));
        assertEquals("{\"reactions\":[{\"emoji\":{\"id\":null,\"name\":\"👍\"},\"users\":[\"1\"]}]}", none.writeTo());
        assertTrue(none.clear(null));
        assertNull(none.writeTo());

        final Reactions onlyEmbeds = Reactions.of("{ \"embeds\" : [ {\"title\":\"x\"} ] , \"reactions\":[] }");
        assertEquals("{\"embeds\" : [ {\"title\":\"x\"} ]}", onlyEmbeds.writeTo());
        assertTrue(onlyEmbeds.add("\"", 2), "a quote in a name is escaped");
        assertEquals("\"", Json.parse(onlyEmbeds.writeTo()).get("reactions").get(0).path("emoji").path("name")
            .asText());
    }
}
