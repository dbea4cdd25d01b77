package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.routing.RoutingRing;

/**
 * A registration whose account command dies with the node that was to run it (issue 12). Three nodes in child JVMs.
 * With nodes 0 and 1 stopped (SIGSTOP), a name whose key node 2 owns is registered through node 2: node 2 journals
 * the claim and sends the registration on to the new id's owner, node 0 or 1, where the command waits unread. Both are
 * killed (SIGKILL: the command is gone with them) and started again. The request is answered as soon as node 2 sees
 * the new start of the node it waited on (503 with Discord's body: "may or may not have been applied"), and the name is
 * given back: registering it again gets 201, where before it was refused as taken for good (held by an id that has no
 * account and never will). Here the origin owns the name, so it sent the second hop itself and knew whom it waited on
 * before too; a registration through a third node now notes both hops ({@code ExchangeTable#waitsOn}).
 */
class ClusterLostRegistrationTest
{
    private static final int NODES = 3;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close(); // resumes the nodes the test stopped
        }
    }

    @Test
    void aRegistrationLostWithItsAccountOwnerIsAnsweredAtItsRestartAndItsNameIsFreeAgain() throws Exception
    {
        // a peer timeout longer than the stops: node 2 never finds nodes 0 and 1 unreachable, only restarted
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=10000",
            "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User admin = rest0.register("admin"); // the cluster's first account: every node's admin
        LocalCluster.awaitMetrics(rest2, admin);

        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        String name = null;
        CompletableFuture<RestClient.Response> lost = null;
        long askedAt = 0;
        for (int i = 0; i < 40 && name == null; i++)
        {
            final String candidate = "lost-" + i;
            if (ring.nodeOf(Usernames.key(candidate)) != 2)
            {
                continue;
            }
            askedAt = System.nanoTime();
            final CompletableFuture<RestClient.Response> register = cluster.registerPastStoppedNodes(2, rest2, admin,
                "{\"username\":\"" + candidate + "\",\"password\":\"password-x\"}");
            if (register == null)
            {
                continue; // the new id was node 2's own: another name
            }
            name = candidate;
            lost = register;
        }
        assertNotNull(name, "a registration of a name of node 2 went on to node 0 or 1");

        // the owner of the new id dies with the command unread; both stopped nodes go, and come back
        cluster.kill(0);
        cluster.kill(1);
        cluster.start(0);
        cluster.start(1);
        final long restartedAt = System.nanoTime();
        final RestClient.Response answer = lost.get(60, TimeUnit.SECONDS);
        assertNotNull(answer, "node 2 answered");
        // the name was given back: it registers again (through another node, once the release went through)
        assertAnsweredAndFreed(answer, restartedAt - askedAt, rest0, name);
        cluster.node(2).awaitLine("got no answer from its owner");
    }

    /**
     * A lost registration's answer: 503 at the restart of the node it waited on if that came well before the
     * request's 30 s timeout (else 503 or 504); then its name registers again.
     */
    private static void assertAnsweredAndFreed(final RestClient.Response answer, final long restartedAfterNanos,
        final RestClient rest, final String name) throws Exception
    {
        if (restartedAfterNanos < TimeUnit.SECONDS.toNanos(25))
        {
            assertEquals(503, answer.status(), "answered at the restart: " + answer.raw());
            assertTrue(answer.raw().contains("restarted"), answer.raw());
        }
        else
        {
            assertTrue(answer.status() == 503 || answer.status() == 504, answer.raw());
        }
        final RestClient.Response again = LocalCluster.registerOnceFree(rest, "{\"username\":\"" + name
            + "\",\"password\":\"password-y\"}");
        assertEquals(201, again.status(), "'" + name + "' is free again: " + again.raw());
    }

    /**
     * The same loss with three different nodes: the request arrives at node 0, the name's claim is node 1's, and the
     * new id's owner is node 2, stopped (SIGSTOP) while node 1 sends the registration on to it. Node 0 never sent
     * anything to node 2 itself: it knows it waits on node 2 only from the ring ({@code ExchangeTable#waitsOn} with
     * both hops). Node 2 is killed and started again: node 0 answers 503 at its restart and owes node 1 the name's
     * release, which node 1 carries out; the name then registers again. The new id is drawn at node 0 at random, so a
     * name whose registration was answered (its id was node 0's or node 1's) is followed by another, up to 40.
     */
    @Test
    void aRegistrationThroughAThirdNodeLostWithItsAccountOwnerIsAnsweredAndItsNameIsFreeAgain() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=10000",
            "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest1 = new RestClient(cluster.node(1).restBase());
        final RestClient.User admin = rest0.register("admin");
        LocalCluster.awaitMetrics(rest1, admin);
        LocalCluster.awaitMetrics(new RestClient(cluster.node(2).restBase()), admin);

        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        String name = null;
        RestClient.Response answer = null;
        int answeredAtOnce = 0;
        long restartedAfter = 0;
        for (int i = 0; i < 200 && name == null && answeredAtOnce < 40; i++)
        {
            final String candidate = "third-" + i;
            if (ring.nodeOf(Usernames.key(candidate)) != 1)
            {
                continue;
            }
            final long sentBefore = LocalCluster.metric(rest1, admin, "pinwheel_cluster_sent_total");
            LocalCluster.signal(cluster.node(2), "STOP");
            final long askedAt = System.nanoTime();
            final CompletableFuture<RestClient.Response> register = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return rest0.call("POST", "auth/register", null, "{\"username\":\"" + candidate
                        + "\",\"password\":\"password-x\"}");
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
            // node 1 sends its claim's record to nodes 0 and 2 and the registration on: three frames at least
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!register.isDone()
                && LocalCluster.metric(rest1, admin, "pinwheel_cluster_sent_total") < sentBefore + 3)
            {
                assertTrue(System.nanoTime() - deadline < 0, "node 1 sent the registration on within 10 s");
                TimeUnit.MILLISECONDS.sleep(20);
            }
            try
            {
                final RestClient.Response quick = register.get(2, TimeUnit.SECONDS);
                assertEquals(201, quick.status(), quick.raw()); // the new id was node 0's or node 1's
                answeredAtOnce++;
                LocalCluster.signal(cluster.node(2), "CONT");
                continue;
            }
            catch (final java.util.concurrent.TimeoutException waiting)
            {
                // waits on node 2 (or node 0 is slow: then it is answered 201 below, and another name follows)
            }
            cluster.kill(2);
            cluster.start(2);
            restartedAfter = System.nanoTime() - askedAt;
            final RestClient.Response after = register.get(60, TimeUnit.SECONDS);
            if (after.status() == 201)
            {
                answeredAtOnce++;
                cluster.node(2).awaitLine("live nodes [0, 1, 2]");
                continue;
            }
            name = candidate;
            answer = after;
        }
        assertNotNull(name, "a registration through node 0 of a name of node 1 went on to node 2 ("
            + answeredAtOnce + " answered 201 at once)");
        System.out.println("ClusterLostRegistrationTest: '" + name + "' waited on node 2 after " + answeredAtOnce
            + " registration(s) answered 201 at once; node 2 back " + TimeUnit.NANOSECONDS.toMillis(restartedAfter)
            + " ms after the request; answer " + answer.status());
        // node 0 knew it waited on node 2 and answered at its restart; it owed node 1 the name's release: the name
        // registers again, through node 1 itself this time
        assertAnsweredAndFreed(answer, restartedAfter, rest1, name);
        cluster.node(0).awaitLine("got no answer from its owner");
    }
}
