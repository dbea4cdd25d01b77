package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Read states of the user API, over real sockets: mentions counted only for those pinged (a user mention, a role
 * they hold, @everyone by someone allowed to; not one suppressed by allowed_mentions, not a message that mentions
 * someone else), {@code read_state} in READY, an ack that resets the count and reaches the user's other session as
 * MESSAGE_ACK, the bulk ack, Discord's errors — and all of it after the node restarted on the same data directory.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReadStatesTest
{
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(15);

    @Test
    void mentionCountsAndAcksSurviveARestart() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-read-states");
        try
        {
            final TestNode.User alice;
            final TestNode.User bob;
            final String channel;
            final String second;
            final String lastMention;
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                alice = node.register("rs_alice", false);
                bob = node.register("rs_bob", false);
                final TestNode.User carol = node.register("rs_carol", false);
                final TestNode.User bot = node.register("rs_bot", true);
                final JsonNode guild = node.createGuild(alice, "read states");
                channel = guild.get("channels").get(0).get("id").asText();
                second = node.ok("POST", "guilds/" + guild.get("id").asText() + "/channels", alice.token(),
                    "{\"name\":\"second\"}").get("id").asText();
                node.join(alice, channel, bob);
                node.join(alice, channel, carol);
                node.join(alice, channel, bot);
                final String role = node.ok("POST", "guilds/" + guild.get("id").asText() + "/roles", alice.token(),
                    "{\"name\":\"pinged\"}").get("id").asText();
                node.ok("PUT", "guilds/" + guild.get("id").asText() + "/members/" + bob.id() + "/roles/" + role,
                    alice.token(), null);

                try (GatewayTestClient one = GatewayTestClient.connect(node.gatewayUrl());
                    GatewayTestClient two = GatewayTestClient.connect(node.gatewayUrl()))
                {
                    final JsonNode ready = one.identifyAndAwait(bob.token(), GatewayTestClient.ALL_MESSAGES, 1);
                    assertEquals(0, ready.path("d").path("read_state").path("entries").size());
                    assertFalse(ready.path("d").path("read_state").path("partial").asBoolean(true));
                    two.identifyAndAwait(bob.token(), GatewayTestClient.ALL_MESSAGES, 1);

                    final String messages = "channels/" + channel + "/messages";
                    final String first = post(node, alice, messages, "{\"content\":\"hi <@" + bob.id() + ">\"}");
                    post(node, alice, messages, "{\"content\":\"to <@!" + carol.id() + "> only\"}");
                    post(node, alice, messages, "{\"content\":\"<@" + bob.id() + "> quietly\","
                        + "\"allowed_mentions\":{\"parse\":[]}}");
                    post(node, alice, messages, "{\"content\":\"<@&" + role + "> meeting\"}");
                    post(node, bob, messages, "{\"content\":\"@everyone from bob, who may not\"}");
                    lastMention = post(node, alice, messages, "{\"content\":\"@everyone and <@" + bob.id() + ">\"}");
                    post(node, alice, "channels/" + second + "/messages", "{\"content\":\"<@" + bob.id() + ">\"}");

                    // the counts grow on bob's owner after each message is durable: read them as READY shows them
                    JsonNode entries = awaitEntries(node, bob, 2, e -> count(e, channel) == 3
                        && count(e, second) == 1);
                    assertEquals(3, count(entries, channel), "user, role and @everyone; not the suppressed one");
                    assertEquals(1, count(entries, second));
                    assertEquals(-1, count(awaitEntries(node, carol, 1, e -> count(e, channel) == 2), second));
                    assertEquals(2, count(awaitEntries(node, carol, 1, e -> true), channel),
                        "carol: her mention and @everyone");

                    // ack from session one: 200 {"token":null}; session two hears MESSAGE_ACK
                    final TestNode.Response ack = node.call("POST", messages + "/" + first + "/ack", bob.token(),
                        "{\"token\":null}");
                    assertEquals(200, ack.status(), ack.raw().body());
                    assertTrue(ack.body().has("token") && ack.body().get("token").isNull());
                    final JsonNode heard = two.nextDispatch("MESSAGE_ACK").path("d");
                    assertEquals(channel, heard.path("channel_id").asText());
                    assertEquals(first, heard.path("message_id").asText());
                    assertEquals(2, heard.path("mention_count").asInt(), "the mentions after the acked message");
                    final JsonNode entry = entry(awaitEntries(node, bob, 2, e -> count(e, channel) == 2), channel);
                    assertEquals(first, entry.path("last_message_id").asText());
                }

                // the bulk ack reads both channels up to their newest message
                assertEquals(204, node.call("POST", "read-states/ack-bulk", bob.token(), "{\"read_states\":["
                    + "{\"channel_id\":\"" + channel + "\",\"message_id\":\"" + lastMention + "\"}]}").status());
                // Discord's errors
                final TestNode.Response byBot = node.call("POST", "channels/" + channel + "/messages/" + lastMention
                    + "/ack", bot.token(), "{}");
                assertEquals(403, byBot.status());
                assertEquals(20001, byBot.body().path("code").asInt());
                final TestNode.Response unknown = node.call("POST", "channels/1234567/messages/" + lastMention
                    + "/ack", bob.token(), "{}");
                assertEquals(404, unknown.status());
                assertEquals(10003, unknown.body().path("code").asInt());
                final TestNode.Response bad = node.call("POST", "read-states/ack-bulk", bob.token(),
                    "{\"read_states\":[{\"channel_id\":\"x\",\"message_id\":\"1\"}]}");
                assertEquals(400, bad.status());
                assertEquals(50035, bad.body().path("code").asInt());
                assertTrue(bad.body().path("errors").path("read_states").path("0").has("channel_id"), bad.raw()
                    .body());
                assertEquals(0, count(awaitEntries(node, bob, 2, e -> count(e, channel) == 0), channel));
            }
            try (TestNode node = new TestNode(2, dir, c -> { }))
            {
                final JsonNode entries = awaitEntries(node, bob, 2, e -> true);
                assertEquals(lastMention, entry(entries, channel).path("last_message_id").asText(),
                    "the ack survives the restart");
                assertEquals(0, count(entries, channel));
                assertEquals(1, count(entries, second), "the unread mention survives the restart");
                assertEquals(0, entry(entries, second).path("last_message_id").asLong(), "never read");
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }

    @Test
    void aDirectMessageMentionsItsRecipient()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.Pair pair = node.pair("rsdm");
            final TestNode.User alice = node.register("rsdm_alice", false);
            final TestNode.User bob = node.register("rsdm_bob", false);
            node.join(pair.owner(), pair.channelId(), alice);
            node.join(pair.owner(), pair.channelId(), bob);
            final String dm = node.ok("POST", "users/@me/channels", alice.token(), "{\"recipient_id\":\"" + bob.id()
                + "\"}").get("id").asText();
            final JsonNode quiet = node.ok("POST", "channels/" + dm + "/messages", alice.token(),
                "{\"content\":\"<@" + bob.id() + "> quiet\",\"allowed_mentions\":{\"parse\":[]}}");
            assertEquals(0, quiet.path("mentions").size());
            final JsonNode loud = node.ok("POST", "channels/" + dm + "/messages", alice.token(),
                "{\"content\":\"<@" + bob.id() + "> hi\"}");
            assertEquals(bob.id(), loud.path("mentions").get(0).path("id").asText());
            assertEquals(1, count(awaitEntries(node, bob, 1, e -> count(e, dm) == 1), dm));
            final TestNode.Response both = node.call("POST", "channels/" + dm + "/messages", alice.token(),
                "{\"content\":\"x\",\"allowed_mentions\":{\"parse\":[\"users\"],\"users\":[\"" + bob.id()
                + "\"]}}");
            assertEquals(400, both.status());
            assertEquals("MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", both.body().path("errors")
                .path("allowed_mentions").path("_errors").get(0).path("code").asText());
            assertEquals(200, node.call("POST", "channels/" + dm + "/messages/" + loud.path("id").asText() + "/ack",
                bob.token(), null).status());
            assertEquals(0, count(awaitEntries(node, bob, 1, e -> count(e, dm) == 0), dm));
        }
    }

    private static String post(final TestNode node, final TestNode.User by, final String path, final String body)
    {
        return node.ok("POST", path, by.token(), body).get("id").asText();
    }

    /** IDENTIFYs as {@code user} until READY's read_state satisfies {@code done} (bounded), returns its entries. */
    private static JsonNode awaitEntries(final TestNode node, final TestNode.User user, final int guilds,
        final java.util.function.Predicate<JsonNode> done)
    {
        final long deadline = System.nanoTime() + DEADLINE_NANOS;
        JsonNode entries;
        int attempt = 0;
        do
        {
            if (attempt++ > 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            try (GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl()))
            {
                entries = c.identifyAndAwait(user.token(), GatewayTestClient.GUILDS, 0).path("d").path("read_state")
                    .path("entries");
            }
        }
        while (!done.test(entries) && System.nanoTime() < deadline);
        assertTrue(done.test(entries), "read_state in READY: " + entries);
        return entries;
    }

    private static JsonNode entry(final JsonNode entries, final String channel)
    {
        for (final JsonNode e : entries)
        {
            if (channel.equals(e.path("id").asText()))
            {
                return e;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static int count(final JsonNode entries, final String channel)
    {
        final JsonNode e = entry(entries, channel);
        return e.isMissingNode() ? -1 : e.path("mention_count").asInt();
    }
}
