package dev.pinwheel.server.storage;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.server.KordClient;

/**
 * Unmodified Kord 0.15 ({@link KordClient}, the same program as the single-node test) against node 0 of a cluster of
 * three child JVMs (one shard each) whose guild node 1 owns: every command it sends is forwarded to node 1, every
 * guild event comes back over the link. Among its steps, a channel with a webhook is deleted and the webhook is then
 * executed by its token through node 0: 404, as on the owner (a deleted channel's webhooks leave every node).
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
            KordClient.runSmoke(cluster.port(0), ClusterGuilds.threeMembers(rest, 3, 1, "kord"));
        }
    }
}
