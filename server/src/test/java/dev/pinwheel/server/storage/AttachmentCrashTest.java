package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.server.files.Multipart;

/**
 * A real server process killed with SIGKILL right after its last acknowledged upload: every acknowledged message
 * still names its files after the restart, and every file downloads byte-identical (files are fsynced, with their
 * directories, before the message is journaled); no half-written file is left where it could be served.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AttachmentCrashTest
{
    private static final int UPLOADS = 12;

    @Test
    void acknowledgedUploadsSurviveSigkill() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-file-crash");
        final Path data = dir.resolve("data");
        try
        {
            final String channelId;
            final RestClient.User user;
            final List<String> ids = new ArrayList<>();
            final List<byte[]> contents = new ArrayList<>();
            try (ServerProcess first = ServerProcess.start(data, 2, "sync", dir.resolve("server-1.log"), 180))
            {
                final RestClient rest = new RestClient(first.restBase());
                user = rest.register("file-crash");
                channelId = rest.ok("POST", "guilds", user.token(), "{\"name\":\"files\"}").get("channels").get(0)
                    .get("id").asText();
                for (int i = 0; i < UPLOADS; i++)
                {
                    final byte[] bytes = i % 2 == 0 ? Multipart.png(100 + i, 50 + i, 40_000 + i)
                        : ("file " + i + " ").repeat(5000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    final Multipart.Response r = new Multipart().json("{\"content\":\"upload " + i + "\"}")
                        .file(0, "f" + i + (i % 2 == 0 ? ".png" : ".txt"), "application/octet-stream", bytes)
                        .send("POST", first.restBase() + "channels/" + channelId + "/messages", user.token());
                    assertEquals(200, r.status(), r.raw());
                    ids.add(r.body().get("id").asText());
                    contents.add(bytes);
                }
                first.kill(); // SIGKILL at once after the last acknowledgement
            }
            try (ServerProcess second = ServerProcess.start(data, 2, "sync", dir.resolve("server-2.log"), 180))
            {
                final RestClient rest = new RestClient(second.restBase());
                final String origin = second.restBase().substring(0, second.restBase().indexOf("/api/"));
                for (int i = 0; i < UPLOADS; i++)
                {
                    final JsonNode m = rest.ok("GET", "channels/" + channelId + "/messages/" + ids.get(i),
                        user.token(), null);
                    final JsonNode a = m.get("attachments").get(0);
                    assertEquals(contents.get(i).length, a.get("size").asInt());
                    final String url = a.get("url").asText();
                    // the signed URL names the first process's port: same path and signature on the new one
                    final String moved = origin + url.substring(url.indexOf("/attachments/"));
                    assertArrayEquals(contents.get(i), Multipart.get(moved, null).body(), "upload " + i);
                }
                try (Stream<Path> tmp = Files.list(data.resolve("files").resolve("tmp")))
                {
                    assertEquals(0, tmp.count(), "half-written files are swept at start");
                }
                assertTrue(Files.exists(data.resolve("files").resolve("secret")));
                second.stop();
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }
}
