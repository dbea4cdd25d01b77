package dev.pinwheel.server.storage;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.server.Discord4jClient;

/**
 * Unmodified Discord4J 3.2 ({@link Discord4jClient}, the same program as the single-node test) against node 0 of a
 * cluster of three child JVMs (one shard each) whose guild node 1 owns: every command it sends is forwarded to node
 * 1, every guild event comes back over the link, its DM channel and its users' keys land wherever the ring puts them.
 * Run by hand first, it found that webhooks and guild updates reached only the owner's node
 * ({@link ClusterNodeWideRecordsTest}).
 */
@Tag("external")
@Tag("maven")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterDiscord4jTest
{
    @Test
    void discord4jOnANodeThatDoesNotOwnTheGuild(@TempDir(cleanup = CleanupMode.ON_SUCCESS) final java.nio.file.Path dir)
        throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(dir, 3, 1, List.of("-Dpinwheel.cluster.peerTimeoutMs=1000"))
            .startAllLive())
        {
            final RestClient rest = new RestClient(cluster.node(0).restBase());
            Discord4jClient.runSmoke(cluster.port(0), ClusterGuilds.threeMembers(rest, 3, 1, "d4j"));
        }
    }
}
