package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * {@code compress=zlib-stream}: every server message is a binary frame holding deflate output of one shared
 * zlib stream, flushed with {@code 00 00 ff ff}; inflating them in order yields the JSON payloads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayZlibStreamTest
{
    private static TestNode node;
    private static TestNode.User owner;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1, null, cfg -> cfg.messagesPer5Seconds(1000).restRequestsPerSecond(1000));
        owner = node.register("zlib-owner");
        channelId = node.createGuild(owner, "zlib guild").path("channels").get(0).path("id").asText();
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void everyPayloadIsABinaryFrameOfOneZlibStream()
    {
        try (GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl()
            + "/?v=10&encoding=json&compress=zlib-stream"))
        {
            final JsonNode hello = c.next();
            assertEquals(10, hello.path("op").asInt(), "inflated HELLO: " + hello);
            assertTrue(hello.path("d").path("heartbeat_interval").asInt() > 0);

            c.identify(owner.token(), ALL_MESSAGES);
            final JsonNode ready = c.next();
            assertEquals("READY", ready.path("t").asText(), ready.toString());
            assertEquals(1, ready.path("s").asLong());
            final JsonNode gc = c.next();
            assertEquals("GUILD_CREATE", gc.path("t").asText(), gc.toString());
            assertTrue(gc.path("d").path("channels").isArray());

            c.heartbeat(2L);
            assertEquals(11, c.next().path("op").asInt(), "inflated heartbeat ACK");

            // Dispatches of different sizes, incompressible and repetitive, through the same stream.
            final List<String> contents = new ArrayList<>();
            for (int i = 0; i < 20; i++)
            {
                contents.add(i % 2 == 0 ? "repeat ".repeat(1 + i * 10) : random(200 + i * 90));
            }
            contents.add(random(2000));
            contents.add("quotes \" backslash \\ newline \n tab \t emoji \uD83D\uDE00 line sep \u2028 nul-ish \u0001 <>&");
            long seq = 2;
            for (final String content : contents)
            {
                final String id = node.ok("POST", "channels/" + channelId + "/messages", owner.token(),
                    json(content)).path("id").asText();
                final JsonNode m = c.next();
                assertEquals("MESSAGE_CREATE", m.path("t").asText(), m.toString());
                assertEquals(id, m.path("d").path("id").asText());
                assertEquals(content, m.path("d").path("content").asText());
                assertEquals(++seq, m.path("s").asLong());
            }

            assertEquals(0, c.textMessages(), "no text frames on a zlib-stream connection");
            assertEquals(4 + contents.size(), c.binaryMessages(), "one binary message per payload");
            assertEquals(0, c.binaryMessagesWithoutSuffix(), "every binary message ends with 00 00 ff ff");
        }
    }

    @Test
    void uncompressedConnectionGetsText()
    {
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            assertEquals(10, c.next().path("op").asInt());
            assertEquals(1, c.textMessages());
            assertEquals(0, c.binaryMessages());
        }
    }

    @Test
    void resumeOnACompressedConnectionReplaysThroughANewStream()
    {
        final String url = "/?v=10&encoding=json&compress=zlib-stream";
        final String sessionId;
        final String resumeUrl;
        final long seq;
        try (GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl() + url))
        {
            final JsonNode ready = c.identify(owner.token(), ALL_MESSAGES).nextDispatch("READY");
            sessionId = ready.path("d").path("session_id").asText();
            resumeUrl = ready.path("d").path("resume_gateway_url").asText();
            seq = c.nextDispatch("GUILD_CREATE").path("s").asLong();
            c.abort();
        }
        final List<String> missed = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            missed.add(node.ok("POST", "channels/" + channelId + "/messages", owner.token(), json("missed " + i))
                .path("id").asText());
        }
        try (GatewayTestClient c = GatewayTestClient.connect(resumeUrl + url))
        {
            assertEquals(10, c.next().path("op").asInt());
            c.resume(owner.token(), sessionId, seq);
            for (int i = 0; i < missed.size(); i++)
            {
                final JsonNode m = c.next();
                assertEquals(missed.get(i), m.path("d").path("id").asText(), m.toString());
                assertEquals(seq + 1 + i, m.path("s").asLong());
            }
            assertEquals("RESUMED", c.next().path("t").asText());
            assertEquals(0, c.textMessages());
            assertEquals(0, c.binaryMessagesWithoutSuffix());
        }
    }

    private static String json(final String content)
    {
        return GatewayTestClient.JSON.createObjectNode().put("content", content).toString();
    }

    private static String random(final int length)
    {
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        final StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
