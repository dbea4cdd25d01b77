package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Messages beyond plain text, as bots send them: {@code embeds} (Discord's fields and limits; unknown fields
 * dropped; an embed alone is a message) and replies ({@code message_reference} → type 19 with
 * {@code referenced_message}; an unknown target is 400 unless {@code fail_if_not_exists: false}). Kept across
 * reads, edits and the gateway; a session without MESSAGE_CONTENT gets neither text nor embeds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageEmbedsAndRepliesTest
{
    private static TestNode node;
    private static TestNode.User alice;
    private static TestNode.User bob;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(2);
        final TestNode.Pair pair = node.pair("embed");
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

    private static String messages()
    {
        return "channels/" + channelId + "/messages";
    }

    @Test
    void anEmbedIsKeptReadBackEditedAndDispatched()
    {
        try (GatewayTestClient full = GatewayTestClient.connect(node.gatewayUrl());
             GatewayTestClient blind = GatewayTestClient.connect(node.gatewayUrl()))
        {
            full.identifyAndAwait(bob.token(), GatewayTestClient.ALL_MESSAGES, 1);
            blind.identifyAndAwait(bob.token(), GatewayTestClient.GUILDS | GatewayTestClient.GUILD_MESSAGES, 1);
            final JsonNode sent = node.ok("POST", messages(), alice.token(), "{\"embeds\":[{\"title\":\"Release\","
                + "\"description\":\"v1 is out\",\"color\":3066993,\"fields\":[{\"name\":\"a\",\"value\":\"b\","
                + "\"inline\":true}],\"footer\":{\"text\":\"ci\"},\"video\":{\"url\":\"x\"},\"bogus\":1}]}");
            final JsonNode embed = sent.path("embeds").get(0);
            assertEquals("", sent.path("content").asText());
            assertEquals("rich", embed.path("type").asText());
            assertEquals("Release", embed.path("title").asText());
            assertEquals(3066993, embed.path("color").asInt());
            assertEquals("b", embed.path("fields").get(0).path("value").asText());
            assertTrue(embed.path("fields").get(0).path("inline").asBoolean());
            assertTrue(embed.path("video").isMissingNode() && embed.path("bogus").isMissingNode(), embed.toString());

            final String id = sent.path("id").asText();
            assertEquals(embed, node.ok("GET", messages() + "/" + id, bob.token(), null).path("embeds").get(0));
            final JsonNode created = full.next(n -> "MESSAGE_CREATE".equals(n.path("t").asText())
                && id.equals(n.path("d").path("id").asText()), "MESSAGE_CREATE with the embed");
            assertEquals(embed, created.path("d").path("embeds").get(0));
            final JsonNode redacted = blind.next(n -> "MESSAGE_CREATE".equals(n.path("t").asText())
                && id.equals(n.path("d").path("id").asText()), "MESSAGE_CREATE without MESSAGE_CONTENT");
            assertEquals(0, redacted.path("d").path("embeds").size(), redacted.toString());

            final JsonNode edited = node.ok("PATCH", messages() + "/" + id, alice.token(),
                "{\"content\":\"now with words\",\"embeds\":[{\"title\":\"Release 2\"}]}");
            assertEquals("now with words", edited.path("content").asText());
            assertEquals("Release 2", edited.path("embeds").get(0).path("title").asText());
            assertEquals(1, node.ok("GET", messages() + "/" + id, bob.token(), null).path("embeds").size());
        }
    }

    @Test
    void badEmbedsAreRefusedWithFieldErrors()
    {
        final String tooMany = "{\"embeds\":[" + "{\"title\":\"x\"},".repeat(10) + "{\"title\":\"x\"}]}";
        assertEquals(400, node.call("POST", messages(), alice.token(), tooMany).status());
        assertEquals(400, node.call("POST", messages(), alice.token(), "{\"embeds\":{\"title\":\"x\"}}").status());
        assertEquals(400, node.call("POST", messages(), alice.token(),
            "{\"embeds\":[{\"title\":\"" + "t".repeat(257) + "\"}]}").status());
        final String big = "{\"embeds\":[" + ("{\"description\":\"" + "d".repeat(4000) + "\"},").repeat(1)
            + "{\"description\":\"" + "d".repeat(2001) + "\"}]}";
        final TestNode.Response r = node.call("POST", messages(), alice.token(), big);
        assertEquals(400, r.status());
        assertEquals(50035, r.body().path("code").asInt());
        assertEquals(400, node.call("POST", messages(), alice.token(), "{\"embeds\":[]}").status(), "empty message");
    }

    @Test
    void aReplyCarriesItsReferenceAndTheMessageItAnswers()
    {
        final String original = node.ok("POST", messages(), bob.token(), "{\"content\":\"question?\"}").path("id")
            .asText();
        final JsonNode reply = node.ok("POST", messages(), alice.token(), "{\"content\":\"answer\","
            + "\"message_reference\":{\"message_id\":\"" + original + "\"}}");
        assertEquals(19, reply.path("type").asInt());
        assertEquals(original, reply.path("message_reference").path("message_id").asText());
        assertEquals(channelId, reply.path("message_reference").path("channel_id").asText());
        assertEquals("question?", reply.path("referenced_message").path("content").asText());
        final JsonNode read = node.ok("GET", messages() + "/" + reply.path("id").asText(), bob.token(), null);
        assertEquals(19, read.path("type").asInt());
        assertEquals(original, read.path("message_reference").path("message_id").asText());

        final String unknown = "{\"content\":\"to nothing\",\"message_reference\":{\"message_id\":\"12345\"}}";
        final TestNode.Response refused = node.call("POST", messages(), alice.token(), unknown);
        assertEquals(400, refused.status());
        assertEquals(50035, refused.body().path("code").asInt());
        final JsonNode lenient = node.ok("POST", messages(), alice.token(), "{\"content\":\"to nothing\","
            + "\"message_reference\":{\"message_id\":\"12345\",\"fail_if_not_exists\":false}}");
        assertEquals(0, lenient.path("type").asInt());
        assertTrue(lenient.path("message_reference").isMissingNode(), lenient.toString());
    }
}
