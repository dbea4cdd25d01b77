package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayTransport;
import dev.pinwheel.server.TestNode;

/**
 * The corked write path: a session's dispatches of one duty cycle leave in one write straight to the socket (the
 * native transport's file descriptor, no per-frame buffer or pipeline trip) while nothing is queued for it; once
 * the kernel takes only part, the rest and everything after it go through Netty's queue until it drains. A client
 * that stops reading and then reads again must get every event, whole, once, in order, with consecutive sequences.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GatewayCorkedWritesTest
{
    private static TestNode node;
    private static TestNode.User owner;
    private static TestNode.User reader;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        // no slow-consumer close within the test: the stalled reader must be able to catch up
        node = new TestNode(1, null, cfg -> cfg.slowConsumerMillis(60_000).messagesPer5Seconds(100_000)
            .restRequestsPerSecond(100_000));
        owner = node.register("cork-owner");
        reader = node.register("cork-reader");
        final JsonNode g = node.createGuild(owner, "cork guild");
        channelId = g.path("channels").get(0).path("id").asText();
        node.join(owner, channelId, reader);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static long counter(final int id)
    {
        return node.server().gateway().shard(0).edgeCounters().get(id);
    }

    @Test
    void dispatchesLeaveStraightToTheSocketAndAStalledReaderCatchesUpWithEveryEventInOrder() throws Exception
    {
        final long directBefore = counter(EdgeCounters.WRITES_DIRECT);
        try (RawGatewaySocket raw = RawGatewaySocket.open(node.port(), 4096))
        {
            assertEquals(10, readJson(raw).path("op").asInt());
            raw.sendText(GatewayTestClient.identifyPayload(reader.token(), ALL_MESSAGES).toString());
            final JsonNode ready = readJson(raw);
            assertEquals("READY", ready.path("t").asText());
            assertEquals(1, ready.path("s").asLong());
            final JsonNode created = readJson(raw);
            assertEquals("GUILD_CREATE", created.path("t").asText());
            // on io_uring (its sockets block: the ring makes them asynchronous) every dispatch takes Netty's path
            final boolean direct = GatewayTransport.configured().writesDirectly();
            if (direct)
            {
                // counted by the shard thread just after its write returns: the client may read first
                awaitCounterAbove(EdgeCounters.WRITES_DIRECT, directBefore,
                    "READY and GUILD_CREATE were written straight to the socket (native transport)");
            }

            // Stop reading: post 6 KB messages until the kernel takes only part of a write, then some more, which
            // queue behind it in Netty.
            final long partialBefore = counter(EdgeCounters.WRITES_PARTIAL);
            final long queuedBefore = counter(EdgeCounters.WRITES_QUEUED);
            final String content = "\u20ac".repeat(2000);
            final List<String> posted = new ArrayList<>();
            while (direct && counter(EdgeCounters.WRITES_PARTIAL) == partialBefore)
            {
                assertTrue(posted.size() < 2000, "no partial write after " + posted.size() + " messages");
                posted.add(post(content));
            }
            for (int i = 0; i < (direct ? 20 : 100); i++) // io_uring: 600 KB, past the socket's buffers
            {
                posted.add(post(content));
            }
            awaitCounterAbove(EdgeCounters.WRITES_QUEUED, queuedBefore, "writes behind a partial one queue in Netty");

            // Read again: every message, whole, once, in order, sequences consecutive after GUILD_CREATE.
            long expectedSeq = created.path("s").asLong() + 1;
            for (final String id : posted)
            {
                final JsonNode d = readJson(raw);
                assertEquals("MESSAGE_CREATE", d.path("t").asText());
                assertEquals(expectedSeq++, d.path("s").asLong());
                assertEquals(id, d.path("d").path("id").asText());
                assertEquals(content, d.path("d").path("content").asText());
            }
        }
    }

    private static void awaitCounterAbove(final int id, final long before, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter(id) <= before)
        {
            assertTrue(System.nanoTime() < deadline, what + " (not counted within 10 s)");
            Thread.sleep(5);
        }
    }

    private static String post(final String content)
    {
        return node.ok("POST", "channels/" + channelId + "/messages", owner.token(),
            "{\"content\":\"" + content + "\"}").path("id").asText();
    }

    private static JsonNode readJson(final RawGatewaySocket raw) throws IOException
    {
        return GatewayTestClient.JSON.readTree(raw.readText());
    }
}
