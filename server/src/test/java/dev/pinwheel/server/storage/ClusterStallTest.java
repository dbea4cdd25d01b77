package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * A node that stalls longer than the peer timeout (SIGSTOP, then SIGCONT: a GC pause, a descheduled VM, a box at load
 * 40) still answers the requests it received before the stall. Two nodes in child JVMs (two consensus members: neither
 * can take the other out of the ring alone, so the guild stays where it is); a message is posted through node 0 to a
 * guild owned by node 1 just after node 1 is stopped; node 1 resumes 2.5 s later (peer timeout 1 s) and journals it.
 * The command reached node 1's socket during the stall; on resuming, node 1's media driver found the image of node 0's
 * stream silent for longer than its liveness timeout (then the peer timeout) and dropped it with the command unread,
 * so the client waited 30 s for a 504. Images now outlive such a stall (ten peer timeouts, at least 10 s): the command
 * is read, journaled and answered.
 */
class ClusterStallTest
{
    private static final int NODES = 2;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[NODES];

    @AfterEach
    void stop() throws Exception
    {
        for (final ServerProcess p : nodes)
        {
            if (p != null)
            {
                LocalCluster.signal(p, "CONT");
                p.close();
            }
        }
    }

    @Test
    void anAnswerComputedRightAfterAStallReachesTheNodeThatAsked() throws Exception
    {
        final Setup at = startWithAGuildOnNode1(List.of());
        final RestClient rest0 = at.rest0();
        final RestClient.User alice = at.alice();
        final String channelId = at.channelId();

        LocalCluster.signal(nodes[1], "STOP");
        final CompletableFuture<RestClient.Response> post = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return rest0.call("POST", "channels/" + channelId + "/messages", alice.token(),
                    "{\"content\":\"during the stall\"}");
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        TimeUnit.MILLISECONDS.sleep(2500); // the fault: a stall longer than the peer timeout (1 s)
        LocalCluster.signal(nodes[1], "CONT");
        final RestClient.Response answer = post.get(15, TimeUnit.SECONDS); // not the 30 s of a lost answer's 504
        assertEquals(200, answer.status(), answer.raw());
        final JsonNode history = rest0.ok("GET", "channels/" + channelId + "/messages?limit=10", alice.token(), null);
        assertEquals("during the stall", history.get(0).get("content").asText(), history.toString());
    }

    /**
     * A stall longer than Aeron's own liveness timeouts (10 s by default: the media driver's for its clients, each
     * client's for the driver and for its own conductor). Every part of the node is in one JVM, so the stall stops them
     * all alike and none is dead; but on resuming, a client or the driver that looked first saw the other silent for
     * longer than its timeout and closed — the client unmapping the counters the membership agent reads, which crashed
     * the JVM (SIGSEGV in ConsensusLogKeeper) after stalls of 10 s and more. The node must come back: alive, its guild
     * served again, posts through either node answered.
     */
    @Test
    void aNodeStalledLongerThanAeronsOwnTimeoutsComesBack() throws Exception
    {
        final Setup at = startWithAGuildOnNode1(List.of(dir.resolve("hs_err_node-%d.log").toString()));
        final RestClient rest0 = at.rest0();
        final RestClient rest1 = new RestClient(nodes[1].restBase());
        final RestClient.User alice = at.alice();
        final String channelId = at.channelId();

        LocalCluster.signal(nodes[1], "STOP");
        TimeUnit.MILLISECONDS.sleep(13_000); // the fault: longer than Aeron's 10 s client and driver timeouts
        LocalCluster.signal(nodes[1], "CONT");

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int through0 = 0;
        int through1 = 0;
        String last = "";
        while ((through0 == 0 || through1 == 0) && System.nanoTime() < deadline)
        {
            assertTrue(nodes[1].alive(), "node 1 died after the stall; its log:\n" + tail(nodes[1].log()));
            final RestClient.Response a = rest0.call("POST", "channels/" + channelId + "/messages", alice.token(),
                "{\"content\":\"after the stall, through node 0\"}");
            final RestClient.Response b = rest1.call("POST", "channels/" + channelId + "/messages", alice.token(),
                "{\"content\":\"after the stall, through node 1\"}");
            through0 += a.status() == 200 ? 1 : 0;
            through1 += b.status() == 200 ? 1 : 0;
            for (final RestClient.Response r : List.of(a, b))
            {
                assertTrue(r.status() == 200 || r.status() == 503, r.status() + " " + r.raw());
                last = r.status() + " " + r.raw();
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertTrue(through0 > 0 && through1 > 0, "no post answered 200 through both nodes within 60 s; last: "
            + last + "\nnode 1's log:\n" + tail(nodes[1].log()));
        TimeUnit.SECONDS.sleep(2); // a crash that comes a little later still fails the test
        assertTrue(nodes[1].alive() && nodes[0].alive(), "a node died after the stall");
        final JsonNode history = rest1.ok("GET", "channels/" + channelId + "/messages?limit=100", alice.token(), null);
        assertTrue(history.size() >= through0 + through1 + 1, "an acknowledged post is missing: " + history);
    }

    /** The two nodes, alice (registered through node 0) and the channel of her guild node 1 owns. */
    private record Setup(RestClient rest0, RestClient.User alice, String channelId)
    {
    }

    /**
     * Starts the two nodes (peer timeout 1 s), waits until both are live in one epoch, and makes alice's guild on
     * node 1 with a first post through node 0.
     *
     * @param errorFile where a node's JVM writes its fatal error report ({@code %d}: its id), or none.
     */
    private Setup startWithAGuildOnNode1(final List<String> errorFile) throws Exception
    {
        final String members = ClusterNodesTest.freeMemberPorts(NODES);
        for (int k = 0; k < NODES; k++)
        {
            final Path data = dir.resolve("node-" + k);
            Files.createDirectories(data);
            final List<String> options = new java.util.ArrayList<>(List.of("-Dpinwheel.cluster.peerTimeoutMs=1000",
                "-Dpinwheel.cluster.termLength=1048576"));
            for (final String f : errorFile)
            {
                options.add("-XX:ErrorFile=" + String.format(f, k));
            }
            nodes[k] = ServerProcess.start(data, 1, "os", dir.resolve("node-" + k + ".log"), 120, options,
                ServerProcess.freePort(), List.of("--node-id", Integer.toString(k), "--members", members));
        }
        for (int k = 0; k < NODES; k++)
        {
            final CompletableFuture<String> live = nodes[k].lineContaining("live nodes [0, 1]");
            if (!Files.readString(nodes[k].log()).contains("live nodes [0, 1]"))
            {
                live.get(90, TimeUnit.SECONDS);
            }
        }
        final RestClient rest0 = new RestClient(nodes[0].restBase());
        final RestClient.User alice = rest0.register("alice");
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "stall");
        final String channelId = guild.get("channels").get(0).get("id").asText();
        assertEquals(200, rest0.call("POST", "channels/" + channelId + "/messages", alice.token(),
            "{\"content\":\"before the stall\"}").status(), "a post through node 0 reaches node 1");
        return new Setup(rest0, alice, channelId);
    }

    private static String tail(final Path log) throws java.io.IOException
    {
        final List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
