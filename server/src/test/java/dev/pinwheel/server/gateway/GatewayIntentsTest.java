package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static dev.pinwheel.server.gateway.GatewayTestClient.GUILDS;
import static dev.pinwheel.server.gateway.GatewayTestClient.GUILD_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Intent filtering: MESSAGE_CONTENT redacts others' content (never one's own); without GUILD_MESSAGES
 * there are no message events and without GUILD_MESSAGE_TYPING no TYPING_START — checked against a later
 * event the session does get (CHANNEL_CREATE), which the guild's FIFO order puts after them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayIntentsTest
{
    private static final int TYPING = 1 << 11;
    private static TestNode node;
    private static TestNode.User owner;
    private static TestNode.User noContent;
    private static TestNode.User noMessages;
    private static TestNode.User full;
    private static String guildId;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1);
        owner = node.register("intents-owner");
        noContent = node.register("no-content");
        noMessages = node.register("no-messages");
        full = node.register("full-intents");
        final JsonNode g = node.createGuild(owner, "intents guild");
        guildId = g.path("id").asText();
        channelId = g.path("channels").get(0).path("id").asText();
        node.join(owner, channelId, noContent);
        node.join(owner, channelId, noMessages);
        node.join(owner, channelId, full);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static String post(final TestNode.User u, final String content)
    {
        return node.ok("POST", "channels/" + channelId + "/messages", u.token(),
            "{\"content\":\"" + content + "\"}").path("id").asText();
    }

    @Test
    void intentsFilterAndRedactDispatches()
    {
        try (GatewayTestClient b = GatewayTestClient.json(node.gatewayUrl());
            GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl());
            GatewayTestClient f = GatewayTestClient.json(node.gatewayUrl()))
        {
            b.identifyAndAwait(noContent.token(), GUILDS | GUILD_MESSAGES, 1);
            c.identifyAndAwait(noMessages.token(), GUILDS, 1);
            f.identifyAndAwait(full.token(), ALL_MESSAGES | TYPING, 1);

            final String fromOwner = post(owner, "secret from owner");
            final String fromB = post(noContent, "b's own words");
            node.ok("PATCH", "channels/" + channelId + "/messages/" + fromOwner, owner.token(),
                "{\"content\":\"edited secret\"}");
            node.ok("POST", "channels/" + channelId + "/typing", owner.token(), null);
            final String newChannel = node.ok("POST", "guilds/" + guildId + "/channels", owner.token(),
                "{\"name\":\"after-messages\",\"type\":0}").path("id").asText();

            // Without MESSAGE_CONTENT: others' content is empty, one's own is kept.
            final List<JsonNode> bSeen = dispatches(b.until("CHANNEL_CREATE"));
            assertEquals(List.of("MESSAGE_CREATE", "MESSAGE_CREATE", "MESSAGE_UPDATE", "CHANNEL_CREATE"),
                types(bSeen), "no TYPING_START without GUILD_MESSAGE_TYPING");
            assertEquals(fromOwner, bSeen.get(0).path("d").path("id").asText());
            assertEquals("", bSeen.get(0).path("d").path("content").asText(),
                "others' content is redacted without MESSAGE_CONTENT: " + bSeen.get(0));
            assertTrue(bSeen.get(0).path("d").has("content"), "content present (empty)");
            assertEquals(owner.id(), bSeen.get(0).path("d").path("author").path("id").asText(),
                "only the content is redacted");
            assertEquals(fromB, bSeen.get(1).path("d").path("id").asText());
            assertEquals("b's own words", bSeen.get(1).path("d").path("content").asText(),
                "one's own messages keep their content");
            assertEquals("", bSeen.get(2).path("d").path("content").asText(), "MESSAGE_UPDATE redacted too");
            assertEquals(newChannel, bSeen.get(3).path("d").path("id").asText());

            // Without GUILD_MESSAGES: no message events at all before the later CHANNEL_CREATE.
            final List<JsonNode> cSeen = dispatches(c.until("CHANNEL_CREATE"));
            assertEquals(List.of("CHANNEL_CREATE"), types(cSeen), "GUILDS only: " + cSeen);
            assertEquals(newChannel, cSeen.get(0).path("d").path("id").asText());

            // With everything: full content, same order.
            final List<JsonNode> fSeen = dispatches(f.until("CHANNEL_CREATE"));
            assertEquals(List.of("MESSAGE_CREATE", "MESSAGE_CREATE", "MESSAGE_UPDATE", "TYPING_START",
                "CHANNEL_CREATE"), types(fSeen));
            assertEquals("secret from owner", fSeen.get(0).path("d").path("content").asText());
            assertEquals("b's own words", fSeen.get(1).path("d").path("content").asText());
            assertEquals("edited secret", fSeen.get(2).path("d").path("content").asText());

            for (final GatewayTestClient x : List.of(b, c, f))
            {
                long expected = 1;
                for (final JsonNode d : dispatches(x.received()))
                {
                    assertEquals(expected++, d.path("s").asLong(), "filtered events do not consume s");
                }
            }
        }
    }

    private static List<JsonNode> dispatches(final List<JsonNode> payloads)
    {
        return payloads.stream().filter(n -> n.path("op").asInt() == 0).toList();
    }

    private static List<String> types(final List<JsonNode> dispatches)
    {
        return dispatches.stream().map(n -> n.path("t").asText()).toList();
    }
}
