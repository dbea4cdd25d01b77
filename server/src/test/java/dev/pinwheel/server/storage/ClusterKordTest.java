package dev.pinwheel.server.storage;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.server.KordClient;

/**
 * Unmodified Kord 0.15 ({@link KordClient}, the same program as the single-node test) against node 0 of a cluster of
 * three child JVMs (one shard each) whose guild node 1 owns: every command it sends is forwarded to node 1, every
 * guild event comes back over the link. Among its steps, a channel with a webhook is deleted and the guild's
 * webhooks are listed through node 0: a deleted channel's webhooks are gone on every node, not only on the owner's.
 */
@Tag("external")
@Tag("maven")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClusterKordTest
{
    @Test
    void kordOnANodeThatDoesNotOwnTheGuild(@TempDir(cleanup = CleanupMode.ON_SUCCESS) final java.nio.file.Path dir)
        throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(dir, 3, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=1000"))
            .startAllLive())
        {
            final RestClient rest = new RestClient(cluster.node(0).restBase());
            final RoutingRing ring = RoutingRing.build(1, 3, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
            final String alice = rest.register("kord_alice").token();
            final String bob = rest.register("kord_bob").token();
            final String carol = rest.register("kord_carol", false).token();
            final JsonNode guild = ClusterGuilds.ownedBy(rest, alice, ring, 1, "kord");
            final String channelId = guild.get("channels").get(0).get("id").asText();
            final String code = rest.ok("POST", "channels/" + channelId + "/invites", alice, "{}").get("code")
                .asText();
            rest.ok("POST", "invites/" + code, bob, "{}");
            rest.ok("POST", "invites/" + code, carol, "{}");
            KordClient.runSmoke(cluster.port(0), alice, bob, carol, guild.get("id").asText(), channelId);
        }
    }
}
