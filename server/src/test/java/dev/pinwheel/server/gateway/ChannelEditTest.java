package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Editing and deleting guild channels: {@code PATCH /channels/{id}} (name, topic, voice limits; MANAGE_CHANNELS)
 * with CHANNEL_UPDATE, {@code DELETE /channels/{id}} with CHANNEL_DELETE, bad input refused with field errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelEditTest
{
    @Test
    void aChannelIsRenamedThenDeleted()
    {
        try (TestNode node = new TestNode(2);
             GatewayTestClient watcher = GatewayTestClient.connect(node.gatewayUrl()))
        {
            final TestNode.Pair pair = node.pair("chan");
            watcher.identifyAndAwait(pair.member().token(), GatewayTestClient.GUILDS, 1);
            final String owner = pair.owner().token();
            final String extra = node.ok("POST", "guilds/" + pair.guildId() + "/channels", owner,
                "{\"name\":\"scratch\"}").path("id").asText();
            watcher.nextDispatch("CHANNEL_CREATE");
            final String path = "channels/" + extra;
            assertEquals(403, node.call("PATCH", path, pair.member().token(), "{\"name\":\"mine\"}").status());
            assertEquals(400, node.call("PATCH", path, owner, "{\"name\":\"\"}").status());
            final JsonNode edited = node.ok("PATCH", path, owner, "{\"name\":\"notes\",\"topic\":\"read me\"}");
            assertEquals("notes", edited.path("name").asText());
            assertEquals("read me", edited.path("topic").asText());
            final JsonNode update = watcher.nextDispatch("CHANNEL_UPDATE").path("d");
            assertEquals("notes", update.path("name").asText());
            assertEquals("notes", node.ok("GET", path, pair.member().token(), null).path("name").asText());

            assertEquals(403, node.call("DELETE", path, pair.member().token(), null).status());
            assertEquals(extra, node.ok("DELETE", path, owner, null).path("id").asText());
            assertEquals(extra, watcher.nextDispatch("CHANNEL_DELETE").path("d").path("id").asText());
            assertEquals(404, node.call("GET", path, owner, null).status());
            assertTrue(node.ok("GET", "guilds/" + pair.guildId() + "/channels", owner, null).findValuesAsText("id")
                .stream().noneMatch(extra::equals));
        }
    }

    /**
     * A channel made in a category names its parent as a string or as a number (Kord sends snowflakes in request
     * bodies as JSON numbers; Discord takes both). Before, a number was ignored: the channel was made without its
     * parent, 201 all the same. Anything else is still a 400.
     */
    @Test
    void aParentIdIsAStringOrANumber()
    {
        try (TestNode node = new TestNode(1))
        {
            final TestNode.Pair pair = node.pair("parent");
            final String owner = pair.owner().token();
            final String channels = "guilds/" + pair.guildId() + "/channels";
            final String category = node.ok("POST", channels, owner, "{\"name\":\"cat\",\"type\":4}").path("id")
                .asText();
            assertEquals(category, node.ok("POST", channels, owner, "{\"name\":\"as-string\",\"parent_id\":\""
                + category + "\"}").path("parent_id").asText());
            assertEquals(category, node.ok("POST", channels, owner, "{\"name\":\"as-number\",\"parent_id\":"
                + category + "}").path("parent_id").asText());
            assertTrue(node.ok("POST", channels, owner, "{\"name\":\"no-parent\",\"parent_id\":null}")
                .path("parent_id").isNull());
            for (final String bad : new String[] {"true", "\"x\"", "-5", "{}"})
            {
                final TestNode.Response r = node.call("POST", channels, owner, "{\"name\":\"bad\",\"parent_id\":" + bad
                    + "}");
                assertEquals(400, r.status(), bad + " -> " + r.raw().body());
            }
        }
    }
}
