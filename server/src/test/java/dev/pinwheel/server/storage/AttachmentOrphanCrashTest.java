package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.server.files.Multipart;

/**
 * A real server process killed with SIGKILL after an upload's files were written and fsynced but before its message
 * reached its owner (the node's fault injection holds the file store's thread exactly there): at the next start the
 * sweep removes those files — no message was ever acknowledged for them — while every acknowledged message's file,
 * including one with the very same bytes as an orphan, still downloads byte-identical. A message deleted while the
 * file store's thread was held (its delete committed and answered, its unlink never run) loses its file at that start
 * too.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AttachmentOrphanCrashTest
{
    @Test
    void filesOfAnUploadCutShortBySigkillAreSweptAtTheNextStart() throws Exception
    {
        crashAndSweep(List.of());
    }

    /** The same on the Cassandra store: the sweep's reads wait for Cassandra, acknowledged files still survive. */
    @Test
    void onCassandraTheSweepWaitsForItsReadsAndKeepsAcknowledgedFiles() throws Exception
    {
        crashAndSweep(SharedCassandra.serverOptions(SharedCassandra.contactPoint(),
            SharedCassandra.keyspace("orphans")));
    }

    private static void crashAndSweep(final List<String> storeOptions) throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-orphan-crash");
        final Path data = dir.resolve("data");
        final Path attachments = data.resolve("files").resolve("attachments");
        try
        {
            final byte[] shared = Multipart.png(120, 80, 20_000);
            final byte[] acknowledgedText = ("acknowledged " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final byte[] orphanOnly = ("never acknowledged " + System.nanoTime()).repeat(100)
                .getBytes(StandardCharsets.UTF_8);
            final String channelId;
            final RestClient.User user;
            final JsonNode first;
            final JsonNode second;
            final JsonNode deleted;
            final byte[] deletedBytes = ("deleted before its unlink " + System.nanoTime()).getBytes(
                StandardCharsets.UTF_8);
            final Set<String> acknowledged = new HashSet<>();
            final List<String> withFaults = new java.util.ArrayList<>(storeOptions);
            withFaults.add("-Dpinwheel.debug.fault-injection=true");
            try (ServerProcess node = ServerProcess.start(data, 2, "sync", dir.resolve("server-1.log"), 180,
                withFaults))
            {
                final RestClient rest = new RestClient(node.restBase());
                user = rest.register("orphan-crash");
                channelId = rest.ok("POST", "guilds", user.token(), "{\"name\":\"orphans\"}").get("channels").get(0)
                    .get("id").asText();
                first = upload(node, channelId, user, "picture.png", shared, null, null);
                second = upload(node, channelId, user, "notes.txt", acknowledgedText, null, null);
                deleted = upload(node, channelId, user, "deleted.txt", deletedBytes, null, null);
                first.get("attachments").forEach(a -> acknowledged.add(a.get("id").asText()));
                second.get("attachments").forEach(a -> acknowledged.add(a.get("id").asText()));
                assertEquals(acknowledged.size() + 1, ids(attachments).size());

                final CompletableFuture<String> held = node.lineContaining("an upload is held after its files");
                node.command("files-hold 0");
                final CompletableFuture<Void> lost = CompletableFuture.runAsync(() ->
                {
                    try
                    {
                        upload(node, channelId, user, "copy.png", shared, "lost.txt", orphanOnly);
                    }
                    catch (final Exception | AssertionError expected)
                    {
                        // the node dies under it: no answer, never an acknowledgement
                    }
                });
                held.get(60, TimeUnit.SECONDS);
                assertEquals(acknowledged.size() + 3, ids(attachments).size(), "the orphan's two files are on disk");
                // the file store's thread is held: this delete commits and answers, its unlink waits there forever
                assertEquals(204, rest.call("DELETE", "channels/" + channelId + "/messages/"
                    + deleted.get("id").asText(), user.token(), null).status());
                assertEquals(acknowledged.size() + 3, ids(attachments).size(), "not unlinked before the crash");
                node.kill(); // SIGKILL: the message command was never sent
                lost.get(60, TimeUnit.SECONDS);
            }
            assertEquals(1, blobsWith(data, orphanOnly), "the orphan's own bytes survived the crash");
            assertEquals(1, blobsWith(data, deletedBytes), "and so did the deleted message's");

            try (ServerProcess node = ServerProcess.start(data, 2, "sync", dir.resolve("server-2.log"), 180,
                storeOptions))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!ids(attachments).equals(acknowledged) || blobsWith(data, orphanOnly) != 0
                    || blobsWith(data, deletedBytes) != 0)
                {
                    assertTrue(System.nanoTime() < deadline, "orphans left: " + ids(attachments) + " vs acknowledged "
                        + acknowledged);
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                final String origin = node.restBase().substring(0, node.restBase().indexOf("/api/"));
                final RestClient rest = new RestClient(node.restBase());
                final List<String> messages = rest.ok("GET", "channels/" + channelId + "/messages", user.token(), null)
                    .findValuesAsText("content");
                assertEquals(List.of("notes.txt", "picture.png"), messages, "the lost upload never became a message");
                for (final JsonNode m : List.of(first, second))
                {
                    final String url = m.get("attachments").get(0).get("url").asText();
                    final byte[] expected = m == first ? shared : acknowledgedText;
                    assertArrayEquals(expected, Multipart.get(origin + url.substring(url.indexOf("/attachments/")),
                        null).body(), "acknowledged " + m.get("content").asText());
                }
                assertEquals(1, blobsWith(data, shared), "the shared blob stays for the acknowledged message");
                node.stop();
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }

    private static JsonNode upload(final ServerProcess node, final String channelId, final RestClient.User user,
        final String name, final byte[] bytes, final String secondName, final byte[] secondBytes) throws Exception
    {
        final Multipart m = new Multipart().json("{\"content\":\"" + name + "\"}")
            .file(0, name, "application/octet-stream", bytes);
        if (secondName != null)
        {
            m.file(1, secondName, "text/plain", secondBytes);
        }
        final Multipart.Response r = m.send("POST", node.restBase() + "channels/" + channelId + "/messages",
            user.token());
        assertEquals(200, r.status(), r.raw());
        return r.body();
    }

    private static Set<String> ids(final Path attachments) throws Exception
    {
        try (Stream<Path> s = Files.list(attachments))
        {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".meta"))
                .map(n -> n.substring(0, n.length() - ".meta".length())).collect(Collectors.toSet());
        }
    }

    private static long blobsWith(final Path data, final byte[] content) throws Exception
    {
        try (Stream<Path> s = Files.walk(data.resolve("files").resolve("blobs")))
        {
            return s.filter(Files::isRegularFile).filter(p ->
            {
                try
                {
                    return Files.size(p) == content.length && java.util.Arrays.equals(Files.readAllBytes(p), content);
                }
                catch (final java.io.IOException e)
                {
                    return false;
                }
            }).count();
        }
    }
}
