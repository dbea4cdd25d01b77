package dev.pinwheel.server.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.pinwheel.jvmflags.JvmFlagProfiles;

/**
 * A real Pinwheel server in a child JVM (same JDK, class path and test JVM flags as this one), for tests that kill
 * it: {@link #kill()} is {@code SIGKILL} on Linux ({@link Process#destroyForcibly()}).
 * <pre>
 *   java @modules.args [@jdk23.args [@jdk25.args]] @test.args -Xmx512m -D... -cp &lt;test class path&gt;
 *        dev.pinwheel.server.PinwheelMain run --host 127.0.0.1 --port P --data DIR --shards N --durability D
 * </pre>
 * Its output goes to {@code <dir>/../server-N.log}; {@link #start} returns once it printed "Pinwheel is serving".
 */
final class ServerProcess implements AutoCloseable
{
    /** Every port {@link #freePort()} handed out in this JVM. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final String SERVING = "Pinwheel is serving";

    /** A line some test waits for: completed by the output pump when a line containing {@code text} comes. */
    private record Watch(String text, CompletableFuture<String> seen)
    {
    }

    private final java.util.List<Watch> watches;

    private final Process process;
    private final int port;
    private final Path log;
    private final long servingNanos;

    private ServerProcess(final Process process, final int port, final Path log, final long servingNanos,
        final java.util.List<Watch> watches)
    {
        this.watches = watches;
        this.process = process;
        this.port = port;
        this.log = log;
        this.servingNanos = servingNanos;
    }

    /**
     * Starts a server and waits until it serves.
     *
     * @param dataDir    its data directory.
     * @param shards     shard count.
     * @param durability os or sync.
     * @param log        file for its output.
     * @param timeoutSec how long to wait for it to serve.
     * @return the running server.
     * @throws IOException if it cannot start or does not serve in time.
     */
    static ServerProcess start(final Path dataDir, final int shards, final String durability, final Path log,
        final int timeoutSec, final String... properties) throws IOException
    {
        return start(dataDir, shards, durability, log, timeoutSec, List.of(properties));
    }

    /**
     * Starts a server with extra JVM options (system properties) and waits until it serves.
     *
     * @param dataDir    its data directory.
     * @param shards     shard count.
     * @param durability os or sync.
     * @param log        file for its output.
     * @param timeoutSec how long to wait for it to serve.
     * @param jvmOptions added before the main class, e.g. {@code -Dpinwheel.debug.fault-injection=true}.
     * @return the running server.
     * @throws IOException if it cannot start or does not serve in time.
     */
    static ServerProcess start(final Path dataDir, final int shards, final String durability, final Path log,
        final int timeoutSec, final List<String> jvmOptions) throws IOException
    {
        return start(dataDir, shards, durability, log, timeoutSec, jvmOptions, freePort(), List.of());
    }

    /**
     * Starts a server on a given port with extra command-line options (a cluster node: {@code --node-id},
     * {@code --members}) and waits until it serves.
     *
     * @param dataDir    its data directory.
     * @param shards     shard count.
     * @param durability os or sync.
     * @param log        file for its output.
     * @param timeoutSec how long to wait for it to serve.
     * @param jvmOptions added before the main class.
     * @param port       its REST and gateway port.
     * @param extraArgs  added after the usual options.
     * @return the running server.
     * @throws IOException if it cannot start or does not serve in time.
     */
    static ServerProcess start(final Path dataDir, final int shards, final String durability, final Path log,
        final int timeoutSec, final List<String> jvmOptions, final int port, final List<String> extraArgs)
        throws IOException
    {
        final List<String> command = command(dataDir, shards, durability, port, jvmOptions);
        command.addAll(extraArgs);
        final long start = System.nanoTime();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CompletableFuture<Long> serving = new CompletableFuture<>();
        final java.util.List<Watch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Thread pump = new Thread(() -> pump(process, log, serving, watches), "server-output-" + port);
        pump.setDaemon(true);
        pump.start();
        try
        {
            final long servingAt = serving.get(timeoutSec, TimeUnit.SECONDS);
            return new ServerProcess(process, port, log, servingAt - start, watches);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while starting the server", ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            process.destroyForcibly();
            throw new IOException("server did not serve within " + timeoutSec + " s; output:\n" + tail(log), ex);
        }
    }

    /**
     * Runs a server that is expected to refuse to start, and waits for it to exit.
     *
     * @param dataDir    its data directory.
     * @param log        file for its output.
     * @param timeoutSec how long it may take to give up.
     * @return its exit code (the output is in {@code log}).
     * @throws IOException if it could not be run, or it served, or it did not exit in time.
     */
    static int runExpectingRefusal(final Path dataDir, final Path log, final int timeoutSec)
        throws IOException, InterruptedException
    {
        return runExpectingRefusal(dataDir, log, timeoutSec, freePort());
    }

    /**
     * {@link #runExpectingRefusal(Path, Path, int)} on a given port.
     *
     * @param port its REST and gateway port.
     */
    static int runExpectingRefusal(final Path dataDir, final Path log, final int timeoutSec, final int port)
        throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command(dataDir, 1, "os", port, List.of()))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSec, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IOException("server did not exit within " + timeoutSec + " s; output:\n" + tail(log));
        }
        return process.exitValue();
    }

    /**
     * Runs the command line ({@code PinwheelMain} with these arguments, e.g. {@code top --data DIR --once}) in a child
     * JVM with the test JVM flags, and waits for it.
     *
     * @param timeoutSec how long it may take.
     * @param args       its arguments.
     * @return what it printed (standard output and error).
     * @throws IOException if it could not run, did not end in time or exited non-zero.
     */
    static String runCli(final int timeoutSec, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlagProfiles.locate().argFileOptions(JvmFlagProfiles.TEST, Runtime.version().feature()));
        command.addAll(ChildJvm.sharing(ServerProcess::train));
        command.add("-cp");
        command.add(ChildJvm.classPath());
        command.add("dev.pinwheel.server.PinwheelMain");
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CompletableFuture<String> output = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
        if (!process.waitFor(timeoutSec, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException("pinwheel " + String.join(" ", args) + " did not end within " + timeoutSec + " s");
        }
        final String out = output.join();
        if (process.exitValue() != 0)
        {
            throw new IOException("pinwheel " + String.join(" ", args) + " exited " + process.exitValue() + ":\n"
                + out);
        }
        return out;
    }

    private static List<String> command(final Path dataDir, final int shards, final String durability, final int port,
        final List<String> jvmOptions)
    {
        return command(dataDir, shards, durability, port, jvmOptions, ChildJvm.sharing(ServerProcess::train));
    }

    private static List<String> command(final Path dataDir, final int shards, final String durability, final int port,
        final List<String> jvmOptions, final List<String> sharing)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlagProfiles.locate().argFileOptions(JvmFlagProfiles.TEST, Runtime.version().feature()));
        command.addAll(sharing);
        command.add("-Xmx512m");
        command.add("-Dpinwheel.auth.pbkdf2-iterations=1000");
        command.add("-Dpinwheel.rest.messages-per-5s=100000");
        command.add("-Dpinwheel.rest.requests-per-second=100000");
        command.add("-Dpinwheel.auth.register-per-ip-per-minute=1000000"); // every client here is 127.0.0.1
        // a storage test: no voice server on the default (fixed) ports, which another process may hold
        command.add("-Dpinwheel.voice.enabled=false");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(ChildJvm.classPath());
        command.add("dev.pinwheel.server.PinwheelMain");
        command.addAll(List.of("run", "--host", "127.0.0.1", "--port", Integer.toString(port), "--data",
            dataDir.toString(), "--shards", Integer.toString(shards), "--durability", durability));
        return command;
    }

    /**
     * The training run of {@link ChildJvm#sharing}: a one-member cluster node (so that the cluster's classes are
     * loaded too) with the options given, asked for {@code /api/v10/gateway} once it serves, then SIGTERM.
     *
     * @param archiveOptions the options that write the archive at exit.
     * @return its exit status; -1 if it did not serve or did not exit within its wait.
     */
    private static int train(final List<String> archiveOptions)
    {
        Path dir = null;
        Process process = null;
        try
        {
            dir = Files.createTempDirectory("pinwheel-cds-training");
            final int port = freePort();
            final List<String> command = command(dir.resolve("data"), 2, "os", port, List.of(), archiveOptions);
            command.addAll(List.of("--node-id", "0", "--members", ClusterNodesTest.freeMemberPorts(1)));
            final Path log = dir.resolve("training.log");
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(log, StandardCharsets.ISO_8859_1).contains(SERVING))
            {
                if (!process.isAlive() || System.nanoTime() > deadline)
                {
                    System.err.println("child JVMs: the training server did not serve; output:\n" + tail(log));
                    return -1;
                }
                Thread.sleep(50);
            }
            final java.net.HttpURLConnection get = (java.net.HttpURLConnection) java.net.URI.create(
                "http://127.0.0.1:" + port + "/api/v10/gateway").toURL().openConnection();
            get.getInputStream().readAllBytes();
            get.disconnect();
            process.toHandle().destroy(); // SIGTERM: the JVM writes the archive as it exits
            return process.waitFor(120, TimeUnit.SECONDS) ? process.exitValue() : -1;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
        finally
        {
            if (process != null && process.isAlive())
            {
                process.destroyForcibly();
            }
            if (dir != null)
            {
                dev.pinwheel.server.TestNode.deleteTree(dir);
            }
        }
    }

    /**
     * @return whether the server's process still runs.
     */
    boolean alive()
    {
        return process.isAlive();
    }

    /**
     * @return the server's process id.
     */
    long pid()
    {
        return process.pid();
    }

    private static void pump(final Process process, final Path log, final CompletableFuture<Long> serving,
        final java.util.List<Watch> watches)
    {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (!serving.isDone() && line.contains(SERVING))
                {
                    serving.complete(System.nanoTime());
                }
                out.write(line);
                out.write('\n');
                out.flush();
                for (final Watch w : watches)
                {
                    if (line.contains(w.text()))
                    {
                        w.seen().complete(line);
                    }
                }
            }
            serving.completeExceptionally(new IOException("server exited with " + process.waitFor()));
        }
        catch (final IOException | InterruptedException ex)
        {
            serving.completeExceptionally(ex);
        }
    }

    static int freePort() throws IOException
    {
        // below the ephemeral range (32768 up): a port bind(0) handed out could be taken by an outgoing connection
        // before the child binds it ("Address already in use" in a CI run); cluster tests' UDP ports are 20000-29599.
        // Never the same port twice in this JVM: a test picks all its nodes' ports before the first node binds any,
        // so a second pick of a port still free would be given to two listeners (another "Address already in use")
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int port = TestPorts.randomTcp(); // this fork's (TestPorts)
            if (!HANDED_OUT.add(port))
            {
                continue;
            }
            try (ServerSocket socket = new ServerSocket())
            {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            }
            catch (final IOException taken)
            {
                // another one
            }
        }
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /**
     * @param log a server log.
     * @return its last lines.
     */
    static String tail(final Path log)
    {
        try
        {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    /**
     * @return {@code http://127.0.0.1:PORT/api/v10/}.
     */
    String restBase()
    {
        return "http://127.0.0.1:" + port + "/api/v10/";
    }

    /**
     * @return milliseconds from starting the JVM to its "serving" line.
     */
    long millisToServe()
    {
        return TimeUnit.NANOSECONDS.toMillis(servingNanos);
    }

    /**
     * @return the output so far.
     */
    Path log()
    {
        return log;
    }

    /**
     * Sends one line to the server's standard input (the fault-injection commands, see the server's
     * {@code FaultInjection}).
     *
     * @param line the command.
     * @throws IOException if the pipe is closed.
     */
    void command(final String line) throws IOException
    {
        final java.io.OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /**
     * Waits for an output line (printed from now on) containing {@code text}: register before causing it.
     *
     * @param text what the line contains.
     * @return a future completed with the line.
     */
    CompletableFuture<String> lineContaining(final String text)
    {
        final Watch w = new Watch(text, new CompletableFuture<>());
        watches.add(w);
        return w.seen();
    }

    /**
     * Waits up to 60 s for a line of the output containing {@code text}, printed before this call or after it.
     *
     * @param text what the line contains.
     * @return the first such line.
     * @throws Exception if the log cannot be read or the wait is interrupted; an assertion error after 60 s.
     */
    String awaitLine(final String text) throws Exception
    {
        final CompletableFuture<String> seen = lineContaining(text);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            for (final String line : Files.readAllLines(log)) // printed before we started watching
            {
                if (line.contains(text))
                {
                    return line;
                }
            }
            org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - deadline < 0,
                "no '" + text + "' in " + log);
            try
            {
                return seen.get(200, TimeUnit.MILLISECONDS);
            }
            catch (final TimeoutException ignored)
            {
                // look at the log again
            }
        }
    }

    /**
     * SIGTERM, without waiting, through the process handle: {@link Process#destroy()} would also close the pipes and
     * lose what the server prints while it stops.
     */
    void terminate()
    {
        process.toHandle().destroy();
    }

    /**
     * Waits for the process to end by itself.
     *
     * @param timeout how long.
     * @param unit    unit.
     * @return its exit code, or -1 if it is still running.
     * @throws InterruptedException if interrupted.
     */
    int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return process.waitFor(timeout, unit) ? process.exitValue() : -1;
    }

    /**
     * SIGKILL: the JVM gets no chance to run shutdown hooks or flush anything.
     *
     * @throws InterruptedException if interrupted while waiting for it to die.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("server did not die within 30 s of SIGKILL");
        }
    }

    /**
     * Stops it as an operator would (SIGTERM: shutdown hooks run) and waits.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    void stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
