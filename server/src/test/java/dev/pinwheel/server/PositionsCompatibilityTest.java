package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Role and channel positions judged by unmodified discord.js ({@code positions.js}): {@code roles.setPositions} and
 * {@code role.setPosition} (PATCH /guilds/{g}/roles) reorder roles as another client sees them through
 * GUILD_ROLE_UPDATE, refused without MANAGE_ROLES or without a position; {@code channels.setPositions}
 * (PATCH /guilds/{g}/channels) moves a channel, takes it out of its category and back with the category's overwrites;
 * then, after a restart on the same data directory, the journaled order is the same.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PositionsCompatibilityTest
{
    @Test
    void rolesAndChannelsMoveAsDiscordJsAsks() throws Exception
    {
        final Path js = JsClients.prepare("positions.js");
        final Path dir = Files.createTempDirectory("pinwheel-positions");
        try
        {
            final JsonNode state;
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                final String out = JsClients.run(js, 180, Map.of(), "node", "positions.js",
                    Integer.toString(node.port()));
                assertEquals(List.of("OK created", "OK setPositions", "OK setPosition", "OK refused", "OK channels"),
                    out.lines().filter(l -> l.startsWith("OK ")).toList(), out);
                state = new ObjectMapper().readTree(out.lines().filter(l -> l.startsWith("STATE ")).findFirst()
                    .orElseThrow().substring("STATE ".length()));
            }
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                final String token = state.get("a").asText();
                final StringBuilder order = new StringBuilder();
                for (final JsonNode role : node.ok("GET", "guilds/" + state.get("guild").asText() + "/roles", token,
                    null))
                {
                    order.append(role.get("name").asText()).append(':').append(role.get("position").asInt())
                        .append(' ');
                }
                assertEquals("@everyone:0 green:1 red:2 blue:3 ", order.toString(), "the order survives a restart");
                final JsonNode channel = node.ok("GET", "channels/" + state.get("channel").asText(), token, null);
                assertEquals(2, channel.get("position").asInt());
                assertEquals(state.get("category").asText(), channel.get("parent_id").asText());
                assertEquals(1, channel.get("permission_overwrites").size());
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }
}
