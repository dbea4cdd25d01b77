package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * What every node must learn from the records of a guild another node owns, three child JVMs (one shard each), guild G
 * owned by node 1, everything done through nodes 0 and 2 (found by Discord4J against a local cluster: it executes a
 * webhook as soon as it made it, through the node it made it through):
 * <ul>
 *   <li>a webhook is executed, read, edited and deleted through every node — at once through the node its creation
 *   went through (that node waits for the webhook's record, as it does for an invite), and after its deletion every
 *   node answers 404 with 10015. Before, only the owner's node knew a webhook: the others answered 10015 to its token
 *   for good;</li>
 *   <li>a guild renamed, given an icon and handed to a new owner through node 2 is listed so by
 *   {@code GET /users/@me/guilds} on every node. Before, the other nodes kept the name and owner it was created with,
 *   and every node listed every guild with no icon.</li>
 * </ul>
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterNodeWideRecordsTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;

    @Test
    void webhooksAndGuildSummariesReachEveryNode() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=1000")).startAllLive();
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final List<RestClient> rest = new ArrayList<>();
        for (int k = 0; k < NODES; k++)
        {
            rest.add(new RestClient(cluster.node(k).restBase()));
        }
        final RestClient.User alice = rest.get(0).register("alice");
        final RestClient.User bob = rest.get(0).register("bob");
        final JsonNode guild = ClusterGuilds.ownedBy(rest.get(0), alice.token(), ring, 1, "records");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        rest.get(0).join(alice, channelId, bob);

        for (final int through : new int[] {0, 2})
        {
            final JsonNode hook = rest.get(through).ok("POST", "channels/" + channelId + "/webhooks", alice.token(),
                "{\"name\":\"hook-" + through + "\"}");
            final String path = "webhooks/" + hook.get("id").asText() + "/" + hook.get("token").asText();
            // at once, through the node that made it
            final RestClient.Response first = rest.get(through).call("POST", path + "?wait=true", null,
                "{\"content\":\"first through " + through + "\"}");
            assertEquals(200, first.status(), "node " + through + ": " + first.raw());
            for (int k = 0; k < NODES; k++)
            {
                final RestClient.Response executed = rest.get(k).call("POST", path, null,
                    "{\"content\":\"via node " + k + "\"}");
                assertEquals(204, executed.status(), "execute through node " + k + ": " + executed.raw());
                final RestClient.Response read = rest.get(k).call("GET", "webhooks/" + hook.get("id").asText(),
                    alice.token(), null);
                assertEquals(200, read.status(), "GET through node " + k + ": " + read.raw());
                assertEquals(channelId, read.body().get("channel_id").asText());
            }
            final RestClient.Response renamed = rest.get(2 - through).call("PATCH", path, null,
                "{\"name\":\"renamed-" + through + "\"}");
            assertEquals(200, renamed.status(), renamed.raw());
            assertEquals("renamed-" + through, renamed.body().get("name").asText());
            final RestClient.Response deleted = rest.get(2 - through).call("DELETE", path, null, null);
            assertEquals(204, deleted.status(), deleted.raw());
            for (int k = 0; k < NODES; k++)
            {
                final int node = k;
                awaitStatus(rest.get(k), path, s -> s == 404, "node " + node + " after the deletion");
            }
        }
        final JsonNode history = rest.get(1).ok("GET", "channels/" + channelId + "/messages?limit=20", bob.token(),
            null);
        assertEquals(8, history.size(), "two firsts and six executions: " + history);

        // the guild's summary, renamed, given an icon and handed to bob through node 2
        final String icon = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(
            dev.pinwheel.server.files.Multipart.png(32, 32, 100));
        final String iconHash = rest.get(2).ok("PATCH", "guilds/" + guildId, alice.token(), "{\"name\":\"renamed\","
            + "\"icon\":\"" + icon + "\",\"owner_id\":\"" + bob.id() + "\"}").get("icon").asText();
        for (int k = 0; k < NODES; k++)
        {
            final RestClient node = rest.get(k);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            JsonNode listed = null;
            while (System.nanoTime() < deadline)
            {
                listed = listed(node, bob, guildId);
                if (listed != null && "renamed".equals(listed.get("name").asText()) && listed.get("owner")
                    .asBoolean() && iconHash.equals(listed.get("icon").asText()))
                {
                    break;
                }
                Thread.sleep(50);
            }
            assertTrue(listed != null && "renamed".equals(listed.get("name").asText()), "node " + k + ": " + listed);
            assertTrue(listed.get("owner").asBoolean(), "bob owns it now, on node " + k + ": " + listed);
            assertEquals(iconHash, listed.get("icon").asText(), "node " + k + ": " + listed);
            assertTrue(!listed(node, alice, guildId).get("owner").asBoolean(), "alice no longer, node " + k);
        }
    }

    /** The guild as {@code GET /users/@me/guilds} lists it for that user, or null. */
    private static JsonNode listed(final RestClient rest, final RestClient.User user, final String guildId)
        throws Exception
    {
        for (final JsonNode g : rest.ok("GET", "users/@me/guilds", user.token(), null))
        {
            if (guildId.equals(g.get("id").asText()))
            {
                return g;
            }
        }
        return null;
    }

    private static void awaitStatus(final RestClient rest, final String path, final IntPredicate wanted,
        final String what) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int status = -1;
        while (System.nanoTime() < deadline)
        {
            status = rest.call("POST", path, null, "{\"content\":\"after\"}").status();
            if (wanted.test(status))
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(what + ": status " + status);
    }
}
