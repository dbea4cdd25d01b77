package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * A member's sessions on nodes other than their guild's owner: two nodes in child JVMs (one shard each), guild G owned
 * by node 0.
 * <ul>
 *   <li>A join: erin, connected to node 1 only, joins G; her session gets G's GUILD_CREATE, then its messages. A kick:
 *       her session gets GUILD_DELETE and none of G's later messages (frank, on the same shard of node 1, gets them).
 *       Before, the owner told only its own node's shards of a join or a removal: erin's session never got G, and a
 *       member kicked (or banned) kept getting its events through another node. A guild frank (on node 1) creates
 *       that node 0 owns: his session gets its GUILD_CREATE, and its GUILD_DELETE once he deleted it.</li>
 *   <li>A temporary member (joined through a {@code temporary} invite) with a session on each node: ending the one on
 *       node 0 (her owner) leaves her a member; ending the one on node 1 removes her. Before, only the sessions on the
 *       user's owner node counted: the first close removed her while she was still connected.</li>
 * </ul>
 */
class ClusterMembershipTest extends ClusterSessionsFixture
{
    private static final int GUILDS = 1;
    private static final int GUILD_MESSAGES = 1 << 9;
    private static final int MESSAGE_CONTENT = 1 << 15;

    private RestClient rest0;
    private RestClient rest1;
    private RestClient.User alice;
    private RoutingRing ring;

    private JsonNode start() throws Exception
    {
        cluster = new LocalCluster(dir, 2, 1,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        ring = RoutingRing.build(1, 2, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        rest0 = new RestClient(cluster.node(0).restBase());
        rest1 = new RestClient(cluster.node(1).restBase());
        alice = rest0.register("alice");
        return ClusterGuilds.ownedBy(rest0, alice.token(), ring, 0, "members");
    }

    @Test
    void aJoinAndAKickReachTheMembersSessionsOnAnotherNode() throws Exception
    {
        final JsonNode guild = start();
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{}").get("code")
            .asText();
        final RestClient.User erin = rest1.register("erin");
        final RestClient.User frank = rest1.register("frank");
        rest1.ok("POST", "invites/" + code, frank.token(), "{}");
        final ClusterNodesTest.RawGateway frankGateway = connect(1, frank, GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT);
        frankGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        final ClusterNodesTest.RawGateway erinGateway = connect(1, erin, GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT);

        rest1.ok("POST", "invites/" + code, erin.token(), "{}");
        erinGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        // gina's session lacks MESSAGE_CONTENT: she sees the text of a message only where it mentions her (Discord's
        // rule), on the owner's node and on the others alike (who is mentioned crosses with the event)
        final RestClient.User gina = rest1.register("gina");
        rest1.ok("POST", "invites/" + code, gina.token(), "{}");
        final ClusterNodesTest.RawGateway ginaGateway = connect(1, gina, GUILDS | GUILD_MESSAGES);
        ginaGateway.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        final String hello = post(channelId, "hello erin");
        assertEquals(hello, erinGateway.awaitDispatch("MESSAGE_CREATE", d -> true).get("id").asText());
        assertEquals(hello, frankGateway.awaitDispatch("MESSAGE_CREATE", d -> true).get("id").asText());
        assertEquals("", ginaGateway.awaitDispatch("MESSAGE_CREATE", d -> hello.equals(d.get("id").asText()))
            .get("content").asText(), "not mentioned: no content without MESSAGE_CONTENT");
        final String mention = post(channelId, "hello <@" + gina.id() + ">");
        assertEquals("hello <@" + gina.id() + ">", ginaGateway.awaitDispatch("MESSAGE_CREATE",
            d -> mention.equals(d.get("id").asText())).get("content").asText(), "mentioned: the content");
        erinGateway.awaitDispatch("MESSAGE_CREATE", d -> mention.equals(d.get("id").asText()));
        frankGateway.awaitDispatch("MESSAGE_CREATE", d -> mention.equals(d.get("id").asText()));

        final RestClient.Response kick = rest0.call("DELETE", "guilds/" + guildId + "/members/" + erin.id(),
            alice.token(), null);
        assertEquals(204, kick.status(), kick.raw());
        final JsonNode deleted = erinGateway.awaitDispatch("GUILD_DELETE", d -> guildId.equals(d.get("id").asText()));
        assertTrue(!deleted.path("unavailable").asBoolean(), "removed, not unavailable: " + deleted);
        final String after = post(channelId, "after the kick");
        // frank is on the same shard of node 1: once he has it, erin would have had it
        assertEquals(after, frankGateway.awaitDispatch("MESSAGE_CREATE", d -> true).get("id").asText());
        assertNull(erinGateway.poll("MESSAGE_CREATE", 500), "a kicked member gets none of the guild's later messages");

        // a guild frank creates through node 1 that node 0 owns: his session gets its GUILD_CREATE
        final String created = ClusterGuilds.ownedBy(rest1, frank.token(), ring, 0, "franks").get("id").asText();
        frankGateway.awaitDispatch("GUILD_CREATE", d -> created.equals(d.get("id").asText()));
        // ... and, once he deleted it, its GUILD_DELETE (its members told in batches: GUILD_MEMBERS_LEFT)
        final RestClient.Response delete = rest1.call("DELETE", "guilds/" + created, frank.token(), null);
        assertEquals(204, delete.status(), delete.raw());
        final JsonNode gone = frankGateway.awaitDispatch("GUILD_DELETE", d -> created.equals(d.get("id").asText()));
        assertTrue(!gone.path("unavailable").asBoolean(), "deleted, not unavailable: " + gone);
    }

    @Test
    void aTemporaryMemberIsLetGoWhenTheirLastSessionOnAnyNodeEnds() throws Exception
    {
        final JsonNode guild = start();
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(),
            "{\"temporary\":true}").get("code").asText();
        final RestClient.User erin = ClusterGuilds.personOwnedBy(rest1, ring, 0, "erin");

        final ClusterNodesTest.RawGateway onOwner = connect(0, erin, GUILDS);
        final ClusterNodesTest.RawGateway elsewhere = connect(1, erin, GUILDS);
        rest1.ok("POST", "invites/" + code, erin.token(), "{}");
        onOwner.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        elsewhere.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));

        onOwner.quit();
        // still connected through node 1: still a member (3 s, polling; the old code removed her within a second)
        final long stillUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() - stillUntil < 0)
        {
            assertEquals(200, member(guildId, erin).status(), "erin, still connected through node 1, stays a member");
            TimeUnit.MILLISECONDS.sleep(100);
        }

        elsewhere.quit();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RestClient.Response member;
        while ((member = member(guildId, erin)).status() == 200)
        {
            assertTrue(System.nanoTime() - deadline < 0, "erin let go within 30 s of her last session's end");
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertEquals(404, member.status(), member.raw());
        assertEquals(10007, member.body().path("code").asInt(), member.raw());
    }

    private String post(final String channelId, final String content) throws Exception
    {
        return rest0.ok("POST", "channels/" + channelId + "/messages", alice.token(),
            "{\"content\":\"" + content + "\"}").get("id").asText();
    }

    private RestClient.Response member(final String guildId, final RestClient.User user) throws Exception
    {
        return rest0.call("GET", "guilds/" + guildId + "/members/" + user.id(), alice.token(), null);
    }
}
