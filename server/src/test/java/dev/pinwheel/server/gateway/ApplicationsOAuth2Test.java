package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.server.TestNode;

/**
 * Applications owned by a person and OAuth2 bot authorization: {@code POST /applications} makes an application with
 * a bot user and token, {@code GET /applications/@me} (the bot's token) returns it with its owner; a guild manager
 * adds the bot through {@code POST /oauth2/authorize} and the bot's live session receives GUILD_CREATE without
 * identifying again (others GUILD_MEMBER_ADD), with a role holding the asked permissions; someone without
 * MANAGE_GUILD cannot, nor can anyone grant what they do not hold; a token reset closes the bot's connection with
 * 4004 and the old token stops working; all of it survives a restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApplicationsOAuth2Test
{
    private static final int GUILD_MEMBERS = 1 << 1;

    /**
     * Discord's catalogue of detectable games (Detritus loads it at every READY): none here, an empty list, with or
     * without a token; an application's own id is still looked up as before.
     */
    @Test
    void detectableApplicationsAreAnEmptyList(@TempDir final Path dir)
    {
        try (TestNode node = new TestNode(1, dir, c -> { }))
        {
            final TestNode.User bot = node.register("detect-bot");
            for (final String token : new String[] {null, bot.token()})
            {
                final TestNode.Response r = node.call("GET", "applications/detectable", token, null);
                assertEquals(200, r.status(), r.raw().body());
                assertTrue(r.body().isArray() && r.body().isEmpty(), r.raw().body());
            }
            assertEquals(10002, node.call("GET", "applications/123456789012345678", bot.token(), null).body()
                .path("code").asInt());
        }
    }

    @Test
    void aPersonCreatesAnApplicationAndAddsItsBotToAGuild(@TempDir final Path dir)
    {
        final String appId;
        final String guildId;
        final String newToken;
        final TestNode.User alice;
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            alice = node.register("app-alice", false);
            final TestNode.User carol = node.register("app-carol", false);
            assertEquals(400, node.call("POST", "applications", alice.token(), "{\"name\":\"x\"}").status());
            final JsonNode app = node.ok("POST", "applications", alice.token(),
                "{\"name\":\"Weather Bot\",\"description\":\"forecasts\"}");
            appId = app.path("id").asText();
            final String botToken = app.path("bot").path("token").asText();
            assertEquals(appId, app.path("bot").path("id").asText(), "the bot's id is the application's");
            assertEquals(20001, node.call("POST", "applications", botToken, "{\"name\":\"Nested\"}").body()
                .path("code").asInt(), "bots create no applications");

            final JsonNode me = node.ok("GET", "applications/@me", botToken, null);
            assertEquals("Weather Bot", me.path("name").asText());
            assertEquals(alice.id(), me.path("owner").path("id").asText());
            assertTrue(me.path("bot").path("bot").asBoolean());
            assertEquals(1, node.ok("GET", "applications", alice.token(), null).size());
            assertEquals(403, node.call("GET", "applications/" + appId, carol.token(), null).status());

            final JsonNode guild = node.createGuild(alice, "app-guild");
            guildId = guild.path("id").asText();
            final String channel = guild.path("channels").get(0).path("id").asText();
            node.join(alice, channel, carol);
            try (GatewayTestClient bot = GatewayTestClient.connect(node.gatewayUrl());
                 GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl()))
            {
                final JsonNode ready = bot.identifyAndAwait(botToken, GatewayTestClient.ALL_MESSAGES, 0);
                assertEquals(appId, ready.path("d").path("user").path("id").asText());
                c.identifyAndAwait(carol.token(), GatewayTestClient.ALL_MESSAGES | GUILD_MEMBERS, 1);

                final String query = "oauth2/authorize?client_id=" + appId
                    + "&scope=bot%20applications.commands&permissions=3072";
                final JsonNode page = node.ok("GET", query, alice.token(), null);
                assertEquals("Weather Bot", page.path("application").path("name").asText());
                assertEquals(guildId, page.path("guilds").get(0).path("id").asText());

                assertEquals(403, node.call("POST", query, carol.token(), "{\"guild_id\":\"" + guildId
                    + "\",\"permissions\":\"3072\",\"authorize\":true}").status(), "carol lacks MANAGE_GUILD");
                assertEquals(10002, node.call("POST", "oauth2/authorize?client_id=" + alice.id() + "&scope=bot",
                    alice.token(), "{\"guild_id\":\"" + guildId + "\",\"authorize\":true}").body().path("code")
                    .asInt(), "a person is no application");
                assertTrue(node.ok("POST", query, alice.token(), "{\"guild_id\":\"" + guildId
                    + "\",\"permissions\":\"3072\",\"authorize\":true}").path("location").asText().contains("oauth2"));

                final JsonNode created = bot.nextDispatch("GUILD_CREATE").path("d");
                assertEquals(guildId, created.path("id").asText(), "the guild arrives without a new IDENTIFY");
                assertEquals(appId, c.nextDispatch("GUILD_MEMBER_ADD").path("d").path("user").path("id").asText());
                final JsonNode member = node.ok("GET", "guilds/" + guildId + "/members/" + appId, alice.token(),
                    null);
                assertEquals(1, member.path("roles").size());
                final String roleId = member.path("roles").get(0).asText();
                boolean found = false;
                for (final JsonNode r : node.ok("GET", "guilds/" + guildId + "/roles", alice.token(), null))
                {
                    if (roleId.equals(r.path("id").asText()))
                    {
                        found = true;
                        assertEquals("3072", r.path("permissions").asText());
                    }
                }
                assertTrue(found, "the bot's role exists");
                node.ok("POST", "channels/" + channel + "/messages", botToken, "{\"content\":\"forecast: sun\"}");

                final JsonNode reset = node.ok("POST", "applications/" + appId + "/bot/reset", alice.token(), null);
                newToken = reset.path("token").asText();
                assertNotEquals(botToken, newToken);
                assertEquals(4004, bot.awaitClose().code(), "the bot's live connection ends");
                assertEquals(401, node.call("GET", "users/@me", botToken, null).status(), "the old token is dead");
                assertEquals(appId, node.ok("GET", "users/@me", newToken, null).path("id").asText());
                assertEquals(403, node.call("POST", "applications/" + appId + "/bot/reset", carol.token(), null)
                    .status());
            }
        }
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            final JsonNode me = node.ok("GET", "applications/@me", newToken, null);
            assertEquals(alice.id(), me.path("owner").path("id").asText(), "the application survives a restart");
            assertEquals(1, node.ok("GET", "guilds/" + guildId + "/members/" + appId, alice.token(), null)
                .path("roles").size(), "and so does the bot's membership and role");
        }
    }
}
