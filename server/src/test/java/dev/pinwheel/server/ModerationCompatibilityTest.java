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
 * Moderation judged by unmodified discord.js ({@code moderation.js}): a kick seen as guildMemberRemove by the
 * moderator and guildDelete by the kicked client (which receives nothing of the guild after it), the kick in the
 * audit log with its executor and reason, a ban whose account's invite join is refused (40007) — also after the node
 * restarted on the same data directory — a timeout that makes the member's post fail with 50013, a channel hidden
 * from {@code @everyone} (the member gets channelDelete, none of its messages, 50001 on history; the owner keeps
 * it; the overwrite survives the restart), an invite of one use whose second join gets 10006, and a temporary member
 * removed when their client disconnects.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ModerationCompatibilityTest
{
    @Test
    void kicksBansAndTimeoutsAsDiscordJsSeesThem() throws Exception
    {
        final Path js = JsClients.prepare("moderation.js");
        final Path dir = Files.createTempDirectory("pinwheel-moderation");
        try
        {
            final JsonNode state;
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                final String out = JsClients.run(js, 180, Map.of(), "node", "moderation.js",
                    Integer.toString(node.port()));
                final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
                assertEquals(List.of("OK ready", "OK kick", "OK audit log", "OK ban", "OK timeout", "OK overwrites",
                    "OK invites", "OK temporary"),
                    ok, out);
                state = new ObjectMapper().readTree(out.lines().filter(l -> l.startsWith("STATE ")).findFirst()
                    .orElseThrow().substring("STATE ".length()));
            }
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                final TestNode.Response join = node.call("POST", "invites/" + state.get("code").asText(),
                    state.get("c").asText(), "{}");
                assertEquals(403, join.status(), "the ban survives the restart");
                assertEquals(40007, join.body().path("code").asInt());
                final String guild = state.get("guild").asText();
                assertEquals("raid", node.ok("GET", "guilds/" + guild + "/bans/" + state.get("cId").asText(),
                    state.get("a").asText(), null).path("reason").asText());
                final JsonNode log = node.ok("GET", "guilds/" + guild + "/audit-logs?action_type=20",
                    state.get("a").asText(), null);
                assertEquals("spamming links", log.path("audit_log_entries").get(0).path("reason").asText(),
                    "the audit log survives the restart");
                final String channel = "channels/" + state.get("channel").asText();
                assertEquals(50001, node.call("GET", channel + "/messages", state.get("d").asText(), null).body()
                    .path("code").asInt(), "the overwrite survives the restart");
                assertEquals(1, node.ok("GET", channel, state.get("a").asText(), null).path("permission_overwrites")
                    .size());
                assertEquals(4, node.ok("GET", "guilds/" + guild + "/members?limit=10", state.get("a").asText(), null)
                    .size(), "the kicked and the banned stay out: the owner, the timed-out member, two invited");
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }
}
