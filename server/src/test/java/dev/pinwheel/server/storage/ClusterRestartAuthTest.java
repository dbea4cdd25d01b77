package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;


import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * A node restarted while the node owning a user is unreachable does not know the user's account yet (on the embedded
 * store a user's records are journaled by their owner node, and reach the others by its broadcast and catch-up): two
 * nodes in child JVMs, bob a person owned by node 0, member of guild G (node 0's). Node 1 is killed and started again
 * while node 0 is stopped ({@code SIGSTOP}). Bob's valid token through node 1 is answered as a failure that heals —
 * REST 503 with a JSON error body and {@code Retry-After}, the gateway close code 4000 (clients reconnect) — not as a
 * bad token (401, 4004: JDA and discord.js give up for good on 4004). Once node 0 is resumed, bob identifies on node 1
 * and his READY lists G.
 */
class ClusterRestartAuthTest extends ClusterSessionsFixture
{
    private static final int GUILDS = 1;

    @Test
    void aTokenWhoseOwnerIsUnreachableIsAFailureThatHealsNotABadToken() throws Exception
    {
        cluster = new LocalCluster(dir, 2, 1,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RoutingRing ring = RoutingRing.build(1, 2, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient.User bob = ClusterGuilds.personOwnedBy(rest0, ring, 0, "bob");
        final String guildId = ClusterGuilds.ownedBy(rest0, bob.token(), ring, 0, "home").get("id").asText();

        cluster.kill(1);
        LocalCluster.signal(cluster.node(0), "STOP");
        try
        {
            cluster.start(1);
            final RestClient rest1 = new RestClient(cluster.node(1).restBase());
            final RestClient.Response me = rest1.call("GET", "users/@me", bob.token(), null);
            assertEquals(503, me.status(), me.raw());
            assertTrue(me.body().path("message").asText().length() > 0, me.raw());
            assertTrue(me.retryAfter() != null, "Retry-After: " + me.raw());
            final RestClient.Response bad = rest1.call("GET", "users/@me", "bm90LWEtdXNlcg.eA", null);
            assertEquals(401, bad.status(), "a token that names no user is still a bad token: " + bad.raw());
            final int code = ClusterNodesTest.RawGateway.closeCodeOfIdentify(cluster.port(1), bob.token(), GUILDS);
            assertEquals(4000, code, "a failure that heals, not 4004");
        }
        finally
        {
            LocalCluster.signal(cluster.node(0), "CONT");
        }
        awaitKnown(new RestClient(cluster.node(1).restBase()), bob, "node 1, node 0 resumed");
        final ClusterNodesTest.RawGateway g = connect(1, bob, GUILDS);
        assertTrue(g.readyLists(guildId), "READY lists G: " + g.ready());
    }

    /**
     * Waits up to 60 s until a node knows a user's token: answered 503 meanwhile (not yet known), never 401.
     */
    static void awaitKnown(final RestClient rest, final RestClient.User user, final String where) throws Exception
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        RestClient.Response me;
        while ((me = rest.call("GET", "users/@me", user.token(), null)).status() != 200)
        {
            assertEquals(503, me.status(), "a valid token on " + where + ": " + me.raw());
            assertTrue(System.nanoTime() - deadline < 0, "the token known on " + where + " within 60 s: " + me.raw());
            Thread.sleep(100);
        }
    }
}
