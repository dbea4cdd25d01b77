package dev.pinwheel.benchmarks.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.pinwheel.jvmflags.JvmFlagProfiles;

/**
 * The server under test in a child JVM: the client and the server each need one file descriptor per
 * connection and the hard limit is per process, so they cannot share one. Started with the same java as
 * this process, the JVM flag profile's argfiles and this process's class path, in a temporary directory
 * that holds its data and its log and is deleted by {@link #close()}.
 */
public final class ServerProcess implements AutoCloseable
{
    private static final Pattern SERVING = Pattern.compile("Pinwheel is serving on http://([^:/\\s]+):(\\d+)");
    private static final Pattern PROBLEM = Pattern.compile("\\b(WARN|ERROR)\\b|Exception|OutOfMemory");
    private static final int MAX_PROBLEM_LINES = 30;

    private final Process process;
    private final Path workDir;
    private final Path log;
    private final List<String> command;
    private final int port;
    private final String host;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private ServerProcess(final Process process, final Path workDir, final Path log, final List<String> command,
        final String host, final int port)
    {
        this.process = process;
        this.workDir = workDir;
        this.log = log;
        this.command = command;
        this.host = host;
        this.port = port;
    }

    /**
     * Starts the server and waits until it prints the line that says it serves.
     *
     * @param profile     JVM flag profile of the server ({@code dev}, {@code ci}...).
     * @param shards      shards.
     * @param properties  system properties for the server ({@code -Dkey=value} each).
     * @param extraFlags  more JVM flags (may be empty).
     * @param startupNanos how long to wait for it to serve.
     * @return the running server.
     * @throws IOException if it cannot be started.
     */
    public static ServerProcess start(final String profile, final int shards, final Map<String, String> properties,
        final List<String> extraFlags, final long startupNanos) throws IOException
    {
        final Path workDir = Files.createTempDirectory("pinwheel-probe-server");
        final Path log = workDir.resolve("server.log");
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlagProfiles.locate().argFileOptions(profile, JvmFlagProfiles.runningFeatureVersion()));
        cmd.add("-Dpinwheel.voice.enabled=false"); // chat probes; voice's fixed default ports could be taken
        cmd.addAll(extraFlags);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.pinwheel.server.PinwheelMain");
        cmd.addAll(List.of("run", "--host", "127.0.0.1", "--port", "0", "--shards", Integer.toString(shards),
            "--data", workDir.resolve("data").toString()));
        final Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        final ServerProcess server;
        try
        {
            server = awaitServing(p, workDir, log, cmd, startupNanos);
        }
        catch (final IOException | RuntimeException ex)
        {
            stop(p);
            System.err.println("server log:\n" + tail(log, 40));
            deleteTree(workDir);
            throw ex;
        }
        return server;
    }

    private static ServerProcess awaitServing(final Process p, final Path workDir, final Path log,
        final List<String> cmd, final long startupNanos) throws IOException
    {
        final long deadline = System.nanoTime() + startupNanos;
        while (true)
        {
            final String text = Files.readString(log, StandardCharsets.UTF_8);
            final Matcher m = SERVING.matcher(text);
            if (m.find())
            {
                return new ServerProcess(p, workDir, log, List.copyOf(cmd), m.group(1), Integer.parseInt(m.group(2)));
            }
            if (text.contains("Exception in thread \"main\""))
            {
                throw new IOException("server failed to start (its main thread threw; the JVM lingers)");
            }
            if (!p.isAlive())
            {
                throw new IOException("server exited with " + p.exitValue() + " before serving");
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IOException("server did not serve within " + TimeUnit.NANOSECONDS.toSeconds(startupNanos)
                    + " s");
            }
            try
            {
                p.waitFor(100, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the server started", ex);
            }
        }
    }

    /**
     * @return the host the server listens on.
     */
    public String host()
    {
        return host;
    }

    /**
     * @return the server's main port.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the child's process id.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * @return CPU time the child has used so far (all its threads), or -1 if the OS does not say.
     */
    public long cpuNanos()
    {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /**
     * @return whether the child still runs.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return the command line that started it.
     */
    public List<String> command()
    {
        return command;
    }

    /**
     * @return the server's log (stdout and stderr).
     */
    public Path log()
    {
        return log;
    }

    /**
     * Reads the log for warnings, errors and exceptions.
     *
     * @return {@code lines} (all such lines counted) and {@code first} (up to 30 distinct ones).
     */
    public Map<String, Object> problems()
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        final List<String> first = new ArrayList<>();
        long count = 0;
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8))
        {
            for (final String line : (Iterable<String>)lines::iterator)
            {
                if (PROBLEM.matcher(line).find())
                {
                    count++;
                    if (first.size() < MAX_PROBLEM_LINES && !first.contains(line))
                    {
                        first.add(line);
                    }
                }
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            first.add("(cannot read " + log + ": " + ex.getMessage() + ")");
        }
        out.put("lines", count);
        out.put("first", first);
        return out;
    }

    /**
     * Copies the log somewhere that outlives the temporary directory.
     *
     * @param target file to write.
     */
    public void copyLog(final Path target)
    {
        try
        {
            Files.copy(log, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            System.err.println("could not keep the server log: " + ex.getMessage());
        }
    }

    /**
     * Stops the server (SIGTERM: its shutdown hook closes it; SIGKILL after 30 s) and deletes its directory.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        stop(process);
        deleteTree(workDir);
    }

    private static void stop(final Process p)
    {
        p.destroy();
        try
        {
            if (!p.waitFor(30, TimeUnit.SECONDS))
            {
                System.err.println("server did not stop within 30 s; killing it");
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @param file a text file.
     * @param lines how many.
     * @return its last lines.
     */
    static String tail(final Path file, final int lines)
    {
        try
        {
            final List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> s = Files.walk(dir))
        {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            System.err.println("could not delete " + dir + ": " + ex.getMessage());
        }
    }
}
