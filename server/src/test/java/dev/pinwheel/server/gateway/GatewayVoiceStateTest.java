package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Voice state over the main gateway: joining a voice channel is announced to the guild, and a member whose
 * gateway session ends leaves the channel (the others see {@code channel_id: null}); a full channel
 * ({@code user_limit}) refuses members without MOVE_MEMBERS; a moderator moves and disconnects members with
 * {@code PATCH /guilds/{id}/members/{user} {channel_id}}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayVoiceStateTest
{
    private static final int VOICE_STATES = 1 << 7;

    @Test
    void aSessionThatEndsLeavesItsVoiceChannel() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User alice = node.register("alice");
            final TestNode.User bob = node.register("bob");
            final String guildId = guildWith(node, alice, bob);
            final String voiceId = voiceChannel(node, alice, guildId, "{\"name\":\"Lounge\",\"type\":2}");
            try (GatewayTestClient watcher = GatewayTestClient.connect(node.gatewayUrl());
                 GatewayTestClient joiner = GatewayTestClient.connect(node.gatewayUrl()))
            {
                watcher.identifyAndAwait(bob.token(), GatewayTestClient.GUILDS | VOICE_STATES, 1);
                joiner.identifyAndAwait(alice.token(), GatewayTestClient.GUILDS | VOICE_STATES, 1);
                joiner.send(op4(guildId, voiceId));
                final JsonNode joined = watcher.next(n -> "VOICE_STATE_UPDATE".equals(n.path("t").asText()),
                    "VOICE_STATE_UPDATE (join)");
                assertEquals(alice.id(), joined.path("d").path("user_id").asText());
                assertEquals(voiceId, joined.path("d").path("channel_id").asText());

                joiner.sendClose(1000, "bye"); // a 1000 close ends the session (no resume)
                final JsonNode left = watcher.next(n -> "VOICE_STATE_UPDATE".equals(n.path("t").asText()),
                    "VOICE_STATE_UPDATE (leave)");
                assertEquals(alice.id(), left.path("d").path("user_id").asText());
                assertTrue(left.path("d").path("channel_id").isNull(), left.toString());
            }
        }
    }

    @Test
    void aFullChannelRefusesMembersWithoutMoveMembers() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User alice = node.register("alice");
            final TestNode.User bob = node.register("bob");
            final String guildId = guildWith(node, alice, bob);
            final String small = voiceChannel(node, alice, guildId, "{\"name\":\"Booth\",\"type\":2,\"user_limit\":1}");
            assertEquals(1, node.ok("GET", "channels/" + small, alice.token(), null).path("user_limit").asInt());
            final String big = voiceChannel(node, alice, guildId, "{\"name\":\"Hall\",\"type\":2}");
            try (GatewayTestClient a = GatewayTestClient.connect(node.gatewayUrl());
                 GatewayTestClient b = GatewayTestClient.connect(node.gatewayUrl()))
            {
                a.identifyAndAwait(alice.token(), GatewayTestClient.GUILDS | VOICE_STATES, 1);
                b.identifyAndAwait(bob.token(), GatewayTestClient.GUILDS | VOICE_STATES, 1);
                a.send(op4(guildId, small));
                assertEquals(small, b.next(n -> "VOICE_STATE_UPDATE".equals(n.path("t").asText()),
                    "alice joins the booth").path("d").path("channel_id").asText());

                b.send(op4(guildId, small)); // full: refused, nothing is dispatched
                b.send(op4(guildId, big));   // same owner shard, same FIFO: this one's update comes first
                final JsonNode next = b.next(n -> "VOICE_STATE_UPDATE".equals(n.path("t").asText())
                    && bob.id().equals(n.path("d").path("user_id").asText()), "bob's voice state");
                assertEquals(big, next.path("d").path("channel_id").asText(), next.toString());
            }
        }
    }

    @Test
    void aModeratorMovesAndDisconnectsAMember() throws Exception
    {
        try (TestNode node = new TestNode(2);
             Scene s = bobInLounge(node))
        {
            final String hall = voiceChannel(node, s.alice(), s.guildId(), "{\"name\":\"Hall\",\"type\":2}");
            final String member = "guilds/" + s.guildId() + "/members/" + s.bob().id();
            final String aliceAt = "guilds/" + s.guildId() + "/members/" + s.alice().id();
            // bob may not move anyone; a bad channel id and a text channel are refused
            assertEquals(403, node.call("PATCH", aliceAt, s.bob().token(), "{\"channel_id\":\"" + hall + "\"}")
                .status());
            assertEquals(400, node.call("PATCH", member, s.alice().token(), "{\"channel_id\":true}").status());
            node.ok("PATCH", member, s.alice().token(), "{\"channel_id\":\"" + hall + "\"}");
            assertEquals(hall, bobsNextState(s.a(), s.bob()).path("d").path("channel_id").asText());
            assertEquals(hall, bobsNextState(s.b(), s.bob()).path("d").path("channel_id").asText());
            s.b().nextDispatch("VOICE_SERVER_UPDATE"); // bob's client reconnects voice to the new room

            node.ok("PATCH", member, s.alice().token(), "{\"channel_id\":null}");
            assertTrue(bobsNextState(s.a(), s.bob()).path("d").path("channel_id").isNull());
            assertEquals(400, node.call("PATCH", member, s.alice().token(), "{\"channel_id\":null}").status(),
                "no longer connected: 40032");
        }
    }

    @Test
    void deletingAVoiceChannelDisconnectsTheMembersInIt() throws Exception
    {
        try (TestNode node = new TestNode(2);
             Scene s = bobInLounge(node))
        {
            node.ok("DELETE", "channels/" + s.lounge(), s.alice().token(), null);
            assertTrue(bobsNextState(s.a(), s.bob()).path("d").path("channel_id").isNull(),
                "bob left the deleted channel");
            s.a().nextDispatch("CHANNEL_DELETE");
        }
    }

    /**
     * Alice (owner) and Bob in a guild with a voice channel, both connected with GUILDS | GUILD_VOICE_STATES, and
     * Bob in the voice channel (both have seen his VOICE_STATE_UPDATE).
     */
    private record Scene(TestNode.User alice, TestNode.User bob, String guildId, String lounge, GatewayTestClient a,
        GatewayTestClient b) implements AutoCloseable
    {
        @Override
        public void close()
        {
            a.close();
            b.close();
        }
    }

    private static Scene bobInLounge(final TestNode node)
    {
        final TestNode.User alice = node.register("alice");
        final TestNode.User bob = node.register("bob");
        final String guildId = guildWith(node, alice, bob);
        final String lounge = voiceChannel(node, alice, guildId, "{\"name\":\"Lounge\",\"type\":2}");
        final GatewayTestClient a = GatewayTestClient.connect(node.gatewayUrl());
        final GatewayTestClient b = GatewayTestClient.connect(node.gatewayUrl());
        a.identifyAndAwait(alice.token(), GatewayTestClient.GUILDS | VOICE_STATES, 1);
        b.identifyAndAwait(bob.token(), GatewayTestClient.GUILDS | VOICE_STATES, 1);
        b.send(op4(guildId, lounge));
        assertEquals(lounge, bobsNextState(a, bob).path("d").path("channel_id").asText());
        assertEquals(lounge, bobsNextState(b, bob).path("d").path("channel_id").asText());
        return new Scene(alice, bob, guildId, lounge, a, b);
    }

    private static JsonNode bobsNextState(final GatewayTestClient c, final TestNode.User bob)
    {
        return c.next(n -> "VOICE_STATE_UPDATE".equals(n.path("t").asText())
            && bob.id().equals(n.path("d").path("user_id").asText()), "bob's voice state");
    }

    /** A guild owned by {@code owner} that {@code member} joined; returns its id. */
    private static String guildWith(final TestNode node, final TestNode.User owner, final TestNode.User member)
    {
        final JsonNode guild = node.createGuild(owner, "voice");
        node.join(owner, guild.get("channels").get(0).get("id").asText(), member);
        return guild.get("id").asText();
    }

    private static String voiceChannel(final TestNode node, final TestNode.User owner, final String guildId,
        final String body)
    {
        return node.ok("POST", "guilds/" + guildId + "/channels", owner.token(), body).get("id").asText();
    }

    private static String op4(final String guildId, final String channelId)
    {
        return "{\"op\":4,\"d\":{\"guild_id\":\"" + guildId + "\",\"channel_id\":\"" + channelId
            + "\",\"self_mute\":false,\"self_deaf\":false}}";
    }
}
