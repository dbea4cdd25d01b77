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
 * this process, the JVM flag profile's argfiles and this process's class path, by default in a temporary directory
 * that holds its data and its log and is deleted by {@link #close()}. A {@link Layout} given by the caller instead
 * keeps the directory (restarts on the same data, {@link #kill()}, a second server on a directory in use).
 */
public final class ServerProcess implements AutoCloseable
{
    private static final Pattern SERVING = Pattern.compile("Pinwheel is serving on http://([^:/\\s]+):(\\d+)");
    private static final Pattern PROBLEM = Pattern.compile("\\b(WARN|ERROR)\\b|Exception|OutOfMemory");
    private static final int MAX_PROBLEM_LINES = 30;

    private final Process process;
    private final Layout layout;
    private final Path log;
    private final List<String> command;
    private final int port;
    private final String host;
    private final long startupNanos;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Where a server runs.
     *
     * @param workDir  its working directory (its log goes there).
     * @param dataDir  its data directory ({@code --data}).
     * @param logName  file name of its log in {@code workDir}.
     * @param port     port to bind, 0 for an ephemeral one.
     * @param owned    whether {@link #close()} deletes {@code workDir} (and a failed start does).
     */
    public record Layout(Path workDir, Path dataDir, String logName, int port, boolean owned)
    {
    }

    private ServerProcess(final Process process, final Layout layout, final Path log, final List<String> command,
        final String host, final int port, final long startupNanos)
    {
        this.process = process;
        this.layout = layout;
        this.log = log;
        this.command = command;
        this.host = host;
        this.port = port;
        this.startupNanos = startupNanos;
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
        return start(new Layout(workDir, workDir.resolve("data"), "server.log", 0, true), profile, shards, properties,
            extraFlags, startupNanos);
    }

    /**
     * Starts the server in a given layout and waits until it prints the line that says it serves.
     *
     * @param layout       its directories, log and port.
     * @param profile      JVM flag profile of the server ({@code dev}, {@code ci}...).
     * @param shards       shards.
     * @param properties   system properties for the server ({@code -Dkey=value} each).
     * @param extraFlags   more JVM flags (may be empty).
     * @param startupNanos how long to wait for it to serve.
     * @return the running server.
     * @throws IOException if it cannot be started (the process is stopped; an owned directory is deleted).
     */
    public static ServerProcess start(final Layout layout, final String profile, final int shards,
        final Map<String, String> properties, final List<String> extraFlags, final long startupNanos)
        throws IOException
    {
        return start(layout, profile, shards, properties, extraFlags, List.of(), startupNanos);
    }

    /**
     * Starts the server in a given layout with more {@code run} options (a cluster node's {@code --node-id K
     * --members ...}) and waits until it prints the line that says it serves.
     *
     * @param layout       its directories, log and port.
     * @param profile      JVM flag profile of the server ({@code dev}, {@code ci}...).
     * @param shards       shards.
     * @param properties   system properties for the server ({@code -Dkey=value} each).
     * @param extraFlags   more JVM flags (may be empty).
     * @param extraArgs    more options of {@code PinwheelMain run} (may be empty).
     * @param startupNanos how long to wait for it to serve.
     * @return the running server.
     * @throws IOException if it cannot be started (the process is stopped; an owned directory is deleted).
     */
    public static ServerProcess start(final Layout layout, final String profile, final int shards,
        final Map<String, String> properties, final List<String> extraFlags, final List<String> extraArgs,
        final long startupNanos) throws IOException
    {
        final Path log = layout.workDir().resolve(layout.logName());
        final List<String> cmd = command(layout, profile, shards, properties, extraFlags);
        cmd.addAll(extraArgs);
        final long t0 = System.nanoTime();
        final Process p = spawn(layout, cmd, log);
        final ServerProcess server;
        try
        {
            server = awaitServing(p, layout, log, cmd, t0, startupNanos);
        }
        catch (final IOException | RuntimeException ex)
        {
            stop(p);
            System.err.println("server log:\n" + tail(log, 40));
            if (layout.owned())
            {
                deleteTree(layout.workDir());
            }
            throw ex;
        }
        return server;
    }

    /** How a server that was expected not to start ended. */
    public record Refusal(int exitCode, long millis, String output)
    {
    }

    /**
     * Starts a server that must refuse to start (for example on a data directory another process holds) and waits
     * for it to exit; never deletes anything. One that serves instead is killed and reported with exit code -1.
     *
     * @param layout      its directories, log and port.
     * @param profile     JVM flag profile of the server.
     * @param shards      shards.
     * @param properties  system properties for the server.
     * @param extraFlags  more JVM flags.
     * @param timeoutNanos how long to wait for the exit.
     * @return its exit code, the time to exit and its output.
     * @throws IOException if it cannot be spawned.
     */
    public static Refusal startExpectingExit(final Layout layout, final String profile, final int shards,
        final Map<String, String> properties, final List<String> extraFlags, final long timeoutNanos)
        throws IOException
    {
        final Path log = layout.workDir().resolve(layout.logName());
        final long t0 = System.nanoTime();
        final Process p = spawn(layout, command(layout, profile, shards, properties, extraFlags), log);
        int code = -1;
        try
        {
            if (p.waitFor(timeoutNanos, TimeUnit.NANOSECONDS))
            {
                code = p.exitValue();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (p.isAlive())
        {
            p.destroyForcibly();
        }
        return new Refusal(code, millis, Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "");
    }

    private static List<String> command(final Layout layout, final String profile, final int shards,
        final Map<String, String> properties, final List<String> extraFlags)
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlagProfiles.locate().argFileOptions(profile, JvmFlagProfiles.runningFeatureVersion()));
        cmd.add("-Dpinwheel.voice.enabled=false"); // chat probes; voice's fixed default ports could be taken
        cmd.addAll(extraFlags);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.pinwheel.server.PinwheelMain");
        cmd.addAll(List.of("run", "--host", "127.0.0.1", "--port", Integer.toString(layout.port()), "--shards",
            Integer.toString(shards), "--data", layout.dataDir().toString()));
        return cmd;
    }

    private static Process spawn(final Layout layout, final List<String> cmd, final Path log) throws IOException
    {
        // stdin stays a pipe: the fault-injection commands of a debug server are written to it (command())
        return new ProcessBuilder(cmd).directory(layout.workDir().toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
    }

    private static ServerProcess awaitServing(final Process p, final Layout layout, final Path log,
        final List<String> cmd, final long t0, final long startupNanos) throws IOException
    {
        final long deadline = t0 + startupNanos;
        while (true)
        {
            final String text = Files.readString(log, StandardCharsets.UTF_8);
            final Matcher m = SERVING.matcher(text);
            if (m.find())
            {
                return new ServerProcess(p, layout, log, List.copyOf(cmd), m.group(1), Integer.parseInt(m.group(2)),
                    System.nanoTime() - t0);
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
                p.waitFor(20, TimeUnit.MILLISECONDS); // fine-grained: restart times are measured with this
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
     * @return time from spawning the JVM to reading its "serving" line (polled every 20 ms).
     */
    public long startupNanos()
    {
        return startupNanos;
    }

    /**
     * @return its layout.
     */
    public Layout layout()
    {
        return layout;
    }

    /**
     * Sends one line to the server's standard input (the commands of {@code -Dpinwheel.debug.fault-injection=true}).
     *
     * @param line the command, e.g. {@code shard-error 1}.
     * @throws IOException if the pipe is closed.
     */
    public void command(final String line) throws IOException
    {
        final java.io.OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /**
     * Waits for the process to end.
     *
     * @param timeoutNanos how long.
     * @return its exit code, or -1 if it still runs.
     * @throws InterruptedException if interrupted.
     */
    public int awaitExit(final long timeoutNanos) throws InterruptedException
    {
        return process.waitFor(timeoutNanos, TimeUnit.NANOSECONDS) ? process.exitValue() : -1;
    }

    /**
     * SIGKILL (as {@code kill -9}): nothing of the server's shutdown runs. The directory is kept.
     *
     * @throws InterruptedException if interrupted while waiting for it to die.
     */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM without waiting (the server's own shutdown runs; see {@link #awaitExit}). The directory is kept.
     */
    public void terminate()
    {
        process.destroy();
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
     * Stops the server (SIGTERM: its shutdown hook closes it; SIGKILL after 30 s) and deletes its directory if the
     * layout owns it.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        stop(process);
        if (layout.owned())
        {
            deleteTree(layout.workDir());
        }
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

    /**
     * Deletes a directory tree, best effort (prints what it could not delete).
     *
     * @param dir the directory.
     */
    public static void deleteTree(final Path dir)
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
