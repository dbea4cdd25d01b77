package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.shard.ShardCounters;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.server.TestNode;

/**
 * Back-pressure (DESIGN.md): a session whose socket stays unwritable past slowConsumerMillis is closed with
 * a resumable code, and the shard is not slowed. The consumer here is a raw socket with a tiny receive
 * buffer that stops reading after GUILD_CREATE, so the server's outbound buffer really fills.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewaySlowConsumerTest
{
    private static final int SLOW_MS = 300;
    private static TestNode node;
    private static TestNode.User owner;
    private static TestNode.User slow;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1, null, cfg -> cfg.slowConsumerMillis(SLOW_MS).messagesPer5Seconds(100_000)
            .restRequestsPerSecond(100_000));
        owner = node.register("slow-owner");
        slow = node.register("slow-reader");
        final JsonNode g = node.createGuild(owner, "slow guild");
        channelId = g.path("channels").get(0).path("id").asText();
        node.join(owner, channelId, slow);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static JsonNode readJson(final RawGatewaySocket raw) throws IOException
    {
        return GatewayTestClient.JSON.readTree(raw.readText());
    }

    private static ShardGroup shards()
    {
        return node.server().gateway().shards();
    }

    /** Asks shard 0's thread how many gateway connections it holds. */
    private static CompletableFuture<Integer> connectionCount()
    {
        final CompletableFuture<Integer> f = new CompletableFuture<>();
        if (!shards().send(0, s -> f.complete(node.server().gateway().shard(0).sessions().connectionCount())))
        {
            f.complete(-1);
        }
        return f;
    }

    /** A raw client identified as {@link #slow}, READY and GUILD_CREATE read, reading nothing more. */
    private record Stalled(RawGatewaySocket raw, String sessionId, String resumeUrl)
    {
    }

    private static Stalled stalledSession() throws IOException
    {
        final RawGatewaySocket raw = RawGatewaySocket.open(node.port(), 4096);
        assertEquals(10, readJson(raw).path("op").asInt());
        raw.sendText(GatewayTestClient.identifyPayload(slow.token(), ALL_MESSAGES).toString());
        final JsonNode ready = readJson(raw);
        assertEquals("READY", ready.path("t").asText());
        assertEquals("GUILD_CREATE", readJson(raw).path("t").asText());
        return new Stalled(raw, ready.path("d").path("session_id").asText(),
            ready.path("d").path("resume_gateway_url").asText());
    }

    /**
     * Posts 6 KB messages until shard 0 counts a slow-consumer close.
     *
     * @return the posted message ids, in order.
     */
    private static List<String> postUntilSlowConsumerClose()
    {
        final long closesBefore = shards().shard(0).counters().get(ShardCounters.SLOW_CONSUMER_CLOSES);
        final String content = "\u20ac".repeat(2000); // 6 KB of UTF-8 per dispatch
        final List<String> posted = new ArrayList<>();
        while (shards().shard(0).counters().get(ShardCounters.SLOW_CONSUMER_CLOSES) == closesBefore)
        {
            assertTrue(posted.size() < 2000, "no slow-consumer close after " + posted.size() + " messages");
            posted.add(node.ok("POST", "channels/" + channelId + "/messages", owner.token(),
                "{\"content\":\"" + content + "\"}").path("id").asText());
        }
        return posted;
    }

    @Test
    void aConsumerThatStopsReadingIsClosedWithoutSlowingOthers() throws Exception
    {
        try (GatewayTestClient healthy = GatewayTestClient.json(node.gatewayUrl()))
        {
            healthy.identifyAndAwait(owner.token(), ALL_MESSAGES, 1);
            try (RawGatewaySocket raw = stalledSession().raw())
            {
                final List<String> posted = postUntilSlowConsumerClose();
                // The shard kept serving REST (the loop above) and the other session on it got everything.
                for (final String id : posted)
                {
                    assertEquals(id, healthy.nextDispatch("MESSAGE_CREATE").path("d").path("id").asText());
                }
                assertFalse(healthy.isClosed());
            }
        }
    }

    @Test
    void aConsumerThatStopsReadingIsDisconnectedAndCanResume() throws Exception
    {
        final Stalled stalled = stalledSession();
        final List<String> posted;
        try (RawGatewaySocket raw = stalled.raw())
        {
            posted = postUntilSlowConsumerClose();
            // The server gave up on the connection: it must actually drop it, although the peer never reads
            // the close frame queued behind the full buffer.
            final ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor();
            final CompletableFuture<Void> gone = new CompletableFuture<>();
            probe.scheduleWithFixedDelay(() -> connectionCount().thenAccept(n ->
            {
                if (n == 0)
                {
                    gone.complete(null);
                }
            }), 0, 100, TimeUnit.MILLISECONDS);
            try
            {
                gone.get(10, TimeUnit.SECONDS);
            }
            catch (final TimeoutException e)
            {
                throw new AssertionError("the slow consumer's connection is still open 10 s after the server "
                    + "decided to close it (" + posted.size() + " messages posted)");
            }
            finally
            {
                probe.shutdownNow();
            }
        }

        // The close code was resumable: everything missed is replayed.
        try (GatewayTestClient c = GatewayTestClient.json(stalled.resumeUrl()))
        {
            c.resume(slow.token(), stalled.sessionId(), 2);
            final List<JsonNode> dispatches = c.until("RESUMED").stream().filter(n -> n.path("op").asInt() == 0)
                .toList();
            assertEquals(posted.size() + 1, dispatches.size());
            for (int i = 0; i < posted.size(); i++)
            {
                assertEquals(posted.get(i), dispatches.get(i).path("d").path("id").asText());
                assertEquals(3 + i, dispatches.get(i).path("s").asLong());
            }
        }
    }
}
