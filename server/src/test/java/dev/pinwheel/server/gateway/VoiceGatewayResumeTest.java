package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.server.voice.VoiceNode;

/**
 * Voice gateway v8 buffered resume, spoken raw over {@code wss://}: numbered messages (CLIENTS_CONNECT, SPEAKING,
 * CLIENT_DISCONNECT) are kept per voice session until a heartbeat acknowledges them; a client whose socket drops
 * resumes with {@code seq_ack} and gets exactly what it missed, in order, with the original numbers. A
 * {@code seq_ack} the server cannot honour closes with 4006 so the client identifies afresh.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class VoiceGatewayResumeTest
{
    private static final int VOICE_STATES = 1 << 7;

    /** One user's main-gateway session and voice credentials. */
    record Voice(TestNode.User user, GatewayTestClient main, String sessionId, String token, String url)
    {
    }

    static Voice join(final VoiceNode node, final TestNode.User user, final String guildId,
        final String channelId)
    {
        final GatewayTestClient main = GatewayTestClient.connect(node.gatewayUrl());
        main.identifyAndAwait(user.token(), GatewayTestClient.GUILDS | VOICE_STATES, 1);
        main.send("{\"op\":4,\"d\":{\"guild_id\":\"" + guildId + "\",\"channel_id\":\"" + channelId
            + "\",\"self_mute\":false,\"self_deaf\":false}}");
        final JsonNode state = main.next(n -> "VOICE_STATE_UPDATE".equals(n.path("t").asText())
            && user.id().equals(n.path("d").path("user_id").asText()), "own VOICE_STATE_UPDATE");
        final JsonNode server = main.nextDispatch("VOICE_SERVER_UPDATE");
        return new Voice(user, main, state.path("d").path("session_id").asText(),
            server.path("d").path("token").asText(), "wss://" + server.path("d").path("endpoint").asText() + "/?v=8");
    }

    static GatewayTestClient open(final Voice v)
    {
        final GatewayTestClient c = GatewayTestClient.connect(v.url(), VoiceNode.trustingVoiceCertificate());
        c.nextOp(8); // HELLO
        return c;
    }

    static JsonNode identify(final GatewayTestClient c, final Voice v, final String guildId)
    {
        c.send("{\"op\":0,\"d\":{\"server_id\":\"" + guildId + "\",\"user_id\":\"" + v.user().id()
            + "\",\"session_id\":\"" + v.sessionId() + "\",\"token\":\"" + v.token() + "\"}}");
        return c.nextOp(2).path("d"); // READY
    }

    private static String resume(final String guildId, final Voice v, final long seqAck)
    {
        return "{\"op\":7,\"d\":{\"server_id\":\"" + guildId + "\",\"session_id\":\"" + v.sessionId()
            + "\",\"token\":\"" + v.token() + "\",\"seq_ack\":" + seqAck + "}}";
    }

    @Test
    void aResumedSessionGetsWhatItMissedInOrderAndAnImpossibleSeqAckIsRefused() throws Exception
    {
        try (VoiceNode node = new VoiceNode("aead_aes256_gcm_rtpsize"))
        {
            final TestNode.User alice = node.register("alice");
            final TestNode.User bob = node.register("bob");
            final String[] ids = node.guildWithVoice(alice, bob);
            final String guildId = ids[0];
            final Voice a = join(node, alice, guildId, ids[2]);
            final Voice b = join(node, bob, guildId, ids[2]);
            try (GatewayTestClient ignoredMainA = a.main(); GatewayTestClient ignoredMainB = b.main())
            {
                final GatewayTestClient va = open(a);
                identify(va, a, guildId);
                final GatewayTestClient vb = open(b);
                final long bobSsrc = identify(vb, b, guildId).path("ssrc").asLong();
                // READY first, then who is already there (nextOp skips: an earlier CLIENTS_CONNECT would be lost)
                assertEquals(alice.id(), vb.nextOp(11).path("d").path("user_ids").get(0).asText());
                final JsonNode connect = va.nextOp(11);
                assertEquals(bob.id(), connect.path("d").path("user_ids").get(0).asText());
                final long seen = connect.path("seq").asLong();

                va.abort(); // alice's socket drops; her session waits in its resume window
                vb.send("{\"op\":5,\"d\":{\"speaking\":1,\"delay\":0,\"ssrc\":" + bobSsrc + "}}");
                vb.send("{\"op\":5,\"d\":{\"speaking\":0,\"delay\":0,\"ssrc\":" + bobSsrc + "}}");

                final GatewayTestClient va2 = open(a);
                va2.send(resume(guildId, a, seen));
                va2.nextOp(9); // RESUMED
                final JsonNode first = va2.nextOp(5);
                final JsonNode second = va2.nextOp(5);
                assertEquals(seen + 1, first.path("seq").asLong(), first.toString());
                assertEquals(1, first.path("d").path("speaking").asInt());
                assertEquals(bob.id(), first.path("d").path("user_id").asText());
                assertEquals(bobSsrc, first.path("d").path("ssrc").asLong());
                assertEquals(seen + 2, second.path("seq").asLong(), second.toString());
                assertEquals(0, second.path("d").path("speaking").asInt());

                // acknowledge everything, then claim to have seen less: the server no longer holds it
                va2.send("{\"op\":3,\"d\":{\"t\":1,\"seq_ack\":" + (seen + 2) + "}}");
                va2.nextOp(6);
                va2.abort();
                final GatewayTestClient va3 = open(a);
                va3.send(resume(guildId, a, seen));
                assertEquals(4006, va3.awaitClose().code());
                // and acknowledging a message never sent is refused the same way
                final GatewayTestClient va4 = open(a);
                va4.send(resume(guildId, a, seen + 99));
                assertEquals(4006, va4.awaitClose().code());
                // the honest resume still works
                final GatewayTestClient va5 = open(a);
                va5.send(resume(guildId, a, seen + 2));
                va5.nextOp(9);
                // a refused resume from elsewhere leaves the live connection alone
                final GatewayTestClient intruder = open(a);
                intruder.send(resume(guildId, a, seen + 99));
                assertEquals(4006, intruder.awaitClose().code());
                va5.send("{\"op\":3,\"d\":{\"t\":2,\"seq_ack\":" + (seen + 2) + "}}");
                assertEquals(2, va5.nextOp(6).path("d").path("t").asInt());
                va5.close();
                vb.close();
            }
        }
    }
}
