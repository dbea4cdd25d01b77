package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * A node on the shared Cassandra store restarted faster than its peers notice ({@code kill -9}, started again at once;
 * peer timeout 15 s): it is live in the current epoch all along, but the new process holds nothing until it has read
 * its keys from Cassandra. From the moment it serves, a person whose user id it owns posts in a guild it owns,
 * through it and through another node, and reads the guild: every answer is a success or a 503 to retry, never 401
 * (Discord's libraries stop for good on a bad token) nor 404 (they drop the guild), and the messages acknowledged
 * before the kill are all there. Before, the restarted node took the long-settled epoch as settled at once and served
 * its keys before loading them (found by {@link ClusterChaosTest}: 401s and 404s for half a second after a restart).
 * The restarted node also applies no ring epoch of its replayed history (one that caught up logs the current epoch
 * first). Also after a restart the others noticed (a user registered meanwhile).
 */
class ClusterCassandraFastRestartTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;

    @Test
    void aRestartedNodeAnswersRetryUntilItHoldsItsKeysNeverUnknown() throws Exception
    {
        restartAndUse(false);
    }

    /**
     * The same after a restart that the others noticed (peer timeout 1 s; node 1 is declared lost first, and a user
     * registers meanwhile): the new start's first epoch may be the one without it, in which it holds nothing and
     * knows none of the accounts the others keep until its first load — an unknown token is "not yet" (503) until
     * then, not 401 (a chaos run: 401 for half a second after such a restart).
     */
    @Test
    void aNodeRestartedAfterItWasDeclaredLostAnswersRetryUntilItKnowsEveryAccount() throws Exception
    {
        restartAndUse(true);
    }

    private void restartAndUse(final boolean declaredLost) throws Exception
    {
        final List<String> options = new ArrayList<>(SharedCassandra.clusterOptions("fastcass"));
        if (!declaredLost)
        {
            options.removeIf(o -> o.startsWith("-Dpinwheel.cluster.peerTimeoutMs="));
            options.add("-Dpinwheel.cluster.peerTimeoutMs=15000");
        }
        cluster = new LocalCluster(dir, NODES, 1, options).startAllLive();
        final RoutingRing ring = cluster.awaitSettledRing();
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient.User bob = ClusterGuilds.personOwnedBy(rest0, ring, 1, "bob");
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, bob.token(), ring, 1, "fastcass");
        final String guildId = guild.get("id").asText();
        final String messages = "channels/" + guild.get("channels").get(0).get("id").asText() + "/messages";
        final List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            acknowledged.add(rest0.ok("POST", messages, bob.token(), "{\"content\":\"before " + i + "\"}")
                .get("id").asText());
        }

        RestClient.User eve = null;
        if (declaredLost)
        {
            final java.util.concurrent.CompletableFuture<String> lost = cluster.node(0).lineContaining("(lost [1])");
            cluster.kill(1);
            final long without = LocalCluster.epochOf(lost.get(60, TimeUnit.SECONDS));
            cluster.node(0).awaitLine("ring epoch " + without + " settled");
            eve = ClusterGuilds.personOwnedBy(rest0, ring, 2, "eve"); // kept by node 2: node 1 learns her later
            rest0.ok("POST", "invites/" + ClusterGuilds.invite(rest0, bob.token(),
                guild.get("channels").get(0).get("id").asText()), eve.token(), "{}");
        }
        else
        {
            cluster.kill(1);
        }
        cluster.start(1); // fast: well within the 15 s peer timeout, the others' epoch does not change
        final RestClient rest1 = new RestClient(cluster.node(1).restBase());
        final List<String> wrong = new ArrayList<>();
        int retried = 0;
        int streak = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; streak < 20 && System.nanoTime() - deadline < 0; i++)
        {
            final RestClient via = i % 2 == 0 ? rest1 : rest0;
            final List<RestClient.Response> answers = new ArrayList<>(List.of(
                via.call("GET", "users/@me", bob.token(), null),
                via.call("GET", "guilds/" + guildId, bob.token(), null),
                via.call("POST", messages, bob.token(), "{\"content\":\"after " + i + "\"}")));
            if (eve != null)
            {
                answers.add(via.call("GET", "users/@me", eve.token(), null));
            }
            boolean ok = true;
            for (final RestClient.Response r : answers)
            {
                if (r.status() == 503)
                {
                    retried++;
                    ok = false;
                }
                else if (r.status() / 100 != 2)
                {
                    wrong.add("via node " + (i % 2 == 0 ? 1 : 0) + ": " + r.status() + " " + r.raw());
                    ok = false;
                }
            }
            if (answers.get(2).status() / 100 == 2)
            {
                acknowledged.add(answers.get(2).body().get("id").asText());
            }
            streak = ok ? streak + 1 : 0;
            if (!ok)
            {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        System.out.println("ClusterCassandraFastRestartTest: " + retried + " answer(s) 503 after the restart");
        assertEquals(List.of(), wrong, "only successes and 503s after the restart");
        assertEquals(20, streak, "served again");

        final JsonNode page = rest1.ok("GET", messages + "?limit=100", bob.token(), null);
        final List<String> history = new ArrayList<>();
        for (final JsonNode m : page)
        {
            history.add(0, m.get("id").asText());
        }
        assertEquals(acknowledged, history, "every acknowledged message, once, in order");
        if (!declaredLost)
        {
            // the restarted node's first epoch is the current one: none of the history it replayed was applied
            final long current = LocalCluster.epochOf(cluster.node(0).awaitLine("live nodes [0, 1, 2]"));
            final String first = cluster.node(1).awaitLine("cluster: ring epoch ");
            assertTrue(first.contains("ring epoch " + current + ": live nodes [0, 1, 2]"),
                "the restarted node applied the current epoch " + current + " first: " + first);
        }
    }
}
