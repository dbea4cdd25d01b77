package dev.pinwheel.server.jda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Guild;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.server.TestNode;

/**
 * JDA's {@code modifyRolePositions()} by a member who is not the owner: JDA sends every role of the guild with its
 * position (PATCH /guilds/{g}/roles), including the member's own top role, which does not move — only the roles
 * asked to move are held to the hierarchy, so the move below it is accepted. A move of a role to the member's own
 * top position is refused (50013).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RolePositionsJdaTest
{
    private static final long MANAGE_ROLES = 1L << 28;

    @Test
    void aModeratorReordersTheRolesBelowItsOwn(@TempDir final Path dir) throws Exception
    {
        try (TestNode node = new TestNode(2, dir, c -> { }))
        {
            final TestNode.User alice = node.register("positions-alice", false);
            final TestNode.User bot = node.register("positions-bot", true);
            final JsonNode guild = node.createGuild(alice, "positions-guild");
            final String guildId = guild.path("id").asText();
            node.join(alice, guild.path("channels").get(0).path("id").asText(), bot);
            final String mod = role(node, alice, guildId, "mod", MANAGE_ROLES);
            final String mid = role(node, alice, guildId, "mid", 0);
            final String low = role(node, alice, guildId, "low", 0); // low 1, mid 2, mod 3
            node.ok("PUT", "guilds/" + guildId + "/members/" + bot.id() + "/roles/" + mod, alice.token(), null);

            JDA jda = null;
            try
            {
                jda = JdaBots.start(bot.token(), node.restBase(), node.gatewayUrl());
                final Guild g = jda.getGuildById(guildId);
                assertNotNull(g, "the bot's guild");
                g.modifyRolePositions().selectPosition(g.getRoleById(low)).moveUp(1).complete();
                assertEquals("@everyone:0 mid:1 low:2 mod:3 ", order(node, alice, guildId));

                final TestNode.Response above = node.call("PATCH", "guilds/" + guildId + "/roles", bot.token(),
                    "[{\"id\":\"" + low + "\",\"position\":3}]");
                assertEquals(403, above.status(), "not to its own top position");
                assertEquals(50013, above.body().path("code").asInt());
                final TestNode.Response top = node.call("PATCH", "guilds/" + guildId + "/roles", bot.token(),
                    "[{\"id\":\"" + mod + "\",\"position\":1}]");
                assertEquals(403, top.status(), "nor its own top role");
                assertEquals("@everyone:0 mid:1 low:2 mod:3 ", order(node, alice, guildId), "nothing moved");
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!names(g).equals("mod,low,mid,@everyone")) // GUILD_ROLE_UPDATE reaches JDA's cache
                {
                    assertEquals(true, System.nanoTime() < deadline, "JDA's cache shows " + names(g));
                    Thread.sleep(20);
                }
            }
            finally
            {
                JdaBots.stop(jda);
            }
        }
    }

    private static String names(final Guild g)
    {
        return String.join(",", g.getRoles().stream().map(net.dv8tion.jda.api.entities.Role::getName).toList());
    }

    private static String role(final TestNode node, final TestNode.User owner, final String guildId,
        final String name, final long permissions)
    {
        return node.ok("POST", "guilds/" + guildId + "/roles", owner.token(), "{\"name\":\"" + name
            + "\",\"permissions\":\"" + permissions + "\"}").path("id").asText();
    }

    private static String order(final TestNode node, final TestNode.User who, final String guildId)
    {
        final StringBuilder order = new StringBuilder();
        for (final JsonNode role : node.ok("GET", "guilds/" + guildId + "/roles", who.token(), null))
        {
            order.append(role.get("name").asText()).append(':').append(role.get("position").asInt()).append(' ');
        }
        return order.toString();
    }
}
