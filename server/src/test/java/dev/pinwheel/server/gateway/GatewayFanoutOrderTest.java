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
}
