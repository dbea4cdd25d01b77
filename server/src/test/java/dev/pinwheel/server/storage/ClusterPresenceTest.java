package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * Presence across a node's loss: three nodes in child JVMs on the embedded store ({@code peerTimeoutMs} 1 s), guild G
 * owned by node 1, alice (a bot) following it with GUILD_PRESENCES and GUILD_VOICE_STATES on node 0; carol (a person
 * whose user id node 0 owns) and dave (one node 2 owns) both connected to node 2, dave in G's voice channel.
 * <ul>
 *   <li>Node 2 stopped ({@code SIGSTOP}) past the peer timeout: alice sees both go offline — carol because her owner
 *       (node 0) drops the sessions node 2 held, dave because G's owner (node 1) shows the users of a lost node
 *       offline — and dave leave the voice channel (G's owner drops the voice states of sessions node 2 held); G's
 *       owner also drops dave's member-list subscription (op 14). Before, both stayed online and dave in the channel
 *       for good: nobody was left to say their sessions ended.</li>
 *   <li>Node 2 resumed: its link back, it tells node 0 again of carol's session and node 1 of dave's presence: alice
 *       sees both online again.</li>
 *   <li>{@code kill -9} of node 2: both offline again.</li>
 *   <li>Node 2 restarted and carol connected to it again: alice sees her online again; dave stays offline.</li>
 * </ul>
 */
class ClusterPresenceTest extends ClusterSessionsFixture
{
    private static final int NODES = 3;
    private static final int GUILDS = 1;
    private static final int GUILD_VOICE_STATES = 1 << 7;
    private static final int GUILD_PRESENCES = 1 << 8;

    @Test
    void theUsersOfALostNodeGoOfflineAndComeBackWithIt() throws Exception
    {
        cluster = new LocalCluster(dir, NODES, 1,
            List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RoutingRing ring = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest2 = new RestClient(cluster.node(2).restBase());
        final RestClient.User alice = rest0.register("alice");
        final RestClient.User carol = ClusterGuilds.personOwnedBy(rest2, ring, 0, "carol");
        final RestClient.User dave = ClusterGuilds.personOwnedBy(rest2, ring, 2, "dave");
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 1, "presence");
        final String guildId = guild.get("id").asText();
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = rest0.ok("POST", "channels/" + channelId + "/invites", alice.token(), "{}").get("code")
            .asText();
        rest2.ok("POST", "invites/" + code, carol.token(), "{}");
        rest2.ok("POST", "invites/" + code, dave.token(), "{}");

        final String voiceId = rest0.ok("POST", "guilds/" + guildId + "/channels", alice.token(),
            "{\"name\":\"voice\",\"type\":2}").get("id").asText();

        final ClusterNodesTest.RawGateway watcher = connect(0, alice, GUILDS | GUILD_PRESENCES | GUILD_VOICE_STATES);
        watcher.awaitDispatch("GUILD_CREATE", d -> guildId.equals(d.get("id").asText()));
        connect(2, carol, GUILDS);
        final ClusterNodesTest.RawGateway daveGateway = connect(2, dave, GUILDS | GUILD_VOICE_STATES);
        final Map<String, String> seen = new HashMap<>();
        await(watcher, guildId, seen, Map.of(carol.id(), "online", dave.id(), "online"), "both connected to node 2");
        daveGateway.send("{\"op\":4,\"d\":{\"guild_id\":\"" + guildId + "\",\"channel_id\":\"" + voiceId
            + "\",\"self_mute\":false,\"self_deaf\":false}}");
        await(watcher, guildId, seen, Map.of("voice:" + dave.id(), voiceId), "dave joined the voice channel");
        daveGateway.send("{\"op\":14,\"d\":{\"guild_id\":\"" + guildId + "\",\"channels\":{\"" + channelId
            + "\":[[0,99]]}}}");
        daveGateway.awaitDispatch("GUILD_MEMBER_LIST_UPDATE", d -> guildId.equals(d.path("guild_id").asText()));

        // cut off: node 2 stopped (SIGSTOP) for longer than the peer timeout, then resumed
        LocalCluster.signal(cluster.node(2), "STOP");
        try
        {
            await(watcher, guildId, seen, Map.of(carol.id(), "offline", dave.id(), "offline", "voice:" + dave.id(),
                "none"), "node 2, where both are connected, stopped");
            cluster.node(1).awaitLine("1 member list subscription(s) dropped"); // dave's op 14, at G's owner
        }
        finally
        {
            LocalCluster.signal(cluster.node(2), "CONT");
        }
        // its link back, node 2 tells again: carol's session to her owner (node 0), dave's presence to G's (node 1)
        await(watcher, guildId, seen, Map.of(carol.id(), "online", dave.id(), "online"), "node 2 resumed");

        cluster.kill(2);
        await(watcher, guildId, seen, Map.of(carol.id(), "offline", dave.id(), "offline"),
            "node 2, where both were connected, killed");

        cluster.start(2);
        connect(2, carol, GUILDS);
        await(watcher, guildId, seen, Map.of(carol.id(), "online"), "carol connected to node 2 again");
        assertTrue(!"online".equals(seen.get(dave.id())), "dave, not connected, stays offline: " + seen);
    }

    /**
     * Reads the guild's dispatches until what they last said of each key has the expected value (30 s at most): a
     * user's id for their status (PRESENCE_UPDATE), {@code voice:} and the id for their voice channel
     * (VOICE_STATE_UPDATE; {@code none} when they left).
     *
     * @param seen what was last seen of each key, updated.
     */
    private static void await(final ClusterNodesTest.RawGateway watcher, final String guildId,
        final Map<String, String> seen, final Map<String, String> expected, final String when)
        throws InterruptedException
    {
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!expected.entrySet().stream().allMatch(e -> e.getValue().equals(seen.get(e.getKey()))))
        {
            final long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
            assertTrue(left > 0, expected + " within 30 s after " + when + "; last seen " + seen);
            final JsonNode f = watcher.nextDispatch(left);
            final JsonNode d = f == null ? null : f.get("d");
            if (d == null || !guildId.equals(d.path("guild_id").asText()))
            {
                continue;
            }
            if ("PRESENCE_UPDATE".equals(f.get("t").asText()))
            {
                seen.put(d.get("user").get("id").asText(), d.get("status").asText());
            }
            else if ("VOICE_STATE_UPDATE".equals(f.get("t").asText()))
            {
                seen.put("voice:" + d.get("user_id").asText(),
                    d.path("channel_id").isNull() ? "none" : d.path("channel_id").asText());
            }
        }
    }
}
