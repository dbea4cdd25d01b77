package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * A slash command across three nodes in child JVMs (one shard each): guild G owned by node 1; its bot connected to
 * node 0; alice, the member who invokes the command, a person owned by node 2 and connected to it. Alice's
 * {@code POST /interactions} through node 2 reaches the bot's session on node 0 as INTERACTION_CREATE; the bot's
 * callback through node 0 (the token is the credential) reaches alice as INTERACTION_SUCCESS and the answer's
 * MESSAGE_CREATE; the bot's edit of its answer through node 2 ({@code PATCH /webhooks/…/messages/@original}) reaches
 * her as MESSAGE_UPDATE.
 */
class ClusterInteractionsTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;
    private static final int GUILDS = 1;
    private static final int GUILD_MESSAGES = 1 << 9;
    private static final int MESSAGE_CONTENT = 1 << 15;

    @Test
    void aCommandInvokedOnOneNodeIsAnsweredByABotOnAnotherForAGuildOfAThird() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = ClusterGuilds.personOwnedBy(rest2, ring, 2, "alice");
        final RestClient.User bot = rest0.register("pingbot");
        final JsonNode guild = ClusterGuilds.ownedBy(rest2, alice.token(), ring, 1, "commands");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = ClusterGuilds.invite(rest2, alice.token(), channelId);
        rest0.ok("POST", "invites/" + code, bot.token(), "{}");
        final String ping = rest0.ok("PUT", "applications/" + bot.id() + "/guilds/" + guildId + "/commands",
            bot.token(), "[{\"name\":\"ping\",\"description\":\"Pings\"}]").get(0).get("id").asText();

        final int intents = GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT;
        final ClusterNodesTest.RawGateway botGateway = connect(0, bot, intents);
        botGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        final ClusterNodesTest.RawGateway aliceGateway = connect(2, alice, intents);
        aliceGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        final String aliceSession = aliceGateway.ready().get("session_id").asText();

        final RestClient.Response invoked = rest2.call("POST", "interactions", alice.token(), "{\"type\":2,"
            + "\"application_id\":\"" + bot.id() + "\",\"guild_id\":\"" + guildId + "\",\"channel_id\":\"" + channelId
            + "\",\"session_id\":\"" + aliceSession + "\",\"nonce\":\"n1\",\"data\":{\"id\":\"" + ping
            + "\",\"name\":\"ping\",\"type\":1}}");
        assertEquals(204, invoked.status(), invoked.raw());
        final JsonNode ix = botGateway.awaitDispatch("INTERACTION_CREATE",
            d -> "ping".equals(d.path("data").path("name").asText()));
        assertEquals(guildId, ix.get("guild_id").asText());
        assertEquals(alice.id(), ix.path("member").path("user").path("id").asText(), ix.toString());

        final RestClient.Response answered = rest0.call("POST", "interactions/" + ix.get("id").asText() + "/"
            + ix.get("token").asText() + "/callback", null, "{\"type\":4,\"data\":{\"content\":\"pong across nodes\"}}");
        assertEquals(204, answered.status(), answered.raw());
        final Map<String, JsonNode> seen = new HashMap<>();
        while (seen.size() < 2)
        {
            final JsonNode f = aliceGateway.nextDispatch(30_000);
            if (f == null)
            {
                throw new AssertionError("alice got " + seen.keySet() + " of INTERACTION_SUCCESS and the answer");
            }
            final String t = f.get("t").asText();
            if ("INTERACTION_SUCCESS".equals(t)
                || "MESSAGE_CREATE".equals(t) && "pong across nodes".equals(f.get("d").path("content").asText()))
            {
                seen.put(t, f.get("d"));
            }
        }
        assertEquals("n1", seen.get("INTERACTION_SUCCESS").path("nonce").asText());
        final String answer = seen.get("MESSAGE_CREATE").get("id").asText();

        final RestClient.Response edited = rest2.call("PATCH", "webhooks/" + bot.id() + "/" + ix.get("token").asText()
            + "/messages/@original", null, "{\"content\":\"pong, edited\"}");
        assertEquals(200, edited.status(), edited.raw());
        assertEquals(answer, edited.body().get("id").asText());
        final JsonNode update = aliceGateway.awaitDispatch("MESSAGE_UPDATE", d -> answer.equals(d.get("id").asText()));
        assertEquals("pong, edited", update.get("content").asText());
    }
}
