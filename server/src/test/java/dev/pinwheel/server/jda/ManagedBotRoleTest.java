package dev.pinwheel.server.jda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.entities.Role;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.server.JsClients;
import dev.pinwheel.server.TestNode;

/**
 * The role OAuth2 gives a bot is Discord's managed role: {@code managed: true} with {@code tags.bot_id}, as unmodified
 * JDA ({@code Role.isManaged()}, {@code getTags().getBotIdLong()}) and discord.js ({@code role.managed},
 * {@code role.tags.botId}, {@code roles.botRoleFor}) read it; nobody deletes it (400/50028) or gives or
 * takes it by hand (403/50013, also through a member edit's role list), while its name, colour and position still
 * change and keep it managed; it survives a restart, and it goes when its bot is kicked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedBotRoleTest
{
    @Test
    void theBotsRoleIsManagedByItsBotOnly(@TempDir final Path dir) throws Exception
    {
        final String appId;
        final String guildId;
        final String roleId;
        final String botToken;
        final TestNode.User alice;
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            alice = node.register("managed-alice", false);
            final TestNode.User carol = node.register("managed-carol", false);
            final JsonNode app = node.ok("POST", "applications", alice.token(), "{\"name\":\"Role Bot\"}");
            appId = app.path("id").asText();
            botToken = app.path("bot").path("token").asText();
            final JsonNode guild = node.createGuild(alice, "managed-guild");
            guildId = guild.path("id").asText();
            node.join(alice, guild.path("channels").get(0).path("id").asText(), carol);
            node.ok("POST", "oauth2/authorize?client_id=" + appId + "&scope=bot&permissions=3072", alice.token(),
                "{\"guild_id\":\"" + guildId + "\",\"permissions\":\"3072\",\"authorize\":true}");

            roleId = node.ok("GET", "guilds/" + guildId + "/members/" + appId, alice.token(), null).path("roles")
                .get(0).asText();
            final JsonNode role = role(node, alice, guildId, roleId);
            assertTrue(role.path("managed").asBoolean(), role.toString());
            assertEquals(appId, role.path("tags").path("bot_id").asText());
            final JsonNode plain = node.ok("POST", "guilds/" + guildId + "/roles", alice.token(),
                "{\"name\":\"plain\"}"); // every other role moves up one: the bot's stays managed
            assertFalse(plain.path("managed").asBoolean());
            assertTrue(plain.path("tags").isMissingNode());

            final TestNode.Response delete = node.call("DELETE", "guilds/" + guildId + "/roles/" + roleId,
                alice.token(), null);
            assertEquals(400, delete.status());
            assertEquals(50028, delete.body().path("code").asInt());
            final TestNode.Response give = node.call("PUT", "guilds/" + guildId + "/members/" + carol.id() + "/roles/"
                + roleId, alice.token(), null);
            assertEquals(403, give.status());
            assertEquals(50013, give.body().path("code").asInt());
            final TestNode.Response take = node.call("DELETE", "guilds/" + guildId + "/members/" + appId + "/roles/"
                + roleId, alice.token(), null);
            assertEquals(403, take.status());
            assertEquals(50013, take.body().path("code").asInt());
            final TestNode.Response emptied = node.call("PATCH", "guilds/" + guildId + "/members/" + appId,
                alice.token(), "{\"roles\":[]}");
            assertEquals(403, emptied.status());
            assertEquals(50013, emptied.body().path("code").asInt());
            assertEquals(roleId, node.ok("GET", "guilds/" + guildId + "/members/" + appId, alice.token(), null)
                .path("roles").get(0).asText(), "the bot keeps its role");

            final JsonNode recoloured = node.ok("PATCH", "guilds/" + guildId + "/roles/" + roleId, alice.token(),
                "{\"name\":\"Role Bot (weather)\",\"color\":255}");
            assertEquals(255, recoloured.path("color").asInt());
            assertTrue(recoloured.path("managed").asBoolean(), "an edit keeps it managed");
            assertEquals(appId, recoloured.path("tags").path("bot_id").asText());

            JDA jda = null;
            try
            {
                jda = JdaBots.start(botToken, node.restBase(), node.gatewayUrl());
                final Guild g = jda.getGuildById(guildId);
                assertNotNull(g, "the bot's guild");
                final Role seen = g.getRoleById(roleId);
                assertNotNull(seen);
                assertTrue(seen.isManaged(), "JDA: Role.isManaged()");
                assertTrue(seen.getTags().isBot());
                assertEquals(Long.parseLong(appId), seen.getTags().getBotIdLong());
                assertFalse(g.getRoleById(plain.path("id").asText()).isManaged());
                assertTrue(g.getSelfMember().getRoles().contains(seen));
            }
            finally
            {
                JdaBots.stop(jda);
            }
            final Path js = JsClients.prepare("managedrole.js");
            final String out = JsClients.run(js, 120, java.util.Map.of(), "node", "managedrole.js",
                Integer.toString(node.port()), botToken, guildId, roleId, appId);
            for (final String step : new String[] {"managed", "tags.botId", "botRoleFor", "fetched", "fetched one",
                "only it"})
            {
                assertTrue(out.contains("OK " + step + "\n"), "discord.js: " + step + "\n" + out);
            }
        }
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            final JsonNode role = role(node, alice, guildId, roleId);
            assertTrue(role.path("managed").asBoolean(), "managed after a restart: " + role);
            assertEquals(appId, role.path("tags").path("bot_id").asText());
            assertEquals("Role Bot (weather)", role.path("name").asText());

            assertEquals(204, node.call("DELETE", "guilds/" + guildId + "/members/" + appId, alice.token(), null)
                .status());
            assertTrue(role(node, alice, guildId, roleId).isMissingNode(), "the role left with its bot");
        }
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            assertTrue(role(node, alice, guildId, roleId).isMissingNode(), "and stays gone after a restart");
        }
    }

    private static JsonNode role(final TestNode node, final TestNode.User user, final String guildId,
        final String roleId)
    {
        for (final JsonNode r : node.ok("GET", "guilds/" + guildId + "/roles", user.token(), null))
        {
            if (roleId.equals(r.path("id").asText()))
            {
                return r;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
