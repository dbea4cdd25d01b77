package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.GUILDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.server.TestNode;

/**
 * Discord's {@code session_start_limit}: one IDENTIFY per {@code max_concurrency} bucket per window (op 9
 * INVALID_SESSION {@code d: false} for the others, connection kept), a total per period (close 4008 once it is
 * used up), RESUME never limited, and {@code GET /gateway/bot} reporting the real numbers. TestNode turns the limits
 * off for the other tests; each node here turns them on.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SessionStartLimitTest
{
    private static final long DAY_MS = 86_400_000L;

    private static boolean isReadyOrInvalid(final JsonNode n)
    {
        return n.path("op").asInt() == 9 || (n.path("op").asInt() == 0 && "READY".equals(n.path("t").asText()));
    }

    private static JsonNode sessionStartLimit(final TestNode n, final TestNode.User u)
    {
        return n.ok("GET", "gateway/bot", u.token(), null).path("session_start_limit");
    }

    private static ObjectNode identify(final TestNode.User u, final int shard, final int shards)
    {
        final ObjectNode p = GatewayTestClient.identifyPayload(u.token(), GUILDS);
        ((ObjectNode)p.get("d")).putArray("shard").add(shard).add(shards);
        return p;
    }

    private static long counter(final TestNode n, final int id)
    {
        return n.server().gateway().shard(0).edgeCounters().get(id);
    }

    @Test
    void fiftyConcurrentIdentifiesOfOneTokenStartOneSessionAndTheRestGetOp9()
    {
        try (TestNode n = new TestNode(1, null, cfg -> cfg.identifyWindowMillis(60_000).sessionStartTotal(1000)))
        {
            final TestNode.User bot = n.register("storm-bot");
            final JsonNode before = sessionStartLimit(n, bot);
            assertEquals(1000, before.path("total").asInt());
            assertEquals(1000, before.path("remaining").asInt());
            assertEquals(DAY_MS, before.path("reset_after").asLong());
            assertEquals(1, before.path("max_concurrency").asInt());
            final List<GatewayTestClient> clients = new ArrayList<>();
            try
            {
                for (int i = 0; i < 50; i++)
                {
                    clients.add(GatewayTestClient.json(n.gatewayUrl()));
                }
                for (final GatewayTestClient c : clients)
                {
                    c.identify(bot.token(), GUILDS);
                }
                int ready = 0;
                GatewayTestClient refused = null;
                for (final GatewayTestClient c : clients)
                {
                    final JsonNode first = c.next(SessionStartLimitTest::isReadyOrInvalid, "READY or op 9");
                    if (first.path("op").asInt() == 0)
                    {
                        ready++;
                    }
                    else
                    {
                        assertFalse(first.path("d").asBoolean(true), "op 9 d:false: identify again later");
                        refused = c;
                    }
                }
                assertEquals(1, ready, "one session start per bucket per window");
                assertEquals(49, counter(n, EdgeCounters.IDENTIFY_MAX_CONCURRENCY));
                assertFalse(refused.isClosed(), "the refused connection stays open to identify again");
                refused.identify(bot.token(), GUILDS);
                assertEquals(9, refused.next(SessionStartLimitTest::isReadyOrInvalid, "op 9").path("op").asInt(),
                    "still inside the window");
                final JsonNode after = sessionStartLimit(n, bot);
                assertEquals(999, after.path("remaining").asInt(), "only the session that started counts");
                assertTrue(after.path("reset_after").asLong() <= DAY_MS && after.path("reset_after").asLong() > 0);
            }
            finally
            {
                clients.forEach(GatewayTestClient::close);
            }
        }
    }

    @Test
    void shardsInDifferentBucketsStartTogether()
    {
        try (TestNode n = new TestNode(1, null, cfg -> cfg.identifyWindowMillis(60_000).maxConcurrency(2)))
        {
            final TestNode.User bot = n.register("sharded-bot");
            assertEquals(2, sessionStartLimit(n, bot).path("max_concurrency").asInt());
            try (GatewayTestClient s0 = GatewayTestClient.json(n.gatewayUrl());
                 GatewayTestClient s1 = GatewayTestClient.json(n.gatewayUrl());
                 GatewayTestClient s2 = GatewayTestClient.json(n.gatewayUrl()))
            {
                s0.send(identify(bot, 0, 4));
                s1.send(identify(bot, 1, 4));
                assertEquals("READY", s0.next(SessionStartLimitTest::isReadyOrInvalid, "READY").path("t").asText());
                assertEquals("READY", s1.next(SessionStartLimitTest::isReadyOrInvalid, "READY").path("t").asText());
                s2.send(identify(bot, 2, 4)); // 2 % 2 = bucket 0, already used in this window
                assertEquals(9, s2.next(SessionStartLimitTest::isReadyOrInvalid, "op 9").path("op").asInt());
            }
        }
    }

    @Test
    void aUsedUpTotalClosesWith4008AndResumeIsNotLimited()
    {
        try (TestNode n = new TestNode(1, null, cfg -> cfg.identifyWindowMillis(0).sessionStartTotal(2)))
        {
            final TestNode.User bot = n.register("thrifty-bot");
            final String sessionId;
            final String resumeUrl;
            final long seq;
            try (GatewayTestClient a = GatewayTestClient.json(n.gatewayUrl()))
            {
                final JsonNode ready = a.identifyAndAwait(bot.token(), GUILDS, 0);
                sessionId = ready.path("d").path("session_id").asText();
                resumeUrl = ready.path("d").path("resume_gateway_url").asText();
                seq = ready.path("s").asLong();
                a.sendClose(4000, "going to resume");
                a.awaitClose();
            }
            try (GatewayTestClient b = GatewayTestClient.json(n.gatewayUrl()))
            {
                b.identifyAndAwait(bot.token(), GUILDS, 0);
            }
            try (GatewayTestClient c = GatewayTestClient.json(n.gatewayUrl()))
            {
                c.identify(bot.token(), GUILDS);
                final GatewayTestClient.Close close = c.awaitClose();
                assertEquals(4008, close.code(), close.toString());
                assertTrue(close.reason().contains("Session start limit"), close.reason());
            }
            final JsonNode limit = sessionStartLimit(n, bot);
            assertEquals(0, limit.path("remaining").asInt());
            assertEquals(2, limit.path("total").asInt());
            assertEquals(1, counter(n, EdgeCounters.IDENTIFY_SESSION_START_LIMIT));
            try (GatewayTestClient r = GatewayTestClient.json(resumeUrl))
            {
                r.resume(bot.token(), sessionId, seq);
                assertEquals("RESUMED", r.next(m -> m.path("op").asInt() == 9 || "RESUMED".equals(m.path("t")
                    .asText()), "RESUMED").path("t").asText(), "RESUME takes no session start");
            }
        }
    }
}
