package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Fanout order across shards (DESIGN.md, firm): two shards, one guild, sessions placed on both shards'
 * own listeners, two concurrent posters. Every session gets every MESSAGE_CREATE, in the order the owner
 * shard produced them (snowflake ids strictly increasing), the same order for all, with consecutive {@code s}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayFanoutOrderTest
{
    private static final int PER_POSTER = 100;
    private static final int SESSIONS = 8;
    private static TestNode node;
    private static final List<TestNode.User> users = new ArrayList<>();
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(2, null, cfg -> cfg.messagesPer5Seconds(10_000).restRequestsPerSecond(10_000));
        final TestNode.User owner = node.register("fan-owner");
        users.add(owner);
        channelId = node.createGuild(owner, "fanout guild").path("channels").get(0).path("id").asText();
        for (int i = 1; i < 6; i++)
        {
            final TestNode.User u = node.register("fan-member-" + i);
            node.join(owner, channelId, u);
            users.add(u);
        }
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void everySessionSeesEveryMessageInTheSameProductionOrder() throws Exception
    {
        final List<GatewayTestClient> clients = new ArrayList<>();
        final ExecutorService posters = Executors.newFixedThreadPool(2);
        try
        {
            for (int i = 0; i < SESSIONS; i++)
            {
                final int shard = i % 2;
                final GatewayTestClient c = GatewayTestClient.json(node.shardUrl(shard));
                clients.add(c);
                final JsonNode ready = c.identifyAndAwait(users.get(i % users.size()).token(), ALL_MESSAGES, 1);
                assertEquals(node.shardUrl(shard), ready.path("d").path("resume_gateway_url").asText(),
                    "session " + i + " lives on shard " + shard);
            }

            final List<Future<List<String>>> posted = new ArrayList<>();
            for (int p = 0; p < 2; p++)
            {
                final TestNode.User poster = users.get(p);
                posted.add(posters.submit(() ->
                {
                    final List<String> ids = new ArrayList<>();
                    for (int m = 0; m < PER_POSTER; m++)
                    {
                        ids.add(node.ok("POST", "channels/" + channelId + "/messages", poster.token(),
                            "{\"content\":\"" + poster.username() + " #" + m + "\"}").path("id").asText());
                    }
                    return ids;
                }));
            }
            final Set<String> postedIds = new HashSet<>();
            for (final Future<List<String>> f : posted)
            {
                postedIds.addAll(f.get(30, TimeUnit.SECONDS));
            }
            assertEquals(2 * PER_POSTER, postedIds.size());

            List<String> reference = null;
            for (int i = 0; i < SESSIONS; i++)
            {
                final GatewayTestClient c = clients.get(i);
                final List<String> ids = new ArrayList<>();
                for (int m = 0; m < 2 * PER_POSTER; m++)
                {
                    ids.add(c.nextDispatch("MESSAGE_CREATE").path("d").path("id").asText());
                }
                for (int m = 1; m < ids.size(); m++)
                {
                    assertTrue(Long.parseLong(ids.get(m - 1)) < Long.parseLong(ids.get(m)),
                        "session " + i + ": ids must be strictly increasing at " + m + ": " + ids.get(m - 1)
                            + " then " + ids.get(m));
                }
                assertEquals(postedIds, new HashSet<>(ids), "session " + i + " got exactly the posted messages");
                if (reference == null)
                {
                    reference = ids;
                }
                else
                {
                    assertEquals(reference, ids, "session " + i + " order differs from session 0");
                }
                long expected = 1;
                for (final JsonNode d : c.received())
                {
                    if (d.path("op").asInt() == 0)
                    {
                        assertEquals(expected++, d.path("s").asLong(), "session " + i + ": s must be consecutive");
                    }
                }
                assertEquals(2 + 2 * PER_POSTER, expected - 1, "READY + GUILD_CREATE + messages");
            }
        }
        finally
        {
            posters.shutdownNow();
            clients.forEach(GatewayTestClient::close);
        }
    }

    /**
     * Sessions subscribe while the guild is busy: each must get every message after its GUILD_CREATE's
     * snapshot (channel last_message_id) and none before — the snapshot and the events share one FIFO path.
     */
    @Test
    void sessionsSubscribingDuringTrafficMissNothingAfterTheirSnapshot() throws Exception
    {
        final TestNode.User owner = node.register("busy-owner");
        final JsonNode g = node.createGuild(owner, "busy guild");
        final String guildId = g.path("id").asText();
        final String channel = g.path("channels").get(0).path("id").asText();
        final List<TestNode.User> members = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final TestNode.User u = node.register("busy-member-" + i);
            node.join(owner, channel, u);
            members.add(u);
        }
        final List<String> posted = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger extra = new AtomicInteger(-1); // >= 0: posts left before stopping
        final java.util.concurrent.CountDownLatch flowing = new java.util.concurrent.CountDownLatch(10);
        final ExecutorService poster = Executors.newSingleThreadExecutor();
        final List<GatewayTestClient> clients = new ArrayList<>();
        try
        {
            final Future<?> posting = poster.submit(() ->
            {
                for (int m = 0; m < 5000; m++)
                {
                    final int left = extra.get();
                    if (left == 0)
                    {
                        return;
                    }
                    if (left > 0)
                    {
                        extra.decrementAndGet();
                    }
                    posted.add(node.ok("POST", "channels/" + channel + "/messages", owner.token(),
                        "{\"content\":\"busy " + m + "\"}").path("id").asText());
                    flowing.countDown();
                }
                throw new AssertionError("poster was never stopped");
            });
            assertTrue(flowing.await(20, TimeUnit.SECONDS), "the poster is running");
            final List<Long> snapshotLast = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                final GatewayTestClient c = GatewayTestClient.json(node.shardUrl(i % 2));
                clients.add(c);
                c.identify(members.get(i % members.size()).token(), ALL_MESSAGES);
                c.nextDispatch("READY");
                final JsonNode gc = c.nextDispatch("GUILD_CREATE");
                assertEquals(guildId, gc.path("d").path("id").asText());
                long last = 0;
                for (final JsonNode ch : gc.path("d").path("channels"))
                {
                    if (channel.equals(ch.path("id").asText()) && ch.path("last_message_id").isTextual())
                    {
                        last = Long.parseLong(ch.path("last_message_id").asText());
                    }
                }
                snapshotLast.add(last);
            }
            assertTrue(snapshotLast.get(0) > 0, "traffic was flowing while sessions subscribed");
            extra.set(20);
            posting.get(30, TimeUnit.SECONDS);
            final List<String> all = new ArrayList<>(posted);
            assertTrue(all.size() >= 20, "posted " + all.size());
            final String lastPosted = all.get(all.size() - 1);
            for (int i = 0; i < clients.size(); i++)
            {
                final GatewayTestClient c = clients.get(i);
                final long last = snapshotLast.get(i);
                final List<String> expected = all.stream().filter(id -> Long.parseLong(id) > last).toList();
                final List<String> got = new ArrayList<>();
                c.next(n ->
                {
                    if ("MESSAGE_CREATE".equals(n.path("t").asText()))
                    {
                        got.add(n.path("d").path("id").asText());
                        return lastPosted.equals(n.path("d").path("id").asText());
                    }
                    return false;
                }, "the last posted message");
                assertEquals(expected, got, "session " + i + " (snapshot last_message_id " + last
                    + "): exactly the messages after its snapshot, in order");
                long s = 1;
                boolean sawGuildCreate = false;
                for (final JsonNode n : c.received())
                {
                    if (n.path("op").asInt() != 0)
                    {
                        continue;
                    }
                    assertEquals(s++, n.path("s").asLong(), "session " + i + ": consecutive s");
                    sawGuildCreate |= "GUILD_CREATE".equals(n.path("t").asText());
                    if ("MESSAGE_CREATE".equals(n.path("t").asText()))
                    {
                        assertTrue(sawGuildCreate, "session " + i + ": MESSAGE_CREATE before GUILD_CREATE");
                    }
                }
            }
        }
        finally
        {
            extra.set(0);
            poster.shutdownNow();
            clients.forEach(GatewayTestClient::close);
        }
    }

    /**
     * A connected user who joins a guild gets its GUILD_CREATE (over the cross-shard join broadcast) and
     * then its events; the members already there get nothing new without GUILD_MEMBERS but keep working.
     */
    @Test
    void joiningWhileConnectedDeliversGuildCreateThenEvents()
    {
        final TestNode.User owner = node.register("late-owner");
        final JsonNode g = node.createGuild(owner, "late guild");
        final String guildId = g.path("id").asText();
        final String channel = g.path("channels").get(0).path("id").asText();
        for (int shard = 0; shard < 2; shard++)
        {
            final TestNode.User joiner = node.register("late-joiner-" + shard);
            try (GatewayTestClient c = GatewayTestClient.json(node.shardUrl(shard)))
            {
                final JsonNode ready = c.identifyAndAwait(joiner.token(), ALL_MESSAGES, 0);
                assertEquals(0, ready.path("d").path("guilds").size());
                node.join(owner, channel, joiner);
                final JsonNode gc = c.nextDispatch("GUILD_CREATE");
                assertEquals(guildId, gc.path("d").path("id").asText());
                final String id = node.ok("POST", "channels/" + channel + "/messages", owner.token(),
                    "{\"content\":\"welcome\"}").path("id").asText();
                final JsonNode m = c.nextDispatch("MESSAGE_CREATE");
                assertEquals(id, m.path("d").path("id").asText(), "shard " + shard);
                assertEquals("welcome", m.path("d").path("content").asText());
            }
        }
    }
}
