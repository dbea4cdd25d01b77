package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.server.files.Multipart;

/**
 * A message's files in a cluster of three child JVMs (one shard each), guild G owned by node 1, every upload sent
 * through another node. The files live with the guild's owner, whichever node the upload went through: any node
 * serves them (the one the URL names hands the request to the owner's node), a token without a signed URL is checked
 * there, an edit through a third node adds a file, the message's deletion through node 0 makes the URL answer 404 on
 * every node, and a file uploaded through node 0 is still served after node 0 is killed. Before, the files stayed on
 * the node the upload went through: node 1 answered 404 for them, a deleted message's file stayed downloadable from
 * node 0 for good (its owner unlinked a file it did not hold), and node 0's loss took the files of messages node 1
 * kept serving. An avatar, kept by the node its upload went through, is served by every node (they ask the others).
 * A node holds at most {@code max-in-memory-answers} relayed files at once (here 1): beyond it, 503 with Retry-After.
 */
class ClusterAttachmentsTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void filesLiveWithTheirGuildsOwnerWhicheverNodeTheUploadWentThrough() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576",
                "-Dpinwheel.files.max-in-memory-answers=1")).startAllLive();
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient.User alice = ClusterGuilds.personOwnedBy(rest0, ring, 2, "alice");
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "files");
        final String channelId = guild.get("channels").get(0).get("id").asText();

        final byte[] notes = "notes kept by the guild's owner\n".repeat(500).getBytes(StandardCharsets.UTF_8);
        final JsonNode first = upload(0, "POST", "channels/" + channelId + "/messages", alice,
            "{\"content\":\"a file\",\"attachments\":[{\"id\":0,\"description\":\"notes\"}]}", "notes.txt", notes);
        final JsonNode firstFile = first.get("attachments").get(0);
        assertEquals("notes", firstFile.get("description").asText(), first.toString());
        final String url = firstFile.get("url").asText();
        assertEquals(cluster.port(0), URI.create(url).getPort(), "the URL names the node the client used: " + url);

        // any node serves it: the owner's node holds it, the others hand the request there
        for (int k = 0; k < NODES; k++)
        {
            final HttpResponse<byte[]> got = Multipart.get(on(k, url), null);
            assertEquals(200, got.statusCode(), "node " + k + ": " + new String(got.body(), StandardCharsets.UTF_8));
            assertArrayEquals(notes, got.body(), "node " + k);
        }
        final HttpResponse<byte[]> ranged = Multipart.get(on(2, url), null, "Range", "bytes=0-4");
        assertEquals(206, ranged.statusCode());
        assertEquals("notes", new String(ranged.body(), StandardCharsets.UTF_8));
        // without the signed query, a member's token: checked on the owner's node
        final String unsigned = url.substring(0, url.indexOf('?'));
        final HttpResponse<byte[]> byToken = Multipart.get(on(2, unsigned), alice.token());
        assertEquals(200, byToken.statusCode(), new String(byToken.body(), StandardCharsets.UTF_8));
        assertEquals(401, Multipart.get(on(0, unsigned), null).statusCode());

        // an edit through node 2 keeps the old file and adds one
        final byte[] more = "a second file, added by an edit\n".repeat(64).getBytes(StandardCharsets.UTF_8);
        final JsonNode edited = upload(2, "PATCH", "channels/" + channelId + "/messages/" + first.get("id").asText(),
            alice, "{\"attachments\":[{\"id\":\"" + firstFile.get("id").asText() + "\"},{\"id\":0}]}", "more.txt",
            more);
        assertEquals(2, edited.get("attachments").size(), edited.toString());
        final String moreUrl = edited.get("attachments").get(1).get("url").asText();
        assertArrayEquals(more, Multipart.get(on(1, moreUrl), null).body());

        // a second message through node 0, kept for node 0's loss below
        final byte[] kept = "kept after the upload node died\n".repeat(100).getBytes(StandardCharsets.UTF_8);
        final String keptUrl = upload(0, "POST", "channels/" + channelId + "/messages", alice,
            "{\"content\":\"another\",\"attachments\":[{\"id\":0}]}", "kept.txt", kept).get("attachments").get(0)
            .get("url").asText();

        // the first message deleted through node 0: its files are gone on every node
        final RestClient.Response deleted = rest0.call("DELETE", "channels/" + channelId + "/messages/"
            + first.get("id").asText(), alice.token(), null);
        assertEquals(204, deleted.status(), deleted.raw());
        for (int k = 0; k < NODES; k++)
        {
            Multipart.awaitStatus(on(k, url), 404);
            Multipart.awaitStatus(on(k, moreUrl), 404);
        }

        // an avatar set through node 0 (kept there): every node serves it
        final byte[] png = Multipart.png(32, 32, 200);
        final RestClient.Response avatar = rest0.call("PATCH", "users/@me", alice.token(), "{\"avatar\":\"data:image/png;"
            + "base64," + java.util.Base64.getEncoder().encodeToString(png) + "\"}");
        assertEquals(200, avatar.status(), avatar.raw());
        final String avatarPath = "/avatars/" + alice.id() + "/" + avatar.body().get("avatar").asText() + ".png";
        for (int k = 0; k < NODES; k++)
        {
            final HttpResponse<byte[]> got = Multipart.get("http://127.0.0.1:" + cluster.port(k) + avatarPath, null);
            assertEquals(200, got.statusCode(), "node " + k + ": " + avatarPath);
            assertArrayEquals(png, got.body(), "node " + k);
        }

        // one answer held in memory at a time (max-in-memory-answers=1): while node 1 is stopped, a download through
        // node 2 waits for it and holds the place, a second one is refused at once; both end once node 1 resumes
        final List<CompletableFuture<HttpResponse<byte[]>>> two = new ArrayList<>();
        final HttpResponse<byte[]> refused;
        LocalCluster.signal(cluster.node(1), "STOP");
        try
        {
            for (int i = 0; i < 2; i++)
            {
                two.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(on(2, keptUrl)))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray()));
            }
            @SuppressWarnings("unchecked")
            final HttpResponse<byte[]> answeredFirst = (HttpResponse<byte[]>)CompletableFuture.anyOf(two.get(0),
                two.get(1)).get(20, TimeUnit.SECONDS);
            refused = answeredFirst;
        }
        finally
        {
            LocalCluster.signal(cluster.node(1), "CONT");
        }
        assertEquals(503, refused.statusCode(), new String(refused.body(), StandardCharsets.UTF_8));
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
        for (final CompletableFuture<HttpResponse<byte[]>> f : two)
        {
            final HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
            if (r != refused)
            {
                assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
                assertArrayEquals(kept, r.body());
            }
        }

        // the node the uploads went through dies: the guild's owner still serves their files
        cluster.kill(0);
        for (int k = 1; k < NODES; k++)
        {
            final HttpResponse<byte[]> got = Multipart.get(on(k, keptUrl), null);
            assertEquals(200, got.statusCode(), "node " + k + ": " + new String(got.body(), StandardCharsets.UTF_8));
            assertArrayEquals(kept, got.body(), "node " + k);
        }
    }

    /** A message create or edit with one file, through node {@code k}. */
    private JsonNode upload(final int k, final String method, final String path, final RestClient.User user,
        final String payload, final String filename, final byte[] data) throws Exception
    {
        final Multipart.Response r = new Multipart().json(payload).file(0, filename, "text/plain", data)
            .send(method, cluster.node(k).restBase() + path, user.token());
        assertEquals(200, r.status(), method + " " + path + " through node " + k + ": " + r.raw());
        return r.body();
    }

    /** The same URL on node {@code k}. */
    private String on(final int k, final String url)
    {
        final URI u = URI.create(url);
        return "http://127.0.0.1:" + cluster.port(k) + u.getRawPath() + (u.getRawQuery() == null ? ""
            : "?" + u.getRawQuery());
    }
}
