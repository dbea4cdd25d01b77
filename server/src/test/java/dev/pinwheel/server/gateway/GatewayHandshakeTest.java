package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Connection start of Gateway v10: HELLO first, heartbeats, IDENTIFY before HELLO (JDA), and the READY and
 * GUILD_CREATE shapes real clients need (see CLIENTS.md).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayHandshakeTest
{
    private static TestNode node;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void helloComesFirstAndHeartbeatsAreAcknowledged()
    {
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            final JsonNode hello = c.next();
            assertEquals(10, hello.path("op").asInt(), "first payload must be HELLO: " + hello);
            assertTrue(hello.path("d").path("heartbeat_interval").isIntegralNumber(), hello.toString());
            assertTrue(hello.path("d").path("heartbeat_interval").asInt() > 0, hello.toString());

            c.heartbeat(null);
            final JsonNode ack = c.next();
            assertEquals(11, ack.path("op").asInt(), "heartbeat must be answered by op 11: " + ack);

            c.heartbeat(42L);
            assertEquals(11, c.next().path("op").asInt());
            assertArrayEquals(new byte[] {1, 2, 3}, c.ping(new byte[] {1, 2, 3}), "WebSocket ping answered");
            assertFalse(c.isClosed());
        }
    }

    /** Discord sends {@code "t":null,"s":null} on every payload that is not a dispatch; Discord4J reads both. */
    @Test
    void payloadsOtherThanDispatchesNameTAndSAsNull()
    {
        final TestNode.User u = node.register("t-and-s");
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            assertNullTAndS(c.next(), 10);
            c.heartbeat(null);
            assertNullTAndS(c.next(), 11);
            c.resume(u.token(), "no-such-session", 1);
            assertNullTAndS(c.next(), 9);
        }
    }

    private static void assertNullTAndS(final JsonNode payload, final int op)
    {
        assertEquals(op, payload.path("op").asInt(), payload.toString());
        assertTrue(payload.has("t") && payload.get("t").isNull(), payload.toString());
        assertTrue(payload.has("s") && payload.get("s").isNull(), payload.toString());
        assertTrue(payload.has("d"), payload.toString());
    }

    /** Gateway v8 is deprecated on Discord, not gone: Discord4J 3.2 speaks it (REST {@code /api/v8} too). */
    @Test
    void apiVersion8IsServedAndReadyNamesIt() throws Exception
    {
        final TestNode.User u = node.register("v8-bot");
        try (GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl() + "/?v=8&encoding=json"))
        {
            assertEquals(10, c.next().path("op").asInt());
            c.identify(u.token(), ALL_MESSAGES);
            final JsonNode ready = c.nextDispatch("READY");
            assertEquals(8, ready.path("d").path("v").asInt(), ready.toString());
        }
        final var me = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + node.port() + "/api/v8/users/@me"))
            .header("Authorization", "Bot " + u.token()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, me.statusCode(), me.body());
        assertTrue(me.body().contains("\"username\":\"v8-bot\""), me.body());
    }

    @Test
    void identifySentBeforeHelloIsReadWorks()
    {
        final TestNode.User u = node.register("early-bird");
        node.createGuild(u, "early guild");
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            // JDA: IDENTIFY as soon as the socket is open, without waiting for HELLO.
            c.identify(u.token(), ALL_MESSAGES);
            final JsonNode hello = c.next();
            assertEquals(10, hello.path("op").asInt(), "HELLO must still come first: " + hello);
            final JsonNode ready = c.next();
            assertEquals(0, ready.path("op").asInt(), ready.toString());
            assertEquals("READY", ready.path("t").asText(), ready.toString());
            assertEquals(1, ready.path("s").asLong());
            final JsonNode gc = c.next();
            assertEquals("GUILD_CREATE", gc.path("t").asText(), gc.toString());
            assertEquals(2, gc.path("s").asLong());
        }
    }

    @Test
    void readyAndGuildCreateCarryWhatClientsNeed()
    {
        final TestNode.User owner = node.register("shape-owner");
        final TestNode.User me = node.register("shape-me");
        final JsonNode mine = node.createGuild(me, "my guild");
        final JsonNode theirs = node.createGuild(owner, "their guild");
        node.join(owner, theirs.path("channels").get(0).path("id").asText(), me);
        final String mineId = mine.path("id").asText();
        final String theirsId = theirs.path("id").asText();

        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            assertEquals(10, c.next().path("op").asInt());
            c.identify(me.token(), ALL_MESSAGES);
            final JsonNode ready = c.next();
            assertEquals("READY", ready.path("t").asText(), ready.toString());
            final JsonNode d = ready.path("d");
            assertEquals(10, d.path("v").asInt(), "v");
            assertEquals(me.id(), d.path("user").path("id").asText(), "user.id");
            assertEquals(me.username(), d.path("user").path("username").asText(), "user.username");
            assertTrue(d.path("private_channels").isArray(), "private_channels must be an array");
            assertTrue(d.path("session_id").isTextual() && !d.path("session_id").asText().isEmpty(), "session_id");
            final String resumeUrl = d.path("resume_gateway_url").asText();
            assertTrue(resumeUrl.startsWith("ws://"), resumeUrl);
            assertFalse(resumeUrl.contains("?"), "resume_gateway_url must carry no query string: " + resumeUrl);
            assertEquals(node.shardUrl(0), resumeUrl, "single shard: the resume URL is shard 0's listener");
            assertEquals(List.of(0, 1), List.of(d.path("shard").path(0).asInt(-1), d.path("shard").path(1).asInt(-1)),
                "shard " + d.path("shard"));
            assertTrue(d.path("application").path("id").isTextual(), "application.id " + d.path("application"));
            assertTrue(d.path("application").path("flags").isIntegralNumber(), "application.flags");
            assertTrue(d.path("_trace").isArray() && d.path("_trace").size() > 0, "_trace (Kord requires it)");

            final Set<String> readyGuilds = new HashSet<>();
            assertTrue(d.path("guilds").isArray());
            for (final JsonNode g : d.path("guilds"))
            {
                assertTrue(g.path("unavailable").asBoolean(false), "READY guild must be an unavailable stub: " + g);
                readyGuilds.add(g.path("id").asText());
            }
            assertEquals(Set.of(mineId, theirsId), readyGuilds);

            final Map<String, JsonNode> creates = new HashMap<>();
            for (int i = 0; i < 2; i++)
            {
                final JsonNode gc = c.next();
                assertEquals("GUILD_CREATE", gc.path("t").asText(), gc.toString());
                assertEquals(2 + i, gc.path("s").asLong(), "s is consecutive after READY");
                creates.put(gc.path("d").path("id").asText(), gc.path("d"));
            }
            assertEquals(readyGuilds, creates.keySet(), "one GUILD_CREATE per READY guild");
            checkGuildCreate(creates.get(mineId), me, 1);
            checkGuildCreate(creates.get(theirsId), me, 2);
            assertEquals(owner.id(), creates.get(theirsId).path("owner_id").asText());
        }
    }

    @Test
    void identifyShardFiltersGuildsByDiscordFormula()
    {
        final TestNode.User u = node.register("sharded-bot");
        final Set<String> all = new HashSet<>();
        final Map<String, String> channelOf = new HashMap<>();
        for (int i = 0; i < 8; i++)
        {
            final JsonNode g = node.createGuild(u, "sharded " + i);
            all.add(g.path("id").asText());
            channelOf.put(g.path("id").asText(), g.path("channels").get(0).path("id").asText());
        }
        final Set<String> union = new HashSet<>();
        for (int shard = 0; shard < 2; shard++)
        {
            try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
            {
                final com.fasterxml.jackson.databind.node.ObjectNode p = GatewayTestClient.identifyPayload(u.token(),
                    ALL_MESSAGES);
                ((com.fasterxml.jackson.databind.node.ObjectNode)p.get("d")).putArray("shard").add(shard).add(2);
                c.send(p);
                final JsonNode ready = c.nextDispatch("READY");
                assertEquals(List.of(shard, 2), List.of(ready.path("d").path("shard").path(0).asInt(),
                    ready.path("d").path("shard").path(1).asInt()));
                final Set<String> covered = new HashSet<>();
                for (final JsonNode g : ready.path("d").path("guilds"))
                {
                    final String id = g.path("id").asText();
                    assertEquals(shard, (Long.parseLong(id) >>> 22) % 2, "guild " + id + " is not shard " + shard + "'s");
                    assertTrue(covered.add(id));
                    assertTrue(union.add(id), "guild " + id + " on two shards");
                }
                if (!covered.isEmpty())
                {
                    // One shard thread: a message posted now is dispatched after every GUILD_CREATE requested
                    // at IDENTIFY; exactly the covered guilds must have arrived.
                    final String some = covered.iterator().next();
                    node.ok("POST", "channels/" + channelOf.get(some) + "/messages", u.token(),
                        "{\"content\":\"barrier\"}");
                    final Set<String> created = new HashSet<>();
                    for (final JsonNode n : c.until("MESSAGE_CREATE"))
                    {
                        if ("GUILD_CREATE".equals(n.path("t").asText()))
                        {
                            created.add(n.path("d").path("id").asText());
                        }
                    }
                    assertEquals(covered, created, "GUILD_CREATE exactly for the shard's guilds");
                }
            }
        }
        assertEquals(all, union, "shards [0,2] and [1,2] together cover every guild");
    }

    /**
     * A 250-member guild: under large_threshold 250 the GUILD_CREATE carries every member and is a frame over
     * 64 KiB (the 8-byte WebSocket length form); under large_threshold 50 it is "large" and carries only the
     * session's own member.
     */
    @Test
    void bigGuildCreateFrameAndLargeThreshold()
    {
        final int members = 250;
        final TestNode.User owner = node.register("big-owner");
        final JsonNode g = node.createGuild(owner, "big guild");
        final String guildId = g.path("id").asText();
        final String code = node.ok("POST", "channels/" + g.path("channels").get(0).path("id").asText() + "/invites",
            owner.token(), "{\"max_uses\":0}").path("code").asText();
        for (int i = 1; i < members; i++)
        {
            final TestNode.User u = node.register("big-member-" + i);
            node.ok("POST", "invites/" + code, u.token(), "{}");
        }
        for (final int threshold : new int[] {250, 50})
        {
            try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
            {
                final com.fasterxml.jackson.databind.node.ObjectNode p = GatewayTestClient.identifyPayload(
                    owner.token(), ALL_MESSAGES);
                ((com.fasterxml.jackson.databind.node.ObjectNode)p.get("d")).put("large_threshold", threshold);
                c.send(p);
                final JsonNode gc = c.nextDispatch("GUILD_CREATE");
                assertEquals(guildId, gc.path("d").path("id").asText());
                assertEquals(members, gc.path("d").path("member_count").asInt());
                if (threshold == 250)
                {
                    assertFalse(gc.path("d").path("large").asBoolean(true));
                    assertEquals(members, gc.path("d").path("members").size(), "every member");
                    assertTrue(gc.toString().length() > 65_535, "precondition: a frame over 64 KiB, got "
                        + gc.toString().length());
                }
                else
                {
                    assertTrue(gc.path("d").path("large").asBoolean(false), "large over the threshold");
                    assertEquals(1, gc.path("d").path("members").size(), "only the own member");
                    assertEquals(owner.id(), gc.path("d").path("members").get(0).path("user").path("id").asText());
                }
                // the stream stays in sync after the big frame
                c.heartbeat(null);
                assertEquals(11, c.nextOp(11).path("op").asInt());
            }
        }
    }

    private static void checkGuildCreate(final JsonNode g, final TestNode.User self, final int memberCount)
    {
        assertNotNull(g);
        final String guildId = g.path("id").asText();
        for (final String array : List.of("members", "roles", "channels", "threads", "emojis", "voice_states",
            "guild_scheduled_events"))
        {
            assertTrue(g.path(array).isArray(), "GUILD_CREATE." + array + " must be an array: " + g);
        }
        assertEquals(memberCount, g.path("member_count").asInt(-1), "member_count");
        assertTrue(g.path("large").isBoolean(), "large");
        assertFalse(g.path("large").asBoolean(), "large");
        assertFalse(g.path("unavailable").asBoolean(false), "unavailable");
        // deprecated, still sent by Discord, required by Kord
        assertEquals("deprecated", g.path("region").asText(), "region");
        assertTrue(g.has("application_id") && g.path("application_id").isNull(), "application_id");

        boolean selfFound = false;
        for (final JsonNode m : g.path("members"))
        {
            assertTrue(m.path("roles").isArray(), "member.roles " + m);
            assertTrue(m.path("user").path("username").isTextual(), "member.user.username " + m);
            if (self.id().equals(m.path("user").path("id").asText()))
            {
                selfFound = true;
            }
        }
        assertTrue(selfFound, "own member must be in GUILD_CREATE.members: " + g.path("members"));
        assertEquals(memberCount, g.path("members").size(), "small guild: every member is sent");

        JsonNode everyone = null;
        for (final JsonNode r : g.path("roles"))
        {
            assertTrue(r.path("name").isTextual() && r.path("position").isIntegralNumber(), "role " + r);
            assertTrue(r.path("permissions").isTextual(), "role.permissions must be a string: " + r);
            assertTrue(r.path("colors").isObject() && r.path("colors").has("primary_color"), "role.colors " + r);
            if (guildId.equals(r.path("id").asText()))
            {
                everyone = r;
            }
        }
        assertNotNull(everyone, "the @everyone role must have id == guild id: " + g.path("roles"));
        final long perms = Long.parseLong(everyone.path("permissions").asText());
        final long viewAndSend = (1L << 10) | (1L << 11);
        assertEquals(viewAndSend, perms & viewAndSend, "@everyone must grant VIEW_CHANNEL and SEND_MESSAGES");

        assertTrue(g.path("channels").size() >= 1, "channels");
        for (final JsonNode ch : g.path("channels"))
        {
            assertTrue(ch.path("id").isTextual() && ch.path("type").isIntegralNumber() && ch.path("name").isTextual()
                && ch.path("position").isIntegralNumber(), "channel " + ch);
        }
    }
}
