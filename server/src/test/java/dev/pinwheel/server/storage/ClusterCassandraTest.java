package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * Three Pinwheel nodes in child JVMs on the shared Cassandra store, membership and ring epochs by consensus (Aeron
 * Cluster). A guild owned by node 1 gets messages written through nodes 0 and 2; node 1 is killed ({@code kill -9}):
 * the survivors agree on a ring epoch without it, one of them loads the guild from Cassandra and serves it with every
 * acknowledged message and takes new ones; node 1 restarts and rejoins: a newer epoch gives the guild back to it, and
 * it serves everything acknowledged meanwhile.
 */
class ClusterCassandraTest
{
    private static final int NODES = 3;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[NODES];
    private final int[] ports = new int[NODES];
    private final List<ClusterNodesTest.RawGateway> gateways = new ArrayList<>();
    private String members;
    private List<String> options;

    @AfterEach
    void stop()
    {
        for (final ClusterNodesTest.RawGateway g : gateways)
        {
            g.close();
        }
        for (final ServerProcess p : nodes)
        {
            if (p != null)
            {
                p.close();
            }
        }
    }

    private void startNode(final int k) throws IOException
    {
        final Path data = dir.resolve("node-" + k);
        Files.createDirectories(data);
        nodes[k] = ServerProcess.start(data, 1, "os", dir.resolve("node-" + k + ".log"), 120, options, ports[k],
            List.of("--node-id", Integer.toString(k), "--members", members));
    }

    @Test
    void aDeadNodesGuildIsServedBySurvivorsWithEveryAcknowledgedMessageAndGoesBackWhenItRejoins() throws Exception
    {
        options = SharedCassandra.clusterOptions("cluster");
        members = ClusterNodesTest.freeMemberPorts(NODES);
        for (int k = 0; k < NODES; k++)
        {
            ports[k] = ServerProcess.freePort();
        }
        for (int k = 0; k < NODES; k++)
        {
            startNode(k);
        }
        // all three agree on an epoch with all three live, and every node holds its keys (the epoch settled)
        final long first = LocalCluster.epochOf(awaitLine(0, "live nodes [0, 1, 2]"));
        for (int k = 0; k < NODES; k++)
        {
            awaitLine(k, "ring epoch " + first + " settled");
        }

        final RestClient rest0 = new RestClient(nodes[0].restBase());
        final RestClient rest2 = new RestClient(nodes[2].restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = rest2.register("bob");
        final RestClient rest1 = new RestClient(nodes[1].restBase());
        final RestClient.User carol = rest1.register("carol");
        final RoutingRing ring = RoutingRing.buildLive(first, 0b111, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "moving");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, bob.token(), "{}");
        rest1.ok("POST", "invites/" + code, carol.token(), "{}");
        // a member on each node follows the guild through that node's gateway
        final ClusterNodesTest.RawGateway aliceGw = ClusterNodesTest.RawGateway.identify(ports[0], alice.token());
        gateways.add(aliceGw);
        final ClusterNodesTest.RawGateway bobGw = ClusterNodesTest.RawGateway.identify(ports[2], bob.token());
        gateways.add(bobGw);
        final ClusterNodesTest.RawGateway carolGw = ClusterNodesTest.RawGateway.identify(ports[1], carol.token());
        gateways.add(carolGw);
        for (final ClusterNodesTest.RawGateway g : gateways)
        {
            g.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        }
        // per-guild order: members on all three nodes write at once; every session sees one order, the history's
        final List<String> burst = concurrentPosts(channelId, "three nodes", List.of(rest0, rest1, rest2),
            List.of(alice, carol, bob), 4);
        assertSameOrder(rest0, alice, channelId, burst, aliceGw, bobGw, carolGw);
        final List<String> acknowledged = new ArrayList<>(historyIds(rest0, alice, channelId));
        final List<String> before = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            final RestClient rest = i % 2 == 0 ? rest2 : rest0;
            final RestClient.User who = i % 2 == 0 ? bob : alice;
            before.add(rest.ok("POST", "channels/" + channelId + "/messages", who.token(),
                "{\"content\":\"before " + i + "\"}").get("id").asText());
        }
        assertSeen(before, aliceGw, bobGw, carolGw);
        acknowledged.addAll(before);
        rest0.ok("PATCH", "channels/" + channelId + "/messages/" + before.get(1), alice.token(),
            "{\"content\":\"before 1 edited\"}");
        assertHistory(rest0, alice, channelId, acknowledged);

        carolGw.close();
        gateways.remove(carolGw);
        // kill -9 node 1: the survivors agree on an epoch without it and load its guild from Cassandra
        final CompletableFuture<String> lost0 = nodes[0].lineContaining("live nodes [0, 2] (lost [1])");
        final CompletableFuture<String> lost2 = nodes[2].lineContaining("live nodes [0, 2] (lost [1])");
        final long killed = System.nanoTime();
        nodes[1].kill();
        nodes[1] = null;
        final long without = LocalCluster.epochOf(lost0.get(30, TimeUnit.SECONDS));
        assertEquals(without, LocalCluster.epochOf(lost2.get(30, TimeUnit.SECONDS)), "one epoch on both survivors");
        final long agreedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        awaitLine(0, "ring epoch " + without + " settled");
        awaitLine(2, "ring epoch " + without + " settled");
        final long servedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.println("ClusterCassandraTest: survivors agreed on epoch " + without + " " + agreedMs
            + " ms after kill -9; the epoch settled (node 1's keys loaded by the survivors) after " + servedMs + " ms");
        assertTrue(agreedMs < 15_000, "agreed within 15 s: " + agreedMs);
        final RoutingRing survivors = RoutingRing.buildLive(without, 0b101, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final int newOwner = survivors.nodeOf(Long.parseLong(guildId));
        assertTrue(newOwner == 0 || newOwner == 2, "moved to a survivor: " + newOwner);
        nodes[newOwner].awaitLine("loaded ");

        // the sessions on the survivors were told the guild is unavailable, then got it back from its new owner
        for (final ClusterNodesTest.RawGateway g : List.of(aliceGw, bobGw))
        {
            final JsonNode gone = g.awaitDispatch("GUILD_DELETE", d -> guildId.equals(d.get("id").asText()));
            assertTrue(gone.get("unavailable").asBoolean(), gone.toString());
            g.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        }
        // every acknowledged message, with its edit, through both survivors; new messages are taken
        assertHistory(rest0, alice, channelId, acknowledged);
        assertHistory(rest2, bob, channelId, acknowledged);
        assertEquals("before 1 edited", rest2.ok("GET", "channels/" + channelId + "/messages/" + before.get(1),
            bob.token(), null).get("content").asText());
        final List<String> sequential = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            final RestClient rest = i % 2 == 0 ? rest2 : rest0;
            final RestClient.User who = i % 2 == 0 ? bob : alice;
            sequential.add(rest.ok("POST", "channels/" + channelId + "/messages", who.token(),
                "{\"content\":\"while node 1 is dead " + i + "\"}").get("id").asText());
        }
        assertSeen(sequential, aliceGw, bobGw);
        acknowledged.addAll(sequential);
        final List<String> whileDead = concurrentPosts(channelId, "two survivors", List.of(rest0, rest2),
            List.of(alice, bob), 5);
        assertSameOrder(rest0, alice, channelId, whileDead, aliceGw, bobGw);
        acknowledged.addAll(whileDead);
        assertHistory(rest0, alice, channelId, acknowledged);
        assertEquals(guildId, rest2.ok("GET", "guilds/" + guildId, bob.token(), null).get("id").asText(),
            "the guild's state (bob's membership) moved too");

        // a user registered while node 1 is down (through a survivor), whose account another node keeps after the
        // rejoin too: node 1 can only know it from the node-wide records it learns when it starts
        RestClient.User dave = null;
        for (int i = 0; i < 12 && dave == null; i++)
        {
            final RestClient.User u = rest0.register("dave" + i);
            if (ring.nodeOf(Long.parseLong(u.id())) != 1)
            {
                dave = u;
            }
        }
        assertNotNull(dave, "one of 12 users is kept by node 0 or 2");
        // node 1 restarts and rejoins: a newer epoch gives it its keys back, loaded with what was written meanwhile
        final CompletableFuture<String> back0 = nodes[0].lineContaining("live nodes [0, 1, 2] (joined [1])");
        startNode(1);
        final long rejoined = LocalCluster.epochOf(back0.get(60, TimeUnit.SECONDS));
        assertTrue(rejoined > without, "newer epoch");
        for (int k = 0; k < NODES; k++)
        {
            awaitLine(k, "ring epoch " + rejoined + " settled");
        }
        assertHistory(rest0, alice, channelId, acknowledged);
        // the restarted node learned the node-wide records written while it was down: dave's account and token work
        // there, and so do the others'
        final RestClient rest1again = new RestClient(nodes[1].restBase());
        assertEquals(dave.id(), rest1again.ok("GET", "users/@me", dave.token(), null).get("id").asText());
        assertEquals("alice", rest1again.ok("GET", "users/@me", alice.token(), null).get("username").asText());
        assertEquals("bob", rest1again.ok("GET", "users/@me", bob.token(), null).get("username").asText());
        // the guild moved back to node 1: the sessions follow it there
        for (final ClusterNodesTest.RawGateway g : List.of(aliceGw, bobGw))
        {
            g.awaitDispatch("GUILD_DELETE", d -> guildId.equals(d.get("id").asText()));
            g.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        }
        final List<String> afterRejoin = concurrentPosts(channelId, "after the rejoin", List.of(rest0, rest2),
            List.of(alice, bob), 3);
        assertSameOrder(rest0, alice, channelId, afterRejoin, aliceGw, bobGw);
        acknowledged.addAll(afterRejoin);
        acknowledged.add(rest2.ok("POST", "channels/" + channelId + "/messages", bob.token(),
            "{\"content\":\"after node 1 rejoined\"}").get("id").asText());
        assertHistory(rest0, alice, channelId, acknowledged);
        assertHistory(rest2, bob, channelId, acknowledged);
    }

    /**
     * Each user posts {@code each} messages through its node, all users at once.
     *
     * @return the acknowledged ids, by id (the order the owner gave them).
     */
    private static List<String> concurrentPosts(final String channelId, final String what,
        final List<RestClient> rests, final List<RestClient.User> users, final int each) throws Exception
    {
        final List<CompletableFuture<List<String>>> posters = new ArrayList<>();
        for (int u = 0; u < rests.size(); u++)
        {
            final RestClient rest = rests.get(u);
            final RestClient.User who = users.get(u);
            final int n = u;
            posters.add(CompletableFuture.supplyAsync(() ->
            {
                final List<String> ids = new ArrayList<>();
                try
                {
                    for (int i = 0; i < each; i++)
                    {
                        ids.add(rest.ok("POST", "channels/" + channelId + "/messages", who.token(),
                            "{\"content\":\"" + what + " " + n + "." + i + "\"}").get("id").asText());
                    }
                }
                catch (final IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
                return ids;
            }));
        }
        final List<String> all = new ArrayList<>();
        for (final CompletableFuture<List<String>> p : posters)
        {
            all.addAll(p.get(60, TimeUnit.SECONDS));
        }
        all.sort(java.util.Comparator.comparingLong(Long::parseLong)); // one owner's ids grow: its order
        return all;
    }

    /**
     * Every session sees exactly these messages (no more, none twice), in one order: the guild's (its history's).
     */
    private static void assertSameOrder(final RestClient rest, final RestClient.User user, final String channelId,
        final List<String> posted, final ClusterNodesTest.RawGateway... sessions) throws Exception
    {
        final List<String> history = new ArrayList<>(historyIds(rest, user, channelId));
        history.retainAll(posted);
        assertEquals(posted.size(), history.size(), "every acknowledged message is in the history");
        for (final ClusterNodesTest.RawGateway g : sessions)
        {
            final List<String> seen = new ArrayList<>();
            for (int i = 0; i < posted.size(); i++)
            {
                seen.add(g.awaitDispatch("MESSAGE_CREATE", x -> true).get("id").asText());
            }
            assertEquals(history, seen, "the session sees the guild's order");
            assertEquals(null, g.poll("MESSAGE_CREATE", 300), "no event twice");
        }
    }

    /** Each session gets exactly these MESSAGE_CREATEs next, in this order. */
    private static void assertSeen(final List<String> ids, final ClusterNodesTest.RawGateway... sessions)
        throws InterruptedException
    {
        for (final ClusterNodesTest.RawGateway g : sessions)
        {
            final List<String> seen = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++)
            {
                seen.add(g.awaitDispatch("MESSAGE_CREATE", x -> true).get("id").asText());
            }
            assertEquals(ids, seen);
        }
    }

    private static List<String> historyIds(final RestClient rest, final RestClient.User user, final String channelId)
        throws IOException
    {
        final JsonNode page = rest.ok("GET", "channels/" + channelId + "/messages?limit=100", user.token(), null);
        final List<String> ids = new ArrayList<>();
        for (final JsonNode m : page)
        {
            ids.add(0, m.get("id").asText()); // newest first on the wire
        }
        return ids;
    }


    /** @return the first line of node k's log containing the text (waiting up to 60 s for it). */
    private String awaitLine(final int k, final String text) throws Exception
    {
        final CompletableFuture<String> seen = nodes[k].lineContaining(text);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            for (final String line : Files.readAllLines(nodes[k].log()))
            {
                if (line.contains(text))
                {
                    return line;
                }
            }
            assertTrue(System.nanoTime() - deadline < 0, "no '" + text + "' in " + nodes[k].log());
            try
            {
                return seen.get(200, TimeUnit.MILLISECONDS);
            }
            catch (final java.util.concurrent.TimeoutException ignored)
            {
                // look at the log again
            }
        }
    }

    private static void assertHistory(final RestClient rest, final RestClient.User user, final String channelId,
        final List<String> expected) throws IOException
    {
        final JsonNode page = rest.ok("GET", "channels/" + channelId + "/messages?limit=100", user.token(), null);
        final List<String> ids = new ArrayList<>();
        for (final JsonNode m : page)
        {
            ids.add(0, m.get("id").asText()); // newest first on the wire
        }
        assertEquals(expected, ids);
    }
}
