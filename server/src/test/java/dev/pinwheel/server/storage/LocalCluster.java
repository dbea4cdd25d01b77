package dev.pinwheel.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The nodes of one cluster as child JVMs for the cluster tests: free member (link and consensus) ports and REST
 * ports, node K's data in {@code DIR/node-K} (or where the test says) and its output in {@code DIR/node-K.log}, every
 * node started with the same shards, {@code os} durability and the test's JVM options. {@link #close()} stops the
 * nodes still running.
 */
final class LocalCluster implements AutoCloseable
{
    private final Path dir;
    private final int shards;
    private final List<String> options;
    private final ServerProcess[] nodes;
    private final int[] ports;
    private final String members;
    private IntFunction<Path> dataDirs;

    /**
     * Chooses the ports; starts nothing.
     *
     * @param dir     where the nodes' data directories and logs go.
     * @param size    nodes.
     * @param shards  shards per node.
     * @param options JVM options of every node (peer timeout, term length, ...).
     * @throws IOException if no free ports can be had.
     */
    LocalCluster(final Path dir, final int size, final int shards, final List<String> options) throws IOException
    {
        this.dir = dir;
        this.shards = shards;
        this.options = List.copyOf(options);
        this.nodes = new ServerProcess[size];
        this.ports = new int[size];
        this.members = ClusterNodesTest.freeMemberPorts(size);
        for (int k = 0; k < size; k++)
        {
            ports[k] = ServerProcess.freePort();
        }
        this.dataDirs = k -> dir.resolve("node-" + k);
    }

    /**
     * @param where node K's data directory (created when the node starts).
     * @return this.
     */
    LocalCluster dataDirs(final IntFunction<Path> where)
    {
        dataDirs = where;
        return this;
    }

    /**
     * Starts node {@code k} (again, after {@link #kill}) on its data directory and ports; waits until it serves.
     *
     * @param k the node.
     * @return its process.
     * @throws IOException if it does not start.
     */
    ServerProcess start(final int k) throws IOException
    {
        final Path data = dataDirs.apply(k);
        Files.createDirectories(data);
        nodes[k] = ServerProcess.start(data, shards, "os", dir.resolve("node-" + k + ".log"), 120, options, ports[k],
            List.of("--node-id", Integer.toString(k), "--members", members));
        return nodes[k];
    }

    /**
     * Starts every node, one after the other.
     *
     * @return this.
     * @throws IOException if a node does not start.
     */
    LocalCluster startAll() throws IOException
    {
        for (int k = 0; k < nodes.length; k++)
        {
            start(k);
        }
        return this;
    }

    /**
     * Starts every node, one after the other, then waits until each logs a ring epoch with all of them live.
     *
     * @return this.
     * @throws Exception if a node does not start; an assertion error if a node never sees them all live.
     */
    LocalCluster startAllLive() throws Exception
    {
        startAll();
        final StringBuilder all = new StringBuilder("live nodes [");
        for (int k = 0; k < nodes.length; k++)
        {
            all.append(k == 0 ? "" : ", ").append(k);
        }
        all.append(']');
        for (final ServerProcess node : nodes)
        {
            node.awaitLine(all.toString());
        }
        return this;
    }

    /**
     * @param k a node.
     * @return its process, or null while it is not running.
     */
    ServerProcess node(final int k)
    {
        return nodes[k];
    }

    /**
     * @param k a node.
     * @return its REST and gateway port (the same across its restarts).
     */
    int port(final int k)
    {
        return ports[k];
    }

    /**
     * SIGKILL of node {@code k}; {@link #start} brings it back on the same data and ports.
     *
     * @param k the node.
     * @throws InterruptedException if interrupted while it dies.
     */
    void kill(final int k) throws InterruptedException
    {
        nodes[k].kill();
        nodes[k] = null;
    }

    @Override
    public void close()
    {
        for (final ServerProcess p : nodes)
        {
            if (p != null)
            {
                p.close();
            }
        }
    }
}
