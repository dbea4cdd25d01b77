package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.pinwheel.benchmarks.probe.ServerProcess;

/**
 * One attacked node across its lives: the same data directory and port through kills and restarts, a log per
 * start ({@code server-1.log}, {@code server-2.log}…), and its directories deleted at {@link #close()}.
 */
final class Node implements AutoCloseable
{
    private final String name;
    private final String profile;
    private final int shards;
    private final Map<String, String> properties;
    private final List<String> flags;
    private final Path workDir;
    private final Path dataDir;
    private final List<Path> logs = new ArrayList<>();
    private volatile ServerProcess server;
    private int port;

    /**
     * @param name       label (log names, messages).
     * @param profile    JVM flag profile.
     * @param shards     shards.
     * @param properties server system properties.
     * @param flags      extra JVM flags.
     * @param dataDir    its data directory, or null for one inside its work directory.
     * @throws IOException if the work directory cannot be made.
     */
    Node(final String name, final String profile, final int shards, final Map<String, String> properties,
        final List<String> flags, final Path dataDir) throws IOException
    {
        this.name = name;
        this.profile = profile;
        this.shards = shards;
        this.properties = properties;
        this.flags = flags;
        this.workDir = Files.createTempDirectory("pinwheel-abuse-" + name);
        this.dataDir = dataDir != null ? dataDir : workDir.resolve("data");
    }

    /**
     * Starts the node (again), on the port of its previous life if it had one.
     *
     * @param startupNanos how long to wait for it to serve.
     * @return the running server.
     * @throws IOException if it does not serve.
     */
    ServerProcess start(final long startupNanos) throws IOException
    {
        final String log = name + "-" + (logs.size() + 1) + ".log";
        logs.add(workDir.resolve(log));
        final ServerProcess s = ServerProcess.start(new ServerProcess.Layout(workDir, dataDir, log, port, false),
            profile, shards, properties, flags, startupNanos);
        server = s;
        port = s.port();
        return s;
    }

    /**
     * @return the current (or last) server process.
     */
    ServerProcess server()
    {
        return server;
    }

    String host()
    {
        return server.host();
    }

    int port()
    {
        return port;
    }

    Path dataDir()
    {
        return dataDir;
    }

    Path workDir()
    {
        return workDir;
    }

    String profile()
    {
        return profile;
    }

    int shards()
    {
        return shards;
    }

    List<String> flags()
    {
        return flags;
    }

    /**
     * @return every start's log, in order.
     */
    List<Path> logs()
    {
        return logs;
    }

    /**
     * Stops the server (SIGTERM, SIGKILL after 30 s) and deletes the work directory (and the data directory if it
     * is inside it).
     */
    @Override
    public void close()
    {
        final ServerProcess s = server;
        if (s != null)
        {
            s.close();
        }
        ServerProcess.deleteTree(workDir);
    }
}
