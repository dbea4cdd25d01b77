package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.GUILDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
 * Op 8 REQUEST_GUILD_MEMBERS answered with GUILD_MEMBERS_CHUNK as Discord documents it (discord.py's
 * {@code Guild.chunk()}/{@code query_members()}, discord.js's {@code guild.members.fetch()} and Oceanic's
 * {@code fetchMembers()} wait for these): the whole list, user ids with {@code not_found}, a case-insensitive
 * username prefix with a limit, the nonce echoed, presences only with GUILD_PRESENCES, no answer to a
 * whole-list request without GUILD_MEMBERS, and 4002/4003 for bad or unauthenticated requests. Two shards,
 * so the guild's owner and the session's shard may differ.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayRequestMembersTest
{
    private static final int GUILD_MEMBERS = 1 << 1;
    private static final int GUILD_PRESENCES = 1 << 8;
    private static TestNode node;
    private static TestNode.User owner;
    private static TestNode.User alice;
    private static TestNode.User albert;
    private static TestNode.User bob;
    private static TestNode.User stranger;
    private static String guildId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(2);
        owner = node.register("chunk-owner");
        alice = node.register("Alice-chunk");
        albert = node.register("albert-chunk");
        bob = node.register("bob-chunk");
        stranger = node.register("chunk-stranger");
        final JsonNode g = node.createGuild(owner, "chunk guild");
        guildId = g.path("id").asText();
        final String channelId = g.path("channels").get(0).path("id").asText();
        node.join(owner, channelId, alice);
        node.join(owner, channelId, albert);
        node.join(owner, channelId, bob);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static ObjectNode request(final String nonce)
    {
        final ObjectNode p = GatewayTestClient.JSON.createObjectNode();
        p.put("op", 8);
        final ObjectNode d = p.putObject("d");
        d.put("guild_id", guildId);
        if (nonce != null)
        {
            d.put("nonce", nonce);
        }
        return p;
    }

    private static ObjectNode query(final String query, final int limit, final String nonce)
    {
        final ObjectNode p = request(nonce);
        ((ObjectNode)p.get("d")).put("query", query).put("limit", limit);
        return p;
    }

    private static List<String> memberIds(final JsonNode chunk)
    {
        final List<String> ids = new ArrayList<>();
        for (final JsonNode m : chunk.path("d").path("members"))
        {
            assertTrue(m.path("user").path("username").isTextual(), "member with user: " + m);
            assertTrue(m.path("joined_at").isTextual() && m.path("roles").isArray(), "member object: " + m);
            ids.add(m.path("user").path("id").asText());
        }
        return ids;
    }

    @Test
    void wholeMemberListComesInOneChunkWithTheNonce()
    {
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            c.identifyAndAwait(bob.token(), GUILDS | GUILD_MEMBERS, 1);
            c.send(query("", 0, "all-1"));
            final JsonNode chunk = c.nextDispatch("GUILD_MEMBERS_CHUNK");
            final JsonNode d = chunk.path("d");
            assertEquals(guildId, d.path("guild_id").asText(), chunk.toString());
            assertEquals(0, d.path("chunk_index").asInt(-1), chunk.toString());
            assertEquals(1, d.path("chunk_count").asInt(-1), chunk.toString());
            assertEquals("all-1", d.path("nonce").asText(), chunk.toString());
            assertFalse(d.has("not_found"), "not_found only answers user_ids: " + chunk);
            assertFalse(d.has("presences"), "presences only when asked for: " + chunk);
            assertEquals(List.of(owner.id(), alice.id(), albert.id(), bob.id()).stream().sorted().toList(),
                memberIds(chunk).stream().sorted().toList());

            c.send(query("", 2, null));
            final JsonNode limited = c.nextDispatch("GUILD_MEMBERS_CHUNK");
            assertEquals(2, memberIds(limited).size(), limited.toString());
            assertFalse(limited.path("d").has("nonce"), "no nonce sent, none echoed: " + limited);
        }
    }

    @Test
    void userIdsAndPrefixQueries()
    {
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            // user_ids and prefix queries need no GUILD_MEMBERS intent
            c.identifyAndAwait(owner.token(), GUILDS, 1);
            final ObjectNode byId = request("ids");
            ((ObjectNode)byId.get("d")).putArray("user_ids").add(alice.id()).add(stranger.id());
            c.send(byId);
            final JsonNode chunk = c.nextDispatch("GUILD_MEMBERS_CHUNK");
            assertEquals(List.of(alice.id()), memberIds(chunk), chunk.toString());
            assertEquals(List.of(stranger.id()), List.of(chunk.path("d").path("not_found").path(0).asText()),
                chunk.toString());
            assertEquals(1, chunk.path("d").path("not_found").size(), chunk.toString());

            final ObjectNode single = request("one");
            ((ObjectNode)single.get("d")).put("user_ids", bob.id());
            c.send(single);
            assertEquals(List.of(bob.id()), memberIds(c.nextDispatch("GUILD_MEMBERS_CHUNK")));

            c.send(query("AL", 0, "prefix"));
            final JsonNode prefix = c.nextDispatch("GUILD_MEMBERS_CHUNK");
            assertEquals("prefix", prefix.path("d").path("nonce").asText());
            assertEquals(List.of(alice.id(), albert.id()).stream().sorted().toList(),
                memberIds(prefix).stream().sorted().toList(), "case-insensitive username prefix: " + prefix);

            c.send(query("al", 1, null));
            assertEquals(1, memberIds(c.nextDispatch("GUILD_MEMBERS_CHUNK")).size());

            c.send(query("nobody", 10, "none"));
            final JsonNode none = c.nextDispatch("GUILD_MEMBERS_CHUNK");
            assertEquals(List.of(), memberIds(none), "an empty chunk when nothing matches: " + none);
            assertEquals(1, none.path("d").path("chunk_count").asInt(), none.toString());
        }
    }

    @Test
    void wholeListNeedsGuildMembersAndPresencesNeedGuildPresences()
    {
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            c.identifyAndAwait(alice.token(), GUILDS, 1);
            c.send(query("", 0, "not-allowed"));
            final ObjectNode presences = query("bob", 5, "allowed");
            ((ObjectNode)presences.get("d")).put("presences", true);
            c.send(presences);
            // Requests are answered in order: the first chunk to arrive answers the second request.
            final JsonNode chunk = c.nextDispatch("GUILD_MEMBERS_CHUNK");
            assertEquals("allowed", chunk.path("d").path("nonce").asText(),
                "a whole-list request without GUILD_MEMBERS is not answered: " + chunk);
            assertFalse(chunk.path("d").has("presences"), "no presences without GUILD_PRESENCES: " + chunk);
        }
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            c.identifyAndAwait(albert.token(), GUILDS | GUILD_MEMBERS | GUILD_PRESENCES, 1);
            final ObjectNode presences = query("", 0, "x".repeat(33));
            ((ObjectNode)presences.get("d")).put("presences", true);
            c.send(presences);
            final JsonNode chunk = c.nextDispatch("GUILD_MEMBERS_CHUNK");
            assertTrue(chunk.path("d").path("presences").isArray(), "presences asked for and allowed: " + chunk);
            assertFalse(chunk.path("d").has("nonce"), "a nonce over 32 bytes is ignored: " + chunk);
            assertEquals(4, memberIds(chunk).size());
        }
    }

    @Test
    void strangerGetsNoAnswerAndBadRequestsClose()
    {
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            c.identifyAndAwait(stranger.token(), GUILDS | GUILD_MEMBERS, 0);
            c.send(query("", 0, "stranger"));
            // A later request the session is answered marks where a chunk for the first one would have been.
            final JsonNode mine = node.createGuild(stranger, "stranger's own");
            final JsonNode gc = c.nextDispatch("GUILD_CREATE");
            assertEquals(mine.path("id").asText(), gc.path("d").path("id").asText());
            final ObjectNode own = query("", 0, "own");
            ((ObjectNode)own.get("d")).put("guild_id", mine.path("id").asText());
            c.send(own);
            final JsonNode chunk = c.nextDispatch("GUILD_MEMBERS_CHUNK");
            assertEquals("own", chunk.path("d").path("nonce").asText(), "no chunks for a guild the session is not in");
            assertEquals(List.of(stranger.id()), memberIds(chunk));
        }
        for (final String bad : List.of("{\"op\":8,\"d\":{\"query\":\"\",\"limit\":0}}",
            "{\"op\":8,\"d\":{\"guild_id\":\"" + guildId + "\"}}",
            "{\"op\":8,\"d\":{\"guild_id\":\"" + guildId + "\",\"query\":\"a\"}}",
            "{\"op\":8,\"d\":{\"guild_id\":\"" + guildId + "\",\"user_ids\":[\"abc\"]}}",
            "{\"op\":8,\"d\":null}"))
        {
            try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
            {
                c.identifyAndAwait(owner.token(), GUILDS | GUILD_MEMBERS, 1);
                c.send(bad);
                assertEquals(4002, c.awaitClose().code(), bad);
            }
        }
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            c.nextOp(10);
            c.send(query("", 0, null));
            assertEquals(4003, c.awaitClose().code(), "op 8 before IDENTIFY");
        }
    }
}
