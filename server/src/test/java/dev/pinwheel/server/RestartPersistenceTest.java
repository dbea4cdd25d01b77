package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.storage.ChronicleRingReader;
import dev.pinwheel.storage.RingSnapshot;

/**
 * A node stopped and started again on the same data directory serves everything it acknowledged:
 * accounts and tokens, guilds, channels, members, invites, messages with edits and deletes.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RestartPersistenceTest
{
    @Test
    void everythingAcknowledgedSurvivesARestart() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-restart");
        try
        {
            final TestNode.User alice;
            final TestNode.User bob;
            final String channelId;
            final String guildId;
            final List<String> ids = new ArrayList<>();
            final String code;
            final String dmId;
            final String deleted;
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                alice = node.register("alice");
                bob = node.register("bob");
                final JsonNode guild = node.createGuild(alice, "Persistent");
                guildId = guild.get("id").asText();
                channelId = guild.get("channels").get(0).get("id").asText();
                node.join(alice, channelId, bob);
                code = node.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{\"max_age\":0}")
                    .get("code").asText();
                for (int i = 0; i < 20; i++)
                {
                    ids.add(node.ok("POST", "channels/" + channelId + "/messages", i % 2 == 0 ? alice.token()
                        : bob.token(), "{\"content\":\"m" + i + "\"}").get("id").asText());
                }
                node.ok("PATCH", "channels/" + channelId + "/messages/" + ids.get(4), alice.token(),
                    "{\"content\":\"m4 edited\"}");
                node.ok("DELETE", "channels/" + channelId + "/messages/" + ids.get(5), bob.token(), null);
                // nicknames (bob his own; alice, the owner, may set anyone's; bob may not set hers), embeds, a reply
                node.ok("PATCH", "guilds/" + guildId + "/members/@me", bob.token(), "{\"nick\":\"Bobby\"}");
                assertEquals(403, node.call("PATCH", "guilds/" + guildId + "/members/" + alice.id(), bob.token(),
                    "{\"nick\":\"x\"}").status());
                assertEquals("Al", node.ok("PATCH", "guilds/" + guildId + "/members/@me/nick", alice.token(),
                    "{\"nick\":\"Al\"}").get("nick").asText());
                node.ok("PATCH", "guilds/" + guildId + "/members/" + alice.id(), alice.token(), "{\"nick\":null}");
                final String role = node.ok("POST", "guilds/" + guildId + "/roles", alice.token(),
                    "{\"name\":\"kept\",\"permissions\":\"8192\"}").get("id").asText();
                node.call("PUT", "guilds/" + guildId + "/members/" + bob.id() + "/roles/" + role, alice.token(), null);
                node.ok("PATCH", "channels/" + channelId, alice.token(), "{\"name\":\"renamed\"}");
                final String doomed = node.ok("POST", "guilds/" + guildId + "/channels", alice.token(),
                    "{\"name\":\"doomed\"}").get("id").asText();
                node.ok("DELETE", "channels/" + doomed, alice.token(), null);
                deleted = doomed;
                final TestNode.User carol = node.register("carol", false);
                // a DM needs a guild in common: carol's own, which bob joins
                node.join(carol, node.createGuild(carol, "Carol's").get("channels").get(0).get("id").asText(), bob);
                dmId = node.ok("POST", "users/@me/channels", carol.token(), "{\"recipient_id\":\"" + bob.id() + "\"}")
                    .get("id").asText();
                node.ok("POST", "channels/" + dmId + "/messages", carol.token(), "{\"content\":\"dm kept\"}");
                ids.add(node.ok("POST", "channels/" + channelId + "/messages", alice.token(),
                    "{\"embeds\":[{\"title\":\"kept\"}],\"message_reference\":{\"message_id\":\"" + ids.get(0)
                        + "\"}}").get("id").asText());
                node.call("PUT", "channels/" + channelId + "/messages/" + ids.get(20) + "/reactions/"
                    + java.net.URLEncoder.encode("🎉", java.nio.charset.StandardCharsets.UTF_8) + "/@me", bob.token(), null);
            }
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                assertEquals(alice.id(), node.ok("GET", "users/@me", alice.token(), null).get("id").asText(),
                    "tokens survive");
                final JsonNode g = node.ok("GET", "guilds/" + guildId, bob.token(), null);
                assertEquals("Persistent", g.get("name").asText());
                assertEquals(2, node.ok("GET", "guilds/" + guildId + "/members?limit=10", bob.token(), null).size());
                final JsonNode page = node.ok("GET", "channels/" + channelId + "/messages?limit=100", bob.token(),
                    null);
                assertEquals(20, page.size(), "21 posted, 1 deleted");
                assertEquals(ids.get(20), page.get(0).get("id").asText(), "newest first");
                assertEquals("kept", page.get(0).path("embeds").get(0).path("title").asText(), "embeds survive");
                assertEquals(ids.get(0), page.get(0).path("message_reference").path("message_id").asText());
                assertEquals(1, page.get(0).path("reactions").get(0).path("count").asInt(), "reactions survive");
                final JsonNode bobMember = node.ok("GET", "guilds/" + guildId + "/members/" + bob.id(), alice.token(),
                    null);
                assertEquals("Bobby", bobMember.path("nick").asText(), "nicknames survive");
                assertEquals(1, bobMember.path("roles").size(), "role grants survive");
                assertEquals("renamed", node.ok("GET", "channels/" + channelId, bob.token(), null).get("name")
                    .asText(), "channel edits survive");
                assertEquals(404, node.call("GET", "channels/" + deleted, alice.token(), null).status(),
                    "a deleted channel stays deleted");
                assertEquals("dm kept", node.ok("GET", "channels/" + dmId + "/messages", bob.token(), null).get(0)
                    .get("content").asText(), "direct messages and their channel survive");
                assertEquals("kept", node.ok("GET", "guilds/" + guildId + "/roles", bob.token(), null).findValuesAsText(
                    "name").stream().filter("kept"::equals).findFirst().orElse(null), "roles survive");
                assertTrue(node.ok("GET", "guilds/" + guildId + "/members/" + alice.id(), alice.token(), null)
                    .path("nick").isNull(), "a cleared nickname stays cleared");
                final JsonNode edited = node.ok("GET", "channels/" + channelId + "/messages/" + ids.get(4),
                    bob.token(), null);
                assertEquals("m4 edited", edited.get("content").asText());
                assertTrue(edited.get("edited_timestamp").isTextual());
                assertEquals(404, node.call("GET", "channels/" + channelId + "/messages/" + ids.get(5), bob.token(),
                    null).status());
                assertEquals(200, node.call("GET", "invites/" + code, bob.token(), null).status(), "invites survive");
                final JsonNode again = node.ok("POST", "channels/" + channelId + "/messages", bob.token(),
                    "{\"content\":\"after restart\"}");
                assertTrue(Long.parseUnsignedLong(again.get("id").asText()) > Long.parseUnsignedLong(ids.get(20)));
                final JsonNode login = node.ok("POST", "auth/login", null,
                    "{\"username\":\"alice\",\"password\":\"password-alice\"}");
                assertEquals(alice.id(), login.get("user").get("id").asText());
            }
            assertThrows(IllegalStateException.class, () -> new TestNode(3, dir, c -> { }).close(),
                "a data directory keeps its shard count");
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }

    @Test
    void routingRingIsPublishedForOtherProcesses() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            final RoutingRing ring = node.server().gateway().shards().routing().ring();
            RingSnapshot published = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (published == null && System.nanoTime() < deadline)
            {
                if (Files.exists(node.dataDir().resolve("routing-ring.dat")))
                {
                    try (ChronicleRingReader reader = new ChronicleRingReader(node.dataDir()))
                    {
                        if (reader.version() == ring.version())
                        {
                            published = reader.read();
                        }
                    }
                }
                if (published == null)
                {
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
            assertTrue(published != null, "ring published within 60 s");
            final RoutingRing copy = RoutingRing.of(published.version(), published.points(), published.owners(), 2);
            for (long k = 1; k < 100_000; k += 997)
            {
                assertEquals(ring.owner(k), copy.owner(k));
            }
        }
    }
}
