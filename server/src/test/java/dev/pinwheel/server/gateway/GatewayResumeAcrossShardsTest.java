package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * A RESUME that reaches a shard other than its session's — a client resuming on the shared port instead of
 * {@code resume_gateway_url}, where SO_REUSEPORT picks any shard — is handed to the session's shard (the
 * connection moves event loops) and resumes normally: missed events replayed in order, then RESUMED, then live
 * events, and payloads sent right behind the RESUME are not lost. Forced here by resuming on the other shard's own
 * port.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayResumeAcrossShardsTest
{
    @Test
    void aResumeOnTheWrongShardIsHandedToTheSessionsShard()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.Pair pair = node.pair("cross");
            final String messages = "channels/" + pair.channelId() + "/messages";
            final String sessionId;
            final long seq;
            try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
            {
                final JsonNode ready = c.identifyAndAwait(pair.member().token(), ALL_MESSAGES, 1);
                sessionId = ready.path("d").path("session_id").asText();
                node.ok("POST", messages, pair.owner().token(), "{\"content\":\"seen\"}");
                seq = c.nextDispatch("MESSAGE_CREATE").path("s").asLong();
                c.abort();
            }
            final String missed = node.ok("POST", messages, pair.owner().token(), "{\"content\":\"missed\"}")
                .path("id").asText();
            final int home = Integer.parseInt(sessionId.substring(0, 2), 16);
            final int other = 1 - home;
            final int otherPort = node.server().gateway().context().resumePort(other);
            assertNotEquals(node.server().gateway().context().resumePort(home), otherPort);
            try (GatewayTestClient c = GatewayTestClient.json("ws://127.0.0.1:" + otherPort))
            {
                c.resume(pair.member().token(), sessionId, seq);
                c.send("{\"op\":1,\"d\":" + seq + "}"); // right behind the RESUME: read before the hand-over
                final List<JsonNode> dispatches = c.until("RESUMED").stream()
                    .filter(n -> n.path("op").asInt() == 0).toList();
                assertEquals(2, dispatches.size(), dispatches.toString());
                assertEquals(missed, dispatches.get(0).path("d").path("id").asText());
                assertEquals(seq + 1, dispatches.get(0).path("s").asLong());
                c.nextOp(11); // the heartbeat sent behind the RESUME was answered, not dropped
                final String live = node.ok("POST", messages, pair.owner().token(), "{\"content\":\"live\"}")
                    .path("id").asText();
                final JsonNode next = c.nextDispatch("MESSAGE_CREATE");
                assertEquals(live, next.path("d").path("id").asText());
                assertEquals(seq + 3, next.path("s").asLong());
            }
        }
    }
}
