package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * A node cut off for a while on the shared Cassandra store: three nodes in child JVMs (one shard each), guild G owned
 * by node 0; erin, a person owned by node 0, connected to node 2 and not a member of G. Node 2 is stopped
 * ({@code SIGSTOP}) until the others agree on a ring without it; meanwhile dora registers through node 0 and joins G,
 * and erin joins G. Node 2 resumed and back in the ring: dora's token works on node 2 (REST 200, READY listing G;
 * a 503 while it reads the records again, never 401), and erin's session on node 2 gets G's GUILD_CREATE. Before,
 * node 2 refused dora (401, 4004) and never gave erin G until it restarted: the records broadcast while it was away
 * were lost to it, and a store without a journal of its own had no catch-up.
 */
class ClusterCassandraCutOffTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;
    private static final int GUILDS = 1;

    @Test
    void aNodeBackFromACutLearnsTheAccountsAndMembershipsWrittenMeanwhile() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, SharedCassandra.clusterOptions("cutoff")).startAllLive();
        final RoutingRing ring = cluster.awaitSettledRing();
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 0, "cut");
        final String guildId = guild.get("id").asText();
        final String code = ClusterGuilds.invite(rest0, alice.token(), guild.get("channels").get(0).get("id").asText());
        final RestClient.User erin = ClusterGuilds.personOwnedBy(rest0, ring, 0, "erin");
        final ClusterNodesTest.RawGateway erinGateway = connect(2, erin, GUILDS);

        final CompletableFuture<String> lost = cluster.node(0).lineContaining("(lost [2])");
        LocalCluster.signal(cluster.node(2), "STOP");
        final RestClient.User dora;
        final CompletableFuture<String> back;
        try
        {
            final long without = LocalCluster.epochOf(lost.get(60, TimeUnit.SECONDS));
            cluster.node(0).awaitLine("ring epoch " + without + " settled");
            cluster.node(1).awaitLine("ring epoch " + without + " settled");
            // owned by node 0 in both rings (a key of a live node stays with it): node 2 never loads its log
            dora = ClusterGuilds.personOwnedBy(rest0, ring, 0, "dora");
            rest0.ok("POST", "invites/" + code, dora.token(), "{}");
            rest0.ok("POST", "invites/" + code, erin.token(), "{}");
            back = cluster.node(0).lineContaining("(joined [2])");
        }
        finally
        {
            LocalCluster.signal(cluster.node(2), "CONT");
        }
        final long rejoined = LocalCluster.epochOf(back.get(60, TimeUnit.SECONDS));
        for (int k = 0; k < NODES; k++)
        {
            cluster.node(k).awaitLine("ring epoch " + rejoined + " settled");
        }

        ClusterRestartAuthTest.awaitKnown(rest2, dora, "node 2, back from the cut");
        final ClusterNodesTest.RawGateway doraGateway = connect(2, dora, GUILDS);
        assertTrue(doraGateway.readyLists(guildId), "dora's READY on node 2 lists G: " + doraGateway.ready());
        erinGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
    }

}
