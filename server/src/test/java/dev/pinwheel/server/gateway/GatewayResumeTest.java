package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pinwheel.server.TestNode;

/**
 * RESUME: missed events replayed in order with consecutive {@code s}, then RESUMED, no duplicates; op 9
 * for sessions that are unknown, ended by a 1000/1001 close, belong to someone else, or whose missed events
 * no longer fit the replay buffer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayResumeTest
{
    private static final int BUFFER = 16;
    private static TestNode node;
    private static TestNode.User owner;
    private static TestNode.User member;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1, null, cfg -> cfg.resumeBufferEvents(BUFFER).messagesPer5Seconds(1000)
            .restRequestsPerSecond(1000));
        owner = node.register("resume-owner");
        member = node.register("resume-member");
        final JsonNode g = node.createGuild(owner, "resume guild");
        channelId = g.path("channels").get(0).path("id").asText();
        node.join(owner, channelId, member);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static String post(final String content)
    {
        return node.ok("POST", "channels/" + channelId + "/messages", owner.token(),
            "{\"content\":\"" + content + "\"}").path("id").asText();
    }

    /** An identified session of {@link #member}: READY and GUILD_CREATE taken. */
    private record Session(GatewayTestClient client, String id, String resumeUrl)
    {
    }

    private static Session identify()
    {
        final GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl());
        final JsonNode ready = c.identifyAndAwait(member.token(), ALL_MESSAGES, 1);
        return new Session(c, ready.path("d").path("session_id").asText(),
            ready.path("d").path("resume_gateway_url").asText());
    }

    private static JsonNode opNineOrDispatch(final GatewayTestClient c)
    {
        return c.next(n -> n.path("op").asInt() == 9 || n.path("op").asInt() == 0, "op 9 or a dispatch");
    }

    @ParameterizedTest(name = "connection dropped by {0}")
    @ValueSource(strings = {"abort", "close 4000"})
    void resumeReplaysMissedEventsInOrderThenResumed(final String how)
    {
        final Session s = identify();
        final Set<String> seenIds = new HashSet<>();
        long lastSeq = 0;
        try (GatewayTestClient c = s.client())
        {
            for (int i = 0; i < 3; i++)
            {
                final String id = post("before-" + i);
                final JsonNode m = c.nextDispatch("MESSAGE_CREATE");
                assertEquals(id, m.path("d").path("id").asText());
                assertTrue(seenIds.add(id));
                lastSeq = m.path("s").asLong();
            }
            if ("abort".equals(how))
            {
                c.abort();
            }
            else
            {
                c.sendClose(4000, "network trouble");
                assertEquals(4000, c.awaitClose().code(), "the server echoes the client's close code");
            }
        }

        final List<String> missed = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            missed.add(post("missed-" + i));
        }

        // discord.js appends the query to resume_gateway_url as is
        try (GatewayTestClient c = GatewayTestClient.connect(s.resumeUrl() + "?v=10&encoding=json"))
        {
            c.resume(member.token(), s.id(), lastSeq);
            final List<JsonNode> dispatches = c.until("RESUMED").stream()
                .filter(n -> n.path("op").asInt() == 0).toList();
            assertEquals(missed.size() + 1, dispatches.size(), "exactly the missed events, then RESUMED: "
                + dispatches);
            for (int i = 0; i < missed.size(); i++)
            {
                final JsonNode d = dispatches.get(i);
                assertEquals("MESSAGE_CREATE", d.path("t").asText(), d.toString());
                assertEquals(missed.get(i), d.path("d").path("id").asText(), "missed events in order");
                assertEquals("missed-" + i, d.path("d").path("content").asText());
                assertEquals(lastSeq + 1 + i, d.path("s").asLong(), "consecutive s");
                assertTrue(seenIds.add(missed.get(i)), "no duplicate of an event seen before the drop");
            }
            final JsonNode resumed = dispatches.get(missed.size());
            assertEquals("RESUMED", resumed.path("t").asText());
            assertEquals(lastSeq + missed.size() + 1, resumed.path("s").asLong(), "RESUMED continues the sequence");

            final String after = post("after");
            final JsonNode next = c.next(n -> n.path("op").asInt() == 0, "a dispatch");
            assertEquals("MESSAGE_CREATE", next.path("t").asText(), "nothing replayed twice: " + next);
            assertEquals(after, next.path("d").path("id").asText());
            assertEquals(resumed.path("s").asLong() + 1, next.path("s").asLong());
        }
    }

    @Test
    void resumeTakesTheSessionOverFromAConnectionThatLooksAlive()
    {
        final Session s = identify();
        try (GatewayTestClient old = s.client();
            GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            final String id = post("while both are open");
            final JsonNode m = old.nextDispatch("MESSAGE_CREATE");
            assertEquals(id, m.path("d").path("id").asText());
            final long seq = m.path("s").asLong();
            final String missed = post("missed by the zombie");
            // the old connection may or may not have got it: the client resumes from what it processed
            c.resume(member.token(), s.id(), seq);
            final List<JsonNode> dispatches = c.until("RESUMED").stream()
                .filter(n -> n.path("op").asInt() == 0).toList();
            assertEquals(2, dispatches.size(), dispatches.toString());
            assertEquals(missed, dispatches.get(0).path("d").path("id").asText());
            assertEquals(seq + 1, dispatches.get(0).path("s").asLong());
            final GatewayTestClient.Close close = old.awaitClose();
            assertTrue(close.code() >= 4000 && close.code() != 4009, "the old connection is closed: " + close);

            final String after = post("after takeover");
            final JsonNode n = c.nextDispatch("MESSAGE_CREATE");
            assertEquals(after, n.path("d").path("id").asText());
            assertEquals(seq + 3, n.path("s").asLong());
        }
    }

    @Test
    void aHeartbeatAcknowledgesEventsSoTheyAreReleasedButLaterOnesStillReplay()
    {
        final Session s = identify();
        long acked;
        try (GatewayTestClient c = s.client())
        {
            post("seen");
            acked = c.nextDispatch("MESSAGE_CREATE").path("s").asLong();
            c.send("{\"op\":1,\"d\":" + acked + "}"); // Discord heartbeats carry the last sequence received
            c.nextOp(11);
            c.abort();
        }
        final String missed = post("after the ack");
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(member.token(), s.id(), acked);
            final List<JsonNode> dispatches = c.until("RESUMED").stream()
                .filter(n -> n.path("op").asInt() == 0).toList();
            assertEquals(2, dispatches.size(), dispatches.toString());
            assertEquals(missed, dispatches.get(0).path("d").path("id").asText());
            // what the client acknowledged is gone: claiming to have seen less cannot be honoured
            c.abort();
        }
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(member.token(), s.id(), acked - 1);
            final JsonNode n = opNineOrDispatch(c);
            assertEquals(9, n.path("op").asInt(), n.toString());
        }
    }

    /**
     * A heartbeat that acknowledges more events than the resume buffer holds (a busy guild between two heartbeats)
     * releases only those: the events after it, which by then sit in the slots of older sequences, still replay.
     * Before, the release ran over the whole buffer and emptied their slots: the replay (and a corked write, in the
     * same way) failed and the connection was closed.
     */
    @Test
    void aHeartbeatAcknowledgingMoreThanTheBufferKeepsTheEventsAfterIt()
    {
        final Session s = identify();
        long acked = 0;
        final List<String> after = new ArrayList<>();
        try (GatewayTestClient c = s.client())
        {
            for (int i = 0; i < BUFFER + 4; i++)
            {
                post("busy-" + i);
                acked = c.nextDispatch("MESSAGE_CREATE").path("s").asLong();
            }
            for (int i = 0; i < 5; i++)
            {
                after.add(post("after-" + i));
                c.nextDispatch("MESSAGE_CREATE");
            }
            c.send("{\"op\":1,\"d\":" + acked + "}"); // sent before the last five arrived: it acknowledges BUFFER + 6
            c.nextOp(11);
            c.abort();
        }
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(member.token(), s.id(), acked);
            final List<JsonNode> dispatches = c.until("RESUMED").stream()
                .filter(n -> n.path("op").asInt() == 0).toList();
            assertEquals(after.size() + 1, dispatches.size(), dispatches.toString());
            for (int i = 0; i < after.size(); i++)
            {
                assertEquals(after.get(i), dispatches.get(i).path("d").path("id").asText(), "replayed in order");
            }
        }
    }

    @Test
    void resumeOfAnUnknownSessionIsOpNineFalse()
    {
        try (GatewayTestClient c = GatewayTestClient.json(node.shardUrl(0)))
        {
            c.resume(member.token(), "00000000000000000000000000000000", 0);
            final JsonNode n = opNineOrDispatch(c);
            assertEquals(9, n.path("op").asInt(), n.toString());
            assertTrue(n.path("d").isBoolean() && !n.path("d").asBoolean(), "d must be false: " + n);
        }
    }

    @Test
    void resumeOfSomeoneElsesSessionIsOpNineFalse()
    {
        final Session s = identify();
        s.client().sendClose(4000, "drop");
        s.client().awaitClose();
        s.client().close();
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(owner.token(), s.id(), 1);
            final JsonNode n = opNineOrDispatch(c);
            assertEquals(9, n.path("op").asInt(), "another user's token must not resume the session: " + n);
        }
    }

    @Test
    void resumeWithALiveSessionsIdAlteredInItsLastDigitsOrCaseIsOpNineFalse()
    {
        // a shard finds its sessions by the first half of the id and checks the second: both halves count
        final Session s = identify();
        s.client().sendClose(4000, "drop");
        s.client().awaitClose();
        s.client().close();
        final String id = s.id();
        final char last = id.charAt(id.length() - 1);
        final String[] near = {
            id.substring(0, id.length() - 1) + (last == '0' ? '1' : '0'),
            id.substring(0, 16) + "0".repeat(16),
            id.toUpperCase(java.util.Locale.ROOT).equals(id) ? id + "0" : id.toUpperCase(java.util.Locale.ROOT),
            id.substring(0, 31),
        };
        for (final String other : near)
        {
            try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
            {
                c.resume(member.token(), other, 2);
                final JsonNode n = opNineOrDispatch(c);
                assertEquals(9, n.path("op").asInt(), other + " is not " + id + ": " + n);
            }
        }
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(member.token(), id, 2);
            final JsonNode n = opNineOrDispatch(c);
            assertEquals("RESUMED", n.path("t").asText(), "the session itself still resumes: " + n);
        }
    }

    @ParameterizedTest(name = "client close {0}")
    @ValueSource(ints = {1000, 1001})
    void clientCloseWithNormalCodeEndsTheSession(final int code)
    {
        final Session s = identify();
        try (GatewayTestClient c = s.client())
        {
            c.sendClose(code, "bye");
            c.awaitClose(); // the server answered: the session is already gone
        }
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(member.token(), s.id(), 2);
            final JsonNode n = opNineOrDispatch(c);
            assertEquals(9, n.path("op").asInt(), "close " + code + " ends the session: " + n);
            assertFalse(n.path("d").asBoolean(true));
        }
    }

    @Test
    void missedEventsBeyondTheReplayBufferAreOpNineFalse()
    {
        final Session s = identify();
        final long seq = 2; // READY, GUILD_CREATE
        s.client().abort();
        s.client().close();
        for (int i = 0; i < BUFFER + 4; i++)
        {
            post("overflow-" + i);
        }
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(member.token(), s.id(), seq);
            final JsonNode n = opNineOrDispatch(c);
            assertEquals(9, n.path("op").asInt(), "events were lost: the session cannot resume: " + n);
            assertFalse(n.path("d").asBoolean(true));
        }
    }

    @Test
    void missedEventsFillingExactlyTheReplayBufferAreReplayed()
    {
        final Session s = identify();
        s.client().abort();
        s.client().close();
        final List<String> missed = new ArrayList<>();
        for (int i = 0; i < BUFFER; i++)
        {
            missed.add(post("exact-" + i));
        }
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(member.token(), s.id(), 2);
            final List<JsonNode> dispatches = c.until("RESUMED").stream()
                .filter(n -> n.path("op").asInt() == 0).toList();
            assertEquals(BUFFER + 1, dispatches.size(), dispatches.toString());
            for (int i = 0; i < BUFFER; i++)
            {
                assertEquals(missed.get(i), dispatches.get(i).path("d").path("id").asText());
                assertEquals(3 + i, dispatches.get(i).path("s").asLong());
            }
        }
    }

    @Test
    void resumeWithTheLatestSeqReplaysNothing()
    {
        final Session s = identify();
        s.client().abort();
        s.client().close();
        try (GatewayTestClient c = GatewayTestClient.json(s.resumeUrl()))
        {
            c.resume(member.token(), s.id(), 2);
            final JsonNode n = opNineOrDispatch(c);
            assertEquals("RESUMED", n.path("t").asText(), n.toString());
            assertEquals(3, n.path("s").asLong());
        }
    }
}
