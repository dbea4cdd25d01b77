package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Mentions judged by unmodified discord.js ({@code mentions.js}): a bot without MESSAGE_CONTENT mentioned by
 * {@code <@id>} gets the text while one not mentioned gets ""; {@code message.mentions.users/members/roles/everyone}
 * for {@code <@id>}, {@code <@!id>}, {@code <@&role>} and {@code @everyone} (plain text without MENTION_EVERYONE);
 * {@code allowed_mentions} suppressing pings (and with them the content exception), Discord's 50035 for
 * {@code parse} + {@code users}; an edit that adds a mention; history — and the mentions after a restart.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MentionsCompatibilityTest
{
    @Test
    void mentionsAsDiscordJsSeesThem() throws Exception
    {
        final Path js = JsClients.prepare("mentions.js");
        final Path dir = Files.createTempDirectory("pinwheel-mentions");
        try
        {
            final JsonNode state;
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                final String out = JsClients.run(js, 180, Map.of(), "node", "mentions.js",
                    Integer.toString(node.port()));
                final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
                assertEquals(List.of("OK ready", "OK content for the mentioned", "OK roles and everyone",
                    "OK everyone needs the permission", "OK allowed_mentions", "OK edit", "OK history"), ok, out);
                state = new ObjectMapper().readTree(out.lines().filter(l -> l.startsWith("STATE ")).findFirst()
                    .orElseThrow().substring("STATE ".length()));
            }
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                final String channel = "channels/" + state.get("channel").asText() + "/messages/";
                final JsonNode all = node.ok("GET", channel + state.get("all").asText(), state.get("token").asText(),
                    null);
                assertTrue(all.path("mention_everyone").asBoolean(), all.toString());
                assertEquals(state.get("role").asText(), all.path("mention_roles").get(0).asText());
                assertEquals(state.get("other").asText(), all.path("mentions").get(0).path("id").asText());
                assertEquals("men_other", all.path("mentions").get(0).path("username").asText());
                final JsonNode sent = node.ok("GET", channel + state.get("sent").asText(),
                    state.get("token").asText(), null);
                assertEquals(1, sent.path("mentions").size(), "the edit's mentions survive the restart");
                assertEquals(state.get("other").asText(), sent.path("mentions").get(0).path("id").asText());
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }
}
