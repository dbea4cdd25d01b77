package dev.pinwheel.storage.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Cassandra process started by {@code storage-cassandra/bin/cassandra-local} (the same script as
 * {@code ./pinwheel cassandra}), for tests and benchmarks: its own data directory and ports, stopped with the JVM that
 * started it (the script's watchdog follows this process's pid), killable with SIGKILL and restartable on the same
 * data to prove what survives. A single node by {@link #start(Path)}; the nodes of one multi-node Cassandra, each on
 * its own loopback address, by {@link #startCluster}.
 */
public final class LocalCassandra implements AutoCloseable
{
    private final Path root;
    private final Path dataDir;
    private final int port;
    private final int storagePort;
    private final String address;
    private final String seeds;
    private long pid;

    private LocalCassandra(final Path root, final Path dataDir, final int port, final int storagePort,
        final String address, final String seeds)
    {
        this.root = root;
        this.dataDir = dataDir;
        this.port = port;
        this.storagePort = storagePort;
        this.address = address;
        this.seeds = seeds;
    }

    /**
     * Starts a node on free loopback ports and waits until CQL accepts connections.
     *
     * @param dataDir its data directory (created).
     * @return the running node.
     */
    public static LocalCassandra start(final Path dataDir)
    {
        final LocalCassandra c = new LocalCassandra(repositoryRoot(), dataDir, freePort(), freePort(), "127.0.0.1",
            "127.0.0.1");
        c.start();
        return c;
    }

    /**
     * Starts the nodes of one Cassandra cluster at once, node k on 127.0.0.(k+1) with the same free ports, every node
     * a seed (none bootstraps), and waits until each accepts CQL (they may not have met through gossip yet).
     *
     * @param dir   node k's data goes in {@code dir/cassandra-k}.
     * @param nodes how many (at most 8).
     * @return the running nodes; if one does not start, those started are stopped before the failure is thrown.
     */
    public static List<LocalCassandra> startCluster(final Path dir, final int nodes)
    {
        if (nodes < 1 || nodes > 8)
        {
            throw new IllegalArgumentException("1..8 nodes, not " + nodes);
        }
        final int port = freePort();
        final int storagePort = freePort();
        final StringBuilder seeds = new StringBuilder();
        for (int k = 0; k < nodes; k++)
        {
            seeds.append(k == 0 ? "" : ",").append("127.0.0.").append(k + 1);
        }
        final List<LocalCassandra> cluster = new ArrayList<>();
        final List<java.util.concurrent.CompletableFuture<Void>> starting = new ArrayList<>();
        for (int k = 0; k < nodes; k++)
        {
            final LocalCassandra c = new LocalCassandra(repositoryRoot(), dir.resolve("cassandra-" + k), port,
                storagePort, "127.0.0.".concat(Integer.toString(k + 1)), seeds.toString());
            cluster.add(c);
            starting.add(java.util.concurrent.CompletableFuture.runAsync(c::start,
                r -> new Thread(r, "start-cassandra-" + c.address).start()));
        }
        RuntimeException failed = null;
        for (final var f : starting)
        {
            try
            {
                f.join();
            }
            catch (final java.util.concurrent.CompletionException ex)
            {
                failed = failed != null ? failed : ex.getCause() instanceof RuntimeException r ? r
                    : new IllegalStateException(ex.getCause());
            }
        }
        if (failed != null)
        {
            cluster.forEach(LocalCassandra::kill);
            throw failed;
        }
        return cluster;
    }

    /**
     * (Re)starts the node on its data directory and ports; returns once CQL is ready.
     */
    public void start()
    {
        final List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("storage-cassandra/bin/cassandra-local")
            .toString(), "--data", dataDir.toString(), "--port", Integer.toString(port), "--storage-port",
            Integer.toString(storagePort), "--listen", address, "--seeds", seeds, "--background", "--timeout", "180",
            "--owner-pid", Long.toString(ProcessHandle.current().pid())));
        try
        {
            final Path log = Files.createDirectories(dataDir).resolve("launcher.log");
            final Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
            if (!p.waitFor(240, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new IllegalStateException("Cassandra did not start in 240 s; see " + log);
            }
            if (p.exitValue() != 0)
            {
                throw new IllegalStateException("Cassandra did not start (exit " + p.exitValue() + "):\n"
                    + Files.readString(log));
            }
            pid = Long.parseLong(Files.readString(dataDir.resolve("cassandra.pid")).trim());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Cassandra", ex);
        }
    }

    /**
     * @return "ADDRESS:port" (127.0.0.1 for a single node).
     */
    public String contactPoint()
    {
        return address + ":" + port;
    }

    /**
     * @return the loopback address it listens on.
     */
    public String address()
    {
        return address;
    }

    /**
     * @return its data directory (the script keeps Cassandra's table files in {@code data} below it).
     */
    public Path dataDirectory()
    {
        return dataDir;
    }

    public int port()
    {
        return port;
    }

    public long pid()
    {
        return pid;
    }

    /**
     * SIGKILL, and waits until the process is gone.
     */
    public void kill()
    {
        stop(true);
    }

    private void stop(final boolean force)
    {
        if (pid == 0)
        {
            return; // never started
        }
        ProcessHandle.of(pid).ifPresent(h ->
        {
            if (force)
            {
                h.destroyForcibly();
            }
            else
            {
                h.destroy();
            }
            try
            {
                h.onExit().get(force ? 10 : 30, TimeUnit.SECONDS);
            }
            catch (final Exception ex)
            {
                h.destroyForcibly();
            }
        });
    }

    /**
     * SIGTERM (then SIGKILL after 30 s).
     */
    @Override
    public void close()
    {
        stop(false);
    }

    /**
     * @return the repository's root: the working directory or one of its parents that holds the launcher script.
     */
    public static Path repositoryRoot()
    {
        Path p = Path.of("").toAbsolutePath();
        for (int i = 0; i < 6 && p != null; i++, p = p.getParent())
        {
            if (Files.isRegularFile(p.resolve("storage-cassandra/bin/cassandra-local")))
            {
                return p;
            }
        }
        throw new IllegalStateException("storage-cassandra/bin/cassandra-local not found above "
            + Path.of("").toAbsolutePath());
    }

    private static int freePort()
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
