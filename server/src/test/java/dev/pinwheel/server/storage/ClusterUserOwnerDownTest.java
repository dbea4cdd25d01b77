package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * A DM while its recipient's owner node is down (embedded store): three nodes in child JVMs, bob (a person whose user
 * id node 1 owns) connected to node 2, a DM channel between alice and bob that node 0 or 2 owns. After {@code kill -9}
 * of node 1, a DM from alice is acknowledged (its channel's owner is up) and reaches bob's session: the channel's
 * owner, refused by bob's owner, hands the event to every shard of every connected node, and the one holding bob's
 * session delivers it. Before, it was stored and acknowledged and reached no session of bob's until he reconnected
 * and read the channel. After node 1's restart, DMs take the usual path again.
 */
class ClusterUserOwnerDownTest extends ClusterSessionsFixture
{
    private static final int DIRECT_MESSAGES = 1 << 12;

    @Test
    void aDirectMessageReachesItsRecipientWhileTheRecipientsOwnerIsDown() throws Exception
    {
        cluster = new LocalCluster(dir, 3, 1,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RoutingRing ring = RoutingRing.build(1, 3, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        // a bot may DM the members of its guilds
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 0, "shared");
        final String code = rest0.ok("POST", "channels/" + guild.get("channels").get(0).get("id").asText()
            + "/invites", alice.token(), "{}").get("code").asText();
        // a DM channel node 0 or 2 owns
        final ClusterGuilds.DmPartner partner = ClusterGuilds.dmPartner(rest2, ring, 1, "bob", code, rest0, alice,
            node -> node != 1);
        final RestClient.User bob = partner.user();
        final String dm = partner.channel();
        final ClusterNodesTest.RawGateway bobGateway = connect(2, bob, DIRECT_MESSAGES);
        assertDelivered(rest0, alice, dm, bobGateway, "before");

        cluster.kill(1);
        cluster.node(0).awaitLine("node 1 unreachable");
        cluster.node(2).awaitLine("node 1 unreachable");
        assertDelivered(rest0, alice, dm, bobGateway, "while bob's owner is down");

        final java.util.concurrent.CompletableFuture<String> back = cluster.node(0).lineContaining("node 1 connected");
        cluster.start(1);
        back.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertDelivered(rest0, alice, dm, bobGateway, "after bob's owner restarted");
    }

    private static void assertDelivered(final RestClient rest, final RestClient.User from, final String dm,
        final ClusterNodesTest.RawGateway to, final String when) throws Exception
    {
        final String content = "dm " + when;
        final String id = rest.ok("POST", "channels/" + dm + "/messages", from.token(),
            "{\"content\":\"" + content + "\"}").get("id").asText();
        final JsonNode seen = to.poll("MESSAGE_CREATE", 30_000);
        assertNotNull(seen, "the recipient's session got the acknowledged DM " + id + " " + when);
        assertEquals(id, seen.get("id").asText(), seen.toString());
        assertEquals(content, seen.get("content").asText());
    }
}
