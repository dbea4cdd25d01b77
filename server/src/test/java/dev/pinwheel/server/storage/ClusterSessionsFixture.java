package dev.pinwheel.server.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the cluster tests with raw gateway sessions share: a local cluster of child JVMs in a temporary directory (kept
 * when a test fails: the nodes' logs), the sessions a test opened, and their clean-up.
 */
abstract class ClusterSessionsFixture
{
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;

    LocalCluster cluster;
    private final List<ClusterNodesTest.RawGateway> gateways = new ArrayList<>();

    @AfterEach
    void stopSessionsAndCluster()
    {
        gateways.forEach(ClusterNodesTest.RawGateway::close);
        if (cluster != null)
        {
            cluster.close();
        }
    }

    /**
     * Identifies a session on a node's gateway (closed after the test).
     *
     * @param node    the node.
     * @param user    whose token.
     * @param intents the session's intents.
     * @return the session, READY.
     * @throws Exception if it does not get READY.
     */
    ClusterNodesTest.RawGateway connect(final int node, final RestClient.User user, final int intents) throws Exception
    {
        final ClusterNodesTest.RawGateway g = ClusterNodesTest.RawGateway.identify(cluster.port(node), user.token(),
            intents);
        gateways.add(g);
        return g;
    }
}
