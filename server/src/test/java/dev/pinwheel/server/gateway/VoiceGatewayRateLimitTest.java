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
    private static final int VOICE_STATES = 1 << 7;

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
            try (GatewayTestClient mainA = GatewayTestClient.connect(node.gatewayUrl());
                GatewayTestClient mainB = GatewayTestClient.connect(node.gatewayUrl()))
            {
                final String[] a = join(mainA, alice, guildId, ids[2]);
                final String[] b = join(mainB, bob, guildId, ids[2]);
                final GatewayTestClient va = open(a[2]);
                identify(va, alice, a, guildId);
                final GatewayTestClient vb = open(b[2]);
                final long bobSsrc = identify(vb, bob, b, guildId).path("ssrc").asLong();
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

    /** @return {session id, token, voice gateway url} */
    private static String[] join(final GatewayTestClient main, final TestNode.User user, final String guildId,
        final String channelId)
    {
        main.identifyAndAwait(user.token(), GatewayTestClient.GUILDS | VOICE_STATES, 1);
        main.send("{\"op\":4,\"d\":{\"guild_id\":\"" + guildId + "\",\"channel_id\":\"" + channelId
            + "\",\"self_mute\":false,\"self_deaf\":false}}");
        final JsonNode state = main.next(n -> "VOICE_STATE_UPDATE".equals(n.path("t").asText())
            && user.id().equals(n.path("d").path("user_id").asText()), "own VOICE_STATE_UPDATE");
        final JsonNode server = main.nextDispatch("VOICE_SERVER_UPDATE");
        return new String[] {state.path("d").path("session_id").asText(), server.path("d").path("token").asText(),
            "wss://" + server.path("d").path("endpoint").asText() + "/?v=8"};
    }

    private static GatewayTestClient open(final String url)
    {
        final GatewayTestClient c = GatewayTestClient.connect(url, VoiceNode.trustingVoiceCertificate());
        c.nextOp(8); // HELLO
        return c;
    }

    private static JsonNode identify(final GatewayTestClient c, final TestNode.User user, final String[] v,
        final String guildId)
    {
        c.send("{\"op\":0,\"d\":{\"server_id\":\"" + guildId + "\",\"user_id\":\"" + user.id()
            + "\",\"session_id\":\"" + v[0] + "\",\"token\":\"" + v[1] + "\"}}");
        return c.nextOp(2).path("d"); // READY
    }
}
