package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * Users and guilds whose owner moves on the shared Cassandra store: three nodes in child JVMs (one shard each), guild
 * G owned by node 0 and guild H by node 1; bob (a person whose user id node 1 owns) and carol (one node 2 owns) both
 * connected to node 2 and members of both; alice (a bot) on node 0.
 * <ul>
 *   <li>{@code kill -9} of node 1: the survivors agree on a ring without it; bob's user id and H move to them, and
 *       their new owners know nothing of bob's sessions nor of H's members' presences. Once the epoch settled, a DM
 *       from alice reaches bob's session on node 2, G shows bob online, and H shows both online. Before, the new
 *       owner relayed bob's DMs to no session (acknowledged, stored, never delivered), and G and H showed him offline
 *       until he reconnected — H carol too, until her presence changed: nobody told the new owners.</li>
 *   <li>Node 1 restarts and rejoins: bob's user id and H move back to it; again a DM reaches bob, G shows him online
 *       and H both.</li>
 * </ul>
 */
class ClusterMovedUsersTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;
    private static final int GUILDS = 1;
    private static final int GUILD_PRESENCES = 1 << 8;
    private static final int DIRECT_MESSAGES = 1 << 12;

    @Test
    void aMovedUsersSessionsAreToldToTheNewOwnerDirectMessagesAndPresenceFollow() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, SharedCassandra.clusterOptions("moved")).startAllLive();
        final RoutingRing ring = cluster.awaitSettledRing();
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = ClusterGuilds.personOwnedBy(rest2, ring, 1, "bob");
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 0, "stays");
        final String guildId = guild.get("id").asText();
        final RestClient.User carol = ClusterGuilds.personOwnedBy(rest2, ring, 2, "carol");
        final String movingId = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "moves").get("id").asText();
        // a new watcher for each look (one user may start a session once every 5 s: op 9 otherwise)
        final List<RestClient.User> watchers = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            watchers.add(rest0.register("watcher" + i));
        }
        for (final String g : List.of(guildId, movingId))
        {
            final String channel = rest0.ok("GET", "guilds/" + g + "/channels", alice.token(), null).get(0).get("id")
                .asText();
            final String code = rest0.ok("POST", "channels/" + channel + "/invites", alice.token(), "{}").get("code")
                .asText();
            for (final RestClient.User u : List.of(bob, carol))
            {
                rest2.ok("POST", "invites/" + code, u.token(), "{}");
            }
            for (final RestClient.User w : watchers)
            {
                rest0.ok("POST", "invites/" + code, w.token(), "{}");
            }
        }
        final ClusterNodesTest.RawGateway bobGateway = connect(2, bob, GUILDS | DIRECT_MESSAGES);
        bobGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        connect(2, carol, GUILDS);
        final Map<String, List<RestClient.User>> online = Map.of(guildId, List.of(bob), movingId, List.of(bob, carol));
        assertOnline(0, watchers.get(0), online, "bob and carol connected to node 2");
        final String dm = rest0.ok("POST", "users/@me/channels", alice.token(),
            "{\"recipient_id\":\"" + bob.id() + "\"}").get("id").asText();
        assertDirectMessage(rest0, alice, dm, bobGateway, "before node 1 is killed");

        // kill -9 of node 1: bob's user id moves to a survivor
        final CompletableFuture<String> lost = cluster.node(0).lineContaining("live nodes [0, 2] (lost [1])");
        cluster.kill(1);
        final long without = LocalCluster.epochOf(lost.get(30, TimeUnit.SECONDS));
        cluster.node(0).awaitLine("ring epoch " + without + " settled");
        cluster.node(2).awaitLine("ring epoch " + without + " settled");
        final int moved = RoutingRing.buildLive(without, 0b101, 1, RoutingRing.DEFAULT_VIRTUAL_NODES)
            .nodeOf(Long.parseLong(bob.id()));
        System.out.println("ClusterMovedUsersTest: bob's user id moved to node " + moved);
        assertDirectMessage(rest0, alice, dm, bobGateway, "after bob's user id moved to node " + moved);
        assertOnline(0, watchers.get(1), online, "bob's user id moved to node " + moved + ", H to node "
            + RoutingRing.buildLive(without, 0b101, 1, RoutingRing.DEFAULT_VIRTUAL_NODES).nodeOf(Long.parseLong(movingId)));

        // node 1 rejoins: bob's user id goes back to it
        final CompletableFuture<String> back = cluster.node(0).lineContaining("live nodes [0, 1, 2] (joined [1])");
        cluster.start(1);
        final long rejoined = LocalCluster.epochOf(back.get(60, TimeUnit.SECONDS));
        for (int k = 0; k < NODES; k++)
        {
            cluster.node(k).awaitLine("ring epoch " + rejoined + " settled");
        }
        assertDirectMessage(rest0, alice, dm, bobGateway, "after bob's user id went back to node 1");
        assertOnline(0, watchers.get(2), online, "bob's user id and H went back to node 1");
    }

    /**
     * Posts a DM (again while its channel is moving: 503) and waits for the recipient's session to get it.
     */
    private static void assertDirectMessage(final RestClient rest, final RestClient.User from, final String dm,
        final ClusterNodesTest.RawGateway to, final String when) throws Exception
    {
        final String content = "dm " + when;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RestClient.Response r;
        while ((r = rest.call("POST", "channels/" + dm + "/messages", from.token(),
            "{\"content\":\"" + content + "\"}")).status() == 503)
        {
            assertTrue(System.nanoTime() - deadline < 0, "the DM channel served within 30 s " + when + ": " + r.raw());
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertEquals(200, r.status(), r.raw());
        final String id = r.body().get("id").asText();
        final JsonNode seen = to.poll("MESSAGE_CREATE", 30_000);
        assertTrue(seen != null, "the recipient's session got the acknowledged DM " + id + " " + when);
        assertEquals(id, seen.get("id").asText(), seen.toString());
        assertEquals(content, seen.get("content").asText());
    }

    /**
     * A new session of {@code watcher} on a node: its GUILD_CREATE of each guild shows those users online (waiting up
     * to 30 s for it, one new session every 6 s: a user may start one every 5 s).
     */
    private void assertOnline(final int node, final RestClient.User watcher,
        final Map<String, List<RestClient.User>> online, final String when) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final List<String> missing = new ArrayList<>();
            try (ClusterNodesTest.RawGateway g = ClusterNodesTest.RawGateway.identify(cluster.port(node),
                watcher.token(), GUILDS | GUILD_PRESENCES))
            {
                final Map<String, JsonNode> creates = new java.util.HashMap<>();
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!creates.keySet().containsAll(online.keySet()))
                {
                    final long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                    assertTrue(left > 0, "GUILD_CREATE of " + online.keySet() + " within 30 s; got " + creates.keySet());
                    final JsonNode f = g.nextDispatch(left);
                    if (f != null && "GUILD_CREATE".equals(f.get("t").asText()))
                    {
                        creates.put(f.get("d").get("id").asText(), f.get("d"));
                    }
                }
                for (final Map.Entry<String, List<RestClient.User>> e : online.entrySet())
                {
                    final JsonNode created = creates.get(e.getKey());
                    for (final RestClient.User u : e.getValue())
                    {
                        boolean shown = false;
                        for (final JsonNode p : created.path("presences"))
                        {
                            shown |= u.id().equals(p.get("user").get("id").asText())
                                && "online".equals(p.get("status").asText());
                        }
                        if (!shown)
                        {
                            missing.add(u.id() + " in " + e.getKey() + " (presences " + created.path("presences")
                                + ")");
                        }
                    }
                }
            }
            if (missing.isEmpty())
            {
                return;
            }
            assertTrue(System.nanoTime() - deadline < 0, "online within 30 s after " + when + "; not: " + missing);
            TimeUnit.SECONDS.sleep(6);
        }
    }

}
