package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.GatewayServer;
import dev.pinwheel.server.TestNode;

/**
 * Direct-message events travel the ordered shard-to-shard path to the shards holding the two users' sessions only:
 * the user's owner shard knows which shards those are (a bitmask kept by IDENTIFY and session end), every session of
 * both users gets every event once and in the channel's order, and a shard whose last session of a user ended drops
 * out of the mask.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DirectMessageRoutingTest
{
    private static final int DIRECT_MESSAGES = 1 << 12;
    private static final int MESSAGES = 60;

    private static long shardsOfUser(final GatewayServer gateway, final long userId) throws Exception
    {
        final ShardGroup shards = gateway.shards();
        final int owner = shards.ownerOf(userId);
        final CompletableFuture<Long> mask = new CompletableFuture<>();
        assertTrue(shards.send(owner, s -> mask.complete(gateway.shard(owner).users().shardsOfUser(userId))));
        return mask.get(10, TimeUnit.SECONDS);
    }

    /** Bounded wait for the user's owner shard to show {@code expected}. */
    private static void awaitMask(final GatewayServer shards, final long userId, final long expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long mask = shardsOfUser(shards, userId);
        while (mask != expected && System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            mask = shardsOfUser(shards, userId);
        }
        assertEquals(Long.toBinaryString(expected), Long.toBinaryString(mask));
    }

    private static List<String> contents(final GatewayTestClient c, final int n)
    {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            out.add(c.nextDispatch("MESSAGE_CREATE").path("d").path("content").asText());
        }
        return out;
    }

    @Test
    void dmEventsReachEverySessionOfBothUsersInOrderThroughTheirShardsOnly() throws Exception
    {
        try (TestNode node = new TestNode(4, null,
            g -> g.resumeWindowMillis(300).restRequestsPerSecond(100_000).messagesPer5Seconds(100_000)))
        {
            final GatewayServer shards = node.server().gateway();
            final TestNode.User alice = node.register("route-alice", false);
            final TestNode.User bob = node.register("route-bob");
            final long aliceId = Long.parseLong(alice.id());
            final long bobId = Long.parseLong(bob.id());
            // a DM needs a guild in common (as on Discord, without friends)
            node.join(alice, node.createGuild(alice, "route-guild").path("channels").get(0).path("id").asText(), bob);
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++)
            {
                expected.add("m" + i);
            }
            try (GatewayTestClient b0 = GatewayTestClient.json(node.shardUrl(0));
                 GatewayTestClient b1 = GatewayTestClient.json(node.shardUrl(1));
                 GatewayTestClient a2 = GatewayTestClient.json(node.shardUrl(2)))
            {
                final long intents = DIRECT_MESSAGES | GatewayTestClient.MESSAGE_CONTENT;
                b0.identifyAndAwait(bob.token(), intents, 0);
                b1.identifyAndAwait(bob.token(), intents, 0);
                a2.identifyAndAwait(alice.token(), intents, 0);
                awaitMask(shards, bobId, 0b011);
                awaitMask(shards, aliceId, 0b100);

                final String channel = node.ok("POST", "users/@me/channels", alice.token(),
                    "{\"recipient_id\":\"" + bob.id() + "\"}").path("id").asText();
                for (final String text : expected)
                {
                    node.ok("POST", "channels/" + channel + "/messages", alice.token(),
                        "{\"content\":\"" + text + "\"}");
                }
                assertEquals(expected, contents(b0, MESSAGES), "bob's session on shard 0, in order, once each");
                assertEquals(expected, contents(b1, MESSAGES), "bob's session on shard 1");
                assertEquals(expected, contents(a2, MESSAGES), "alice's own session on shard 2");

                b1.close();
                awaitMask(shards, bobId, 0b001); // its session expired (resume window 300 ms): shard 1 dropped out
                node.ok("POST", "channels/" + channel + "/messages", alice.token(), "{\"content\":\"after\"}");
                assertEquals(List.of("after"), contents(b0, 1));
                assertEquals(List.of("after"), contents(a2, 1));
            }
        }
    }
}
