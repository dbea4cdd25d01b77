package dev.pinwheel.server.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Message attachments over plain HTTP: multipart upload with {@code payload_json} metadata, the attachment objects,
 * the CDN-style download (signed URL or VIEW_CHANNEL, Range, ETag, nosniff, Content-Disposition), path traversal,
 * the size cap (413/40005), ATTACH_FILES, edits that keep some files, and the release of files no message refers to.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AttachmentsHttpTest
{
    private static final int MAX_FILE = 64 * 1024;
    private static TestNode node;
    private static TestNode.Pair pair;

    @BeforeAll
    static void start()
    {
        node = new TestNode(2, null, g -> g.files().maxFileBytes(MAX_FILE).maxRequestBytes(512 * 1024));
        pair = node.pair("files");
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static String messagesUrl()
    {
        return node.restBase() + "channels/" + pair.channelId() + "/messages";
    }

    private static JsonNode post(final Multipart m) throws Exception
    {
        final Multipart.Response r = m.send("POST", messagesUrl(), pair.owner().token());
        assertEquals(200, r.status(), r.raw());
        return r.body();
    }

    @Test
    void filesAreStoredDescribedAndServedByteIdentical() throws Exception
    {
        final byte[] image = Multipart.png(640, 480, 3000);
        final byte[] text = "plain text, not an image\n".repeat(40).getBytes(StandardCharsets.UTF_8);
        final JsonNode msg = post(new Multipart()
            .json("{\"content\":\"two files\",\"attachments\":[{\"id\":0,\"description\":\"a picture\"},"
                + "{\"id\":1,\"filename\":\"notes.txt\"}]}")
            .file(0, "picture.png", "image/png", image)
            .file(1, "ignored name.bin", "text/plain", text));
        final JsonNode a = msg.path("attachments");
        assertEquals(2, a.size(), msg.toString());
        final JsonNode png = a.get(0);
        assertEquals("picture.png", png.path("filename").asText());
        assertEquals("a picture", png.path("description").asText());
        assertEquals("image/png", png.path("content_type").asText());
        assertEquals(image.length, png.path("size").asInt());
        assertEquals(640, png.path("width").asInt());
        assertEquals(480, png.path("height").asInt());
        assertTrue(png.path("url").asText().contains("/attachments/" + pair.channelId() + "/"
            + png.path("id").asText() + "/picture.png?ex="), png.toString());
        final JsonNode txt = a.get(1);
        assertEquals("notes.txt", txt.path("filename").asText());
        assertTrue(txt.path("content_type").asText().startsWith("text/plain"), txt.toString());
        assertTrue(txt.path("width").isMissingNode());

        // the same objects on read back
        final JsonNode read = node.ok("GET", "channels/" + pair.channelId() + "/messages/" + msg.path("id").asText(),
            pair.member().token(), null);
        assertEquals(a, read.path("attachments"));

        // signed URL: no token needed; byte-identical, with the CDN headers
        final HttpResponse<byte[]> got = Multipart.get(png.path("url").asText(), null);
        assertEquals(200, got.statusCode());
        assertArrayEquals(image, got.body());
        assertEquals("image/png", got.headers().firstValue("content-type").orElse(""));
        assertEquals(Integer.toString(image.length), got.headers().firstValue("content-length").orElse(""));
        assertEquals("nosniff", got.headers().firstValue("x-content-type-options").orElse(""));
        assertTrue(got.headers().firstValue("cache-control").isPresent());
        assertFalse(got.headers().firstValue("content-disposition").isPresent(), "images are shown inline");
        final HttpResponse<byte[]> gotText = Multipart.get(txt.path("url").asText(), null);
        assertArrayEquals(text, gotText.body());
        assertTrue(gotText.headers().firstValue("content-disposition").orElse("").startsWith("attachment"));
    }

    /**
     * An attachment fetched with a token instead of its signed URL waits for the guild owner's view check: on the
     * shard that does not own the guild the answer comes later, and what was pipelined behind it on the same
     * keep-alive connection must wait for it — every answer in request order, on either shard's listener.
     */
    @Test
    void pipelinedFileAnswersKeepRequestOrder() throws Exception
    {
        final byte[] text = "pipelined file\n".repeat(30).getBytes(StandardCharsets.UTF_8);
        final String url = post(new Multipart().json("{}").file(0, "order.txt", "text/plain", text))
            .path("attachments").get(0).path("url").asText();
        final String path = url.substring(url.indexOf("/attachments/"), url.indexOf('?'));
        final String file = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bot "
            + pair.member().token() + "\r\n\r\n";
        final String api = "GET /api/v10/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        for (int shard = 0; shard < 2; shard++)
        {
            try (java.net.Socket s = new java.net.Socket())
            {
                s.connect(new java.net.InetSocketAddress("127.0.0.1",
                    java.net.URI.create(node.shardUrl(shard)).getPort()), 10_000);
                s.setSoTimeout(20_000); // a connection that stops reading fails the test instead of hanging it
                s.getOutputStream().write((file + api + file + api + api + file).getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
                final java.io.InputStream in = s.getInputStream();
                for (final boolean isFile : new boolean[] {true, false, true, false, false, true})
                {
                    final byte[] body = readAnswer(in);
                    if (isFile)
                    {
                        assertArrayEquals(text, body, "a file answer in its place on shard " + shard);
                    }
                    else
                    {
                        assertTrue(new String(body, StandardCharsets.UTF_8).contains("\"url\":\"ws://"),
                            "an API answer in its place on shard " + shard);
                    }
                }
            }
        }
    }

    /** Reads one HTTP/1.1 answer (200, with a Content-Length) and returns its body. */
    private static byte[] readAnswer(final java.io.InputStream in) throws java.io.IOException
    {
        final StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new java.io.IOException("closed in an answer's head: " + head);
            }
            head.append((char)b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
        final int length = Integer.parseInt(head.toString().lines()
            .filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")).findFirst()
            .orElseThrow().substring("content-length:".length()).trim());
        final byte[] body = in.readNBytes(length);
        assertEquals(length, body.length, "closed in an answer's body");
        return body;
    }

    @Test
    void rangeAndEtagAreHonoured() throws Exception
    {
        final byte[] data = new byte[5000];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)(i % 251);
        }
        final String url = post(new Multipart().json("{}").file(0, "data.bin", "application/octet-stream", data))
            .path("attachments").get(0).path("url").asText();
        final HttpResponse<byte[]> part = Multipart.get(url, null, "Range", "bytes=100-199");
        assertEquals(206, part.statusCode());
        assertArrayEquals(Arrays.copyOfRange(data, 100, 200), part.body());
        assertEquals("bytes 100-199/5000", part.headers().firstValue("content-range").orElse(""));
        final HttpResponse<byte[]> tail = Multipart.get(url, null, "Range", "bytes=-10");
        assertEquals(206, tail.statusCode());
        assertArrayEquals(Arrays.copyOfRange(data, 4990, 5000), tail.body());
        final HttpResponse<byte[]> beyond = Multipart.get(url, null, "Range", "bytes=6000-");
        assertEquals(416, beyond.statusCode());
        assertEquals("bytes */5000", beyond.headers().firstValue("content-range").orElse(""));
        final String etag = Multipart.get(url, null).headers().firstValue("etag").orElseThrow();
        assertEquals(304, Multipart.get(url, null, "If-None-Match", etag).statusCode());
        assertEquals(200, Multipart.get(url, null, "If-None-Match", "\"other\"").statusCode());
    }

    @Test
    void unsignedDownloadsNeedViewChannelAndTraversalFindsNothing() throws Exception
    {
        final JsonNode a = post(new Multipart().json("{}").file(0, "secret.txt", "text/plain",
            "for members".getBytes(StandardCharsets.UTF_8))).path("attachments").get(0);
        final String url = a.path("url").asText();
        final String bare = url.substring(0, url.indexOf('?'));
        assertEquals(401, Multipart.get(bare, null).statusCode());
        assertEquals(200, Multipart.get(bare, pair.member().token()).statusCode());
        final TestNode.User stranger = node.register("files-stranger");
        assertEquals(403, Multipart.get(bare, stranger.token()).statusCode());
        // a forged or expired signature is no signature
        final String forged = url.replaceAll("hm=[0-9a-f]+", "hm=" + "0".repeat(64));
        assertEquals(401, Multipart.get(forged, null).statusCode());
        final String expired = url.replaceAll("ex=[0-9a-f]+", "ex=1");
        assertEquals(401, Multipart.get(expired, null).statusCode());

        final String root = "http://127.0.0.1:" + node.port();
        final String prefix = root + "/attachments/" + pair.channelId() + "/" + a.path("id").asText() + "/";
        for (final String evil : new String[] {prefix + "..%2F..%2Fsecret", prefix + "..%2F..%2F..%2Fnode.properties",
            root + "/attachments/" + pair.channelId() + "/..%2Fsecret/x", root + "/attachments/1/2/3",
            root + "/avatars/1/..%2F..%2Fsecret.png", root + "/icons/" + pair.guildId() + "/%2E%2E.png",
            prefix + "other.txt", root + "/attachments/" + pair.guildId() + "/" + a.path("id").asText()
                + "/secret.txt?" + url.substring(url.indexOf('?') + 1)})
        {
            final HttpResponse<byte[]> r = Multipart.get(evil, pair.owner().token());
            assertEquals(404, r.statusCode(), evil + " -> " + new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void oversizedFilesAndBodiesAre413With40005() throws Exception
    {
        final Multipart.Response big = new Multipart().json("{}").file(0, "big.bin", "application/octet-stream",
            new byte[MAX_FILE + 1]).send("POST", messagesUrl(), pair.owner().token());
        assertEquals(413, big.status(), big.raw());
        assertEquals(40005, big.body().path("code").asInt());
        final Multipart.Response huge = new Multipart().json("{}").file(0, "huge.bin", "application/octet-stream",
            new byte[600 * 1024]).send("POST", messagesUrl(), pair.owner().token());
        assertEquals(413, huge.status(), huge.raw());
        assertEquals(40005, huge.body().path("code").asInt());
        // the node still answers, nothing was stored
        assertEquals(200, node.call("GET", "channels/" + pair.channelId() + "/messages?limit=1",
            pair.owner().token(), null).status());
    }

    @Test
    void attachFilesIsRequired() throws Exception
    {
        final TestNode.Pair p = node.pair("nofiles");
        node.ok("PUT", "channels/" + p.channelId() + "/permissions/" + p.guildId(), p.owner().token(),
            "{\"type\":0,\"allow\":\"0\",\"deny\":\"32768\"}");
        final Multipart.Response r = new Multipart().json("{\"content\":\"x\"}").file(0, "a.txt", "text/plain",
            "no".getBytes(StandardCharsets.UTF_8)).send("POST", node.restBase() + "channels/" + p.channelId()
            + "/messages", p.member().token());
        assertEquals(403, r.status(), r.raw());
        assertEquals(50013, r.body().path("code").asInt());
        // text alone still goes
        assertEquals(200, node.call("POST", "channels/" + p.channelId() + "/messages", p.member().token(),
            "{\"content\":\"text only\"}").status());
    }

    @Test
    void editsKeepListedFilesAndDeletesReleaseTheRest() throws Exception
    {
        final byte[] one = "first file".getBytes(StandardCharsets.UTF_8);
        final byte[] two = "second file".getBytes(StandardCharsets.UTF_8);
        final JsonNode msg = post(new Multipart().json("{\"content\":\"edit me\"}")
            .file(0, "one.txt", "text/plain", one).file(1, "two.txt", "text/plain", two));
        final String id = msg.path("id").asText();
        final JsonNode first = msg.path("attachments").get(0);
        final JsonNode second = msg.path("attachments").get(1);
        // the same bytes in another message: one blob, two references
        final JsonNode copy = post(new Multipart().json("{}").file(0, "copy.txt", "text/plain", two))
            .path("attachments").get(0);

        final byte[] three = "third file".getBytes(StandardCharsets.UTF_8);
        final Multipart.Response edited = new Multipart()
            .json("{\"attachments\":[{\"id\":\"" + first.path("id").asText() + "\"},{\"id\":0}]}")
            .file(0, "three.txt", "text/plain", three)
            .send("PATCH", messagesUrl() + "/" + id, pair.owner().token());
        assertEquals(200, edited.status(), edited.raw());
        final JsonNode now = edited.body().path("attachments");
        assertEquals(2, now.size(), now.toString());
        assertEquals(first.path("id").asText(), now.get(0).path("id").asText());
        assertEquals("three.txt", now.get(1).path("filename").asText());
        assertArrayEquals(three, Multipart.get(now.get(1).path("url").asText(), null).body());
        Multipart.awaitStatus(second.path("url").asText(), 404);
        assertArrayEquals(two, Multipart.get(copy.path("url").asText(), null).body(), "a shared blob stays");

        // a JSON edit naming no file drops them all
        node.ok("PATCH", "channels/" + pair.channelId() + "/messages/" + id, pair.owner().token(),
            "{\"attachments\":[]}");
        Multipart.awaitStatus(first.path("url").asText(), 404);
    }

    @Test
    void deletingTheLastReferenceRemovesTheBlob() throws Exception
    {
        final byte[] unique = ("unique " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        final JsonNode msg = post(new Multipart().json("{}").file(0, "u.txt", "text/plain", unique));
        final String url = msg.path("attachments").get(0).path("url").asText();
        assertEquals(1, blobsWith(unique));
        node.ok("DELETE", "channels/" + pair.channelId() + "/messages/" + msg.path("id").asText(),
            pair.owner().token(), null);
        Multipart.awaitStatus(url, 404);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (blobsWith(unique) != 0 && System.nanoTime() < deadline)
        {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertEquals(0, blobsWith(unique));
    }

    private static long blobsWith(final byte[] content) throws Exception
    {
        try (Stream<Path> s = Files.walk(node.dataDir().resolve("files").resolve("blobs")))
        {
            return s.filter(Files::isRegularFile).filter(p ->
            {
                try
                {
                    return Arrays.equals(Files.readAllBytes(p), content);
                }
                catch (final java.io.IOException e)
                {
                    return false;
                }
            }).count();
        }
    }
}
