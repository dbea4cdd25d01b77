package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.routing.RoutingRing;

/**
 * Node-wide records (accounts, tokens…) on the embedded store after a node restarts: three nodes in child JVMs, node 1
 * killed with SIGKILL, a user registered through node 0 while it is down, node 1 restarted on its data directory. The
 * restarted node asks each peer for its node-wide records when their link comes up (a catch-up over the link), so the
 * new user's token works on node 1, and so do the tokens of users registered on other nodes before it died — 2,000 of
 * them, through a link whose window and held-frame queue are far smaller than the catch-up (every record arrives).
 * Each peer's shard sends its journal a slice per duty cycle (at most 256 records): the catch-up counters in
 * {@code /metrics} show several slices, every record sent and no scan left running or abandoned.
 */
class ClusterCatchUpTest
{
    private static final int NODES = 3;
    /** Users registered before the restart: their records are far more than the window, the queue and a slice hold. */
    private static final int MANY = 2000;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void aRestartedNodeLearnsTheAccountsWrittenElsewhere() throws Exception
    {
        // the smallest term (a 32 KiB window) and a queue of 256 held frames per peer: a catch-up of thousands of
        // records outruns both, as a large journal outruns the defaults (4 registrations at once need more than a
        // handful held: a command or answer refused by a full queue is lost, not retried)
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=1000",
            "-Dpinwheel.cluster.termLength=65536", "-Dpinwheel.cluster.maxPending=256", "-Dpinwheel.auth.hash-per-ip=8"))
            .startAllLive();
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = rest2.register("bob");
        final RestClient rest1 = new RestClient(cluster.node(1).restBase());
        assertEquals("bob", awaitMe(rest1, bob).get("username").asText(), "the link's live state broadcast");
        final List<RestClient.User> many = registerMany(rest0, rest2);
        final long sentBefore0 = ClusterNodesTest.metric(cluster.port(0), alice.token(),
            "pinwheel_cluster_catch_up_records_total");

        // both survivors must have seen node 1 go: a claim node 2 owns goes on from there to a new id's owner, and one
        // sent to node 1 before node 2 noticed is lost in flight (its request waits for the 504 after 30 s, past the
        // client's timeout) — as in a CI failure of ClusterUsernamesTest
        final CompletableFuture<String> down = cluster.node(0).lineContaining("node 1 unreachable");
        final CompletableFuture<String> down2 = cluster.node(2).lineContaining("node 1 unreachable");
        cluster.kill(1);
        down.get(60, TimeUnit.SECONDS);
        down2.get(60, TimeUnit.SECONDS);
        // registered through node 0 while node 1 is dead: a name node 1 owns cannot be (so none is tried; 9 of the
        // first 12 "carolN" were node 1's, and with the other 3 all given new ids of node 1 the test failed, ≈ 7 % of
        // runs), nor a new id node 1 owns (drawn at random: 503, try another)
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        RestClient.User carol = null;
        final List<String> refusals = new java.util.ArrayList<>();
        int tried = 0;
        for (int i = 0; i < 1000 && tried < 30 && carol == null; i++)
        {
            if (ring.nodeOf(Usernames.key("carol" + i)) == 1)
            {
                continue;
            }
            tried++;
            final RestClient.Response r = rest0.call("POST", "auth/register", null,
                "{\"username\":\"carol" + i + "\",\"password\":\"password-carol\",\"bot\":true}");
            if (r.status() == 200 || r.status() == 201)
            {
                carol = new RestClient.User(r.body().get("user").get("id").asText(), r.body().get("token").asText());
            }
            else
            {
                assertEquals(503, r.status(), r.raw());
                refusals.add(r.raw());
            }
        }
        assertNotNull(carol, "one of " + tried + " registrations is kept by node 0 or 2: " + refusals);
        assertEquals(carol.id(), rest0.ok("GET", "users/@me", carol.token(), null).get("id").asText());

        final CompletableFuture<String> back = cluster.node(0).lineContaining("node 1 connected");
        cluster.start(1);
        back.get(60, TimeUnit.SECONDS);
        final RestClient rest1again = new RestClient(cluster.node(1).restBase());
        assertEquals(carol.id(), awaitMe(rest1again, carol).get("id").asText(), "written while node 1 was down");
        assertEquals("alice", awaitMe(rest1again, alice).get("username").asText(), "written on node 0 before");
        assertEquals("bob", awaitMe(rest1again, bob).get("username").asText(), "written on node 2 before");
        for (final RestClient.User u : many)
        {
            assertEquals(u.id(), awaitMe(rest1again, u).get("id").asText(), "one of " + MANY + " users written before");
        }
        assertTrue(Files.readString(cluster.node(1).log()).contains("catch-up"), "the restarted node logged its catch-up");
        for (final int k : new int[] {0, 2})
        {
            final String log = Files.readString(cluster.node(k).log());
            assertTrue(!log.contains("stopped after"), "node " + k + " abandoned a catch-up: a journal larger than "
                + "the link's window and queue must reach the peer whole");
            log.lines().filter(l -> l.contains("catch-up for node 1")).forEach(l -> System.out.println(
                "ClusterCatchUpTest: node " + k + ": " + l.substring(l.indexOf("catch-up"))));
            final long slices = ClusterNodesTest.metric(cluster.port(k), alice.token(),
                "pinwheel_cluster_catch_up_slices_total");
            final long completed = ClusterNodesTest.metric(cluster.port(k), alice.token(),
                "pinwheel_cluster_catch_up_completed_total");
            final long records = ClusterNodesTest.metric(cluster.port(k), alice.token(),
                "pinwheel_cluster_catch_up_records_total");
            System.out.println("ClusterCatchUpTest: node " + k + ": " + completed + " catch-ups completed, " + records
                + " records in " + slices + " slices, the longest " + ClusterNodesTest.metric(cluster.port(k), alice.token(),
                "pinwheel_cluster_catch_up_slice_max_nanoseconds") / 1000 + " µs");
            // this node's users' records alone (about 3 a user: account, token, name claim) take several slices
            assertTrue(slices > 4, "node " + k + " sent its journal in slices: " + slices);
            assertTrue(completed >= 3, "node " + k + ": catch-ups at the start (2) and of the restarted node: "
                + completed);
            assertTrue(records > MANY / 2, "node " + k + " sent its users' records: " + records);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ClusterNodesTest.metric(cluster.port(k), alice.token(), "pinwheel_cluster_catch_up_running") != 0)
            {
                assertTrue(System.nanoTime() - deadline < 0, "node " + k + " still runs a catch-up after 30 s");
                TimeUnit.MILLISECONDS.sleep(100); // polled: its last slice may still be on its way
            }
            assertEquals(0, ClusterNodesTest.metric(cluster.port(k), alice.token(),
                "pinwheel_cluster_catch_up_abandoned_total"));
        }
        assertTrue(ClusterNodesTest.metric(cluster.port(0), alice.token(), "pinwheel_cluster_catch_up_records_total")
            > sentBefore0 + MANY / 2, "node 0 sent the restarted node its users' records");
    }

    /** @return {@link #MANY} users registered through nodes 0 and 2 (a few at once: PBKDF2 and a hop each). */
    private static List<RestClient.User> registerMany(final RestClient rest0, final RestClient rest2)
        throws Exception
    {
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try
        {
            final List<java.util.concurrent.Future<RestClient.User>> users = new java.util.ArrayList<>();
            for (int i = 0; i < MANY; i++)
            {
                final RestClient rest = i % 2 == 0 ? rest0 : rest2;
                final String name = "many-" + i;
                users.add(pool.submit(() -> rest.register(name)));
            }
            final List<RestClient.User> many = new java.util.ArrayList<>();
            for (final java.util.concurrent.Future<RestClient.User> u : users)
            {
                many.add(u.get(120, TimeUnit.SECONDS));
            }
            return many;
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    /** @return GET users/@me once it answers 200 (the catch-up arrives a moment after the link comes up). */
    private static JsonNode awaitMe(final RestClient rest, final RestClient.User user) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RestClient.Response r = rest.call("GET", "users/@me", user.token(), null);
        while (r.status() != 200 && System.nanoTime() - deadline < 0)
        {
            assertEquals(401, r.status(), r.raw());
            TimeUnit.MILLISECONDS.sleep(200); // polled: nothing on the node signals "learned" to a client
            r = rest.call("GET", "users/@me", user.token(), null);
        }
        assertEquals(200, r.status(), "token of " + user.id() + ": " + r.raw());
        return r.body();
    }
}
