package dev.pinwheel.server.gateway;

import static dev.pinwheel.server.gateway.GatewayTestClient.ALL_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.server.TestNode;

/**
 * REST v10 routes that discord.py and Oceanic.js call for everyday bot work and that answered 404 before:
 * {@code GET /guilds/{id}/roles} ({@code Guild.fetch_roles}, {@code getRoles}), {@code GET
 * /guilds/{id}/members/search} ({@code searchMembers}) and {@code POST /channels/{id}/messages/bulk-delete}
 * ({@code TextChannel.purge}, {@code deleteMessages}) with its MESSAGE_DELETE_BULK dispatch, each with
 * Discord's errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestGuildRoutesTest
{
    private static TestNode node;
    private static TestNode.User owner;
    private static TestNode.User member;
    private static TestNode.User stranger;
    private static String guildId;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(2);
        owner = node.register("routes-owner");
        member = node.register("Routes-member");
        stranger = node.register("routes-stranger");
        final JsonNode g = node.createGuild(owner, "routes guild");
        guildId = g.path("id").asText();
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

    private static void assertError(final TestNode.Response r, final int status, final int code)
    {
        assertEquals(status, r.status(), r.raw().uri() + " -> " + r.raw().body());
        assertEquals(code, r.body().path("code").asInt(-1), r.raw().body());
    }

    private static void assertFormError(final TestNode.Response r, final String field)
    {
        assertError(r, 400, 50035);
        assertTrue(r.body().path("errors").path(field).path("_errors").isArray(), "errors." + field + ": "
            + r.raw().body());
    }

    @Test
    void rolesAreListed()
    {
        final JsonNode roles = node.ok("GET", "guilds/" + guildId + "/roles", member.token(), null);
        assertTrue(roles.isArray() && roles.size() >= 1, roles.toString());
        final JsonNode everyone = roles.get(0);
        assertEquals(guildId, everyone.path("id").asText(), "@everyone has the guild's id: " + roles);
        assertEquals("@everyone", everyone.path("name").asText());
        assertTrue(everyone.path("permissions").isTextual(), "permissions is a string: " + everyone);
        assertTrue(everyone.path("position").isIntegralNumber(), everyone.toString());
        assertError(node.call("GET", "guilds/" + guildId + "/roles", stranger.token(), null), 403, 50001);
        assertError(node.call("DELETE", "guilds/" + guildId + "/roles", owner.token(), null), 405, 0);
    }

    @Test
    void membersAreSearchedByNamePrefix()
    {
        final JsonNode found = node.ok("GET", "guilds/" + guildId + "/members/search?query=ROUTES-&limit=10",
            owner.token(), null);
        final List<String> ids = new ArrayList<>();
        found.forEach(m -> ids.add(m.path("user").path("id").asText()));
        assertEquals(List.of(owner.id(), member.id()).stream().sorted().toList(), ids.stream().sorted().toList(),
            "case-insensitive prefix of username: " + found);
        assertEquals(1, node.ok("GET", "guilds/" + guildId + "/members/search?query=routes", owner.token(), null)
            .size(), "limit defaults to 1");
        assertEquals(0, node.ok("GET", "guilds/" + guildId + "/members/search?query=zzz&limit=5", owner.token(),
            null).size());
        assertFormError(node.call("GET", "guilds/" + guildId + "/members/search", owner.token(), null), "query");
        assertFormError(node.call("GET", "guilds/" + guildId + "/members/search?query=r&limit=0", owner.token(),
            null), "limit");
        assertFormError(node.call("GET", "guilds/" + guildId + "/members/search?query=r&limit=1001", owner.token(),
            null), "limit");
        assertError(node.call("GET", "guilds/" + guildId + "/members/search?query=r", stranger.token(), null), 403,
            50001);
    }

    @Test
    void bulkDeleteRemovesMessagesAndDispatchesOneEvent()
    {
        final String messages = "channels/" + channelId + "/messages";
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            sent.add(node.ok("POST", messages, member.token(), "{\"content\":\"bulk " + i + "\"}").path("id").asText());
        }
        // a snowflake of now that no shard made: the worker, process and increment bits are all ones (31, 31, 4095)
        final String unknown = Long.toString(SnowflakeIds.fromTimestamp(System.currentTimeMillis()) | 0x3FFFFF);
        try (GatewayTestClient c = GatewayTestClient.json(node.gatewayUrl()))
        {
            c.identifyAndAwait(member.token(), ALL_MESSAGES, 1);
            final String body = "{\"messages\":[\"" + sent.get(0) + "\",\"" + sent.get(1) + "\",\"" + unknown + "\"]}";
            assertError(node.call("POST", messages + "/bulk-delete", member.token(), body), 403, 50013);
            final TestNode.Response r = node.call("POST", messages + "/bulk-delete", owner.token(), body);
            assertEquals(204, r.status(), r.raw().body());
            final JsonNode event = c.nextDispatch("MESSAGE_DELETE_BULK").path("d");
            assertEquals(List.of(sent.get(0), sent.get(1)), List.of(event.path("ids").path(0).asText(),
                event.path("ids").path(1).asText()), "the ids that were messages: " + event);
            assertEquals(2, event.path("ids").size(), event.toString());
            assertEquals(channelId, event.path("channel_id").asText());
            assertEquals(guildId, event.path("guild_id").asText());
        }
        assertError(node.call("GET", messages + "/" + sent.get(0), owner.token(), null), 404, 10008);
        assertError(node.call("GET", messages + "/" + sent.get(1), owner.token(), null), 404, 10008);
        assertEquals("bulk 2", node.ok("GET", messages + "/" + sent.get(2), owner.token(), null).path("content")
            .asText());

        final String two = sent.get(2);
        assertFormError(node.call("POST", messages + "/bulk-delete", owner.token(), "{\"messages\":[\"" + two + "\"]}"),
            "messages");
        assertFormError(node.call("POST", messages + "/bulk-delete", owner.token(), "{}"), "messages");
        assertFormError(node.call("POST", messages + "/bulk-delete", owner.token(),
            "{\"messages\":[\"" + two + "\",\"" + two + "\"]}"), "messages");
        assertFormError(node.call("POST", messages + "/bulk-delete", owner.token(),
            "{\"messages\":[\"" + two + "\",\"abc\"]}"), "messages");
        final StringBuilder many = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 101; i++)
        {
            many.append(i == 0 ? "" : ",").append('"').append(SnowflakeIds.fromTimestamp(System.currentTimeMillis())
                + i).append('"');
        }
        assertFormError(node.call("POST", messages + "/bulk-delete", owner.token(), many.append("]}").toString()),
            "messages");
        final String old = Long.toString(SnowflakeIds.fromTimestamp(System.currentTimeMillis()
            - TimeUnit.DAYS.toMillis(15)));
        assertError(node.call("POST", messages + "/bulk-delete", owner.token(),
            "{\"messages\":[\"" + two + "\",\"" + old + "\"]}"), 400, 50034);
        assertError(node.call("GET", messages + "/bulk-delete", owner.token(), null), 405, 0);
        assertEquals("bulk 2", node.ok("GET", messages + "/" + two, owner.token(), null).path("content").asText(),
            "refused requests delete nothing");
    }
}
