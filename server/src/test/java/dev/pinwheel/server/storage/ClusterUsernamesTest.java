package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.routing.RoutingRing;

/**
 * Usernames are unique across a cluster (issue 12): three nodes in child JVMs on the embedded store, and the same
 * names registered at the same moment through all three nodes, in different letter cases, several times each. Exactly
 * one registration per name succeeds, every other one is refused with Discord's 400 {@code USERNAME_ALREADY_TAKEN}
 * body; each winner logs in by name through every node — right after its registration, before or after its account
 * record reached that node — and gets its own id. Then the node that owns one name's claim (the owner of the name's
 * key on the ring) is killed with SIGKILL: a registration of a name it owns answers 503 meanwhile, so does one whose
 * new account it would own (that name's claim is given back: once the name's owner restarted too, the name registers);
 * restarted, it still
 * refuses the claimed name (the claim is in its journal), through itself and through the others. Bots too: three
 * applications of one name created through the three nodes at once get three different bot usernames.
 */
class ClusterUsernamesTest
{
    private static final int NODES = 3;
    private static final int NAMES = 6;
    /** Registrations of each name through each node, all at once. */
    private static final int PER_NODE = 2;

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

    private record Attempt(int name, int node, String password, RestClient.Response response)
    {
    }

    private record Winner(String name, long id, String password, String token)
    {
    }

    @Test
    void oneAccountPerUsernameAcrossTheCluster() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=2000",
            "-Dpinwheel.cluster.termLength=1048576", "-Dpinwheel.auth.hash-threads=2", "-Dpinwheel.auth.hash-queue=256",
            "-Dpinwheel.auth.hash-per-ip=256", "-Dpinwheel.auth.login-per-ip-per-minute=1000000")).startAllLive();
        final RestClient[] rest = new RestClient[NODES];
        for (int k = 0; k < NODES; k++)
        {
            rest[k] = new RestClient(cluster.node(k).restBase());
        }

        // every name through every node at once, in two letter cases (names are case-insensitive)
        final String[] names = new String[NAMES];
        for (int i = 0; i < NAMES; i++)
        {
            names[i] = "Taken" + i;
        }
        final ExecutorService pool = Executors.newFixedThreadPool(NAMES * NODES * PER_NODE);
        final List<Future<Attempt>> futures = new ArrayList<>();
        final CountDownLatch go = new CountDownLatch(1);
        try
        {
            for (int i = 0; i < NAMES; i++)
            {
                for (int k = 0; k < NODES; k++)
                {
                    for (int j = 0; j < PER_NODE; j++)
                    {
                        final int name = i;
                        final int node = k;
                        final String username = (k + j) % 2 == 0 ? names[i] : names[i].toLowerCase(Locale.ROOT);
                        final String password = "password-" + i + "-" + k + "-" + j;
                        futures.add(pool.submit(() ->
                        {
                            go.await();
                            return new Attempt(name, node, password, rest[node].call("POST", "auth/register", null,
                                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}"));
                        }));
                    }
                }
            }
            go.countDown();
            final Winner[] winners = new Winner[NAMES];
            for (final Future<Attempt> f : futures)
            {
                final Attempt a = f.get(120, TimeUnit.SECONDS);
                final RestClient.Response r = a.response();
                if (r.status() == 201)
                {
                    assertTrue(winners[a.name()] == null, "a second account for " + names[a.name()] + ": "
                        + (winners[a.name()] == null ? "" : winners[a.name()].id()) + " and " + r.raw());
                    winners[a.name()] = new Winner(names[a.name()], Long.parseLong(r.body().get("user").get("id")
                        .asText()), a.password(), r.body().get("token").asText());
                }
                else
                {
                    assertTaken(r, "registration of " + names[a.name()] + " through node " + a.node());
                }
            }
            for (int i = 0; i < NAMES; i++)
            {
                assertNotNull(winners[i], "no registration of " + names[i] + " succeeded");
            }

            // each winner logs in through every node, by name, and gets its own account
            for (final Winner w : winners)
            {
                for (int k = 0; k < NODES; k++)
                {
                    final RestClient.Response r = rest[k].call("POST", "auth/login", null, "{\"login\":\""
                        + w.name().toLowerCase(Locale.ROOT) + "\",\"password\":\"" + w.password() + "\"}");
                    assertEquals(200, r.status(), "login of " + w.name() + " through node " + k + ": " + r.raw());
                    assertEquals(Long.toString(w.id()), r.body().get("user_id").asText(), "login through node " + k);
                }
            }

            final RestClient.Response nobody = rest[1].call("POST", "auth/login", null,
                "{\"login\":\"nobody-at-all\",\"password\":\"password-nobody\"}");
            assertEquals(400, nobody.status(), "a name nobody has: " + nobody.raw());
            assertEquals("INVALID_LOGIN", nobody.body().get("errors").get("login").get("_errors").get(0).get("code")
                .asText(), nobody.raw());

            // three people create an application of the same name through the three nodes at once: one bot gets
            // the name, the others their fallback names (no two bots share a name)
            final List<Future<RestClient.Response>> apps = new ArrayList<>();
            final CountDownLatch appsGo = new CountDownLatch(1);
            for (int k = 0; k < NODES; k++)
            {
                final int node = k;
                apps.add(pool.submit(() ->
                {
                    appsGo.await();
                    return rest[node].call("POST", "applications", winners[node].token(), "{\"name\":\"SameBot\"}");
                }));
            }
            appsGo.countDown();
            final java.util.Set<String> botNames = new java.util.HashSet<>();
            int exact = 0;
            for (final Future<RestClient.Response> f : apps)
            {
                final RestClient.Response r = f.get(120, TimeUnit.SECONDS);
                assertEquals(201, r.status(), r.raw());
                final String bot = r.body().get("bot").get("username").asText();
                assertTrue(botNames.add(bot.toLowerCase(Locale.ROOT)), "two bots named " + bot);
                exact += bot.equals("SameBot") ? 1 : 0;
            }
            assertEquals(1, exact, "bots: " + botNames);

            // the node owning a claim dies (best: one whose account lives on another node, so only the claim's own
            // journal can keep the name) ...
            final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES); // as every node
            Winner chosen = winners[0];
            for (final Winner w : winners)
            {
                if (ring.nodeOf(Usernames.key(w.name())) != ring.nodeOf(w.id()))
                {
                    chosen = w;
                    break;
                }
            }
            final int victim = ring.nodeOf(Usernames.key(chosen.name()));
            final int survivor = (victim + 1) % NODES;
            System.out.println("claim of " + chosen.name() + " on node " + victim + ", its account on node "
                + ring.nodeOf(chosen.id()));
            // both others must have seen it go: a claim whose name the third node owns goes on from there to the dead
            // account owner, and a command sent before that node noticed is lost in flight — its request waits for
            // the 504 after 30 s (deliberately: a stalled node may still answer), not the 503 checked below
            killSeenByBoth(victim);
            final RestClient.Response meanwhile = rest[survivor].call("POST", "auth/register", null,
                "{\"username\":\"" + chosen.name() + "\",\"password\":\"password-meanwhile\"}");
            assertEquals(503, meanwhile.status(), "a name whose owner is down: " + meanwhile.raw());
            assertNotNull(meanwhile.body().get("message"), meanwhile.raw());

            // a name whose owner is up, for an account whose owner is down: 503 (its claim is given back: checked
            // below, after the name's owner restarts — the release is journaled there)
            String freed = null;
            for (int n = 0; n < 30 && freed == null; n++)
            {
                final String name = "freed" + n;
                if (ring.nodeOf(Usernames.key(name)) == victim)
                {
                    continue;
                }
                final RestClient.Response r = rest[survivor].call("POST", "auth/register", null,
                    "{\"username\":\"" + name + "\",\"password\":\"password-" + name + "\"}");
                if (r.status() == 503)
                {
                    freed = name;
                }
                else
                {
                    assertEquals(201, r.status(), name + ": " + r.raw());
                }
            }
            assertNotNull(freed, "no registration fell on the dead node's accounts");

            // ... and comes back: the claim holds
            restartConnected(victim);
            rest[victim] = new RestClient(cluster.node(victim).restBase());
            for (final int k : new int[] {victim, survivor, (victim + 2) % NODES})
            {
                final RestClient.Response again = rest[k].call("POST", "auth/register", null,
                    "{\"username\":\"" + chosen.name().toUpperCase(Locale.ROOT)
                        + "\",\"password\":\"password-again\"}");
                assertTaken(again, "registration of " + chosen.name() + " through node " + k + " after node "
                    + victim + " (its claim's owner) restarted");
            }

            // the owner of the name refused above restarts too: the name is still free (its release was journaled)
            final int freedOwner = ring.nodeOf(Usernames.key(freed));
            killSeenByBoth(freedOwner);
            restartConnected(freedOwner);
            rest[freedOwner] = new RestClient(cluster.node(freedOwner).restBase());
            final RestClient.Response free = rest[freedOwner].call("POST", "auth/register", null,
                "{\"username\":\"" + freed + "\",\"password\":\"password-" + freed + "\"}");
            assertEquals(201, free.status(), freed + " after its owner (node " + freedOwner + ") restarted: "
                + free.raw());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    /** SIGKILL of node {@code k}, then waits until both other nodes logged it unreachable. */
    private void killSeenByBoth(final int k) throws Exception
    {
        final Runnable seen = othersLog(k, "unreachable");
        cluster.kill(k);
        seen.run();
    }

    /**
     * Starts a killed node again and waits until its link is up both ways with both other nodes: a request through a
     * node whose link to another is not up yet is answered 503 (that node unreachable), not what the test checks.
     */
    private void restartConnected(final int k) throws Exception
    {
        final Runnable seen = othersLog(k, "connected");
        cluster.start(k);
        seen.run();
        for (int j = 0; j < NODES; j++)
        {
            if (j != k)
            {
                cluster.node(k).awaitLine("node " + j + " connected"); // its log starts with this start
            }
        }
    }

    /**
     * Watches the other nodes' output for {@code node K <what>} from now on.
     *
     * @return what waits (up to 60 s each) until every other node printed it.
     */
    private Runnable othersLog(final int k, final String what)
    {
        final List<CompletableFuture<String>> lines = new ArrayList<>();
        for (int j = 0; j < NODES; j++)
        {
            if (j != k)
            {
                lines.add(cluster.node(j).lineContaining("node " + k + " " + what));
            }
        }
        return () -> lines.forEach(f -> f.orTimeout(60, TimeUnit.SECONDS).join());
    }

    /** Discord's 400 for a taken username, exactly as a single node answers it. */
    private static void assertTaken(final RestClient.Response r, final String what)
    {
        assertEquals(400, r.status(), what + ": " + r.raw());
        final JsonNode body = r.body();
        assertEquals(50035, body.get("code").asInt(), what + ": " + r.raw());
        assertEquals("USERNAME_ALREADY_TAKEN", body.get("errors").get("username").get("_errors").get(0).get("code")
            .asText(), what + ": " + r.raw());
    }
}
