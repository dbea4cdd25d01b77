package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
    void stop() throws Exception
    {
        if (cluster != null)
        {
            for (int k = 0; k < NODES; k++)
            {
                if (cluster.node(k) != null)
                {
                    signal(cluster.node(k), "CONT"); // a stopped JVM would not stop
                }
            }
            cluster.close();
        }
    }

    private static void signal(final ServerProcess p, final String signal) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
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
        awaitMetrics(rest2, admin);

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
            final long sentBefore = metric(rest2, admin, "pinwheel_cluster_sent_total");
            final long localBefore = metric(rest2, admin, "type=\"account_register\"");
            signal(cluster.node(0), "STOP");
            signal(cluster.node(1), "STOP");
            askedAt = System.nanoTime();
            final CompletableFuture<RestClient.Response> register = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return rest2.call("POST", "auth/register", null, "{\"username\":\"" + candidate
                        + "\",\"password\":\"password-x\"}");
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            // the claim journaled, its record broadcast to nodes 0 and 1, and the registration sent on: three frames
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!register.isDone() && metric(rest2, admin, "pinwheel_cluster_sent_total") < sentBefore + 3)
            {
                assertTrue(System.nanoTime() - deadline < 0, "node 2 sent the registration on within 10 s");
                TimeUnit.MILLISECONDS.sleep(20);
            }
            if (register.isDone() || metric(rest2, admin, "type=\"account_register\"") > localBefore)
            {
                // the new id is node 2's own: registered there; another name
                final RestClient.Response local = register.get(30, TimeUnit.SECONDS);
                assertEquals(201, local.status(), local.raw());
                signal(cluster.node(0), "CONT");
                signal(cluster.node(1), "CONT");
                continue;
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
        if (restartedAt - askedAt < TimeUnit.SECONDS.toNanos(25))
        {
            // both were back well before the request's 30 s timeout: the restart answered it
            assertEquals(503, answer.status(), "answered at the owner's restart: " + answer.raw());
            assertTrue(answer.raw().contains("restarted"), answer.raw());
        }
        else
        {
            assertTrue(answer.status() == 503 || answer.status() == 504, answer.raw());
        }

        // the name was given back: it registers again (through another node, once the release went through)
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        RestClient.Response again;
        while (true)
        {
            again = rest0.call("POST", "auth/register", null, "{\"username\":\"" + name
                + "\",\"password\":\"password-y\"}");
            if (again.status() == 201 || System.nanoTime() - until >= 0)
            {
                break;
            }
            assertTrue(again.status() == 400 || again.status() == 503, "taken or refused meanwhile: " + again.raw());
            TimeUnit.MILLISECONDS.sleep(250);
        }
        assertEquals(201, again.status(), "'" + name + "' is free again: " + again.raw());
        cluster.node(2).awaitLine("got no answer from its owner");
    }

    private static void awaitMetrics(final RestClient rest, final RestClient.User admin) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try
            {
                rest.metrics(admin.token());
                return;
            }
            catch (final AssertionError notYet)
            {
                assertTrue(System.nanoTime() - deadline < 0, "the admin reached the node within 30 s: " + notYet);
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    /** @return the sum of a node's {@code /metrics} samples whose line contains {@code text} (0: none yet). */
    private static long metric(final RestClient rest, final RestClient.User admin, final String text)
        throws IOException
    {
        long sum = 0;
        for (final String line : rest.metrics(admin.token()).split("\n"))
        {
            if (!line.startsWith("#") && line.contains(text))
            {
                sum += (long)Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
