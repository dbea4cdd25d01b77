package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * An interaction made while the bot's connection is down reaches it when it RESUMEs: INTERACTION_CREATE is replayed
 * with the missed events, and the bot's answer through the callback works (the invoker hears INTERACTION_SUCCESS).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteractionResumeTest
{
    private static final int INTENTS = GatewayTestClient.ALL_MESSAGES;

    @Test
    void anInteractionMissedWhileDisconnectedIsReplayedOnResume()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User alice = node.register("ixr-alice", false);
            final TestNode.User bot = node.register("ixr-bot");
            final JsonNode guild = node.createGuild(alice, "ixr-guild");
            final String guildId = guild.path("id").asText();
            final String channel = guild.path("channels").get(0).path("id").asText();
            node.join(alice, channel, bot);
            final String ping = node.ok("PUT", "applications/" + bot.id() + "/guilds/" + guildId + "/commands",
                bot.token(), "[{\"name\":\"ping\",\"description\":\"Pings\"}]").get(0).path("id").asText();
            try (GatewayTestClient a = GatewayTestClient.connect(node.gatewayUrl()))
            {
                a.identifyAndAwait(alice.token(), INTENTS, 1);
                final String sessionId;
                final String resumeUrl;
                final long lastSeq;
                try (GatewayTestClient b = GatewayTestClient.json(node.gatewayUrl()))
                {
                    final JsonNode ready = b.identifyAndAwait(bot.token(), INTENTS, 1);
                    sessionId = ready.path("d").path("session_id").asText();
                    resumeUrl = ready.path("d").path("resume_gateway_url").asText();
                    final JsonNode marker = node.ok("POST", "channels/" + channel + "/messages", alice.token(),
                        "{\"content\":\"before\"}");
                    final JsonNode seen = b.nextDispatch("MESSAGE_CREATE");
                    assertEquals(marker.path("id").asText(), seen.path("d").path("id").asText());
                    lastSeq = seen.path("s").asLong();
                    b.abort(); // the network drops: the session stays resumable
                }
                assertEquals(204, node.call("POST", "interactions", alice.token(), "{\"type\":2,\"application_id\":\""
                    + bot.id() + "\",\"guild_id\":\"" + guildId + "\",\"channel_id\":\"" + channel
                    + "\",\"session_id\":\"s\",\"nonce\":\"r1\",\"data\":{\"id\":\"" + ping
                    + "\",\"name\":\"ping\",\"type\":1}}").status());
                try (GatewayTestClient b = GatewayTestClient.connect(resumeUrl + "?v=10&encoding=json"))
                {
                    b.resume(bot.token(), sessionId, lastSeq);
                    final List<JsonNode> replayed = b.until("RESUMED").stream()
                        .filter(n -> "INTERACTION_CREATE".equals(n.path("t").asText())).toList();
                    assertEquals(1, replayed.size(), "the missed interaction is replayed");
                    final JsonNode ix = replayed.get(0).path("d");
                    assertEquals("ping", ix.path("data").path("name").asText());
                    assertEquals(204, node.call("POST", "interactions/" + ix.path("id").asText() + "/"
                        + ix.path("token").asText() + "/callback", null,
                        "{\"type\":4,\"data\":{\"content\":\"pong after a resume\"}}").status());
                    // both reach the invoker, in either order (the answer's message and the success are two events)
                    final java.util.Map<String, JsonNode> seen = new java.util.HashMap<>();
                    while (seen.size() < 2)
                    {
                        final JsonNode e = a.next(n -> "INTERACTION_SUCCESS".equals(n.path("t").asText())
                            || "MESSAGE_CREATE".equals(n.path("t").asText())
                            && "pong after a resume".equals(n.path("d").path("content").asText()), "the answer");
                        seen.put(e.path("t").asText(), e.path("d"));
                    }
                    assertEquals("r1", seen.get("INTERACTION_SUCCESS").path("nonce").asText());
                    assertEquals("pong after a resume", seen.get("MESSAGE_CREATE").path("content").asText());
                }
            }
        }
    }
}
