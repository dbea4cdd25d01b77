package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Reactions over REST v10 and the gateway: add/remove one's own, remove someone else's with MANAGE_MESSAGES, list
 * who reacted, clear one emoji or all, Discord's limits (20 emojis, unknown emoji 10014), {@code reactions[]} with
 * {@code count} and a per-reader {@code me} on reads, and the MESSAGE_REACTION_* events for sessions holding
 * GUILD_MESSAGE_REACTIONS.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReactionsTest
{
    private static final int REACTIONS = 1 << 10;
    private static final String THUMBS = URLEncoder.encode("👍", StandardCharsets.UTF_8);
    private static TestNode node;
    private static TestNode.User alice;
    private static TestNode.User bob;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(2);
        final TestNode.Pair pair = node.pair("react");
        alice = pair.owner();
        bob = pair.member();
        channelId = pair.channelId();
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static String message(final TestNode.User who)
    {
        return "channels/" + channelId + "/messages/" + node.ok("POST", "channels/" + channelId + "/messages",
            who.token(), "{\"content\":\"react to me\"}").path("id").asText();
    }

    @Test
    void reactionsAreCountedPerReaderAndAnnounced()
    {
        try (GatewayTestClient watcher = GatewayTestClient.connect(node.gatewayUrl()))
        {
            watcher.identifyAndAwait(alice.token(), GatewayTestClient.GUILDS | REACTIONS, 1);
            final String m = message(alice);
            assertEquals(204, node.call("PUT", m + "/reactions/" + THUMBS + "/@me", bob.token(), null).status());
            final JsonNode added = watcher.nextDispatch("MESSAGE_REACTION_ADD").path("d");
            assertEquals(bob.id(), added.path("user_id").asText());
            assertEquals("👍", added.path("emoji").path("name").asText());
            assertTrue(added.path("emoji").path("id").isNull());
            assertEquals(alice.id(), added.path("message_author_id").asText());
            assertEquals(bob.id(), added.path("member").path("user").path("id").asText());
            assertEquals(204, node.call("PUT", m + "/reactions/" + THUMBS + "/@me", alice.token(), null).status());
            assertEquals(204, node.call("PUT", m + "/reactions/" + THUMBS + "/@me", alice.token(), null).status(),
                "twice is once");

            final JsonNode asBob = node.ok("GET", m, bob.token(), null).path("reactions");
            assertEquals(1, asBob.size());
            assertEquals(2, asBob.get(0).path("count").asInt());
            assertTrue(asBob.get(0).path("me").asBoolean());
            final JsonNode users = node.ok("GET", m + "/reactions/" + THUMBS, bob.token(), null);
            assertEquals(2, users.size());

            assertEquals(204, node.call("DELETE", m + "/reactions/" + THUMBS + "/@me", bob.token(), null).status());
            assertEquals(bob.id(), watcher.nextDispatch("MESSAGE_REACTION_REMOVE").path("d").path("user_id").asText());
            final JsonNode asBobAgain = node.ok("GET", m, bob.token(), null).path("reactions").get(0);
            assertEquals(1, asBobAgain.path("count").asInt());
            assertFalse(asBobAgain.path("me").asBoolean());

            assertEquals(403, node.call("DELETE", m + "/reactions/" + THUMBS + "/" + alice.id(), bob.token(), null)
                .status(), "someone else's needs MANAGE_MESSAGES");
            assertEquals(204, node.call("DELETE", m + "/reactions", alice.token(), null).status());
            assertEquals("MESSAGE_REACTION_REMOVE_ALL", watcher.next(n -> n.path("t").asText()
                .startsWith("MESSAGE_REACTION_REMOVE_ALL"), "remove all").path("t").asText());
            assertTrue(node.ok("GET", m, bob.token(), null).path("reactions").isMissingNode());
        }
    }

    @Test
    void limitsAndBadEmojis()
    {
        final String m = message(bob);
        assertEquals(400, node.call("PUT", m + "/reactions/abc/@me", alice.token(), null).status());
        assertEquals(10014, node.call("PUT", m + "/reactions/party:123/@me", alice.token(), null).body().path("code")
            .asInt());
        for (int i = 0; i < 20; i++)
        {
            final String e = URLEncoder.encode(new String(Character.toChars(0x1F600 + i)), StandardCharsets.UTF_8);
            assertEquals(204, node.call("PUT", m + "/reactions/" + e + "/@me", alice.token(), null).status());
        }
        final String one = URLEncoder.encode(new String(Character.toChars(0x1F680)), StandardCharsets.UTF_8);
        final TestNode.Response full = node.call("PUT", m + "/reactions/" + one + "/@me", alice.token(), null);
        assertEquals(400, full.status());
        assertEquals(30010, full.body().path("code").asInt());
        assertEquals(20, node.ok("GET", m, alice.token(), null).path("reactions").size());
        assertEquals(404, node.call("PUT", "channels/" + channelId + "/messages/42/reactions/" + THUMBS + "/@me",
            alice.token(), null).status());
    }
}
