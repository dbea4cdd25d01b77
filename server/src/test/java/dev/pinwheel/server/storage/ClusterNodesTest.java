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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
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

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.events.message.MessageDeleteEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.message.MessageUpdateEvent;
import net.dv8tion.jda.api.events.message.react.MessageReactionAddEvent;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;

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

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;

    private LocalCluster cluster;
    private final List<RawGateway> gateways = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException
    {
        for (final RawGateway g : gateways)
        {
            g.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void aGuildOwnedByOneNodeIsServedThroughTheOthersAndComesBackAfterItsNodeDies() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=1000",
            "-Dpinwheel.cluster.termLength=1048576")).startAll();
        // every node sees the two others (the lines come once the streams connect)
        for (int k = 0; k < NODES; k++)
        {
            cluster.node(k).awaitLine("node " + ((k + 1) % NODES) + " connected");
            cluster.node(k).awaitLine("node " + ((k + 2) % NODES) + " connected");
        }
        // and all three agree, by consensus (Aeron Cluster), on a ring epoch with all three live
        for (int k = 0; k < NODES; k++)
        {
            cluster.node(k).awaitLine("live nodes [0, 1, 2]");
        }
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        // bob is a person (a DM between two bots is refused, as on Discord); his client is discord.js
        final JsonNode registered = rest2.ok("POST", "auth/register", null,
            "{\"username\":\"bob\",\"password\":\"password-bob\",\"bot\":false}");
        final RestClient.User bob = new RestClient.User(registered.get("user").get("id").asText(),
            registered.get("token").asText());
        // the ring every node builds: 3 nodes × 1 shard; find a guild whose owner is node 1
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "cluster");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();

        // bob joins through node 2 with an invite alice made through node 0
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, bob.token(), "{}");

        // alice follows the guild on node 0's gateway: its events come from node 1
        final RawGateway aliceGateway = RawGateway.identify(cluster.port(0), alice.token());
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
        // node 1's shard put its events on the wire itself, and node 0's shard, woken by the link's socket, read them
        // itself (pinwheel.cluster.shardsSend and receiveShard, the defaults: one wake-up per hop, not three)
        assertTrue(metric(cluster.port(1), alice.token(),
            "pinwheel_cluster_link_cycles_on_shards_total{why=\"offered\"}") > 0, "node 1's shard sent");
        assertTrue(metric(cluster.port(0), alice.token(),
            "pinwheel_cluster_link_cycles_on_shards_total{why=\"readable\"}") > 0, "node 0's shard received");
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

        // real clients: a JDA bot on node 0 and a discord.js client on node 2, the guild on node 1
        acknowledged.add(jdaAndDiscordJs(alice, bob, guildId, channelId));
        assertHistory(rest2, bob, channelId, acknowledged);

        // RESUME on node 0 while node 1's guild goes on: the missed event is replayed, then RESUMED
        aliceGateway.drop();
        acknowledged.add(rest2.ok("POST", "channels/" + channelId + "/messages", bob.token(),
            "{\"content\":\"while alice was away\"}").get("id").asText());
        aliceGateway.resume(alice.token());
        assertEquals("while alice was away", aliceGateway.awaitDispatch("MESSAGE_CREATE", x -> true)
            .get("content").asText());
        aliceGateway.awaitDispatch("RESUMED", x -> true);

        // node 1 dies: its guild answers 503 with a clear body on the survivors, at once once they noticed
        final CompletableFuture<String> down0 = cluster.node(0).lineContaining("node 1 unreachable");
        final CompletableFuture<String> down2 = cluster.node(2).lineContaining("node 1 unreachable");
        final CompletableFuture<String> epoch0 = cluster.node(0).lineContaining("live nodes [0, 2] (lost [1])");
        final CompletableFuture<String> epoch2 = cluster.node(2).lineContaining("live nodes [0, 2] (lost [1])");
        final long killed = System.nanoTime();
        cluster.kill(1);
        down0.get(30, TimeUnit.SECONDS);
        down2.get(30, TimeUnit.SECONDS);
        // the survivors agree on a new ring epoch without node 1 (peerTimeout 1 s here; 2 s by default)
        final String lost0 = epoch0.get(30, TimeUnit.SECONDS);
        final String lost2 = epoch2.get(30, TimeUnit.SECONDS);
        final long agreedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.println("ClusterNodesTest: survivors agreed on a ring epoch without node 1 " + agreedMs
            + " ms after kill -9");
        assertTrue(agreedMs < 15_000, "agreed within 15 s: " + agreedMs + " ms");
        assertEquals(LocalCluster.epochOf(lost0), LocalCluster.epochOf(lost2), "one epoch: " + lost0 + " / " + lost2);
        assertEquals(LocalCluster.epochOf(lost0), metric(cluster.port(0), alice.token(), "pinwheel_cluster_ring_epoch"));
        assertEquals(LocalCluster.epochOf(lost2), metric(cluster.port(2), alice.token(), "pinwheel_cluster_ring_epoch"));
        assertEquals(2, metric(cluster.port(0), alice.token(), "pinwheel_cluster_live_nodes"));
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
        final CompletableFuture<String> up0 = cluster.node(0).lineContaining("node 1 connected");
        final CompletableFuture<String> up2 = cluster.node(2).lineContaining("node 1 connected"); // it posts below
        final CompletableFuture<String> rejoined0 = cluster.node(0).lineContaining("live nodes [0, 1, 2] (joined [1])");
        final CompletableFuture<String> rejoined2 = cluster.node(2).lineContaining("live nodes [0, 1, 2] (joined [1])");
        cluster.start(1);
        up0.get(60, TimeUnit.SECONDS);
        up2.get(60, TimeUnit.SECONDS);
        // it rejoins in a newer epoch that every node, itself included, applies
        final long back = LocalCluster.epochOf(rejoined0.get(60, TimeUnit.SECONDS));
        assertEquals(back, LocalCluster.epochOf(rejoined2.get(60, TimeUnit.SECONDS)));
        assertTrue(back > LocalCluster.epochOf(lost0), "newer than " + lost0);
        cluster.node(1).awaitLine("ring epoch " + back + ": live nodes [0, 1, 2]");
        cluster.node(1).awaitLine("node 0 connected");
        assertHistory(rest0, alice, channelId, acknowledged);
        acknowledged.add(rest2.ok("POST", "channels/" + channelId + "/messages", bob.token(),
            "{\"content\":\"after the restart\"}").get("id").asText());
        assertHistory(rest0, alice, channelId, acknowledged);
    }

    /** @return the id of the JDA bot's message (the discord.js client's own is deleted). */
    private String jdaAndDiscordJs(final RestClient.User alice, final RestClient.User bob, final String guildId,
        final String channelId) throws Exception
    {
        final Path js = dev.pinwheel.server.JsClients.prepare("cluster.js");
        final LinkedBlockingQueue<GenericEvent> events = new LinkedBlockingQueue<>();
        final JDA jda = JDABuilder.createDefault(alice.token(), EnumSet.of(GatewayIntent.GUILD_MESSAGES,
                GatewayIntent.MESSAGE_CONTENT, GatewayIntent.GUILD_MESSAGE_REACTIONS, GatewayIntent.DIRECT_MESSAGES))
            .setRestConfig(new RestConfig().setBaseUrl("http://127.0.0.1:" + cluster.port(0) + "/api/v10/"))
            .setSessionController(new SessionControllerAdapter()
            {
                @Override
                public String getGateway()
                {
                    return "ws://127.0.0.1:" + cluster.port(0);
                }
            })
            .addEventListeners((EventListener)events::add)
            .build();
        try
        {
            jda.awaitReady();
            assertNotNull(jda.getGuildById(guildId), "JDA on node 0 sees the guild of node 1");
            final CompletableFuture<String> script = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return dev.pinwheel.server.JsClients.run(js, 120, java.util.Map.of(), "node", "cluster.js",
                        Integer.toString(cluster.port(2)), bob.token(), guildId, channelId, alice.id());
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            });
            final MessageReceivedEvent hello = next(events, MessageReceivedEvent.class,
                e -> e.isFromGuild() && e.getAuthor().getId().equals(bob.id()));
            assertEquals("hello from discord.js on node 2", hello.getMessage().getContentRaw());
            assertEquals("edited on node 2", next(events, MessageUpdateEvent.class, e -> true).getMessage()
                .getContentRaw());
            final MessageReactionAddEvent reaction = next(events, MessageReactionAddEvent.class, e -> true);
            assertEquals("👍", reaction.getEmoji().getName());
            assertEquals(hello.getMessageId(), reaction.getMessageId());
            final MessageReceivedEvent dm;
            try
            {
                dm = next(events, MessageReceivedEvent.class, e -> !e.isFromGuild());
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(ex.getMessage() + "; discord.js: "
                    + (script.isDone() ? script.join() : "(still running)"), ex);
            }
            assertEquals("a DM from node 2", dm.getMessage().getContentRaw());
            final String answer = hello.getChannel().sendMessage("hello from JDA on node 0").complete().getId();
            assertEquals(hello.getMessageId(), next(events, MessageDeleteEvent.class, e -> true).getMessageId());
            final String out = script.get(150, TimeUnit.SECONDS);
            assertEquals(List.of("OK ready", "OK sent", "OK edit", "OK reaction", "OK dm", "OK heard", "OK delete"),
                out.lines().filter(l -> l.startsWith("OK ")).toList(), out);
            return answer;
        }
        finally
        {
            jda.shutdownNow();
            jda.awaitShutdown(Duration.ofSeconds(10));
        }
    }

    private static <T extends GenericEvent> T next(final LinkedBlockingQueue<GenericEvent> events, final Class<T> type,
        final java.util.function.Predicate<T> match) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final GenericEvent e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(e, "no " + type.getSimpleName() + " within 60 s");
            if (type.isInstance(e) && match.test(type.cast(e)))
            {
                return type.cast(e);
            }
        }
    }


    /** @return a sample of the node's {@code /metrics} (without labels), read with an admin's token. */
    static long metric(final int port, final String adminToken, final String name)
        throws IOException, InterruptedException
    {
        final String body = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/metrics")).header("Authorization", "Bot " + adminToken).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (final String line : body.split("\n"))
        {
            if (line.startsWith(name + " "))
            {
                return (long)Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + name + " in /metrics: " + body.substring(0, Math.min(300, body.length())));
    }

    /**
     * @param count nodes.
     * @return {@code 127.0.0.1:P,…}: each P a free UDP port for the node link, and P + 100 × (1..5) free too (the
     *         node's consensus ports: ingress, consensus, log, catch-up, archive).
     */
    static String freeMemberPorts(final int count) throws IOException
    {
        final StringBuilder b = new StringBuilder();
        final java.util.Set<Integer> taken = new java.util.HashSet<>();
        int found = 0;
        for (int attempt = 0; attempt < 500 && found < count; attempt++)
        {
            final int base = TestPorts.randomGroupBase(); // this fork's (TestPorts)
            if (taken.add(base % 100) && freeUdp(base))
            {
                b.append(found++ == 0 ? "" : ",").append("127.0.0.1:").append(base);
            }
        }
        assertEquals(count, found, "free port groups");
        return b.toString();
    }

    private static boolean freeUdp(final int base)
    {
        for (int k = 0; k <= 5; k++)
        {
            try (DatagramSocket s = new DatagramSocket(null))
            {
                s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), base + k * 100));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
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

    /** A bare Gateway v10 client over the JDK's WebSocket: HELLO, IDENTIFY, heartbeats, dispatches in a queue. */
    /** A minimal gateway client (identify, heartbeats, dispatches in arrival order, drop and RESUME). */
    static final class RawGateway implements WebSocket.Listener, AutoCloseable
    {
        private final LinkedBlockingQueue<JsonNode> dispatches = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final CompletableFuture<Integer> hello = new CompletableFuture<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private volatile WebSocket socket;
        private java.util.concurrent.ScheduledExecutorService beat;
        private volatile long seq;
        private String sessionId;
        private JsonNode ready;
        private String resumeUrl;
        private volatile CompletableFuture<Integer> helloAgain;

        static RawGateway identify(final int port, final String token) throws Exception
        {
            return identify(port, token, 1 | 1 << 9 | 1 << 10 | 1 << 15);
        }

        static RawGateway identify(final int port, final String token, final int intents) throws Exception
        {
            final RawGateway g = new RawGateway();
            g.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/?v=10&encoding=json"), g).get(30, TimeUnit.SECONDS);
            final int interval = g.hello.get(30, TimeUnit.SECONDS);
            g.beat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            g.beat.scheduleAtFixedRate(() ->
            {
                try
                {
                    g.send("{\"op\":1,\"d\":null}");
                }
                catch (final RuntimeException ex)
                {
                    // dropped on purpose (a RESUME follows): the next beat goes to the new connection
                }
            }, interval, interval, TimeUnit.MILLISECONDS);
            g.send("{\"op\":2,\"d\":{\"token\":\"" + token + "\",\"intents\":" + intents
                + ",\"properties\":{\"os\":\"linux\",\"browser\":\"test\",\"device\":\"test\"}}}");
            final JsonNode ready = g.awaitDispatch("READY", x -> true);
            g.ready = ready;
            g.sessionId = ready.get("session_id").asText();
            g.resumeUrl = ready.get("resume_gateway_url").asText();
            return g;
        }

        /** @return the READY's {@code d} this session was given. */
        JsonNode ready()
        {
            return ready;
        }

        /** @return whether the READY this session was given lists the guild. */
        boolean readyLists(final String guildId)
        {
            for (final JsonNode entry : ready.get("guilds"))
            {
                if (guildId.equals(entry.get("id").asText()))
                {
                    return true;
                }
            }
            return false;
        }

        synchronized void send(final String text)
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

        /**
         * @return the next dispatch ({@code t}, {@code d}...) of any type within the time, or null.
         */
        JsonNode nextDispatch(final long millis) throws InterruptedException
        {
            return dispatches.poll(Math.max(1, millis), TimeUnit.MILLISECONDS);
        }

        /**
         * @return the next dispatch of this type within the time, or null; dispatches of other types before it are
         *         skipped.
         */
        JsonNode poll(final String type, final long millis) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (true)
            {
                final JsonNode f = dispatches.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (f == null)
                {
                    return null;
                }
                if (type.equals(f.get("t").asText()))
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
                        final CompletableFuture<Integer> again = helloAgain;
                        if (again != null)
                        {
                            again.complete(0);
                        }
                    }
                    else if (op == 0)
                    {
                        seq = frame.get("s").asLong();
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
        public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
        {
            closed.complete(statusCode);
            return null;
        }

        /**
         * Connects and identifies, expecting the server to close the connection instead of READY.
         *
         * @return the close code (30 s at most).
         */
        static int closeCodeOfIdentify(final int port, final String token, final int intents) throws Exception
        {
            final RawGateway g = new RawGateway();
            g.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/?v=10&encoding=json"), g).get(30, TimeUnit.SECONDS);
            g.hello.get(30, TimeUnit.SECONDS);
            g.send("{\"op\":2,\"d\":{\"token\":\"" + token + "\",\"intents\":" + intents
                + ",\"properties\":{\"os\":\"linux\",\"browser\":\"test\",\"device\":\"test\"}}}");
            try
            {
                return g.closed.get(30, TimeUnit.SECONDS);
            }
            finally
            {
                g.socket.abort();
            }
        }

        /** The connection drops (no close frame): the session waits on the server for a RESUME. */
        void drop()
        {
            socket.abort();
            dispatches.clear();
        }

        /** Connects to the READY's resume_gateway_url and resumes from the last sequence seen. */
        void resume(final String token) throws Exception
        {
            helloAgain = new CompletableFuture<>();
            socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(resumeUrl + "/?v=10&encoding=json"), this).get(30, TimeUnit.SECONDS);
            helloAgain.get(30, TimeUnit.SECONDS);
            send("{\"op\":6,\"d\":{\"token\":\"" + token + "\",\"session_id\":\"" + sessionId + "\",\"seq\":"
                + seq + "}}");
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

        /**
         * Closes as a client that quits does (close code 1000): the server ends the session at once instead of
         * keeping it for a RESUME.
         */
        void quit()
        {
            if (beat != null)
            {
                beat.shutdownNow();
            }
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(10, TimeUnit.SECONDS).join();
        }
    }
}
