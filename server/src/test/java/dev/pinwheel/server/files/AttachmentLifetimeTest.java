package dev.pinwheel.server.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import net.openhft.chronicle.core.time.SetTimeProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Attachment files follow their messages: a file goes (its URL answers 404, its link and, with the last reference, its
 * blob leave the disk) once no live message names it — a deleted message, a deleted channel or guild, a ban that
 * deletes the member's recent messages, a message journal retention expired — and never while an acknowledged message
 * still names the same bytes. Bindings survive a restart (a sweep at start keeps every acknowledged file).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AttachmentLifetimeTest
{
    private static final long DAY = TimeUnit.DAYS.toMillis(1);

    @Test
    void sharedBytesStayUntilTheirLastMessageGoesAndChannelAndGuildDeletesDropTheirFiles() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.Pair pair = node.pair("lifetime");
            final byte[] shared = ("shared bytes " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final JsonNode first = post(node, pair.channelId(), pair.owner(), "first.txt", shared);
            final JsonNode second = post(node, pair.channelId(), pair.owner(), "second.txt", shared);
            assertEquals(1, blobsWith(node, shared), "the same bytes are stored once");

            delete(node, pair, first);
            awaitStatus(url(first), 404);
            awaitGone(node, attachmentId(first));
            assertArrayEquals(shared, Multipart.get(url(second), null).body(), "the other message keeps the bytes");
            assertEquals(1, blobsWith(node, shared));

            delete(node, pair, second);
            awaitStatus(url(second), 404);
            awaitGone(node, attachmentId(second));
            awaitNoBlob(node, shared);

            // a channel's deletion drops its messages' files, not another channel's
            final String other = node.ok("POST", "guilds/" + pair.guildId() + "/channels", pair.owner().token(),
                "{\"name\":\"doomed\"}").path("id").asText();
            final byte[] doomedBytes = ("in a doomed channel " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final JsonNode doomed = post(node, other, pair.owner(), "doomed.txt", doomedBytes);
            final byte[] keptBytes = ("kept " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final JsonNode kept = post(node, pair.channelId(), pair.owner(), "kept.txt", keptBytes);
            node.ok("DELETE", "channels/" + other, pair.owner().token(), null);
            awaitGone(node, attachmentId(doomed));
            awaitNoBlob(node, doomedBytes);
            assertEquals(404, Multipart.get(url(doomed), null).statusCode());
            assertArrayEquals(keptBytes, Multipart.get(url(kept), null).body());

            // a ban deleting the member's recent messages drops their files
            final byte[] bannedBytes = ("banned member's " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final JsonNode banned = post(node, pair.channelId(), pair.member(), "spam.txt", bannedBytes);
            assertEquals(204, node.call("PUT", "guilds/" + pair.guildId() + "/bans/" + pair.member().id(),
                pair.owner().token(), "{\"delete_message_seconds\":3600}").status());
            awaitGone(node, attachmentId(banned));
            awaitNoBlob(node, bannedBytes);
            assertArrayEquals(keptBytes, Multipart.get(url(kept), null).body());

            // the guild's deletion drops the rest
            assertEquals(204, node.call("DELETE", "guilds/" + pair.guildId(), pair.owner().token(), null).status());
            awaitGone(node, attachmentId(kept));
            awaitNoBlob(node, keptBytes);
        }
    }

    @Test
    void acknowledgedFilesSurviveARestartAndItsSweep() throws Exception
    {
        final Path data = Files.createTempDirectory("pinwheel-file-restart");
        try
        {
            final TestNode.Pair pair;
            final TestNode.User person;
            final JsonNode kept;
            final JsonNode dropped;
            final JsonNode keptInDm;
            final JsonNode droppedInDm;
            final byte[] bytes = ("survives " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            try (TestNode node = new TestNode(2, data, g -> { }))
            {
                pair = node.pair("restart");
                kept = post(node, pair.channelId(), pair.owner(), "kept.txt", bytes);
                dropped = post(node, pair.channelId(), pair.owner(), "dropped.txt",
                    ("dropped " + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
                person = node.register("restart-person", false);
                node.join(pair.owner(), pair.channelId(), person);
                final String dm = node.ok("POST", "users/@me/channels", person.token(), "{\"recipient_id\":\""
                    + pair.owner().id() + "\"}").path("id").asText();
                keptInDm = post(node, dm, person, "kept-dm.txt", bytes);
                droppedInDm = post(node, dm, person, "dropped-dm.txt",
                    ("dropped in a DM " + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
            }
            try (TestNode node = new TestNode(2, data, g -> { }))
            {
                final long before = node.server().gateway().fileSweeper().sweeps();
                assertTrue(node.server().gateway().fileSweeper().sweepSoon());
                awaitTrue(() -> node.server().gateway().fileSweeper().sweeps() > before, "a sweep ran");
                assertArrayEquals(bytes, Multipart.get(moved(node, url(kept)), null).body());
                // the binding was rebuilt from the journal: a delete after the restart still frees the file
                delete(node, pair, dropped);
                awaitGone(node, attachmentId(dropped));
                assertEquals(204, node.call("DELETE", "channels/" + droppedInDm.path("channel_id").asText()
                    + "/messages/" + droppedInDm.path("id").asText(), person.token(), null).status());
                awaitGone(node, attachmentId(droppedInDm)); // after the sweep's questions on both owners
                assertArrayEquals(bytes, Multipart.get(moved(node, url(kept)), null).body());
                assertTrue(Files.exists(attachmentFile(node, attachmentId(kept))));
                assertArrayEquals(bytes, Multipart.get(moved(node, url(keptInDm)), null).body(), "a DM's file too");
                assertTrue(Files.exists(attachmentFile(node, attachmentId(keptInDm))));
            }
        }
        finally
        {
            TestNode.deleteTree(data);
        }
    }

    @Test
    void filesOfMessagesRetentionExpiredAreSwept() throws Exception
    {
        final SetTimeProvider clock = new SetTimeProvider(Instant.now());
        final Path data = Files.createTempDirectory("pinwheel-file-retention");
        try (TestNode node = new TestNode(1, data, g -> g.files().orphanGraceSeconds(1),
            b -> b.embeddedStore(c -> c.clock(clock).retentionDays(1))))
        {
            final TestNode.Pair pair = node.pair("retention");
            final byte[] oldBytes = ("expires " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final JsonNode old = post(node, pair.channelId(), pair.owner(), "old.txt", oldBytes);
            clock.advanceMillis(2 * DAY); // two days later: the old day's journal file is past retention
            final byte[] newBytes = ("today's " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            final JsonNode fresh = post(node, pair.channelId(), pair.owner(), "new.txt", newBytes);
            assertArrayEquals(oldBytes, Multipart.get(url(old), null).body(), "served until a sweep finds it");

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.exists(attachmentFile(node, attachmentId(old))))
            {
                assertTrue(System.nanoTime() < deadline, "the expired message's file was never swept");
                node.server().gateway().fileSweeper().sweepSoon();
                TimeUnit.MILLISECONDS.sleep(200);
            }
            awaitStatus(url(old), 404);
            awaitNoBlob(node, oldBytes);
            assertArrayEquals(newBytes, Multipart.get(url(fresh), null).body(), "today's message keeps its file");
        }
        finally
        {
            TestNode.deleteTree(data);
        }
    }

    static JsonNode post(final TestNode node, final String channelId, final TestNode.User user, final String name,
        final byte[] bytes) throws Exception
    {
        final Multipart.Response r = new Multipart().json("{\"content\":\"" + name + "\"}")
            .file(0, name, "text/plain", bytes)
            .send("POST", node.restBase() + "channels/" + channelId + "/messages", user.token());
        assertEquals(200, r.status(), r.raw());
        return r.body();
    }

    private static void delete(final TestNode node, final TestNode.Pair pair, final JsonNode message)
    {
        assertEquals(204, node.call("DELETE", "channels/" + message.path("channel_id").asText() + "/messages/"
            + message.path("id").asText(), pair.owner().token(), null).status());
    }

    private static String url(final JsonNode message)
    {
        return message.path("attachments").get(0).path("url").asText();
    }

    /** The signed URL names the first process's port: the same path and signature on the new one. */
    static String moved(final TestNode node, final String url)
    {
        final String origin = node.restBase().substring(0, node.restBase().indexOf("/api/"));
        return origin + url.substring(url.indexOf("/attachments/"));
    }

    private static String attachmentId(final JsonNode message)
    {
        return message.path("attachments").get(0).path("id").asText();
    }

    static Path attachmentFile(final TestNode node, final String id)
    {
        return node.dataDir().resolve("files").resolve("attachments").resolve(id);
    }

    private static void awaitGone(final TestNode node, final String id) throws Exception
    {
        awaitTrue(() -> !Files.exists(attachmentFile(node, id)) && !Files.exists(attachmentFile(node, id + ".meta")),
            "attachment " + id + " removed from the disk");
    }

    private static void awaitNoBlob(final TestNode node, final byte[] content) throws Exception
    {
        awaitTrue(() -> blobsWith(node, content) == 0, "the blob went with its last reference");
    }

    @FunctionalInterface
    interface Condition
    {
        boolean holds() throws Exception;
    }

    static void awaitTrue(final Condition condition, final String what) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.holds())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    static long blobsWith(final TestNode node, final byte[] content) throws Exception
    {
        return blobsWith(node.dataDir(), content);
    }

    static long blobsWith(final Path dataDir, final byte[] content) throws Exception
    {
        try (Stream<Path> s = Files.walk(dataDir.resolve("files").resolve("blobs")))
        {
            return s.filter(Files::isRegularFile).filter(p ->
            {
                try
                {
                    return Files.size(p) == content.length && Arrays.equals(Files.readAllBytes(p), content);
                }
                catch (final java.io.IOException e)
                {
                    return false;
                }
            }).count();
        }
    }

    private static void awaitStatus(final String url, final int status) throws Exception
    {
        awaitTrue(() -> Multipart.get(url, null).statusCode() == status, url + " answers " + status);
        assertFalse(status == 200 && Multipart.get(url, null).body().length == 0);
    }
}
