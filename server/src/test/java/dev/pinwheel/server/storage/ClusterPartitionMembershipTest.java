package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * Membership changes made while the node holding a member's sessions was cut off: two nodes in child JVMs (one shard
 * each, {@code peerTimeoutMs} 1 s), guild G owned by node 0, erin and frank connected to node 1 only, frank a member
 * of G. Node 1 is stopped ({@code SIGSTOP}) past the peer timeout; meanwhile erin joins G and frank is kicked (through
 * node 0, G's owner), and guild D (node 0's too, gina a member) is deleted. Once node 1 is resumed and the link is
 * back, erin's session gets G's GUILD_CREATE and its next message; frank's gets G's GUILD_DELETE (not unavailable) and
 * none of its later messages; gina's gets D's GUILD_DELETE (not unavailable); and hank, a member of D who connects to
 * node 1 only now, is not given D in READY. Hana (a person owned by node 0, connected to node 1) gets the DM alice
 * sent her during the cut, through a DM channel node 0 owns: her owner had dropped node 1's sessions, and held the DM
 * for them until node 1 told it again where they are.
 * <p>
 * Before, node 1 never noticed the cut (it was the one stopped), so it did nothing: node 0 had refused its joins,
 * removals and node-wide records for node 1 meanwhile. Erin never got G, frank kept it; and a guild deleted through
 * another node stayed in its members' guild lists on every node but its owner's, even without any cut.
 */
class ClusterPartitionMembershipTest extends ClusterSessionsFixture
{
    private static final int GUILDS = 1;
    private static final int GUILD_MESSAGES = 1 << 9;
    private static final int MESSAGE_CONTENT = 1 << 15;
    private static final int DIRECT_MESSAGES = 1 << 12;

    @Test
    void joinsAndKicksMadeWhileANodeWasCutOffReachItsSessions() throws Exception
    {
        cluster = new LocalCluster(dir, 2, 1,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RoutingRing ring = RoutingRing.build(1, 2, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest1 = new RestClient(cluster.node(1).restBase());
        final RestClient.User alice = rest0.register("alice");
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 0, "cut");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = ClusterGuilds.invite(rest0, alice.token(), channelId);
        final RestClient.User erin = rest1.register("erin");
        final RestClient.User frank = rest1.register("frank");
        final RestClient.User gina = rest1.register("gina");
        final RestClient.User hank = rest1.register("hank");
        rest1.ok("POST", "invites/" + code, frank.token(), "{}");
        rest1.ok("POST", "invites/" + code, gina.token(), "{}");
        final JsonNode doomed = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 0, "doomed");
        final String doomedId = doomed.get("id").asText();
        final String doomedCode = ClusterGuilds.invite(rest0, alice.token(),
            doomed.get("channels").get(0).get("id").asText());
        rest1.ok("POST", "invites/" + doomedCode, gina.token(), "{}");
        rest1.ok("POST", "invites/" + doomedCode, hank.token(), "{}");
        final int intents = GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT;
        final ClusterNodesTest.RawGateway frankGateway = connect(1, frank, intents);
        frankGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        final ClusterNodesTest.RawGateway ginaGateway = connect(1, gina, intents);
        ginaGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        ginaGateway.awaitDispatch("GUILD_CREATE", d -> doomedId.equals(d.get("id").asText()));
        final ClusterNodesTest.RawGateway erinGateway = connect(1, erin, intents);
        // a DM channel node 0 owns
        final ClusterGuilds.DmPartner partner = ClusterGuilds.dmPartner(rest1, ring, 0, "hana", code, rest0, alice,
            node -> node == 0);
        final RestClient.User hana = partner.user();
        final ClusterNodesTest.RawGateway hanaGateway = connect(1, hana, DIRECT_MESSAGES | MESSAGE_CONTENT);
        final String dmChannel = partner.channel();
        // node 0 knows erin's token before the cut (node-wide records are broadcast when journaled)
        rest0.ok("GET", "users/@me", erin.token(), null);

        final java.util.concurrent.CompletableFuture<String> back = cluster.node(0).lineContaining("node 1 connected");
        String whileCut = null;
        LocalCluster.signal(cluster.node(1), "STOP");
        try
        {
            cluster.node(0).awaitLine("node 1 unreachable");
            rest0.ok("POST", "invites/" + code, erin.token(), "{}");
            final RestClient.Response kick = rest0.call("DELETE", "guilds/" + guildId + "/members/" + frank.id(),
                alice.token(), null);
            assertEquals(204, kick.status(), kick.raw());
            final RestClient.Response delete = rest0.call("DELETE", "guilds/" + doomedId, alice.token(), null);
            assertEquals(204, delete.status(), delete.raw());
            whileCut = rest0.ok("POST", "channels/" + dmChannel + "/messages", alice.token(),
                "{\"content\":\"while you were cut off\"}").get("id").asText();
        }
        finally
        {
            LocalCluster.signal(cluster.node(1), "CONT");
        }
        back.get(60, java.util.concurrent.TimeUnit.SECONDS);

        erinGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        final JsonNode deleted = frankGateway.awaitDispatch("GUILD_DELETE",
            d -> guildId.equals(d.get("id").asText()) && !d.path("unavailable").asBoolean());
        assertTrue(deleted != null);
        ginaGateway.awaitDispatch("GUILD_DELETE",
            d -> doomedId.equals(d.get("id").asText()) && !d.path("unavailable").asBoolean());
        // gina, a member all along, is on the same shard: once she has a message, erin and frank would have had it
        final String after = rest0.ok("POST", "channels/" + channelId + "/messages", alice.token(),
            "{\"content\":\"after the cut\"}").get("id").asText();
        assertEquals(after, ginaGateway.awaitDispatch("MESSAGE_CREATE", d -> after.equals(d.get("id").asText()))
            .get("id").asText());
        assertEquals(after, erinGateway.awaitDispatch("MESSAGE_CREATE", d -> after.equals(d.get("id").asText()))
            .get("id").asText());
        assertNull(frankGateway.poll("MESSAGE_CREATE", 500), "a member kicked while cut off gets none of G's messages");
        final String heldDm = whileCut;
        assertEquals("while you were cut off", hanaGateway.awaitDispatch("MESSAGE_CREATE",
            d -> heldDm.equals(d.get("id").asText())).get("content").asText());

        final ClusterNodesTest.RawGateway hankGateway = connect(1, hank, intents);
        final JsonNode ready = hankGateway.ready();
        for (final JsonNode g : ready.get("guilds"))
        {
            assertTrue(!doomedId.equals(g.get("id").asText()), "a deleted guild is not in READY: " + ready);
        }
    }
}
