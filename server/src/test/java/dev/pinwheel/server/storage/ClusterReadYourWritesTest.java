package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.routing.RoutingRing;

/**
 * Read-your-writes across nodes: what a client made through one node it can use at once through another. An account,
 * a guild's channel or an invite made through node 0 reaches node 1 as a state record; until it arrives, node 1 knew
 * nothing of it and answered 401 (a new account's token: JDA stops), 404 Unknown Channel, 404 Unknown Invite (a client
 * drops the thing). Now such a 404 or 401, for something made in the last minute, first waits for a sync round trip
 * to the other nodes — whose answers come behind the records they sent — and the request runs once more.
 * <p>
 * Two nodes in child JVMs on the embedded store; node 1 handles every frame from node 0 half a second after it arrived
 * (fault injection {@code receive-delay}: a slow path between the nodes), so each request below reaches node 1 before
 * the record it needs — every time, not by luck. A thing that does not exist still gets its 404.
 */
class ClusterReadYourWritesTest extends ClusterSessionsFixture
{
    @Test
    void whatAClientMadeThroughOneNodeItUsesAtOnceThroughAnother() throws Exception
    {
        cluster = new LocalCluster(dir, 2, 1, List.of("-Dpinwheel.debug.fault-injection=true",
            "-Dpinwheel.cluster.termLength=1048576")).startAllLive();
        final RestClient rest0 = new RestClient(cluster.node(0).restBase());
        final RestClient rest1 = new RestClient(cluster.node(1).restBase());
        final CompletableFuture<String> delaying = cluster.node(1).lineContaining("receive-delay 500 -> sent");
        cluster.node(1).command("receive-delay 500");
        delaying.get(30, TimeUnit.SECONDS);

        // everything below is made through node 0 and owned there (what node 1's owners write it knows at once)
        final RoutingRing ring = RoutingRing.build(1, 2, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);

        // a new account's token
        final RestClient.User alice = ClusterGuilds.personOwnedBy(rest0, ring, 0, "alice");
        final RestClient.Response me = rest1.call("GET", "users/@me", alice.token(), null);
        assertEquals(200, me.status(), "a token made through node 0, used at once through node 1: " + me.raw());
        assertEquals(alice.id(), me.body().get("id").asText());

        // a new guild's channel
        final JsonNode guild = ClusterGuilds.ownedBy(rest0, alice.token(), ring, 0, "made on 0");
        final String channel = guild.get("channels").get(0).get("id").asText();
        final RestClient.Response invite = rest1.call("POST", "channels/" + channel + "/invites", alice.token(), "{}");
        assertEquals(200, invite.status(), "a channel made through node 0, used at once through node 1: "
            + invite.raw());

        // a new invite
        final String code = ClusterGuilds.invite(rest0, alice.token(), channel);
        final RestClient.Response got = rest1.call("GET", "invites/" + code, alice.token(), null);
        assertEquals(200, got.status(), "an invite made through node 0, read at once through node 1: " + got.raw());
        assertEquals(guild.get("id").asText(), got.body().get("guild").get("id").asText());

        // a new account identifying at once on node 1's gateway: 4000 (identify again), never 4004 (a bad token:
        // discord.js and JDA stop for good); then, identified again, READY
        final RestClient.User bob = ClusterGuilds.personOwnedBy(rest0, ring, 0, "bob");
        assertEquals(4000, ClusterNodesTest.RawGateway.closeCodeOfIdentify(cluster.port(1), bob.token(), 0),
            "a token made through node 0, identifying at once on node 1");
        assertEquals(4004, ClusterNodesTest.RawGateway.closeCodeOfIdentify(cluster.port(1), "MTIz.bad.token", 0),
            "a bad token");
        assertEquals(200, rest1.call("GET", "users/@me", bob.token(), null).status()); // (waits for the record)
        assertEquals(bob.id(), connect(1, bob, 0).ready().get("user").get("id").asText(), "identified again");

        // what does not exist is still not found, after the wait
        final RestClient.Response none = rest1.call("GET", "invites/nosuchcode", alice.token(), null);
        assertEquals(404, none.status(), none.raw());
        assertEquals(10006, none.body().get("code").asInt(), none.raw());
        final RestClient.Response old = rest1.call("POST", "channels/41771983423143936/invites", alice.token(), "{}");
        assertEquals(404, old.status(), old.raw());
        assertEquals(10003, old.body().get("code").asInt(), old.raw());
        final RestClient.Response bad = rest1.call("GET", "users/@me", "Bot MTIz.bad.token", null);
        assertEquals(401, bad.status(), bad.raw());
    }
}
