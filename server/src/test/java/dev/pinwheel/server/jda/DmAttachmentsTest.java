package dev.pinwheel.server.jda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.utils.FileUpload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.server.files.Multipart;

/**
 * Files in direct messages, as Discord allows them: a multipart post to a DM channel stores its files, the other user
 * downloads them (signed URL, or unsigned with a token of one of the two users; anyone else 403), deleting the message
 * removes them; unmodified JDA sends a file to a private channel ({@code sendMessage(…).addFiles(FileUpload)}) and the
 * recipient downloads it byte-identical, and JDA downloads the recipient's file the same way.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DmAttachmentsTest
{
    @Test
    void filesTravelInDirectMessagesAndGoWithTheirMessage() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User person = node.register("dmfiles-person", false);
            final TestNode.User bot = node.register("dmfiles-bot"); // a bot DMs people, not other bots
            final JsonNode guild = node.createGuild(person, "dmfiles");
            node.join(person, guild.path("channels").get(0).path("id").asText(), bot);
            final TestNode.Pair pair = new TestNode.Pair(person, bot, guild.path("id").asText(),
                guild.path("channels").get(0).path("id").asText());
            final TestNode.User stranger = node.register("dmfiles-stranger", false);
            final String dm = node.ok("POST", "users/@me/channels", pair.owner().token(),
                "{\"recipient_id\":\"" + pair.member().id() + "\"}").path("id").asText();
            final byte[] bytes = ("a file in a DM " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final Multipart.Response posted = new Multipart().json("{\"content\":\"\"}")
                .file(0, "dm.txt", "text/plain", bytes)
                .send("POST", node.restBase() + "channels/" + dm + "/messages", pair.owner().token());
            assertEquals(200, posted.status(), posted.raw());
            final JsonNode a = posted.body().path("attachments").get(0);
            assertEquals(bytes.length, a.path("size").asInt());
            final String url = a.path("url").asText();
            assertArrayEquals(bytes, Multipart.get(url, null).body(), "the signed URL");
            final String unsigned = url.substring(0, url.indexOf('?'));
            assertEquals(401, Multipart.get(unsigned, null).statusCode());
            assertArrayEquals(bytes, Multipart.get(unsigned, pair.member().token()).body(), "the other user");
            assertEquals(403, Multipart.get(unsigned, stranger.token()).statusCode(), "not one of the two users");
            assertEquals(a, node.ok("GET", "channels/" + dm + "/messages/" + posted.body().path("id").asText(),
                pair.member().token(), null).path("attachments").get(0), "read back the same");

            final JdaEndToEndTest.Recorder events = new JdaEndToEndTest.Recorder();
            final JDA jda = JdaBots.start(pair.member().token(), node.restBase(), node.gatewayUrl(), events);
            try
            {
                final byte[] png = AttachmentsAcrossLibrariesTest.pngBytes(64, 48, 700);
                final Message sent = jda.openPrivateChannelById(pair.owner().id()).complete()
                    .sendMessage("from JDA").addFiles(FileUpload.fromData(png, "jda-dm.png")).complete();
                assertEquals(dm, sent.getChannelId());
                final JsonNode history = node.ok("GET", "channels/" + dm + "/messages?limit=1", pair.owner().token(),
                    null);
                final JsonNode got = history.get(0).path("attachments").get(0);
                assertEquals("jda-dm.png", got.path("filename").asText());
                assertEquals("image/png", got.path("content_type").asText());
                assertEquals(64, got.path("width").asInt());
                assertArrayEquals(png, Multipart.get(got.path("url").asText(), null).body(), "JDA's DM file");

                final Message fetched = jda.getPrivateChannelById(dm).retrieveMessageById(posted.body().path("id")
                    .asText()).complete();
                try (InputStream in = fetched.getAttachments().get(0).getProxy().download().get(30, TimeUnit.SECONDS))
                {
                    assertArrayEquals(bytes, in.readAllBytes(), "JDA downloads the DM's file");
                }
            }
            finally
            {
                JdaBots.stop(jda);
            }

            assertEquals(204, node.call("DELETE", "channels/" + dm + "/messages/" + posted.body().path("id").asText(),
                pair.owner().token(), null).status());
            final java.nio.file.Path file = node.dataDir().resolve("files").resolve("attachments")
                .resolve(a.path("id").asText());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (Files.exists(file) || Multipart.get(url, null).statusCode() != 404)
            {
                assertTrue(System.nanoTime() < deadline, "the DM file goes with its message");
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertFalse(Files.exists(file));
        }
    }
}
