package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.server.files.Multipart;

/**
 * A message's files on the shared Cassandra store, three nodes in child JVMs (one shard each), guild G owned by node
 * 1, uploads through nodes 0 and 2. Node 2, which holds no copy, serves a file signed by node 1 (the cluster's key).
 * Node 1 is killed ({@code kill -9}): once the survivors agree on a ring without it, both serve both files — by
 * signed URL, and to a member's token on G's new owner. A message deleted through node 2 then answers 404 on the
 * survivors, and on node 1 too once it is back, although node 1's disk still holds its copy; the other file is still
 * served there. An avatar set through node 1 is served by the survivors too. Before, the files lived only on node 1's
 * disk: the survivors answered 404 for them while they served the messages that name them.
 */
class ClusterCassandraFilesTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;

    @Test
    void aDeadOwnersFilesAreServedBySurvivorsAndADeletionReachesEveryCopy() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, SharedCassandra.clusterOptions("files")).startAllLive();
        final RoutingRing ring = cluster.awaitSettledRing();
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "files");
        final long guildId = guild.get("id").asLong();
        final String channelId = guild.get("channels").get(0).get("id").asText();

        final byte[] gone = "deleted after the owner died\n".repeat(300).getBytes(StandardCharsets.UTF_8);
        final JsonNode deleted = upload(0, channelId, alice, "gone.txt", gone);
        final String goneUrl = deleted.get("attachments").get(0).get("url").asText();
        // 300 KiB: more than one of the store's 256 KiB rows
        final byte[] kept = new byte[300 * 1024];
        new java.util.Random(12).nextBytes(kept);
        final String keptUrl = upload(2, channelId, alice, "kept.bin", kept).get("attachments").get(0).get("url")
            .asText();
        assertServed(2, goneUrl, gone);
        // an avatar set through node 1, the only node with a copy on its disk
        final byte[] png = Multipart.png(16, 16, 100);
        final RestClient.Response avatar = new RestClient(cluster.node(1).restBase()).call("PATCH", "users/@me",
            alice.token(), "{\"avatar\":\"data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png)
            + "\"}");
        assertEquals(200, avatar.status(), avatar.raw());
        final String avatarUrl = "http://127.0.0.1:" + cluster.port(1) + "/avatars/" + alice.id() + "/"
            + avatar.body().get("avatar").asText() + ".png";

        final CompletableFuture<String> lost = cluster.node(0).lineContaining("live nodes [0, 2] (lost [1])");
        cluster.kill(1);
        final long without = LocalCluster.epochOf(lost.get(60, TimeUnit.SECONDS));
        cluster.node(0).awaitLine("ring epoch " + without + " settled");
        cluster.node(2).awaitLine("ring epoch " + without + " settled");
        for (final int k : new int[] {0, 2})
        {
            assertServed(k, goneUrl, gone);
            assertServed(k, keptUrl, kept);
            assertServed(k, avatarUrl, png);
        }
        final HttpResponse<byte[]> ranged = Multipart.get(on(0, keptUrl), null, "Range", "bytes=262140-262147");
        assertEquals(206, ranged.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(kept, 262_140, 262_148), ranged.body(), "across two rows");
        final int owner = RoutingRing.buildLive(without, 0b101, 1, RoutingRing.DEFAULT_VIRTUAL_NODES).route(guildId)
            >>> 16;
        final String unsigned = keptUrl.substring(0, keptUrl.indexOf('?'));
        final HttpResponse<byte[]> byToken = Multipart.get(on(owner, unsigned), alice.token());
        assertEquals(200, byToken.statusCode(), "G's new owner, node " + owner + ": "
            + new String(byToken.body(), StandardCharsets.UTF_8));
        assertArrayEquals(kept, byToken.body());

        final RestClient.Response removed = rest2.call("DELETE", "channels/" + channelId + "/messages/"
            + deleted.get("id").asText(), alice.token(), null);
        assertEquals(204, removed.status(), removed.raw());
        for (final int k : new int[] {0, 2})
        {
            Multipart.awaitStatus(on(k, goneUrl), 404); // released once the deletion is committed
        }

        final CompletableFuture<String> back = cluster.node(0).lineContaining("(joined [1])");
        cluster.start(1);
        final long rejoined = LocalCluster.epochOf(back.get(60, TimeUnit.SECONDS));
        cluster.node(1).awaitLine("ring epoch " + rejoined + " settled");
        assertEquals(404, Multipart.get(on(1, goneUrl), null).statusCode(),
            "node 1 keeps a copy of the deleted message's file on its disk: the shared store says it is gone");
        assertServed(1, keptUrl, kept);
    }

    /** A message with one file, through node {@code k}. */
    private JsonNode upload(final int k, final String channelId, final RestClient.User user, final String filename,
        final byte[] data) throws Exception
    {
        final Multipart.Response r = new Multipart()
            .json("{\"content\":\"" + filename + "\",\"attachments\":[{\"id\":0}]}")
            .file(0, filename, "application/octet-stream", data)
            .send("POST", cluster.node(k).restBase() + "channels/" + channelId + "/messages", user.token());
        assertEquals(200, r.status(), "through node " + k + ": " + r.raw());
        return r.body();
    }

    private void assertServed(final int k, final String url, final byte[] content) throws Exception
    {
        final HttpResponse<byte[]> got = Multipart.get(on(k, url), null);
        assertEquals(200, got.statusCode(), "node " + k + ": " + url + ": "
            + new String(got.body(), StandardCharsets.UTF_8));
        assertArrayEquals(content, got.body(), "node " + k + ": " + url);
    }

    /** The same URL on node {@code k}. */
    private String on(final int k, final String url)
    {
        final URI u = URI.create(url);
        return "http://127.0.0.1:" + cluster.port(k) + u.getRawPath() + (u.getRawQuery() == null ? ""
            : "?" + u.getRawQuery());
    }
}
