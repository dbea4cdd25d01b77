package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * A node stalled past its ownership lease comes back holding a stale copy of a guild others owned meanwhile: the
 * commands that reached it before the stall were held, and once its lease was renewed they ran at once — before its
 * handover had released the guild and loaded it again — on that copy (a chaos soak: a post sent again ran there, did
 * not see the message its first try had written on the other owner, and was written twice). Now a command for a guild
 * the current ring routes elsewhere, or that is moving, is answered 503 "moving" even where a copy is held.
 * <p>
 * Three nodes on the shared Cassandra store, peer timeout 1 s. A guild node 0 owns; node 0 stopped ({@code SIGSTOP});
 * a history read sent through node 1 reaches node 0's socket; the others agree on the ring without node 0, and a post
 * through node 1 is acknowledged by the guild's new owner; node 0 resumes. The read is answered 503, or with a history
 * that has the acknowledged post — never the stale history without it.
 */
class ClusterStaleOwnerTest extends ClusterSessionsFixture
{
    @Test
    void commandsHeldThroughAStallAreNotServedFromAStaleCopy() throws Exception
    {
        cluster = new LocalCluster(dir, 3, 1, SharedCassandra.clusterOptions("stale")).startAllLive();
        final RoutingRing ring = cluster.awaitSettledRing();
        // the node stopped below is the consensus leader: on resuming it first catches up with a log that by then has
        // both the epoch without it and the one it rejoins in, and applies them together (as in the soak)
        final int stopped = leader();
        final int asked = (stopped + 1) % 3;
        final RestClient rest1 = new RestClient(cluster.node(asked).restBase());
        final RestClient.User alice = ClusterGuilds.personOwnedBy(rest1, ring, asked, "alice");
        final JsonNode guild = ClusterGuilds.ownedBy(rest1, alice.token(), ring, stopped, "stale");
        final String messages = "channels/" + guild.get("channels").get(0).get("id").asText() + "/messages";
        rest1.ok("POST", messages, alice.token(), "{\"content\":\"before\"}");
        rest1.ok("GET", messages + "?limit=10", alice.token(), null); // its owner holds the channel's newest in memory

        final CompletableFuture<String> lost = cluster.node(asked).lineContaining("(lost [" + stopped + "])");
        // the read is sent the moment the owner stops (a thread ready and waiting), before the others notice
        final java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        final CompletableFuture<RestClient.Response> read = new CompletableFuture<>();
        final long[] answeredAt = new long[1];
        final Thread reader = Thread.ofPlatform().name("stale-read").start(() ->
        {
            try
            {
                go.await();
                final RestClient.Response r = rest1.call("GET", messages + "?limit=10", alice.token(), null);
                answeredAt[0] = System.nanoTime();
                read.complete(r);
            }
            catch (final Exception ex)
            {
                read.completeExceptionally(ex);
            }
        });
        LocalCluster.signal(cluster.node(stopped), "STOP");
        go.countDown();
        final long without = LocalCluster.epochOf(lost.get(60, TimeUnit.SECONDS));
        cluster.node(asked).awaitLine("ring epoch " + without + " settled");
        RestClient.Response during = rest1.call("POST", messages, alice.token(), "{\"content\":\"during\"}");
        for (int i = 0; i < 100 && during.status() == 503; i++) // the guild moving to its new owner: retry
        {
            TimeUnit.MILLISECONDS.sleep(100);
            during = rest1.call("POST", messages, alice.token(), "{\"content\":\"during\"}");
        }
        assertEquals(200, during.status(), during.raw());
        final long duringAcknowledged = System.nanoTime();
        // reads are sent again to the guild's new owner once the ring settles without the stopped node: that answer
        // may come while the node is still stopped, and it may have been read before "during" was written there (the
        // read was sent before the post: the two are concurrent, and the reader thread can take its answer after the
        // post's). An answer that comes while the node is stopped is the new owner's, so the node is resumed only
        // once the read is answered, or after 10 s without an answer: from then on a new owner's answer read before
        // "during" was written can no longer be on its way, and a 200 without "during" is the stale copy's.
        boolean whileStopped;
        try
        {
            read.get(10, TimeUnit.SECONDS);
            whileStopped = true;
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            whileStopped = false;
        }
        LocalCluster.signal(cluster.node(stopped), "CONT");

        final RestClient.Response answer = read.get(40, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(5));
        System.out.println("ClusterStaleOwnerTest: node " + stopped + " (the leader) stopped; the read through node "
            + asked + " answered " + answer.status() + (answeredAt[0] - duringAcknowledged > 0 ? " after" : " before")
            + " the post during the stall was acknowledged" + (whileStopped ? ", while the node was stopped" : "")
            + ": " + answer.raw());
        if (answer.status() == 200 && whileStopped)
        {
            final List<String> contents = new ArrayList<>();
            answer.body().forEach(m -> contents.add(m.get("content").asText()));
            assertTrue(contents.contains("before"), "the new owner's history without the post acknowledged before the "
                + "stall: " + contents);
        }
        else if (answer.status() == 200 && answeredAt[0] - duringAcknowledged > 0)
        {
            final List<String> contents = new ArrayList<>();
            answer.body().forEach(m -> contents.add(m.get("content").asText()));
            assertTrue(contents.contains("during"), "a stale history, without the post acknowledged before it: "
                + contents);
        }
        else if (answer.status() != 200)
        {
            assertEquals(503, answer.status(), answer.raw());
        }
    }

    /** @return the node whose log last named its consensus role LEADER (waiting up to 30 s for one). */
    private int leader() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            for (int k = 0; k < 3; k++)
            {
                String role = null;
                for (final String line : java.nio.file.Files.readAllLines(cluster.node(k).log()))
                {
                    if (line.contains("this node's consensus role is "))
                    {
                        role = line;
                    }
                }
                if (role != null && role.endsWith("LEADER"))
                {
                    return k;
                }
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("no node logged that it leads");
    }
}
