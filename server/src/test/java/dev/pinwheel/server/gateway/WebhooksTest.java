package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.server.files.Multipart;

/**
 * Webhooks over plain HTTP and the gateway: create (token shown once, stored hashed), list, MANAGE_WEBHOOKS, execute
 * by token ({@code wait}, {@code username}, files) with {@code webhook_id} and a bot pseudo-author, the per-webhook
 * 429, edit and delete of its messages by token, WEBHOOKS_UPDATE, bad tokens and unknown ids, and a restart.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WebhooksTest
{
    private static final int GUILD_WEBHOOKS = 1 << 5;

    @Test
    void webhooksAreManagedExecutedRateLimitedAndKept() throws Exception
    {
        final Path data = Files.createTempDirectory("pinwheel-webhooks");
        try
        {
            final TestNode.Pair pair;
            final String id;
            final String token;
            final String messageId;
            try (TestNode node = new TestNode(2, data, g -> { });
                 GatewayTestClient watcher = GatewayTestClient.connect(node.gatewayUrl()))
            {
                pair = node.pair("hooks");
                watcher.identifyAndAwait(pair.member().token(), GatewayTestClient.ALL_MESSAGES | GUILD_WEBHOOKS, 1);
                final String hooks = "channels/" + pair.channelId() + "/webhooks";
                assertEquals(403, node.call("POST", hooks, pair.member().token(), "{\"name\":\"nope\"}").status());
                assertEquals(400, node.call("POST", hooks, pair.owner().token(), "{\"name\":\"\"}").status());
                final JsonNode created = node.ok("POST", hooks, pair.owner().token(), "{\"name\":\"Deployer\"}");
                id = created.path("id").asText();
                token = created.path("token").asText();
                assertEquals(1, created.path("type").asInt());
                assertEquals(pair.channelId(), created.path("channel_id").asText());
                assertTrue(token.length() >= 40, created.toString());
                final JsonNode update = watcher.next(n -> "WEBHOOKS_UPDATE".equals(n.path("t").asText()),
                    "WEBHOOKS_UPDATE");
                assertEquals(pair.channelId(), update.path("d").path("channel_id").asText());

                final JsonNode listed = node.ok("GET", hooks, pair.owner().token(), null);
                assertEquals(1, listed.size());
                assertFalse(listed.get(0).has("token"), "the token is shown once");
                assertEquals(id, node.ok("GET", "guilds/" + pair.guildId() + "/webhooks", pair.owner().token(), null)
                    .get(0).path("id").asText());
                assertEquals(403, node.call("GET", hooks, pair.member().token(), null).status());
                assertFalse(Files.readString(data.resolve("node.properties")).contains(token));
                assertTrue(journalsDoNotContain(data, token), "the token is journaled only as its hash");
                assertFalse(journalsDoNotContain(data, "Deployer"), "the scan does find what is journaled");

                // execute: wait, username, webhook_id, bot author
                final JsonNode sent = node.ok("POST", "webhooks/" + id + "/" + token + "?wait=true", null,
                    "{\"content\":\"deployed\",\"username\":\"CI\"}");
                messageId = sent.path("id").asText();
                assertEquals(id, sent.path("webhook_id").asText());
                assertEquals("CI", sent.path("author").path("username").asText());
                assertEquals(id, sent.path("author").path("id").asText());
                assertTrue(sent.path("author").path("bot").asBoolean());
                final JsonNode event = watcher.next(n -> "MESSAGE_CREATE".equals(n.path("t").asText())
                    && messageId.equals(n.path("d").path("id").asText()), "the webhook's MESSAGE_CREATE");
                assertEquals(id, event.path("d").path("webhook_id").asText());
                assertEquals(204, node.call("POST", "webhooks/" + id + "/" + token, null,
                    "{\"content\":\"no wait\"}").status());

                // files through the webhook
                final byte[] file = "build log".getBytes(StandardCharsets.UTF_8);
                final Multipart.Response withFile = new Multipart().json("{\"content\":\"log\"}")
                    .file(0, "build.log", "text/plain", file)
                    .send("POST", node.restBase() + "webhooks/" + id + "/" + token + "?wait=true", null);
                assertEquals(200, withFile.status(), withFile.raw());
                assertArrayEquals(file, Multipart.get(withFile.body().path("attachments").get(0).path("url").asText(),
                    null).body());

                // wrong token, unknown webhook, empty message
                final TestNode.Response wrong = node.call("POST", "webhooks/" + id + "/not-the-token", null,
                    "{\"content\":\"x\"}");
                assertEquals(401, wrong.status());
                assertEquals(50027, wrong.body().path("code").asInt());
                final TestNode.Response unknown = node.call("POST", "webhooks/12345/" + token, null,
                    "{\"content\":\"x\"}");
                assertEquals(404, unknown.status());
                assertEquals(10015, unknown.body().path("code").asInt());
                assertEquals(50006, node.call("POST", "webhooks/" + id + "/" + token, null, "{}").body()
                    .path("code").asInt());

                // edit and read its message by token; nobody else's
                final JsonNode edited = node.ok("PATCH", "webhooks/" + id + "/" + token + "/messages/" + messageId,
                    null, "{\"content\":\"deployed v2\"}");
                assertEquals("deployed v2", edited.path("content").asText());
                assertEquals("deployed v2", node.ok("GET", "webhooks/" + id + "/" + token + "/messages/" + messageId,
                    null, null).path("content").asText());
                final String userMessage = node.ok("POST", "channels/" + pair.channelId() + "/messages",
                    pair.owner().token(), "{\"content\":\"a person's\"}").path("id").asText();
                assertEquals(404, node.call("PATCH", "webhooks/" + id + "/" + token + "/messages/" + userMessage,
                    null, "{\"content\":\"hijack\"}").status());

                // the token may rename, not move; a manager may
                assertEquals("Deployer 2", node.ok("PATCH", "webhooks/" + id + "/" + token, null,
                    "{\"name\":\"Deployer 2\"}").path("name").asText());
                assertEquals("Deployer 2", node.ok("GET", "webhooks/" + id, pair.owner().token(), null)
                    .path("name").asText());

                // per-webhook rate limit: Discord's 429 body and headers
                TestNode.Response limited = null;
                for (int i = 0; i < 20 && limited == null; i++)
                {
                    final TestNode.Response r = node.call("POST", "webhooks/" + id + "/" + token, null,
                        "{\"content\":\"burst " + i + "\"}");
                    if (r.status() == 429)
                    {
                        limited = r;
                    }
                }
                assertTrue(limited != null, "a burst of 20 is limited");
                assertTrue(limited.body().path("retry_after").asDouble() > 0, limited.raw().body());
                assertTrue(limited.raw().headers().firstValue("retry-after").isPresent());
                assertTrue(limited.raw().headers().firstValue("x-ratelimit-remaining").isPresent());
            }
            try (TestNode node = new TestNode(2, data, g -> { }))
            {
                assertEquals("Deployer 2", node.ok("GET", "webhooks/" + id + "/" + token, null, null).path("name")
                    .asText());
                final JsonNode kept = node.ok("GET", "channels/" + pair.channelId() + "/messages/" + messageId,
                    pair.member().token(), null);
                assertEquals(id, kept.path("webhook_id").asText());
                assertEquals("CI", kept.path("author").path("username").asText());
                assertEquals(204, node.call("DELETE", "webhooks/" + id + "/" + token + "/messages/" + messageId, null,
                    null).status());
                assertEquals(204, node.call("DELETE", "webhooks/" + id + "/" + token, null, null).status());
                assertEquals(404, node.call("POST", "webhooks/" + id + "/" + token, null, "{\"content\":\"x\"}")
                    .status());
            }
        }
        finally
        {
            TestNode.deleteTree(data);
        }
    }

    /**
     * Deleting a channel deletes its webhooks, as on Discord: before, the guild kept listing them, and their tokens
     * and ids kept answering (the channel's messages gone, the webhook still there) — also after a restart, which
     * replays the deletion from the journal.
     */
    /**
     * Without {@code payload_json} Discord reads the JSON params from form fields of their own (discordrb's webhook
     * client sends {@code content}, {@code username}, {@code tts} and a {@code file} that way, the ones it has no value
     * for empty): a webhook's message and a bot's keep their text, name override, embeds and file; an empty field is an
     * absent param. Pinwheel kept the file and dropped the rest.
     */
    @Test
    void jsonParamsSentAsFormFieldsAreRead() throws Exception
    {
        try (TestNode node = new TestNode(1))
        {
            final TestNode.Pair pair = node.pair("fields");
            final JsonNode hook = node.ok("POST", "channels/" + pair.channelId() + "/webhooks", pair.owner().token(),
                "{\"name\":\"Form\"}");
            final Multipart.Response executed = new Multipart().field("content", "fields, not payload_json")
                .field("username", "Ruby").field("tts", "false").field("avatar_url", "")
                .field("embeds", "[{\"title\":\"An embed\",\"description\":\"from a field\"}]")
                .file("file", "note.txt", "text/plain", "from a form".getBytes(StandardCharsets.UTF_8))
                .send("POST", node.restBase() + "webhooks/" + hook.path("id").asText() + "/"
                    + hook.path("token").asText() + "?wait=true", null);
            assertEquals(200, executed.status(), executed.raw());
            final JsonNode m = executed.body();
            assertEquals("fields, not payload_json", m.path("content").asText(), m.toString());
            assertEquals("Ruby", m.path("author").path("username").asText(), m.toString());
            assertEquals("An embed", m.path("embeds").get(0).path("title").asText(), m.toString());
            assertEquals("note.txt", m.path("attachments").get(0).path("filename").asText(), m.toString());

            final Multipart.Response posted = new Multipart().field("content", "a bot's, in fields")
                .field("embeds", "not json").send("POST", node.restBase() + "channels/" + pair.channelId()
                    + "/messages", pair.owner().token());
            assertEquals(400, posted.status(), posted.raw()); // embeds that are not JSON: named, 50035
            assertEquals(50035, posted.body().path("code").asInt(), posted.raw());
            assertTrue(posted.raw().contains("embeds"), posted.raw());
            final Multipart.Response plain = new Multipart().field("content", "a bot's, in fields")
                .file(0, "a.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8))
                .send("POST", node.restBase() + "channels/" + pair.channelId() + "/messages", pair.owner().token());
            assertEquals(200, plain.status(), plain.raw());
            assertEquals("a bot's, in fields", plain.body().path("content").asText(), plain.raw());
            // payload_json wins over fields when both come
            final Multipart.Response both = new Multipart().json("{\"content\":\"from payload_json\"}")
                .field("content", "from a field").send("POST", node.restBase() + "channels/" + pair.channelId()
                    + "/messages", pair.owner().token());
            assertEquals("from payload_json", both.body().path("content").asText(), both.raw());
        }
    }

    @Test
    void aDeletedChannelTakesItsWebhooksWithIt() throws Exception
    {
        final Path data = Files.createTempDirectory("pinwheel-webhooks");
        try
        {
            final TestNode.Pair pair;
            final String gone;
            final String goneToken;
            final String kept;
            try (TestNode node = new TestNode(2, data, g -> { }))
            {
                pair = node.pair("hooks");
                final String owner = pair.owner().token();
                final String doomed = node.ok("POST", "guilds/" + pair.guildId() + "/channels", owner,
                    "{\"name\":\"doomed\",\"type\":0}").path("id").asText();
                final JsonNode made = node.ok("POST", "channels/" + doomed + "/webhooks", owner, "{\"name\":\"Gone\"}");
                gone = made.path("id").asText();
                goneToken = made.path("token").asText();
                kept = node.ok("POST", "channels/" + pair.channelId() + "/webhooks", owner, "{\"name\":\"Kept\"}")
                    .path("id").asText();
                assertEquals(204, node.call("POST", "webhooks/" + gone + "/" + goneToken, null,
                    "{\"content\":\"before\"}").status());
                node.ok("DELETE", "channels/" + doomed, owner, null);
                assertGone(node, pair, gone, goneToken, kept);
            }
            try (TestNode node = new TestNode(2, data, g -> { }))
            {
                assertGone(node, pair, gone, goneToken, kept);
            }
        }
        finally
        {
            TestNode.deleteTree(data);
        }
    }

    private static void assertGone(final TestNode node, final TestNode.Pair pair, final String gone,
        final String goneToken, final String kept) throws Exception
    {
        final String owner = pair.owner().token();
        final JsonNode listed = node.ok("GET", "guilds/" + pair.guildId() + "/webhooks", owner, null);
        assertEquals(1, listed.size(), listed.toString());
        assertEquals(kept, listed.get(0).path("id").asText());
        final TestNode.Response byToken = node.call("POST", "webhooks/" + gone + "/" + goneToken, null,
            "{\"content\":\"into a deleted channel\"}");
        assertEquals(404, byToken.status(), byToken.raw().body());
        assertEquals(10015, byToken.body().path("code").asInt());
        assertEquals(404, node.call("GET", "webhooks/" + gone + "/" + goneToken, null, null).status());
        assertEquals(10015, node.call("GET", "webhooks/" + gone, owner, null).body().path("code").asInt());
    }

    private static boolean journalsDoNotContain(final Path data, final String token) throws Exception
    {
        final byte[] needle = token.getBytes(StandardCharsets.UTF_8);
        try (java.util.stream.Stream<Path> files = Files.walk(data))
        {
            for (final Path p : (Iterable<Path>)files.filter(Files::isRegularFile)::iterator)
            {
                // journals are large sparse files written from their start: the first 16 MiB hold this test's records
                final byte[] b;
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p))
                {
                    final java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int)Math.min(ch.size(),
                        16L * 1024 * 1024));
                    while (buf.hasRemaining() && ch.read(buf) > 0)
                    {
                        continue;
                    }
                    b = buf.array();
                }
                for (int i = 0; i + needle.length <= b.length; i++)
                {
                    int j = 0;
                    while (j < needle.length && b[i + j] == needle[j])
                    {
                        j++;
                    }
                    if (j == needle.length)
                    {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
