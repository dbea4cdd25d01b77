package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The consensus leader stalls ({@code SIGSTOP}) until the two others agree on a ring without it, then resumes: three
 * nodes in child JVMs (peer timeout 1 s), five rounds. Back, the old leader ends the membership clients' sessions it
 * held (they timed out while it stood still) and calls an election; the other nodes' clients connect again while it
 * runs. No live node may be declared lost for that: the survivors lose the stalled leader alone (the new leader's own
 * membership client must follow it into the new term in time), after the stalled node is back in the ring no ring
 * epoch may lose a node for four peer timeouts, and all three apply one ring with all of them live.
 * <p>
 * Before, a client's connect request sent during the election went unanswered and the client waited its whole
 * message timeout (two peer timeouts) before it tried again, while the new leader gave the nodes one peer timeout to
 * heartbeat in its term: it declared both live nodes lost ("live nodes [2] (lost [0, 1])") and their guilds moved to
 * the node that had just come back. Seen in CI as a {@link ClusterCassandraCutOffTest} that waited for an epoch
 * which a spurious one replaced before it settled. And in this test's first CI run, with the leader lost: the new
 * leader's own client was still waiting for the lost one's successor 1.3 s into the new term ("lost [0, 1]" where
 * only node 1 had stopped); a client left behind the replica's term now connects afresh after a quarter peer timeout.
 */
class ClusterLeaderStallTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;
    private static final int ROUNDS = 5;
    private static final long PEER_TIMEOUT_MS = 1000;
    private static final Pattern LOST = Pattern.compile("ring epoch (\\d+): live nodes \\[[0-9, ]*\\] \\(lost \\[");
    private static final Pattern ROLE = Pattern.compile("consensus role is (LEADER|FOLLOWER|CANDIDATE)");

    @Test
    void aStalledLeaderThatComesBackCostsNoLiveNodeItsPlaceInTheRing() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=" + PEER_TIMEOUT_MS,
            "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        awaitAllLive(CompletableFuture.completedFuture(cluster.node(0).awaitLine("live nodes [0, 1, 2]")),
            "the first ring");
        for (int round = 0; round < ROUNDS; round++)
        {
            final int leader = awaitOneLeader();
            final int survivor = (leader + 1) % NODES;
            final CompletableFuture<String> lost = cluster.node(survivor).lineContaining("(lost [");
            final long without;
            final CompletableFuture<String> joined;
            final CompletableFuture<String> allLive;
            LocalCluster.signal(cluster.node(leader), "STOP");
            try
            {
                final String lostLine = lost.get(60, TimeUnit.SECONDS);
                assertTrue(lostLine.contains("(lost [" + leader + "])"), "round " + round + ": node " + leader
                    + " (the leader) stalled; the survivors must lose it alone: " + lostLine);
                without = LocalCluster.epochOf(lostLine);
                for (int k = 0; k < NODES; k++)
                {
                    if (k != leader)
                    {
                        cluster.node(k).awaitLine("ring epoch " + without + ": live nodes");
                    }
                }
                joined = cluster.node(survivor).lineContaining("(joined [" + leader + "])");
                allLive = cluster.node(0).lineContaining("live nodes [0, 1, 2]");
            }
            finally
            {
                LocalCluster.signal(cluster.node(leader), "CONT");
            }
            joined.get(60, TimeUnit.SECONDS);
            // the spurious loss came within two peer timeouts of the new term; wait for it well past that
            Thread.sleep(4 * PEER_TIMEOUT_MS);
            final List<String> spurious = new ArrayList<>();
            for (int k = 0; k < NODES; k++)
            {
                for (final String line : Files.readAllLines(dir.resolve("node-" + k + ".log"), StandardCharsets.UTF_8))
                {
                    final Matcher m = LOST.matcher(line);
                    if (m.find() && Long.parseLong(m.group(1)) > without)
                    {
                        spurious.add("node " + k + ": " + line);
                    }
                }
            }
            assertTrue(spurious.isEmpty(), "round " + round + ": node " + leader + " (the leader) stalled and came "
                + "back after epoch " + without + "; live nodes were declared lost: " + spurious);
            awaitAllLive(allLive, "round " + round);
        }
    }

    /** Waits until every node applied the epoch with every node live that {@code allLive} reports. */
    private void awaitAllLive(final CompletableFuture<String> allLive, final String what) throws Exception
    {
        final long epoch = LocalCluster.epochOf(allLive.get(60, TimeUnit.SECONDS));
        for (int k = 0; k < NODES; k++)
        {
            final String line = cluster.node(k).awaitLine("ring epoch " + epoch + ": live nodes");
            assertTrue(line.contains("live nodes [0, 1, 2]"), what + ": node " + k + " applied " + line);
        }
    }

    /** @return the node whose newest role line says LEADER, once exactly one does (each node logs its role changes). */
    private int awaitOneLeader() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadline < 0)
        {
            int leader = -1;
            int leaders = 0;
            for (int k = 0; k < NODES; k++)
            {
                String role = null;
                for (final String line : Files.readAllLines(dir.resolve("node-" + k + ".log"), StandardCharsets.UTF_8))
                {
                    final Matcher m = ROLE.matcher(line);
                    if (m.find())
                    {
                        role = m.group(1);
                    }
                }
                if ("LEADER".equals(role))
                {
                    leader = k;
                    leaders++;
                }
            }
            if (leaders == 1)
            {
                return leader;
            }
            Thread.sleep(50);
        }
        fail("no single consensus leader within 60 s");
        return -1;
    }
}
