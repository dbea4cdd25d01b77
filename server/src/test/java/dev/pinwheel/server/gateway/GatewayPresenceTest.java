package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.GUILDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Presence over raw sockets on a two-shard node: IDENTIFY's {@code presence} and op 3 reach the guild's sessions that
 * hold GUILD_PRESENCES as PRESENCE_UPDATE (never those without it), invisible shows offline, the most present of a
 * user's sessions wins, a dropped connection keeps the presence (the session can resume) while a close 1000 ends it
 * (offline), GUILD_CREATE and op 8 {@code presences: true} carry who is online, and a malformed op 3 closes with 4002.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GatewayPresenceTest
{
    private static final int GUILD_PRESENCES = 1 << 8;
    private static final int GUILD_MEMBERS = 1 << 1;
    private static TestNode node;
    private static TestNode.User owner;
    private static TestNode.User watcher;
    private static TestNode.User blind;
    private static String guildId;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(2);
        owner = node.register("presence-owner");
        watcher = node.register("presence-watcher");
        blind = node.register("presence-blind");
        final JsonNode g = node.createGuild(owner, "presence guild");
        guildId = g.path("id").asText();
        channelId = g.path("channels").get(0).path("id").asText();
        node.join(owner, channelId, watcher);
        node.join(owner, channelId, blind);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static ObjectNode presence(final String status)
    {
        final ObjectNode p = GatewayTestClient.JSON.createObjectNode();
        p.put("op", 3);
        final ObjectNode d = p.putObject("d");
        d.putNull("since");
        d.put("status", status);
        d.put("afk", false);
        d.putArray("activities").addObject().put("name", "testing").put("type", 0);
        return p;
    }

    private static JsonNode presenceOf(final GatewayTestClient c, final String userId)
    {
        return c.next(n -> "PRESENCE_UPDATE".equals(n.path("t").asText())
            && userId.equals(n.path("d").path("user").path("id").asText()), "PRESENCE_UPDATE of " + userId)
            .path("d");
    }

    @Test
    void presenceReachesGuildPresenceSessionsOnly()
    {
        try (GatewayTestClient w = GatewayTestClient.json(node.gatewayUrl());
            GatewayTestClient b = GatewayTestClient.json(node.gatewayUrl()))
        {
            w.identify(watcher.token(), GUILDS | GUILD_PRESENCES | GUILD_MEMBERS);
            w.nextDispatch("READY");
            final JsonNode create = w.nextDispatch("GUILD_CREATE").path("d");
            assertFalse(create.path("presences").findValuesAsText("id").contains(owner.id()),
                "the owner is not connected yet: " + create);
            b.identifyAndAwait(blind.token(), GUILDS, 1);

            final ObjectNode identify = GatewayTestClient.identifyPayload(owner.token(), GUILDS);
            ((ObjectNode)identify.get("d")).set("presence", presence("idle").get("d"));
            final GatewayTestClient a = GatewayTestClient.json(node.gatewayUrl());
            a.send(identify);
            final JsonNode ready = a.nextDispatch("READY").path("d");
            final JsonNode idle = presenceOf(w, owner.id());
            assertEquals("idle", idle.path("status").asText(), idle.toString());
            assertEquals(guildId, idle.path("guild_id").asText());
            assertEquals("testing", idle.path("activities").get(0).path("name").asText());
            // as on Discord, every activity carries an id (Discord4J refuses the event without one)
            assertTrue(idle.path("activities").get(0).path("id").asText().matches("[0-9a-f]{16}"), idle.toString());
            assertEquals("idle", idle.path("client_status").path("web").asText());

            a.send(presence("dnd"));
            assertEquals("dnd", presenceOf(w, owner.id()).path("status").asText());
            a.send(presence("invisible"));
            final JsonNode hidden = presenceOf(w, owner.id());
            assertEquals("offline", hidden.path("status").asText(), "invisible shows offline: " + hidden);
            assertEquals(0, hidden.path("activities").size());

            // a second session of the same user: the most present one wins
            final GatewayTestClient a2 = GatewayTestClient.json(node.gatewayUrl());
            a2.identifyAndAwait(owner.token(), GUILDS, 1);
            assertEquals("online", presenceOf(w, owner.id()).path("status").asText());
            a2.sendClose(1000, "bye");
            assertEquals("offline", presenceOf(w, owner.id()).path("status").asText(),
                "back to the invisible session");
            a2.close();

            a.send(presence("dnd"));
            assertEquals("dnd", presenceOf(w, owner.id()).path("status").asText());
            try (GatewayTestClient w2 = GatewayTestClient.json(node.gatewayUrl()))
            {
                w2.identify(watcher.token(), GUILDS | GUILD_PRESENCES);
                w2.nextDispatch("READY");
                final JsonNode later = w2.nextDispatch("GUILD_CREATE").path("d");
                final JsonNode ownerPresence = later.path("presences").findParents("id").stream()
                    .filter(n -> owner.id().equals(n.path("id").asText())).findFirst().orElse(null);
                assertTrue(ownerPresence != null, "GUILD_CREATE carries the online members: " + later);
                assertEquals("dnd", later.path("presences").findValuesAsText("status").get(
                    later.path("presences").findValuesAsText("id").indexOf(owner.id())), later.toString());
                for (final JsonNode p : later.path("presences"))
                {
                    // Discordeno reads every presence's guild_id (GUILD_CREATE failed in it without)
                    assertEquals(later.path("id").asText(), p.path("guild_id").asText(), later.toString());
                }
                w2.sendClose(1000, "bye");
            }

            // op 8 with presences
            w.send("{\"op\":8,\"d\":{\"guild_id\":\"" + guildId + "\",\"query\":\"\",\"limit\":0,"
                + "\"presences\":true,\"nonce\":\"p\"}}");
            final JsonNode chunk = w.nextDispatch("GUILD_MEMBERS_CHUNK").path("d");
            final List<String> statuses = chunk.path("presences").findValuesAsText("status");
            assertEquals(3, chunk.path("presences").size(), "everyone is online: " + chunk);
            assertTrue(statuses.contains("dnd"), chunk.toString());

            // a dropped connection keeps the session (resumable) and its presence; RESUME changes nothing
            final String sessionId = ready.path("session_id").asText();
            a.abort();
            final GatewayTestClient resumed = GatewayTestClient.connect(ready.path("resume_gateway_url").asText()
                + "?v=10&encoding=json");
            resumed.resume(owner.token(), sessionId, 1);
            resumed.nextDispatch("RESUMED");
            // a clean close ends the session: offline
            resumed.sendClose(1000, "bye");
            final JsonNode gone = presenceOf(w, owner.id());
            assertEquals("offline", gone.path("status").asText(), "a session that ends goes offline: " + gone);
            resumed.close();

            // the session without GUILD_PRESENCES saw none of it (checked against a later event of the guild)
            node.ok("POST", "guilds/" + guildId + "/channels", owner.token(), "{\"name\":\"later\",\"type\":0}");
            final List<String> blindSaw = b.until("CHANNEL_CREATE").stream().map(n -> n.path("t").asText()).toList();
            assertFalse(blindSaw.contains("PRESENCE_UPDATE"), "no GUILD_PRESENCES, no PRESENCE_UPDATE: " + blindSaw);
            final List<String> watcherSaw = w.until("CHANNEL_CREATE").stream().map(n -> n.path("t").asText())
                .toList();
            assertFalse(watcherSaw.contains("PRESENCE_UPDATE"), "no further presence changes: " + watcherSaw);
        }
    }

    @Test
    void aUsersSessionsEndingFirstToLastLeaveTheOthersShown()
    {
        // the user's owner keeps the first session in a field and the others in an array: the first ending moves the
        // next into its place, which must go on counting
        final TestNode.User many = node.register("presence-many");
        node.join(owner, channelId, many);
        try (GatewayTestClient w = GatewayTestClient.json(node.gatewayUrl()))
        {
            w.identify(watcher.token(), GUILDS | GUILD_PRESENCES);
            w.nextDispatch("READY");
            w.nextDispatch("GUILD_CREATE");
            final GatewayTestClient[] s = new GatewayTestClient[3];
            final String[] statuses = {"idle", "online", "dnd"};
            for (int i = 0; i < 3; i++)
            {
                final ObjectNode identify = GatewayTestClient.identifyPayload(many.token(), GUILDS);
                ((ObjectNode)identify.get("d")).set("presence", presence(statuses[i]).get("d"));
                s[i] = GatewayTestClient.json(node.gatewayUrl());
                s[i].send(identify);
                s[i].nextDispatch("READY");
            }
            assertEquals("idle", presenceOf(w, many.id()).path("status").asText());
            assertEquals("online", presenceOf(w, many.id()).path("status").asText(), "the most present one wins");
            s[0].sendClose(1000, "bye"); // online still wins: nothing to tell
            s[0].awaitClose();
            s[1].sendClose(1000, "bye");
            assertEquals("dnd", presenceOf(w, many.id()).path("status").asText(), "the last session left counts");
            s[2].sendClose(1000, "bye");
            assertEquals("offline", presenceOf(w, many.id()).path("status").asText());
            for (final GatewayTestClient c : s)
            {
                c.close();
            }
        }
    }

    @Test
    void malformedPresenceClosesWith4002()
    {
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            c.identifyAndAwait(node.register("presence-malformed").token(), GUILDS, 0);
            c.send("{\"op\":3,\"d\":{\"status\":\"sleepy\",\"since\":null,\"activities\":[],\"afk\":false}}");
            assertEquals(4002, c.awaitClose().code());
        }
    }
}
