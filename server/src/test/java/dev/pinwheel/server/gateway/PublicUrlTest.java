package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.server.TestNode;
import dev.pinwheel.server.files.Multipart;

/**
 * {@code pinwheel.gateway.public-url}: behind a proxy that ends TLS the node's own scheme and ports are not what
 * clients reach. With the setting, the gateway URL of {@code GET /gateway} and {@code /gateway/bot} and READY's
 * {@code resume_gateway_url} are the public address with {@code wss://}, attachment URLs start with it, and a RESUME
 * at that address (any shard) resumes; a value that is not {@code http[s]://HOST[:PORT]} is refused at start.
 */
class PublicUrlTest
{
    private static final int GUILD_MESSAGES = 1 << 9;
    private static final int MESSAGE_CONTENT = 1 << 15;

    @Test
    void urlsHandedToClientsNameThePublicAddress() throws Exception
    {
        try (TestNode node = new TestNode(2, null, g -> g.publicUrl("https://chat.example.test/")))
        {
            final TestNode.Pair pair = node.pair("public");
            assertEquals("wss://chat.example.test", node.ok("GET", "gateway", null, null).path("url").asText());
            assertEquals("wss://chat.example.test",
                node.ok("GET", "gateway/bot", pair.owner().token(), null).path("url").asText());
            final String sessionId;
            long seq;
            try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
            {
                assertEquals(10, c.next().path("op").asInt());
                c.identify(pair.member().token(), GUILD_MESSAGES | MESSAGE_CONTENT);
                final JsonNode ready = c.nextDispatch("READY");
                assertEquals("wss://chat.example.test", ready.path("d").path("resume_gateway_url").asText(),
                    ready.toString());
                sessionId = ready.path("d").path("session_id").asText();
                seq = ready.path("s").asLong();
            }
            final Multipart.Response posted = new Multipart().json("{\"content\":\"a file\"}")
                .file(0, "note.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8))
                .send("POST", node.restBase() + "channels/" + pair.channelId() + "/messages", pair.owner().token());
            assertEquals(200, posted.status(), posted.raw());
            final String url = posted.body().path("attachments").get(0).path("url").asText();
            assertTrue(url.startsWith("https://chat.example.test/"), url);
            // what a client does with resume_gateway_url: its proxy leads to the node's main port, any shard
            try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
            {
                assertEquals(10, c.next().path("op").asInt());
                c.resume(pair.member().token(), sessionId, seq);
                final JsonNode missed = c.nextDispatch("MESSAGE_CREATE");
                assertEquals("a file", missed.path("d").path("content").asText(), missed.toString());
                assertEquals(url, missed.path("d").path("attachments").get(0).path("url").asText());
                c.nextDispatch("RESUMED");
            }
        }
    }

    @Test
    void aPublicUrlThatIsNotHttpOrHttpsIsRefused()
    {
        final GatewayConfig config = new GatewayConfig();
        for (final String bad : new String[] {"ftp://chat.example.test", "chat.example.test",
            "https://chat.example.test/gateway", "https://user@chat.example.test", "https://"})
        {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config.publicUrl(bad), bad);
            assertTrue(e.getMessage().contains("pinwheel.gateway.public-url"), e.getMessage());
        }
        assertEquals("ws://10.0.0.5:9000", config.publicUrl("http://10.0.0.5:9000").publicGatewayUrl());
        assertEquals(null, config.publicUrl(" ").publicGatewayUrl());
    }

    /** The node itself (a child JVM, as {@code ./pinwheel run} starts it) stops with the message, exit status 2. */
    @Test
    void aNodeGivenABadPublicUrlDoesNotStartAndSaysWhy() throws Exception
    {
        final java.nio.file.Path data = java.nio.file.Files.createTempDirectory("pinwheel-public-url");
        try
        {
            final Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "-Dpinwheel.gateway.public-url=ftp://chat.example.test",
                "dev.pinwheel.server.PinwheelMain", "run", "--port", "0", "--data", data.toString())
                .redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), out);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.contains("pinwheel: pinwheel.gateway.public-url must be http://HOST[:PORT] or "
                + "https://HOST[:PORT]"), out);
        }
        finally
        {
            TestNode.deleteTree(data);
        }
    }
}
