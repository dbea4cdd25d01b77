package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Direct messages: opening a DM twice (from either side) gives one channel of type 1 with the other user as
 * recipient; messages posted there reach both users' sessions (DIRECT_MESSAGES) in order and no one else's;
 * history, edit and delete work; a third user cannot see the channel; no DM to oneself or between two bots.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DirectMessagesTest
{
    private static final int DIRECT_MESSAGES = 1 << 12;

    @Test
    void twoUsersTalkPrivately()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User alice = node.register("dm-alice", false);
            final TestNode.User bob = node.register("dm-bob");
            final TestNode.User eve = node.register("dm-eve", false);
            final TestNode.User otherBot = node.register("dm-other-bot");
            // a DM needs a guild in common (as on Discord, without friends): alice's guild has bob and eve in it
            final String general = node.createGuild(alice, "dm-guild").path("channels").get(0).path("id").asText();
            node.join(alice, general, bob);
            node.join(alice, general, eve);
            try (GatewayTestClient b = GatewayTestClient.connect(node.gatewayUrl());
                 GatewayTestClient e = GatewayTestClient.connect(node.gatewayUrl()))
            {
                b.identifyAndAwait(bob.token(), DIRECT_MESSAGES | GatewayTestClient.MESSAGE_CONTENT, 0);
                e.identifyAndAwait(eve.token(), DIRECT_MESSAGES | GatewayTestClient.MESSAGE_CONTENT, 0);
                final JsonNode dm = node.ok("POST", "users/@me/channels", alice.token(),
                    "{\"recipient_id\":\"" + bob.id() + "\"}");
                assertEquals(1, dm.path("type").asInt());
                assertEquals(bob.id(), dm.path("recipients").get(0).path("id").asText());
                final String channel = dm.path("id").asText();
                assertEquals(channel, node.ok("POST", "users/@me/channels", bob.token(),
                    "{\"recipient_id\":\"" + alice.id() + "\"}").path("id").asText(), "one channel per pair");

                final String messages = "channels/" + channel + "/messages";
                final String first = node.ok("POST", messages, alice.token(), "{\"content\":\"psst\"}").path("id")
                    .asText();
                node.ok("POST", messages, bob.token(), "{\"content\":\"what?\"}");
                final JsonNode got = b.nextDispatch("MESSAGE_CREATE").path("d");
                assertEquals(first, got.path("id").asText());
                assertEquals("psst", got.path("content").asText());
                assertTrue(got.path("guild_id").isMissingNode());
                assertEquals("what?", b.nextDispatch("MESSAGE_CREATE").path("d").path("content").asText(),
                    "in order, own messages included");

                assertEquals(2, node.ok("GET", messages, bob.token(), null).size());
                assertEquals("psst!", node.ok("PATCH", messages + "/" + first, alice.token(),
                    "{\"content\":\"psst!\"}").path("content").asText());
                assertEquals("psst!", b.nextDispatch("MESSAGE_UPDATE").path("d").path("content").asText());
                assertEquals(403, node.call("DELETE", messages + "/" + first, bob.token(), null).status());
                assertEquals(204, node.call("DELETE", messages + "/" + first, alice.token(), null).status());
                assertEquals(first, b.nextDispatch("MESSAGE_DELETE").path("d").path("id").asText());

                assertEquals(404, node.call("GET", messages, eve.token(), null).status(), "not eve's channel");
                assertEquals(404, node.call("GET", "channels/" + channel, eve.token(), null).status());
                node.ok("POST", "channels/" + node.ok("POST", "users/@me/channels", eve.token(),
                    "{\"recipient_id\":\"" + alice.id() + "\"}").path("id").asText() + "/messages", alice.token(),
                    "{\"content\":\"hi eve\"}");
                assertEquals("hi eve", e.nextDispatch("MESSAGE_CREATE").path("d").path("content").asText(),
                    "eve's first DM is the one addressed to her");
                assertEquals(400, node.call("POST", "users/@me/channels", alice.token(),
                    "{\"recipient_id\":\"" + alice.id() + "\"}").status(), "not to oneself");
                assertEquals(50007, node.call("POST", "users/@me/channels", bob.token(),
                    "{\"recipient_id\":\"" + otherBot.id() + "\"}").body().path("code").asInt(), "not bot to bot");
            }
        }
    }
}
