package dev.pinwheel.benchmarks.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.pinwheel.jvmflags.JvmFlagProfiles;

/**
 * A {@link ClusterLoadClient} in a child JVM, seen from {@link ClusterProbe}: started with the same java, the dev
 * profile's argfiles, a heap the probe chooses and this process's class path; its standard output is read line by
 * line by a daemon thread, its standard error goes to a log file. Closing it says {@code quit}, then kills it if it
 * has not ended in 20 s.
 */
final class LoadClientProcess implements AutoCloseable
{
    private static final String EOF = "\u0000eof";

    private final int node;
    private final Process process;
    private final Path log;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    /** What {@code status} answered. */
    record Status(int ready, int lost, int failed, long heartbeats, long acks, long deliveries, long hopDeliveries,
        int observerReady, long cpuNanos)
    {
        static Status parse(final String line)
        {
            final String[] f = line.split(" ");
            return new Status(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                Integer.parseInt(f[8]), Long.parseLong(f[9]));
        }
    }

    private LoadClientProcess(final int node, final Process process, final Path log)
    {
        this.node = node;
        this.process = process;
        this.log = log;
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.US_ASCII)))
            {
                for (String line; (line = r.readLine()) != null; )
                {
                    lines.add(line);
                }
            }
            catch (final IOException ex)
            {
                // the process ended
            }
            lines.add(EOF);
        }, "load-client-" + node + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a client.
     *
     * @param node          the node it connects to (names its files).
     * @param dir           a directory for its tokens file and log.
     * @param host          the node's host.
     * @param port          the node's port.
     * @param tokens        one token per bulk session.
     * @param observerToken the hop guild observer's token, or null for none.
     * @param messages      bulk message ids (warm-up included).
     * @param hopMessages   hop message ids (warm-up included).
     * @param inFlight      sessions setting up at once.
     * @param heap          its -Xmx value.
     * @param openSeconds   how long it may take to open its sessions.
     * @return the running client.
     * @throws IOException if it cannot be started.
     */
    static LoadClientProcess start(final int node, final Path dir, final String host, final int port,
        final List<String> tokens, final String observerToken, final int messages, final int hopMessages,
        final int inFlight, final String heap, final long openSeconds) throws IOException
    {
        final Path tokenFile = dir.resolve("tokens-" + node + ".txt");
        Files.write(tokenFile, tokens, StandardCharsets.US_ASCII);
        final Path log = dir.resolve("client-" + node + ".log");
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlagProfiles.locate().argFileOptions("dev", JvmFlagProfiles.runningFeatureVersion()));
        cmd.add("-Xmx" + heap);
        cmd.add("-Dpinwheel.probe.setup-timeout-seconds=60");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ClusterLoadClient.class.getName());
        cmd.addAll(List.of(host, Integer.toString(port), tokenFile.toString(),
            observerToken == null ? "-" : observerToken, Integer.toString(messages), Integer.toString(hopMessages),
            Integer.toString(inFlight), "1", Long.toString(openSeconds)));
        final Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        return new LoadClientProcess(node, p, log);
    }

    /**
     * @return the node it connects to.
     */
    int node()
    {
        return node;
    }

    /**
     * @return its process id.
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * Waits for the next line that starts with {@code prefix} (others are skipped).
     *
     * @param prefix        e.g. {@code "opened "}.
     * @param deadlineNanos {@code System.nanoTime()} to give up at.
     * @return the line.
     * @throws IOException if the client ended or the deadline passed.
     * @throws InterruptedException if interrupted.
     */
    String await(final String prefix, final long deadlineNanos) throws IOException, InterruptedException
    {
        while (true)
        {
            final long left = deadlineNanos - System.nanoTime();
            final String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null)
            {
                throw new IOException("load client " + node + ": no '" + prefix.trim() + "' in time (log " + log + ")");
            }
            if (EOF.equals(line))
            {
                lines.add(EOF);
                throw new IOException("load client " + node + " ended (log " + log + ")");
            }
            if (line.startsWith(prefix))
            {
                return line;
            }
        }
    }

    /**
     * @param command one line for its standard input.
     * @throws IOException if the pipe is closed.
     */
    void send(final String command) throws IOException
    {
        final OutputStream in = process.getOutputStream();
        in.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /**
     * @param timeoutNanos how long to wait.
     * @return its status now.
     * @throws IOException if it does not answer.
     * @throws InterruptedException if interrupted.
     */
    Status status(final long timeoutNanos) throws IOException, InterruptedException
    {
        send("status");
        return Status.parse(await("status ", System.nanoTime() + timeoutNanos));
    }

    /**
     * @param timeoutNanos how long to wait.
     * @return the lines of its report, up to {@code end} (excluded).
     * @throws IOException if it does not answer.
     * @throws InterruptedException if interrupted.
     */
    List<String> report(final long timeoutNanos) throws IOException, InterruptedException
    {
        send("report");
        final long deadline = System.nanoTime() + timeoutNanos;
        final List<String> out = new ArrayList<>();
        for (String line = await("", deadline); !"end".equals(line); line = await("", deadline))
        {
            out.add(line);
        }
        return out;
    }

    @Override
    public void close()
    {
        try
        {
            send("quit");
        }
        catch (final IOException ex)
        {
            // already gone
        }
        try
        {
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
