package dev.pinwheel.server.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * {@code POST /attachments/refresh-urls}: an expired signed attachment URL comes back signed from now and downloads
 * again without a token; a URL whose signature is not this node's, or that carries none, comes back unchanged; the
 * list must hold 1 to 50 URLs (50035 otherwise).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AttachmentUrlRefreshTest
{
    @Test
    void expiredLinksAreRenewedOnlyWhenThisNodeSignedThem() throws Exception
    {
        try (TestNode node = new TestNode(2, null, g -> g.files().signedUrlTtlSeconds(1)))
        {
            final TestNode.Pair pair = node.pair("refresh");
            final byte[] bytes = ("refresh me " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final JsonNode msg = AttachmentLifetimeTest.post(node, pair.channelId(), pair.owner(), "r.txt", bytes);
            final String url = msg.path("attachments").get(0).path("url").asText();
            AttachmentLifetimeTest.awaitTrue(() -> Multipart.get(url, null).statusCode() == 401,
                "the one-second signature expires");

            final String forged = url.replaceFirst("hm=[0-9a-f]", "hm=x");
            final String unsigned = url.substring(0, url.indexOf('?'));
            final JsonNode answer = node.ok("POST", "attachments/refresh-urls", pair.member().token(),
                "{\"attachment_urls\":[\"" + url + "\",\"" + forged + "\",\"" + unsigned
                    + "\",\"https://example.com/x.png\"]}").path("refreshed_urls");
            assertEquals(4, answer.size(), answer.toString());
            assertEquals(url, answer.get(0).path("original").asText());
            final String renewed = answer.get(0).path("refreshed").asText();
            assertNotEquals(url, renewed);
            assertTrue(renewed.startsWith(unsigned + "?ex="), renewed);
            assertArrayEquals(bytes, Multipart.get(renewed, null).body(), "the renewed link downloads");
            assertEquals(forged, answer.get(1).path("refreshed").asText(), "a forged signature is not renewed");
            assertEquals(unsigned, answer.get(2).path("refreshed").asText());
            assertEquals("https://example.com/x.png", answer.get(3).path("refreshed").asText());

            final TestNode.Response empty = node.call("POST", "attachments/refresh-urls", pair.member().token(),
                "{\"attachment_urls\":[]}");
            assertEquals(400, empty.status());
            assertEquals(50035, empty.body().path("code").asInt());
            final StringBuilder many = new StringBuilder("{\"attachment_urls\":[");
            for (int i = 0; i < 51; i++)
            {
                many.append(i == 0 ? "" : ",").append('"').append(url).append('"');
            }
            assertEquals(400, node.call("POST", "attachments/refresh-urls", pair.member().token(),
                many.append("]}").toString()).status());
            assertEquals(401, node.call("POST", "attachments/refresh-urls", null, "{\"attachment_urls\":[\"" + url
                + "\"]}").status(), "a token is needed");
        }
    }
}
