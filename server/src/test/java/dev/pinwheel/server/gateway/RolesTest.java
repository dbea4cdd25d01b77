package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Role management over REST v10: create (position 1, above {@code @everyone}), edit, give, take, delete, with the
 * GUILD_ROLE_* and GUILD_MEMBER_UPDATE events, MANAGE_ROLES required, and the permissions a role grants taking
 * effect at once (a member given MANAGE_MESSAGES may delete someone else's message, and may not once it is taken).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RolesTest
{
    private static final int GUILD_MEMBERS = 1 << 1;
    private static final long ADMINISTRATOR = 1L << 3;
    private static final long MANAGE_ROLES = 1L << 28;

    @Test
    void manageRolesCannotBeTurnedIntoMore()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.Pair pair = node.pair("hier");
            final String guild = "guilds/" + pair.guildId();
            final String owner = pair.owner().token();
            final String roleManager = node.ok("POST", guild + "/roles", owner,
                "{\"name\":\"role manager\",\"permissions\":\"" + MANAGE_ROLES + "\"}").path("id").asText();
            node.ok("PATCH", guild + "/roles/" + roleManager, owner, "{\"name\":\"role manager\"}");
            final String higher = node.ok("POST", guild + "/roles", owner, "{\"name\":\"created later\"}")
                .path("id").asText(); // position 1: pushes "role manager" to 2
            assertEquals(204, node.call("PUT", guild + "/members/" + pair.member().id() + "/roles/" + roleManager,
                owner, null).status());
            final String mod = pair.member().token();
            assertEquals(403, node.call("POST", guild + "/roles", mod, "{\"name\":\"x\",\"permissions\":\""
                + ADMINISTRATOR + "\"}").status(), "cannot grant a permission it lacks");
            assertEquals(403, node.call("PATCH", guild + "/roles/" + roleManager, mod, "{\"permissions\":\""
                + (MANAGE_ROLES | ADMINISTRATOR) + "\"}").status(), "nor edit its own role upwards");
            final String low = node.ok("POST", guild + "/roles", mod, "{\"name\":\"low\"}").path("id").asText();
            assertEquals(204, node.call("PUT", guild + "/members/" + pair.owner().id() + "/roles/" + low, mod, null)
                .status(), "a role below its own it may give");
            assertEquals(403, node.call("DELETE", guild + "/roles/" + roleManager, mod, null).status(),
                "not its own highest role");
            assertTrue(node.call("DELETE", guild + "/roles/" + higher, mod, null).status() == 204,
                "a role below its own it may delete");
            // PATCH member {roles}: the whole set at once (JDA modifyMemberRoles, discord.py Member.edit(roles=))
            final JsonNode owned = node.ok("PATCH", guild + "/members/" + pair.owner().id(), owner,
                "{\"roles\":[\"" + roleManager + "\"]}");
            assertEquals(1, owned.path("roles").size());
            assertEquals(roleManager, owned.path("roles").get(0).asText(), "low taken, role manager given");
            assertEquals(403, node.call("PATCH", guild + "/members/" + pair.owner().id(), mod, "{\"roles\":[]}")
                .status(), "taking a role at its own level is refused");
            assertEquals(404, node.call("PATCH", guild + "/members/" + pair.owner().id(), owner,
                "{\"roles\":[\"12345\"]}").status(), "Unknown Role");
        }
    }

    @Test
    void aRoleIsCreatedGivenUsedTakenAndDeleted()
    {
        try (TestNode node = new TestNode(2);
             GatewayTestClient watcher = GatewayTestClient.connect(node.gatewayUrl()))
        {
            final TestNode.Pair pair = node.pair("roles");
            final String guild = "guilds/" + pair.guildId();
            watcher.identifyAndAwait(pair.member().token(), GatewayTestClient.GUILDS | GUILD_MEMBERS, 1);
            final String messages = "channels/" + pair.channelId() + "/messages";
            final String victim = node.ok("POST", messages, pair.owner().token(), "{\"content\":\"x\"}").path("id")
                .asText();
            assertEquals(403, node.call("DELETE", messages + "/" + victim, pair.member().token(), null).status());
            assertEquals(403, node.call("POST", guild + "/roles", pair.member().token(), "{\"name\":\"self\"}")
                .status(), "MANAGE_ROLES needed");

            final JsonNode mods = node.ok("POST", guild + "/roles", pair.owner().token(),
                "{\"name\":\"mods\",\"permissions\":\"" + (1L << 13) + "\",\"color\":255}");
            assertEquals("mods", mods.path("name").asText());
            assertEquals(1, mods.path("position").asInt());
            assertEquals(Long.toString(1L << 13), mods.path("permissions").asText());
            final String roleId = mods.path("id").asText();
            assertEquals(roleId, watcher.nextDispatch("GUILD_ROLE_CREATE").path("d").path("role").path("id").asText());

            final String grant = guild + "/members/" + pair.member().id() + "/roles/" + roleId;
            assertEquals(204, node.call("PUT", grant, pair.owner().token(), null).status());
            final JsonNode update = watcher.nextDispatch("GUILD_MEMBER_UPDATE").path("d");
            assertEquals(roleId, update.path("roles").get(0).asText());
            assertEquals(204, node.call("DELETE", messages + "/" + victim, pair.member().token(), null).status(),
                "the role's MANAGE_MESSAGES applies at once");

            assertEquals("moderators", node.ok("PATCH", guild + "/roles/" + roleId, pair.owner().token(),
                "{\"name\":\"moderators\"}").path("name").asText());
            assertEquals("moderators", watcher.nextDispatch("GUILD_ROLE_UPDATE").path("d").path("role").path("name")
                .asText());
            assertEquals(204, node.call("DELETE", grant, pair.owner().token(), null).status());
            assertEquals(0, watcher.nextDispatch("GUILD_MEMBER_UPDATE").path("d").path("roles").size());
            final String other = node.ok("POST", messages, pair.owner().token(), "{\"content\":\"y\"}").path("id")
                .asText();
            assertEquals(403, node.call("DELETE", messages + "/" + other, pair.member().token(), null).status());

            assertEquals(400, node.call("DELETE", guild + "/roles/" + pair.guildId(), pair.owner().token(), null)
                .status(), "@everyone cannot be deleted");
            assertEquals(400, node.call("POST", guild + "/roles", pair.owner().token(), "{\"color\":-1}").status());
            assertEquals(204, node.call("DELETE", guild + "/roles/" + roleId, pair.owner().token(), null).status());
            assertEquals(roleId, watcher.nextDispatch("GUILD_ROLE_DELETE").path("d").path("role_id").asText());
            final JsonNode roles = node.ok("GET", guild + "/roles", pair.member().token(), null);
            assertEquals(1, roles.size());
            assertTrue(node.call("PUT", grant, pair.owner().token(), null).status() == 404, "Unknown Role");
        }
    }
}
