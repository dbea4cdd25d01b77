package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.server.voice.VoiceNode;
import dev.pinwheel.voicesfu.VoiceConfiguration;

/**
 * The voice gateway's inbound limit, spoken raw over {@code wss://}: a member flooding SPEAKING (each relayed to the
 * whole room) is closed with 4008 once past {@code pinwheel.voice.inbound-payloads-per-minute}, and the room saw no
 * more of its payloads than that; the other member's connection stays up and answers heartbeats. Before the limit,
 * every one of the flood's payloads was relayed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class VoiceGatewayRateLimitTest
{
    @Test
    void aFloodOfSpeakingIsClosedWith4008AndTheRoomGoesOn() throws Exception
    {
        final int limit = VoiceConfiguration.INBOUND_PER_MINUTE_DEFAULT;
        try (VoiceNode node = new VoiceNode("aead_aes256_gcm_rtpsize"))
        {
            final TestNode.User alice = node.register("alice");
            final TestNode.User bob = node.register("bob");
            final String[] ids = node.guildWithVoice(alice, bob);
            final String guildId = ids[0];
            final VoiceGatewayResumeTest.Voice a = VoiceGatewayResumeTest.join(node, alice, guildId, ids[2]);
            final VoiceGatewayResumeTest.Voice b = VoiceGatewayResumeTest.join(node, bob, guildId, ids[2]);
            try (GatewayTestClient ignoredMainA = a.main(); GatewayTestClient ignoredMainB = b.main())
            {
                final GatewayTestClient va = VoiceGatewayResumeTest.open(a);
                VoiceGatewayResumeTest.identify(va, a, guildId);
                final GatewayTestClient vb = VoiceGatewayResumeTest.open(b);
                final long bobSsrc = VoiceGatewayResumeTest.identify(vb, b, guildId).path("ssrc").asLong();
                va.nextOp(11); // CLIENTS_CONNECT: bob is there

                // bob has sent IDENTIFY: the rest of his minute's payloads, then as many again
                final int flood = 2 * limit;
                for (int i = 0; i < flood; i++)
                {
                    vb.send("{\"op\":5,\"d\":{\"speaking\":" + (i & 1) + ",\"delay\":0,\"ssrc\":" + bobSsrc + "}}");
                }
                final GatewayTestClient.Close close = vb.awaitClose();
                assertEquals(4008, close.code(), "flood closed: " + close);

                // alice heartbeats; everything relayed before her answer is counted
                va.send("{\"op\":3,\"d\":{\"t\":7,\"seq_ack\":0}}");
                int relayed = 0;
                while (true)
                {
                    final JsonNode n = va.next(m -> m.path("op").asInt() == 5 || m.path("op").asInt() == 6,
                        "SPEAKING or HEARTBEAT_ACK");
                    if (n.path("op").asInt() == 6)
                    {
                        assertEquals(7, n.path("d").path("t").asInt());
                        break;
                    }
                    relayed++;
                }
                assertTrue(relayed <= limit - 1, "relayed " + relayed + " of the flood's " + flood
                    + " payloads (at most the limit, IDENTIFY counted)");
                assertTrue(relayed > 0, "SPEAKING below the limit is relayed");
                va.close();
            }
        }
    }
}
