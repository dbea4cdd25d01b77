package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * What a node restarted faster than its peers' link notices ({@code kill -9}, restarted at once; {@code
 * peerTimeoutMs} 15 s) must not miss: the new start knows nothing of the sessions of other nodes that follow its
 * guilds, or of where its users have sessions, until those nodes tell it again. Three nodes in child JVMs on the
 * embedded store, two shards each; guild G owned by node 1; alice (a bot) and bob (a person whose user id node 1
 * owns) on node 0's gateway, both following G.
 * <ul>
 *   <li>Messages posted through node 1 itself from the moment it serves again are each delivered once, in order, to
 *       both sessions on node 0 (before, the new start served a post before node 0 had subscribed again: its event
 *       reached nobody on node 0).</li>
 *   <li>A direct message to bob after the restart reaches his session on node 0 (before, node 1 — bob's owner — had
 *       forgotten that node 0 holds his session: the message was stored and delivered to nobody).</li>
 * </ul>
 */
class ClusterFastRestartTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;
    private static final int SHARDS = 2;
    private static final int POSTS = 20;

    @Test
    void aRestartedOwnerDeliversToItsPeersSessionsFromItsFirstCommand() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, SHARDS,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=15000", "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RoutingRing ring = RoutingRing.build(1, NODES, SHARDS, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = ClusterGuilds.personOwnedBy(rest2, ring, 1, "bob");
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "fast");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, bob.token(), "{}");
        final String dmId = rest0.ok("POST", "users/@me/channels", bob.token(),
            "{\"recipient_id\":\"" + alice.id() + "\"}").get("id").asText();

        // guilds, guild messages, direct messages, message content
        final ClusterNodesTest.RawGateway aliceGateway = connect(0, alice, 1 | 1 << 9 | 1 << 12 | 1 << 15);
        final ClusterNodesTest.RawGateway bobGateway = connect(0, bob, 1 | 1 << 9 | 1 << 12 | 1 << 15);
        for (final ClusterNodesTest.RawGateway g : List.of(aliceGateway, bobGateway))
        {
            g.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        }
        rest2.ok("POST", "channels/" + dmId + "/messages", alice.token(), "{\"content\":\"dm before\"}");
        assertEquals("dm before", bobGateway.awaitDispatch("MESSAGE_CREATE",
            d -> dmId.equals(d.get("channel_id").asText())).get("content").asText());

        cluster.kill(1);
        // posts through node 1 itself from the moment its port accepts, before it says it serves: the first ones reach
        // it while the other nodes may not have subscribed again yet
        final RestClient rest1 = new RestClient("http://127.0.0.1:" + cluster.port(1) + "/api/v10/");
        final java.util.concurrent.CompletableFuture<List<String>> posted = java.util.concurrent.CompletableFuture
            .supplyAsync(() -> postUntilAcknowledged(rest1, alice, channelId));
        cluster.start(1); // on its data directory, well within the 15 s peer timeout
        final List<String> acknowledged = posted.get(120, TimeUnit.SECONDS);
        for (final int k : new int[] {0, 2})
        {
            assertFalse(Files.readString(cluster.node(k).log()).contains("node 1 unreachable"),
                "the restart went unnoticed by node " + k + "'s link (the case this covers)");
        }
        System.out.println("ClusterFastRestartTest: node 1 at its start: " + Files.readAllLines(cluster.node(1).log())
            .stream().filter(l -> l.contains("start hold") || l.contains("held back")).toList());
        assertEquals(acknowledged, received(aliceGateway, channelId, acknowledged),
            "alice's session on node 0 got every message node 1 acknowledged after its restart, once, in order");
        assertEquals(acknowledged, received(bobGateway, channelId, acknowledged),
            "bob's session on node 0 got every message node 1 acknowledged after its restart, once, in order");

        rest2.ok("POST", "channels/" + dmId + "/messages", alice.token(), "{\"content\":\"dm after\"}");
        final JsonNode dm = bobGateway.poll("MESSAGE_CREATE", TimeUnit.SECONDS.toMillis(30));
        assertNotNull(dm, "the direct message after node 1's restart reached bob's session on node 0");
        assertEquals(dmId, dm.get("channel_id").asText());
        assertEquals("dm after", dm.get("content").asText());
    }

    /** Posts r0, r1… through node 1 until {@value #POSTS} are acknowledged: refused connections and 503 retried. */
    private static List<String> postUntilAcknowledged(final RestClient rest1, final RestClient.User alice,
        final String channelId)
    {
        final List<String> acknowledged = new ArrayList<>();
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try
        {
            for (int i = 0; acknowledged.size() < POSTS; i++)
            {
                assertTrue(System.nanoTime() - until < 0, POSTS + " posts through node 1 acknowledged within 90 s: "
                    + acknowledged);
                final RestClient.Response r;
                try
                {
                    r = rest1.call("POST", "channels/" + channelId + "/messages", alice.token(),
                        "{\"content\":\"r" + i + "\"}");
                }
                catch (final IOException ex)
                {
                    TimeUnit.MILLISECONDS.sleep(5); // not listening yet
                    continue;
                }
                assertTrue(r.status() == 200 || r.status() == 503, "answered 200 or 503: " + r.raw());
                if (r.status() == 200)
                {
                    acknowledged.add("r" + i);
                }
                else
                {
                    TimeUnit.MILLISECONDS.sleep(10);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        return acknowledged;
    }

    /**
     * @return the contents of the channel's MESSAGE_CREATEs the session got, in order, until it got every expected one
     *         (or 30 s passed), and for a further moment (a duplicate would come then).
     */
    private static List<String> received(final ClusterNodesTest.RawGateway gateway, final String channelId,
        final List<String> expected) throws InterruptedException
    {
        final List<String> got = new ArrayList<>();
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!got.containsAll(expected) && System.nanoTime() - until < 0)
        {
            final JsonNode d = gateway.poll("MESSAGE_CREATE",
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
            if (d != null && channelId.equals(d.get("channel_id").asText()))
            {
                got.add(d.get("content").asText());
            }
        }
        JsonNode late;
        while ((late = gateway.poll("MESSAGE_CREATE", 200)) != null)
        {
            if (channelId.equals(late.get("channel_id").asText()))
            {
                got.add(late.get("content").asText());
            }
        }
        return got;
    }
}
