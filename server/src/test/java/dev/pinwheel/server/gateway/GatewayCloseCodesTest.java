package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static dev.pinwheel.server.gateway.GatewayTestClient.GUILDS;
import static dev.pinwheel.server.gateway.GatewayTestClient.GUILD_MESSAGES;
import static dev.pinwheel.server.gateway.GatewayTestClient.MESSAGE_CONTENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Every gateway close code the server sends (Discord's 4001–4014), on a default node and on a strict one
 * (privileged intents refused, short identify and heartbeat timers).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayCloseCodesTest
{
    private static final int STRICT_HEARTBEAT_MS = 500;
    private static final int STRICT_GRACE_MS = 500;
    private static final int STRICT_IDENTIFY_TIMEOUT_MS = 500;
    private static TestNode node;
    private static TestNode strict;
    private static TestNode.User user;
    private static TestNode.User strictUser;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1);
        strict = new TestNode(1, null, cfg -> cfg.privilegedIntentsAllowed(false)
            .heartbeatIntervalMillis(STRICT_HEARTBEAT_MS).heartbeatGraceMillis(STRICT_GRACE_MS)
            .identifyTimeoutMillis(STRICT_IDENTIFY_TIMEOUT_MS));
        user = node.register("closer");
        node.createGuild(user, "close codes");
        strictUser = strict.register("strict");
        strict.createGuild(strictUser, "strict guild");
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
        if (strict != null)
        {
            strict.close();
        }
    }

    /** Opens a JSON connection and takes its HELLO. */
    private static GatewayTestClient open(final TestNode n)
    {
        final GatewayTestClient c = GatewayTestClient.json(n.gatewayUrl());
        assertEquals(10, c.next().path("op").asInt(), "HELLO first");
        return c;
    }

    private static GatewayTestClient identified(final TestNode n, final TestNode.User u, final int intents)
    {
        final GatewayTestClient c = open(n);
        c.identifyAndAwait(u.token(), intents, 1);
        return c;
    }

    private static void assertClosedWith(final GatewayTestClient c, final int code)
    {
        final GatewayTestClient.Close close = c.awaitClose();
        assertEquals(code, close.code(), "close " + close);
    }

    private static String padded(final int totalBytes)
    {
        final String head = "{\"op\":1,\"d\":null,\"pad\":\"";
        final String tail = "\"}";
        return head + "x".repeat(totalBytes - head.length() - tail.length()) + tail;
    }

    // ---------------------------------------------------------------- 4001

    @Test
    void unknownOpcodeAfterIdentifyIs4001AndTheSessionStaysResumable()
    {
        final String sessionId;
        final String resumeUrl;
        final long seq;
        try (GatewayTestClient c = open(node))
        {
            final JsonNode ready = c.identify(user.token(), ALL_MESSAGES).nextDispatch("READY");
            sessionId = ready.path("d").path("session_id").asText();
            resumeUrl = ready.path("d").path("resume_gateway_url").asText();
            seq = c.nextDispatch("GUILD_CREATE").path("s").asLong();
            c.send("{\"op\":99,\"d\":null}");
            assertClosedWith(c, 4001);
        }
        try (GatewayTestClient c = GatewayTestClient.json(resumeUrl))
        {
            c.resume(user.token(), sessionId, seq);
            final JsonNode resumed = c.next(n -> n.path("op").asInt() == 9 || "RESUMED".equals(n.path("t").asText()),
                "RESUMED or op 9");
            assertEquals("RESUMED", resumed.path("t").asText(), "4001 is resumable: " + resumed);
            assertEquals(seq + 1, resumed.path("s").asLong());
            // Kord requires RESUMED's _trace, as Discord sends it
            assertTrue(resumed.path("d").path("_trace").isArray(), resumed.toString());
        }
    }

    // ---------------------------------------------------------------- 4002

    @Test
    void malformedJsonIs4002()
    {
        try (GatewayTestClient c = open(node))
        {
            c.send("{\"op\":1,\"d\":");
            assertClosedWith(c, 4002);
        }
    }

    @Test
    void nonObjectJsonIs4002()
    {
        for (final String payload : new String[] {"[1,2,3]", "42", "\"op\"", "null", "{\"d\":null}",
            "{\"op\":\"1\",\"d\":null}"})
        {
            try (GatewayTestClient c = open(node))
            {
                c.send(payload);
                final GatewayTestClient.Close close = c.awaitClose();
                assertEquals(4002, close.code(), "payload " + payload + " -> " + close);
            }
        }
    }

    @Test
    void binaryGarbageIs4002()
    {
        try (GatewayTestClient c = open(node))
        {
            c.sendBinary(new byte[] {(byte)0x83, 0x74, 0, 0, 0, 1});
            assertClosedWith(c, 4002);
        }
    }

    @Test
    void payloadOfExactlyTheLimitIsAccepted()
    {
        try (GatewayTestClient c = open(node))
        {
            final String p = padded(4096);
            assertEquals(4096, p.length());
            c.send(p);
            assertEquals(11, c.next().path("op").asInt(), "a 4096-byte heartbeat is within the limit");
        }
    }

    @Test
    void payloadOverTheLimitInOneFrameIs4002()
    {
        try (GatewayTestClient c = open(node))
        {
            c.send(padded(4097));
            assertClosedWith(c, 4002);
            assertTrue(c.received().stream().noneMatch(n -> n.path("op").asInt() == 11), "no ACK for it");
        }
    }

    @Test
    void smallFragmentsAreReassembled()
    {
        try (GatewayTestClient c = open(node))
        {
            c.sendFragments("{\"op\"", ":1,\"d\"", ":null}");
            assertEquals(11, c.next().path("op").asInt(), "a fragmented heartbeat is one payload");
        }
    }

    @Test
    void fragmentsTotallingOverTheLimitAre4002()
    {
        try (GatewayTestClient c = open(node))
        {
            final String whole = padded(5000);
            final String[] parts = new String[5];
            for (int i = 0; i < 5; i++)
            {
                parts[i] = whole.substring(i * 1000, (i + 1) * 1000);
            }
            c.sendFragments(parts);
            assertClosedWith(c, 4002);
            assertTrue(c.received().stream().noneMatch(n -> n.path("op").asInt() == 11), "no ACK for it");
        }
    }

    @Test
    void etfEncodingIs4002()
    {
        try (GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl() + "/?v=10&encoding=etf"))
        {
            assertEquals(10, c.next().path("op").asInt(), "HELLO before the close");
            assertClosedWith(c, 4002);
        }
    }

    // ---------------------------------------------------------------- 4003, 4004, 4005

    @Test
    void presenceBeforeIdentifyIs4003()
    {
        try (GatewayTestClient c = open(node))
        {
            c.send("{\"op\":3,\"d\":{\"since\":null,\"activities\":[],\"status\":\"online\",\"afk\":false}}");
            assertClosedWith(c, 4003);
        }
    }

    @Test
    void badTokenIs4004()
    {
        try (GatewayTestClient c = open(node))
        {
            c.identify("not-a-token", ALL_MESSAGES);
            assertClosedWith(c, 4004);
            assertTrue(c.received().stream().noneMatch(n -> n.path("op").asInt() == 0), "no dispatch");
        }
        try (GatewayTestClient c = open(node))
        {
            c.resume("not-a-token", "0123456789abcdef0123456789abcdef", 1);
            assertClosedWith(c, 4004);
        }
    }

    @Test
    void secondIdentifyIs4005()
    {
        try (GatewayTestClient c = identified(node, user, ALL_MESSAGES))
        {
            c.identify(user.token(), ALL_MESSAGES);
            assertClosedWith(c, 4005);
        }
    }

    // ---------------------------------------------------------------- 4007, 4008

    @Test
    void resumeWithSeqAheadOfTheSessionIs4007()
    {
        final String sessionId;
        final String resumeUrl;
        final long seq;
        try (GatewayTestClient c = open(node))
        {
            final JsonNode ready = c.identify(user.token(), ALL_MESSAGES).nextDispatch("READY");
            sessionId = ready.path("d").path("session_id").asText();
            resumeUrl = ready.path("d").path("resume_gateway_url").asText();
            seq = c.nextDispatch("GUILD_CREATE").path("s").asLong();
            c.sendClose(4000, "going away to resume");
            c.awaitClose();
        }
        try (GatewayTestClient c = GatewayTestClient.json(resumeUrl))
        {
            c.resume(user.token(), sessionId, seq + 100);
            assertClosedWith(c, 4007);
        }
    }

    @Test
    void moreThan120PayloadsPerMinuteIs4008()
    {
        try (GatewayTestClient c = open(node))
        {
            for (int i = 0; i < 121; i++)
            {
                c.heartbeat(null);
            }
            assertClosedWith(c, 4008);
            final long acks = c.received().stream().filter(n -> n.path("op").asInt() == 11).count();
            assertEquals(120, acks, "the first 120 payloads are served");
        }
    }

    // ---------------------------------------------------------------- 4009

    @Test
    void noIdentifyIs4009()
    {
        final long start = System.nanoTime();
        try (GatewayTestClient c = open(strict))
        {
            assertClosedWith(c, 4009);
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= STRICT_IDENTIFY_TIMEOUT_MS - 50, "closed after " + ms + " ms, before the timeout");
        }
    }

    @Test
    void silentSessionIsAskedForAHeartbeatThenClosedWith4009()
    {
        final String sessionId;
        final String resumeUrl;
        try (GatewayTestClient c = open(strict))
        {
            final JsonNode ready = c.identify(strictUser.token(), GUILDS | GUILD_MESSAGES).nextDispatch("READY");
            sessionId = ready.path("d").path("session_id").asText();
            resumeUrl = ready.path("d").path("resume_gateway_url").asText();
            final JsonNode request = c.nextOp(1);
            assertFalse(c.isClosed(), "op 1 must come before the close");
            assertTrue(request.has("d"), request.toString());
            assertClosedWith(c, 4009);
        }
        try (GatewayTestClient c = GatewayTestClient.json(resumeUrl))
        {
            c.heartbeat(null);
            c.resume(strictUser.token(), sessionId, 1);
            final JsonNode invalid = c.next(n -> n.path("op").asInt() == 9 || n.path("op").asInt() == 0,
                "op 9 or a dispatch");
            assertEquals(9, invalid.path("op").asInt(), "a timed-out session is gone: " + invalid);
            assertFalse(invalid.path("d").asBoolean(true));
        }
    }

    @Test
    void answeringHeartbeatRequestsKeepsTheSessionAlive()
    {
        try (GatewayTestClient c = open(strict))
        {
            c.identifyAndAwait(strictUser.token(), GUILDS | GUILD_MESSAGES, 1);
            // Three rounds of (server asks, client answers) span well over interval + grace.
            for (int i = 0; i < 3; i++)
            {
                c.nextOp(1);
                c.heartbeat(null);
                c.nextOp(11);
            }
            assertFalse(c.isClosed(), "a session that answers op 1 must not time out: " + c.received());
        }
    }

    // ---------------------------------------------------------------- 4010, 4012, 4013, 4014

    @Test
    void theLargestShardCountIsServed()
    {
        // a session keeps its shard index and count in 16 bits each
        try (GatewayTestClient c = open(node))
        {
            final ObjectNode p = GatewayTestClient.identifyPayload(user.token(), ALL_MESSAGES);
            ((ObjectNode)p.get("d")).putArray("shard").add(65_534).add(65_535);
            c.send(p);
            final JsonNode ready = c.nextDispatch("READY").path("d");
            assertEquals("[65534,65535]", ready.path("shard").toString(), ready.toString());
        }
    }

    @Test
    void invalidShardIs4010()
    {
        for (final String shard : new String[] {"[2,2]", "[0,0]", "[-1,2]", "[0]", "\"0,1\"", "[0,65536]"})
        {
            try (GatewayTestClient c = open(node))
            {
                final ObjectNode p = GatewayTestClient.identifyPayload(user.token(), ALL_MESSAGES);
                ((ObjectNode)p.get("d")).set("shard", GatewayTestClient.JSON.readTree(shard));
                c.send(p);
                final GatewayTestClient.Close close = c.awaitClose();
                assertEquals(4010, close.code(), "shard " + shard + " -> " + close);
            }
            catch (final com.fasterxml.jackson.core.JsonProcessingException e)
            {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void unsupportedApiVersionIs4012()
    {
        try (GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl() + "/?v=7&encoding=json"))
        {
            assertEquals(10, c.next().path("op").asInt(), "HELLO before the close");
            assertClosedWith(c, 4012);
        }
    }

    @Test
    void unknownIntentBitsAre4013()
    {
        try (GatewayTestClient c = open(node))
        {
            c.identify(user.token(), 1L << 30);
            assertClosedWith(c, 4013);
        }
        try (GatewayTestClient c = open(node))
        {
            c.identify(user.token(), -1);
            assertClosedWith(c, 4013);
        }
    }

    /**
     * Kord sends {@code intents} as a string of decimal digits (it writes every bit set so); Discord takes it, and
     * Pinwheel closed with 4013 before. Anything else in a string is still 4013.
     */
    @Test
    void intentsAsAStringOfDigitsAreTakenAndAnythingElseIs4013()
    {
        try (GatewayTestClient c = open(node))
        {
            c.send("{\"op\":2,\"d\":{\"token\":\"" + user.token() + "\",\"intents\":\"" + ALL_MESSAGES
                + "\",\"properties\":{\"os\":\"linux\",\"browser\":\"kord\",\"device\":\"kord\"}}}");
            assertEquals("READY", c.nextDispatch("READY").path("t").asText());
        }
        for (final String intents : new String[] {"\"\"", "\"12x\"", "\"-1\"", "\"1073741824\"", "\" 1\"",
            "\"99999999999999999999\"", "1.5", "true", "{}"})
        {
            try (GatewayTestClient c = open(node))
            {
                c.send("{\"op\":2,\"d\":{\"token\":\"" + user.token() + "\",\"intents\":" + intents
                    + ",\"properties\":{\"os\":\"linux\",\"browser\":\"t\",\"device\":\"t\"}}}");
                final GatewayTestClient.Close close = c.awaitClose();
                assertEquals(4013, close.code(), "intents " + intents + " -> " + close);
            }
        }
    }

    @Test
    void privilegedIntentsWhenNotAllowedAre4014()
    {
        for (final int intents : new int[] {GUILDS | MESSAGE_CONTENT, GUILDS | (1 << 1), GUILDS | (1 << 8)})
        {
            try (GatewayTestClient c = open(strict))
            {
                c.identify(strictUser.token(), intents);
                final GatewayTestClient.Close close = c.awaitClose();
                assertEquals(4014, close.code(), "intents " + intents + " -> " + close);
            }
        }
        // the same node accepts the non-privileged ones
        try (GatewayTestClient c = open(strict))
        {
            c.identifyAndAwait(strictUser.token(), GUILDS | GUILD_MESSAGES, 1);
            assertFalse(c.isClosed());
        }
    }
}
