package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * Only the keys that move are refused during a ring epoch's handover. Three nodes in child JVMs on the shared
 * Cassandra store: a guild owned by node 0 ({@code stays}: its owner is the same in every ring of the test) and one
 * owned by node 1 ({@code moves}) get messages posted without pause, through nodes 0 and 2, while node 1 is killed
 * ({@code kill -9}), the survivors hand its keys over, node 1 restarts and the keys are handed back. Every post to the
 * guild that stays is answered 200 throughout (the handover windows included); a post to the guild that moves may be
 * refused with 503, a {@code Retry-After} and a body that says why (its owner is unreachable, or it is moving), and
 * every acknowledged message of both is in their history at the end.
 */
class ClusterHandoverTest
{
    private static final int NODES = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MOVING = "This guild is moving to another cluster node; retry in a moment.";
    private static final String UNREACHABLE = "The cluster node that owns this resource is unreachable";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[NODES];
    private final int[] ports = new int[NODES];
    private final AtomicBoolean posting = new AtomicBoolean(true);
    private final List<Thread> posters = new ArrayList<>();
    private String members;
    private List<String> options;

    /** One post: when it was sent and answered (System.nanoTime), its status, its body. */
    private record Post(long sent, long answered, int status, String body, String retryAfter, String id)
    {
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        posting.set(false);
        for (final Thread t : posters)
        {
            t.join(TimeUnit.SECONDS.toMillis(10));
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
    void aGuildWhoseOwnerDoesNotChangeIsServedThroughEveryHandoverAndAMovingOneLosesNoAcknowledgedMessage()
        throws Exception
    {
        options = SharedCassandra.clusterOptions("handover");
        members = ClusterNodesTest.freeMemberPorts(NODES);
        for (int k = 0; k < NODES; k++)
        {
            ports[k] = ServerProcess.freePort();
        }
        for (int k = 0; k < NODES; k++)
        {
            startNode(k);
        }
        final long first = awaitEpoch(0, "live nodes [0, 1, 2]");
        for (int k = 0; k < NODES; k++)
        {
            awaitLine(k, "ring epoch " + first + " settled");
        }
        final RestClient rest0 = new RestClient(nodes[0].restBase());
        final RestClient rest2 = new RestClient(nodes[2].restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = rest2.register("bob");
        final RoutingRing all = RoutingRing.buildLive(first, 0b111, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RoutingRing survivors = RoutingRing.buildLive(0, 0b101, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        JsonNode stays = null;
        JsonNode moves = null;
        for (int i = 0; i < 40 && (stays == null || moves == null); i++)
        {
            final JsonNode g = rest0.ok("POST", "guilds", alice.token(), "{\"name\":\"g-" + i + "\"}");
            final long id = Long.parseLong(g.get("id").asText());
            if (stays == null && all.nodeOf(id) == 0)
            {
                assertEquals(0, survivors.nodeOf(id), "node 0's keys stay with it when node 1 is lost");
                stays = g;
            }
            else if (moves == null && all.nodeOf(id) == 1)
            {
                moves = g;
            }
        }
        assertNotNull(stays, "one of 40 guilds is node 0's");
        assertNotNull(moves, "one of 40 guilds is node 1's");
        final String staysChannel = joinChannel(rest0, rest2, alice, bob, stays);
        final String movesChannel = joinChannel(rest0, rest2, alice, bob, moves);

        final ConcurrentLinkedQueue<Post> staysPosts = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Post> movesPosts = new ConcurrentLinkedQueue<>();
        poster(0, alice, staysChannel, staysPosts);
        poster(2, bob, staysChannel, staysPosts);
        poster(0, alice, movesChannel, movesPosts);
        poster(2, bob, movesChannel, movesPosts);
        awaitPosts(staysPosts, 10);

        // kill -9 node 1: the survivors agree without it and hand its keys over
        final CompletableFuture<Long> lostAgreed = seenAt(nodes[0].lineContaining("live nodes [0, 2] (lost [1])"));
        final CompletableFuture<Long> lostSettled0 = seenAt(nodes[0].lineContaining(" settled: "));
        final CompletableFuture<Long> lostSettled2 = seenAt(nodes[2].lineContaining(" settled: "));
        final long killed = System.nanoTime();
        nodes[1].kill();
        nodes[1] = null;
        final long without = epochOf(lostAgreed);
        awaitLine(0, "ring epoch " + without + " settled");
        awaitLine(2, "ring epoch " + without + " settled");
        final int beforeRejoin = staysPosts.size();
        awaitPosts(staysPosts, beforeRejoin + 10);

        // node 1 restarts: a newer epoch hands its keys back
        final CompletableFuture<Long> joinAgreed = seenAt(nodes[0].lineContaining("(joined [1])"));
        final CompletableFuture<Long> joinSettled = seenAt(nodes[0].lineContaining(" settled: "));
        startNode(1);
        final long rejoined = epochOf(joinAgreed);
        for (int k = 0; k < NODES; k++)
        {
            awaitLine(k, "ring epoch " + rejoined + " settled");
        }
        final long rejoinSettled = joinSettled.get(10, TimeUnit.SECONDS);
        final int afterRejoin = staysPosts.size();
        awaitPosts(staysPosts, afterRejoin + 10);
        awaitPosts(movesPosts, movesPosts.size() + 10); // the moving guild is served again after the rejoin
        posting.set(false);
        for (final Thread t : posters)
        {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }

        // the guild that stays: every post answered 200, the handover windows included
        final long windowStart = lostAgreed.get();
        final long windowEnd = Math.max(lostSettled0.get(10, TimeUnit.SECONDS), lostSettled2.get(10, TimeUnit.SECONDS));
        int duringLostHandover = 0;
        int duringRejoinHandover = 0;
        final long joinStart = joinAgreed.get();
        for (final Post p : staysPosts)
        {
            assertEquals(200, p.status(), "a post to the guild that stays: " + p.status() + " " + p.body());
            duringLostHandover += p.answered() >= windowStart && p.sent() <= windowEnd ? 1 : 0;
            duringRejoinHandover += p.answered() >= joinStart && p.sent() <= rejoinSettled ? 1 : 0;
        }
        // the guild that moves: refusals are 503 with Retry-After and a true reason; the rest acknowledged
        int moving = 0;
        int unreachable = 0;
        int timedOut = 0;
        for (final Post p : movesPosts)
        {
            if (p.status() == 200)
            {
                continue;
            }
            if (p.status() == -1 || p.status() == 504)
            {
                timedOut++; // sent to node 1 as it died: not acknowledged
                continue;
            }
            assertEquals(503, p.status(), p.body());
            assertNotNull(p.retryAfter(), "Retry-After on " + p.body());
            final JsonNode body = JSON.readTree(p.body());
            assertEquals(0, body.get("code").asInt(), p.body());
            final String message = body.get("message").asText();
            if (message.contains(MOVING))
            {
                moving++;
            }
            else
            {
                assertTrue(message.contains(UNREACHABLE), "a refusal says why: " + message);
                unreachable++;
            }
        }
        assertHistoryHolds(rest0, alice, staysChannel, staysPosts, true);
        assertHistoryHolds(rest2, bob, movesChannel, movesPosts, false);
        System.out.println("ClusterHandoverTest: guild that stays: " + staysPosts.size() + " posts, all 200 ("
            + duringLostHandover + " during the handover of epoch " + without + ", " + duringRejoinHandover
            + " during the rejoin's, epoch " + rejoined + "); guild that moves: " + movesPosts.size() + " posts, "
            + moving + " refused as moving, " + unreachable + " as unreachable, " + timedOut + " timed out; "
            + "lost epoch agreed " + TimeUnit.NANOSECONDS.toMillis(windowStart - killed) + " ms after kill -9, settled "
            + TimeUnit.NANOSECONDS.toMillis(windowEnd - windowStart) + " ms later");
    }

    /** Both users in the guild; its first channel. */
    private static String joinChannel(final RestClient rest0, final RestClient rest2, final RestClient.User alice,
        final RestClient.User bob, final JsonNode guild) throws IOException
    {
        final String channel = guild.get("channels").get(0).get("id").asText();
        final String code = rest0.ok("POST", "channels/" + channel + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, bob.token(), "{}");
        return channel;
    }

    /** Posts to the channel through node k without pause until told to stop (a short client timeout). */
    private void poster(final int k, final RestClient.User user, final String channel,
        final ConcurrentLinkedQueue<Post> into)
    {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        final URI uri = URI.create(nodes[k].restBase() + "channels/" + channel + "/messages");
        final Thread t = Thread.ofPlatform().name("poster-" + k + "-" + channel).daemon(true).start(() ->
        {
            for (int i = 0; posting.get() && i < 100_000; i++)
            {
                final long sent = System.nanoTime();
                int status;
                String body;
                String retryAfter = null;
                String id = null;
                try
                {
                    final HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(3)).header("Authorization", "Bot " + user.token())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"" + k + "." + i + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                    status = r.statusCode();
                    body = r.body();
                    retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                    if (status == 200)
                    {
                        id = JSON.readTree(body).get("id").asText();
                    }
                }
                catch (final IOException ex)
                {
                    status = -1; // timed out: not acknowledged
                    body = ex.toString();
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                into.add(new Post(sent, System.nanoTime(), status, body, retryAfter, id));
                if (status == 503)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a client
                }
            }
        });
        posters.add(t);
    }

    /** Waits until the queue holds at least n posts answered 200. */
    private static void awaitPosts(final ConcurrentLinkedQueue<Post> posts, final int n) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (posts.stream().filter(p -> p.status() == 200).count() < n)
        {
            assertTrue(System.nanoTime() - deadline < 0, "no " + n + " acknowledged posts; last: "
                + posts.stream().reduce((a, b) -> b).orElse(null));
            Thread.sleep(20);
        }
    }

    /** Every acknowledged post is in the channel's history (and, when exact, nothing else is). */
    private static void assertHistoryHolds(final RestClient rest, final RestClient.User user, final String channel,
        final ConcurrentLinkedQueue<Post> posts, final boolean exact) throws IOException
    {
        final Set<String> history = new HashSet<>();
        String before = null;
        for (int page = 0; page < 1_000; page++)
        {
            final JsonNode messages = rest.ok("GET", "channels/" + channel + "/messages?limit=100"
                + (before == null ? "" : "&before=" + before), user.token(), null);
            for (final JsonNode m : messages)
            {
                history.add(m.get("id").asText());
                before = m.get("id").asText(); // newest first: the last is the oldest
            }
            if (messages.size() < 100)
            {
                break;
            }
        }
        final Set<String> acknowledged = new HashSet<>();
        for (final Post p : posts)
        {
            if (p.id() != null)
            {
                acknowledged.add(p.id());
            }
        }
        final Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(history);
        assertEquals(Set.of(), missing, "acknowledged messages missing from the history");
        if (exact)
        {
            assertEquals(acknowledged.size(), history.size(), "no other message in the history");
        }
    }

    private static CompletableFuture<Long> seenAt(final CompletableFuture<String> line)
    {
        return line.thenApply(l -> System.nanoTime());
    }

    /** The newest epoch in node 0's log once the awaited line was seen there (that line's). */
    private long epochOf(final CompletableFuture<Long> seen) throws Exception
    {
        seen.get(60, TimeUnit.SECONDS);
        long epoch = 0;
        for (final String line : Files.readAllLines(nodes[0].log()))
        {
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("ring epoch (\\d+): live nodes")
                .matcher(line);
            if (m.find())
            {
                epoch = Math.max(epoch, Long.parseLong(m.group(1)));
            }
        }
        assertTrue(epoch > 0, "an epoch line in node 0's log");
        return epoch;
    }

    private long awaitEpoch(final int k, final String text) throws Exception
    {
        final String line = awaitLine(k, text);
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("ring epoch (\\d+):").matcher(line);
        assertTrue(m.find(), line);
        return Long.parseLong(m.group(1));
    }

    /** @return the first line of node k's log containing the text (waiting up to 60 s for it). */
    private String awaitLine(final int k, final String text) throws Exception
    {
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
            Thread.sleep(100);
        }
    }
}
