package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * Three Pinwheel nodes in child JVMs, linked over Aeron UDP on 127.0.0.1 ({@code --node-id K --members ...}), each
 * with one shard and its embedded store. Two users talk in a guild owned by node 1 while one uses node 0 and the other
 * node 2: every REST call crosses nodes to the owner and its answer comes back; the gateway session on node 0 gets
 * the guild's events from node 1 in order. Then node 1 is killed (SIGKILL): the survivors answer its guild with 503
 * and a clear JSON body at once; once it is restarted on its data directory, the guild is served again with every
 * acknowledged message.
 */
class ClusterNodesTest
{
    private static final int NODES = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[NODES];
    private final List<RawGateway> gateways = new ArrayList<>();
    private String members;
    private final int[] ports = new int[NODES];

    @AfterEach
    void stop() throws InterruptedException
    {
        for (final RawGateway g : gateways)
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

    private ServerProcess startNode(final int k) throws IOException
    {
        final Path data = dir.resolve("node-" + k);
        Files.createDirectories(data);
        nodes[k] = ServerProcess.start(data, 1, "os", dir.resolve("node-" + k + ".log"), 120,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576"), ports[k],
            List.of("--node-id", Integer.toString(k), "--members", members));
        return nodes[k];
    }

    @Test
    void aGuildOwnedByOneNodeIsServedThroughTheOthersAndComesBackAfterItsNodeDies() throws Exception
    {
        final StringBuilder spec = new StringBuilder();
        for (int k = 0; k < NODES; k++)
        {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
            {
                spec.append(k == 0 ? "" : ",").append("127.0.0.1:").append(s.getLocalPort());
            }
            ports[k] = ServerProcess.freePort();
        }
        members = spec.toString();
        final List<CompletableFuture<String>> linked = new ArrayList<>();
        for (int k = 0; k < NODES; k++)
        {
            startNode(k);
        }
        // every node sees the two others (the lines come once the streams connect)
        for (int k = 0; k < NODES; k++)
        {
            awaitLog(nodes[k], "node " + ((k + 1) % NODES) + " connected");
            awaitLog(nodes[k], "node " + ((k + 2) % NODES) + " connected");
        }
        final RestClient rest0 = new RestClient(nodes[0].restBase());
        final RestClient rest2 = new RestClient(nodes[2].restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User bob = rest2.register("bob");
        // the ring every node builds: 3 nodes × 1 shard; find a guild whose owner is node 1
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        JsonNode guild = null;
        for (int i = 0; i < 24 && guild == null; i++)
        {
            final JsonNode g = rest0.ok("POST", "guilds", alice.token(), "{\"name\":\"cluster-" + i + "\"}");
            if (ring.nodeOf(Long.parseLong(g.get("id").asText())) == 1)
            {
                guild = g;
            }
        }
        assertNotNull(guild, "one of 24 guilds is owned by node 1");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();

        // bob joins through node 2 with an invite alice made through node 0
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, bob.token(), "{}");

        // alice follows the guild on node 0's gateway: its events come from node 1
        final RawGateway aliceGateway = RawGateway.identify(ports[0], alice.token());
        gateways.add(aliceGateway);
        aliceGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));

        final List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final RestClient rest = i % 2 == 0 ? rest2 : rest0;
            final RestClient.User who = i % 2 == 0 ? bob : alice;
            acknowledged.add(rest.ok("POST", "channels/" + channelId + "/messages", who.token(),
                "{\"content\":\"m" + i + "\"}").get("id").asText());
        }
        for (int i = 0; i < 20; i++)
        {
            final int n = i;
            final JsonNode d = aliceGateway.awaitDispatch("MESSAGE_CREATE", x -> true);
            assertEquals("m" + n, d.get("content").asText(), "node 0's session sees node 1's events in order");
        }
        final String first = acknowledged.get(0);
        rest2.ok("PATCH", "channels/" + channelId + "/messages/" + first, bob.token(), "{\"content\":\"m0 edited\"}");
        assertEquals("m0 edited", aliceGateway.awaitDispatch("MESSAGE_UPDATE", x -> true).get("content").asText());
        rest0.ok("PUT", "channels/" + channelId + "/messages/" + first + "/reactions/%F0%9F%91%8D/@me", alice.token(),
            null);
        assertEquals(first, aliceGateway.awaitDispatch("MESSAGE_REACTION_ADD", x -> true).get("message_id").asText());
        final String doomed = acknowledged.remove(acknowledged.size() - 2); // bob's last (bob wrote the even ones)
        rest2.ok("DELETE", "channels/" + channelId + "/messages/" + doomed, bob.token(), null);
        assertEquals(doomed, aliceGateway.awaitDispatch("MESSAGE_DELETE", x -> true).get("id").asText());
        assertHistory(rest0, alice, channelId, acknowledged);
        assertHistory(rest2, bob, channelId, acknowledged);

        // node 1 dies: its guild answers 503 with a clear body on the survivors, at once once they noticed
        final CompletableFuture<String> down0 = nodes[0].lineContaining("node 1 unreachable");
        final CompletableFuture<String> down2 = nodes[2].lineContaining("node 1 unreachable");
        nodes[1].kill();
        nodes[1] = null;
        down0.get(30, TimeUnit.SECONDS);
        down2.get(30, TimeUnit.SECONDS);
        final long t0 = System.nanoTime();
        final RestClient.Response refused = rest2.call("POST", "channels/" + channelId + "/messages", bob.token(),
            "{\"content\":\"while node 1 is down\"}");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "answered at once, not after a timeout");
        assertEquals(503, refused.status(), refused.raw());
        assertEquals(0, refused.body().get("code").asInt());
        assertTrue(refused.body().get("message").asText().contains("unreachable"), refused.raw());
        assertNotNull(refused.retryAfter(), "Retry-After");
        assertEquals(503, rest0.call("GET", "channels/" + channelId + "/messages?limit=50", alice.token(), null)
            .status());

        // node 1 comes back on its data directory: every acknowledged message is served again
        final CompletableFuture<String> up0 = nodes[0].lineContaining("node 1 connected");
        startNode(1);
        up0.get(60, TimeUnit.SECONDS);
        awaitLog(nodes[1], "node 0 connected");
        assertHistory(rest0, alice, channelId, acknowledged);
        acknowledged.add(rest2.ok("POST", "channels/" + channelId + "/messages", bob.token(),
            "{\"content\":\"after the restart\"}").get("id").asText());
        assertHistory(rest0, alice, channelId, acknowledged);
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

    private static void awaitLog(final ServerProcess node, final String text) throws Exception
    {
        final CompletableFuture<String> seen = node.lineContaining(text);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!seen.isDone())
        {
            if (Files.readString(node.log()).contains(text)) // printed before we started watching
            {
                return;
            }
            assertTrue(System.nanoTime() - deadline < 0, "no '" + text + "' in " + node.log());
            try
            {
                seen.get(200, TimeUnit.MILLISECONDS);
            }
            catch (final java.util.concurrent.TimeoutException ignored)
            {
                // look at the log again
            }
        }
    }

    /** A bare Gateway v10 client over the JDK's WebSocket: HELLO, IDENTIFY, heartbeats, dispatches in a queue. */
    private static final class RawGateway implements WebSocket.Listener, AutoCloseable
    {
        private final LinkedBlockingQueue<JsonNode> dispatches = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final CompletableFuture<Integer> hello = new CompletableFuture<>();
        private WebSocket socket;
        private java.util.concurrent.ScheduledExecutorService beat;

        static RawGateway identify(final int port, final String token) throws Exception
        {
            final RawGateway g = new RawGateway();
            g.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/?v=10&encoding=json"), g).get(30, TimeUnit.SECONDS);
            final int interval = g.hello.get(30, TimeUnit.SECONDS);
            g.beat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            g.beat.scheduleAtFixedRate(() -> g.send("{\"op\":1,\"d\":null}"), interval, interval,
                TimeUnit.MILLISECONDS);
            g.send("{\"op\":2,\"d\":{\"token\":\"" + token + "\",\"intents\":" + (1 | 1 << 9 | 1 << 10 | 1 << 15)
                + ",\"properties\":{\"os\":\"linux\",\"browser\":\"test\",\"device\":\"test\"}}}");
            g.awaitDispatch("READY", x -> true);
            return g;
        }

        private synchronized void send(final String text)
        {
            socket.sendText(text, true).join();
        }

        JsonNode awaitDispatch(final String type, final java.util.function.Predicate<JsonNode> match)
            throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true)
            {
                final JsonNode f = dispatches.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertNotNull(f, "no " + type + " within 30 s");
                if (type.equals(f.get("t").asText()) && match.test(f.get("d")))
                {
                    return f.get("d");
                }
            }
        }

        @Override
        public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
        {
            partial.append(data);
            if (last)
            {
                try
                {
                    final JsonNode frame = JSON.readTree(partial.toString());
                    final int op = frame.get("op").asInt();
                    if (op == 10)
                    {
                        hello.complete(frame.get("d").get("heartbeat_interval").asInt());
                    }
                    else if (op == 0)
                    {
                        dispatches.add(frame);
                    }
                }
                catch (final IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close()
        {
            if (beat != null)
            {
                beat.shutdownNow();
            }
            socket.abort();
        }
    }
}
