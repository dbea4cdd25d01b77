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
 * A real single-node Cassandra process started by {@code storage-cassandra/bin/cassandra-local} (the same script as
 * {@code ./pinwheel cassandra}), for tests and benchmarks: its own data directory and ports, stopped with the JVM that
 * started it (the script's watchdog follows this process's pid), killable with SIGKILL and restartable on the same
 * data to prove what survives.
 */
public final class LocalCassandra implements AutoCloseable
{
    private final Path root;
    private final Path dataDir;
    private final int port;
    private final int storagePort;
    private long pid;

    private LocalCassandra(final Path root, final Path dataDir, final int port, final int storagePort)
    {
        this.root = root;
        this.dataDir = dataDir;
        this.port = port;
        this.storagePort = storagePort;
    }

    /**
     * Starts a node on free loopback ports and waits until CQL accepts connections.
     *
     * @param dataDir its data directory (created).
     * @return the running node.
     */
    public static LocalCassandra start(final Path dataDir)
    {
        final LocalCassandra c = new LocalCassandra(repositoryRoot(), dataDir, freePort(), freePort());
        c.start();
        return c;
    }

    /**
     * (Re)starts the node on its data directory and ports; returns once CQL is ready.
     */
    public void start()
    {
        final List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("storage-cassandra/bin/cassandra-local")
            .toString(), "--data", dataDir.toString(), "--port", Integer.toString(port), "--storage-port",
            Integer.toString(storagePort), "--background", "--timeout", "180", "--owner-pid",
            Long.toString(ProcessHandle.current().pid())));
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
     * @return "127.0.0.1:port".
     */
    public String contactPoint()
    {
        return "127.0.0.1:" + port;
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
