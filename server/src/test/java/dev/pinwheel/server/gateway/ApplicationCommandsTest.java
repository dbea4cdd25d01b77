package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.server.TestNode;

/**
 * The application command registry: bulk overwrite keeps a command's id across syncs by name, create-or-update
 * by name (201 then 200), edit, delete, guild scope, only the application itself may touch it, Discord's name rules,
 * and the registry survives a restart.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ApplicationCommandsTest
{
    @Test
    void commandsAreRegisteredSyncedEditedAndKept(@TempDir final Path dir)
    {
        final TestNode.Pair pair;
        final String base;
        final String pingId;
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            pair = node.pair("cmd");
            final String bot = pair.member().token();
            base = "applications/" + pair.member().id() + "/commands";
            final JsonNode synced = node.ok("PUT", base, bot, "[{\"name\":\"ping\",\"description\":\"Ping!\"},"
                + "{\"name\":\"Report user\",\"type\":2}]");
            assertEquals(2, synced.size());
            pingId = synced.get(0).path("id").asText();
            assertEquals(pair.member().id(), synced.get(0).path("application_id").asText());
            assertEquals(1, synced.get(0).path("type").asInt());
            assertEquals("", synced.get(1).path("description").asText());
            final JsonNode again = node.ok("PUT", base, bot, "[{\"name\":\"ping\",\"description\":\"Pong?\"}]");
            assertEquals(pingId, again.get(0).path("id").asText(), "same name, same id across syncs");
            assertNotEquals(synced.get(0).path("version").asText(), again.get(0).path("version").asText());

            assertEquals(201, node.call("POST", base, bot, "{\"name\":\"roll\",\"description\":\"Dice\"}").status());
            final TestNode.Response updated = node.call("POST", base, bot, "{\"name\":\"roll\",\"description\":\"d20\"}");
            assertEquals(200, updated.status(), "same name: updated, not duplicated");
            final String rollId = updated.body().path("id").asText();
            assertEquals("d6", node.ok("PATCH", base + "/" + rollId, bot, "{\"description\":\"d6\"}")
                .path("description").asText());
            assertEquals(2, node.ok("GET", base, bot, null).size());
            assertEquals(204, node.call("DELETE", base + "/" + rollId, bot, null).status());
            assertEquals(404, node.call("GET", base + "/" + rollId, bot, null).status());

            assertEquals(400, node.call("POST", base, bot, "{\"name\":\"Ping\",\"description\":\"x\"}").status(),
                "chat command names are lower case");
            assertEquals(400, node.call("POST", base, bot, "{\"name\":\"nodesc\"}").status());
            assertEquals(403, node.call("GET", base, pair.owner().token(), null).status(), "someone else's app");

            final String guildBase = "applications/" + pair.member().id() + "/guilds/" + pair.guildId() + "/commands";
            assertEquals(1, node.ok("PUT", guildBase, bot, "[{\"name\":\"local\",\"description\":\"here\"}]").size());
            assertEquals(pair.guildId(), node.ok("GET", guildBase, bot, null).get(0).path("guild_id").asText());
            assertEquals(1, node.ok("GET", base, bot, null).size(), "guild commands are not global");
        }
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            final JsonNode kept = node.ok("GET", base, pair.member().token(), null);
            assertEquals(1, kept.size());
            assertEquals(pingId, kept.get(0).path("id").asText());
            assertEquals("Pong?", kept.get(0).path("description").asText());
        }
    }
}
