package dev.pinwheel.benchmarks.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.HdrHistogram.Histogram;

/**
 * What the end-to-end probes share besides the client: option parsing, the child server with the probe's
 * relaxed limits, the watchdog, reading a process's memory, summaries of histograms and writing the JSON, the
 * SVG percentile plot and the server log into the results directory.
 */
public final class ProbeSupport
{
    /** Linux's clock tick for {@code /proc/PID/stat} times (sysconf(_SC_CLK_TCK) is 100 on every x86 kernel). */
    private static final long USER_HZ = 100;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)([KMG])");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)");
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    private ProbeSupport()
    {
    }

    /** {@code --name value} options with defaults; {@code --server-flag} may repeat. */
    public static final class Args
    {
        private final String usage;
        private final Map<String, String> values = new LinkedHashMap<>();
        private final List<String> serverFlags = new ArrayList<>();

        /**
         * @param usage    the usage text printed on an error or --help.
         * @param defaults option name (without --) to default value.
         * @param args     the command line.
         */
        public Args(final String usage, final Map<String, String> defaults, final String[] args)
        {
            this.usage = usage;
            values.putAll(defaults);
            for (int i = 0; i < args.length; i++)
            {
                final String a = args[i];
                if ("-h".equals(a) || "--help".equals(a))
                {
                    fail(null, 0);
                }
                if (!a.startsWith("--") || i + 1 >= args.length)
                {
                    fail(a + " needs a value", 2);
                }
                final String k = a.substring(2);
                final String v = args[++i];
                if ("server-flag".equals(k))
                {
                    serverFlags.add(v);
                }
                else if (values.containsKey(k))
                {
                    values.put(k, v);
                }
                else
                {
                    fail("unknown option " + a, 2);
                }
            }
        }

        /**
         * @param message what is wrong, or null.
         * @param status  exit status.
         */
        public void fail(final String message, final int status)
        {
            if (message != null)
            {
                System.err.println(message);
            }
            System.err.println(usage);
            System.exit(status);
        }

        /** @param k name. @return its value as a positive int. */
        public int positiveInt(final String k)
        {
            final int v = Integer.parseInt(values.get(k));
            if (v < 1)
            {
                fail("--" + k + " must be positive", 2);
            }
            return v;
        }

        /** @param k name. @return its value. */
        public double number(final String k)
        {
            return Double.parseDouble(values.get(k));
        }

        /** @param k name. @return its value. */
        public String string(final String k)
        {
            return values.get(k);
        }

        /** @return every --server-flag. */
        public List<String> serverFlags()
        {
            return serverFlags;
        }

        /** @return all options as given or defaulted (for the JSON). */
        public Map<String, Object> asMap()
        {
            final Map<String, Object> m = new LinkedHashMap<>(values);
            m.put("server-flag", serverFlags);
            m.put("client_transport", GatewayLoadClient.transport());
            return m;
        }
    }

    /**
     * @return the server properties every probe sets: cheap password hashing, rate limits out of the way — the
     * probe is one client address opening thousands of connections, registering thousands of users and
     * identifying each user's token many times at once.
     */
    public static Map<String, String> serverProperties()
    {
        final Map<String, String> props = new LinkedHashMap<>();
        props.put("pinwheel.auth.pbkdf2-iterations", "1000");
        props.put("pinwheel.rest.requests-per-second", "100000");
        props.put("pinwheel.rest.messages-per-5s", "100000");
        props.put("pinwheel.gateway.inbound-events-per-minute", "100000");
        props.put("pinwheel.edge.max-connections-per-ip", "1000000");
        props.put("pinwheel.gateway.identify-window-ms", "0");
        props.put("pinwheel.gateway.session-start-total", "4194303");
        props.put("pinwheel.auth.register-per-ip-per-minute", "1000000");
        props.put("pinwheel.auth.login-per-ip-per-minute", "1000000");
        props.put("pinwheel.auth.login-per-username-per-minute", "1000000");
        props.put("pinwheel.auth.hash-per-ip", "4096");
        props.put("pinwheel.auth.hash-queue", "4096");
        return props;
    }

    /**
     * Starts the server and a shutdown hook that stops it.
     *
     * @param args          probe options (server-profile, shards, server flags).
     * @param props         server system properties.
     * @param deadlineNanos the probe's deadline.
     * @return the running server.
     * @throws IOException if it does not start.
     */
    public static ServerProcess startServer(final Args args, final Map<String, String> props, final long deadlineNanos)
        throws IOException
    {
        final long t0 = System.nanoTime();
        final ServerProcess server = ServerProcess.start(args.string("server-profile"), args.positiveInt("shards"),
            props, args.serverFlags(), Math.min(TimeUnit.SECONDS.toNanos(120), deadlineNanos - t0));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "probe-stop-server"));
        System.out.printf(Locale.ROOT, "server pid %d serving on %s:%d after %d ms (log %s)%n", server.pid(),
            server.host(), server.port(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), server.log());
        return server;
    }

    /**
     * Ends the JVM (its shutdown hooks stop the server) a minute after the deadline if a phase hangs.
     *
     * @param name          probe name for the message.
     * @param deadlineNanos the probe's deadline.
     */
    public static void startWatchdog(final String name, final long deadlineNanos)
    {
        final Thread t = new Thread(() ->
        {
            final long hard = deadlineNanos + TimeUnit.SECONDS.toNanos(60);
            for (long left; (left = hard - System.nanoTime()) > 0; )
            {
                LockSupport.parkNanos(left);
            }
            System.err.println(name + ": a minute past the deadline, giving up");
            System.exit(3);
        }, "probe-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /**
     * @return a timestamp for result file names.
     */
    public static String stamp()
    {
        return LocalDateTime.now().format(STAMP);
    }

    /**
     * @param pid a process.
     * @return its resident set size in KiB (VmRSS of /proc/PID/status), or -1.
     */
    public static long rssKiB(final long pid)
    {
        return statusKiB(pid, "VmRSS");
    }

    /**
     * @param pid a process.
     * @param field a line of /proc/PID/status, e.g. {@code RssAnon} or {@code RssFile}.
     * @return its value in KiB, or -1.
     */
    public static long statusKiB(final long pid, final String field)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
            {
                if (line.startsWith(field + ":"))
                {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux, or gone
        }
        return -1;
    }

    /**
     * The resident size of each mapping of a process ({@code /proc/PID/smaps}).
     *
     * @param pid a process.
     * @return "start perms name" to its Rss in KiB; empty if unreadable.
     */
    public static Map<String, Long> residentMappings(final long pid)
    {
        final Map<String, Long> rss = new LinkedHashMap<>();
        try
        {
            String mapping = null;
            for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps")))
            {
                if (!line.isEmpty() && Character.digit(line.charAt(0), 16) >= 0 && line.indexOf('-') > 0
                    && line.indexOf(' ') > line.indexOf('-'))
                {
                    final String[] f = line.trim().split("\\s+", 6);
                    // keyed by the start: a malloc arena or a heap grows at its end
                    mapping = f[0].substring(0, f[0].indexOf('-')) + " " + f[1] + (f.length > 5 ? " " + f[5] : "");
                }
                else if (mapping != null && line.startsWith("Rss:"))
                {
                    rss.put(mapping, Long.parseLong(line.substring(4).trim().split("\\s+")[0]));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            rss.clear();
        }
        return rss;
    }

    /**
     * The mappings whose resident size grew most between two {@link #residentMappings} readings.
     *
     * @param before the earlier reading.
     * @param after  the later reading.
     * @param top    how many.
     * @return one line per mapping: KiB grown, KiB resident now, the mapping; the largest growth first.
     */
    public static List<String> mappingGrowth(final Map<String, Long> before, final Map<String, Long> after,
        final int top)
    {
        final List<Map.Entry<String, Long>> grew = new ArrayList<>();
        after.forEach((m, kib) -> grew.add(Map.entry(m, kib - before.getOrDefault(m, 0L))));
        grew.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.min(top, grew.size()); i++)
        {
            final Map.Entry<String, Long> e = grew.get(i);
            lines.add(String.format(Locale.ROOT, "%+8d KiB (now %8d KiB)  %s", e.getValue(), after.get(e.getKey()),
                e.getKey()));
        }
        return lines;
    }

    /**
     * Runs a full GC in the process with {@code jcmd PID GC.run}, then reads the heap in use from
     * {@code jcmd PID GC.heap_info} (the live heap, as the collector reports it). Takes about a second.
     *
     * @param pid a JVM of the same JDK.
     * @return heap used after a full GC in KiB, or -1 if jcmd is missing or says nothing readable.
     */
    public static long liveHeapKiB(final long pid)
    {
        final Path jcmd = jcmd();
        if (!Files.isExecutable(jcmd))
        {
            return -1;
        }
        try
        {
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            final Matcher m = HEAP_USED.matcher(run(jcmd.toString(), Long.toString(pid), "GC.heap_info"));
            if (!m.find())
            {
                return -1;
            }
            final long v = Long.parseLong(m.group(1));
            return switch (m.group(2))
            {
                case "G" -> v << 20;
                case "M" -> v << 10;
                default -> v;
            };
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * The live heap to the byte: {@code jcmd PID GC.class_histogram} (a full GC first) and its total, where
     * {@link #liveHeapKiB} reads the collector's figure (ZGC rounds it to its pages: megabytes).
     *
     * @param pid a JVM of the same JDK.
     * @return bytes of live objects, or -1 if jcmd is missing or says nothing readable.
     */
    public static long liveHeapBytesByHistogram(final long pid)
    {
        final Path jcmd = jcmd();
        if (!Files.isExecutable(jcmd))
        {
            return -1;
        }
        try
        {
            final Matcher m = HISTOGRAM_TOTAL.matcher(run(jcmd.toString(), Long.toString(pid), "GC.class_histogram"));
            return m.find() ? Long.parseLong(m.group(2)) : -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * The live objects of a JVM by class ({@code jcmd PID GC.class_histogram}, which collects first).
     *
     * @param pid the JVM.
     * @return class name to {instances, bytes}; empty if jcmd is missing or failed.
     */
    public static Map<String, long[]> classHistogram(final long pid)
    {
        final Map<String, long[]> rows = new LinkedHashMap<>();
        final Path jcmd = jcmd();
        if (!Files.isExecutable(jcmd))
        {
            return rows;
        }
        try
        {
            final Matcher m = HISTOGRAM_ROW.matcher(run(jcmd.toString(), Long.toString(pid), "GC.class_histogram"));
            while (m.find())
            {
                rows.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                    (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            rows.clear();
        }
        return rows;
    }

    /**
     * The classes whose live bytes grew most between two histograms, per unit (a session).
     *
     * @param before {@link #classHistogram} earlier.
     * @param after  {@link #classHistogram} later.
     * @param units  what the growth is divided by.
     * @param top    how many classes.
     * @return one line per class: bytes and instances per unit, class name; the largest first.
     */
    public static List<String> histogramGrowth(final Map<String, long[]> before, final Map<String, long[]> after,
        final int units, final int top)
    {
        final List<Map.Entry<String, long[]>> grew = new ArrayList<>();
        after.forEach((name, a) ->
        {
            final long[] b = before.getOrDefault(name, new long[2]);
            grew.add(Map.entry(name, new long[] {a[0] - b[0], a[1] - b[1]}));
        });
        grew.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.min(top, grew.size()) && units > 0; i++)
        {
            final long[] g = grew.get(i).getValue();
            lines.add(String.format(Locale.ROOT, "%8.1f B %6.2f objects  %s", g[1] / (double)units,
                g[0] / (double)units,
                grew.get(i).getKey()));
        }
        return lines;
    }

    /**
     * Native memory tracking of a JVM started with {@code -XX:NativeMemoryTracking=summary}: {@code jcmd PID
     * VM.native_memory ARG}.
     *
     * @param pid the JVM.
     * @param arg {@code baseline} to mark, {@code summary.diff} to compare with the mark.
     * @return jcmd's answer, or why there is none.
     */
    public static String nativeMemory(final long pid, final String arg)
    {
        final Path jcmd = jcmd();
        try
        {
            return run(jcmd.toString(), Long.toString(pid), "VM.native_memory", arg, "scale=KB");
        }
        catch (final IOException ex)
        {
            return "jcmd VM.native_memory " + arg + " failed: " + ex.getMessage();
        }
    }

    /** @return the jcmd of the JDK this probe runs on (the server's JDK). */
    private static Path jcmd()
    {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd");
    }

    private static String run(final String... cmd) throws IOException
    {
        // into a file, not a pipe: a long answer (a class histogram) would fill the pipe and stall jcmd
        final Path out = Files.createTempFile("probe-jcmd", ".txt");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try
        {
            if (!p.waitFor(30, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        }
        catch (final InterruptedException ex)
        {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Reads a process's CPU time (user + system, all its threads) from {@code /proc/PID/stat}: the same source for a
     * JVM, node and a Go binary, so the peers' CPU per delivery are comparable. Resolution is the kernel's clock tick
     * ({@code USER_HZ}, 100 on Linux x86: 10 ms), so measure phases of a second or more.
     *
     * @param pid a process.
     * @return its CPU time in ns, or -1 (not Linux, or gone).
     */
    public static long processCpuNanos(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            final long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * (1_000_000_000L / USER_HZ);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * @return CPU time this process has used, or -1.
     */
    public static long clientCpuNanos()
    {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /**
     * @return the 1, 5 and 15 minute load averages, or "unknown".
     */
    public static String loadAverage()
    {
        try
        {
            final String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }

    /**
     * @return {soft, hard} limit of open files of this process ({-1, -1} if unknown).
     */
    public static long[] openFileLimits()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII))
            {
                if (line.startsWith("Max open files"))
                {
                    final String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return new long[] {parseLimit(f[0]), parseLimit(f[1])};
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux
        }
        return new long[] {-1, -1};
    }

    private static long parseLimit(final String s)
    {
        return "unlimited".equals(s) ? Long.MAX_VALUE : Long.parseLong(s);
    }

    /**
     * Prints the descriptor limits and refuses a session count this process cannot hold.
     *
     * @param sessions sessions this process will open.
     * @return whether they fit.
     */
    public static boolean checkDescriptors(final int sessions)
    {
        final long[] fds = openFileLimits();
        System.out.printf(Locale.ROOT, "open files limit per process: soft %d, hard %d (client and server are separate "
            + "processes; each needs one descriptor per session)%n", fds[0], fds[1]);
        if (fds[0] > 0 && sessions + 200 > fds[0])
        {
            System.err.printf("%d sessions need more than the %d descriptors this process may open%n", sessions, fds[0]);
            return false;
        }
        return true;
    }

    /**
     * @param server the server.
     * @param loadAtStart load average when the probe began.
     * @return the environment block of the JSON.
     */
    public static Map<String, Object> environment(final ServerProcess server, final String loadAtStart)
    {
        final long[] fds = openFileLimits();
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        env.put("open_files_soft", fds[0]);
        env.put("open_files_hard", fds[1]);
        env.put("load_average_at_start", loadAtStart);
        env.put("load_average_at_end", loadAverage());
        env.put("server_command", server.command());
        return env;
    }

    /**
     * @param h a histogram in µs.
     * @return count, mean, p50, p90, p99, p99.9 and max in ms.
     */
    public static Map<String, Object> summary(final Histogram h)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0)
        {
            return m;
        }
        m.put("mean", h.getMean() / 1000.0);
        m.put("p50", h.getValueAtPercentile(50) / 1000.0);
        m.put("p90", h.getValueAtPercentile(90) / 1000.0);
        m.put("p99", h.getValueAtPercentile(99) / 1000.0);
        m.put("p99_9", h.getValueAtPercentile(99.9) / 1000.0);
        m.put("max", h.getMaxValue() / 1000.0);
        return m;
    }

    /**
     * @param what label.
     * @param h    a histogram in µs.
     */
    public static void printLatency(final String what, final Histogram h)
    {
        if (h.getTotalCount() == 0)
        {
            System.out.println(what + ": no samples");
            return;
        }
        System.out.printf(Locale.ROOT, "%s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (n=%d)%n", what,
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
            h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount());
    }

    /**
     * Writes {@code OUT/NAME-STAMP.json}, {@code .svg} (when a histogram has samples) and {@code -server.log}.
     *
     * @param out    results directory.
     * @param name   probe name.
     * @param stamp  timestamp.
     * @param result the JSON document.
     * @param title  plot title.
     * @param plot   series for the percentile plot (µs).
     * @param server the server (its log is copied).
     * @throws IOException on a write failure.
     */
    public static void writeResults(final Path out, final String name, final String stamp,
        final Map<String, Object> result, final String title, final Map<String, Histogram> plot,
        final ServerProcess server) throws IOException
    {
        Files.createDirectories(out);
        final Path json = out.resolve(name + "-" + stamp + ".json");
        result.put("server_log_problems", server.problems());
        Files.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(result) + "\n", StandardCharsets.UTF_8);
        System.out.println("results: " + json.toAbsolutePath());
        final Path svg = out.resolve(name + "-" + stamp + ".svg");
        if (PercentilePlot.write(svg, title, plot))
        {
            System.out.println("plot: " + svg.toAbsolutePath());
        }
        server.copyLog(out.resolve(name + "-" + stamp + "-server.log"));
        @SuppressWarnings("unchecked")
        final List<String> first = (List<String>)server.problems().get("first");
        System.out.println("server log: " + server.problems().get("lines") + " WARN/ERROR/exception lines");
        for (int i = 0; i < Math.min(10, first.size()); i++)
        {
            System.out.println("  " + first.get(i));
        }
    }

    /** A guild set up for a probe: its owner (the poster), its first channel and its members. */
    public record Guild(RestClient.User owner, String channelId, List<RestClient.User> members)
    {
    }

    /**
     * Registers an owner per guild, creates the guild and makes {@code members} more users join it.
     *
     * @param rest    REST client.
     * @param prefix  user/guild name prefix (unique per run).
     * @param guilds  guilds.
     * @param members members per guild besides the owner.
     * @return the guilds.
     * @throws IOException on a REST failure.
     */
    public static List<Guild> setupGuilds(final RestClient rest, final String prefix, final int guilds,
        final int members) throws IOException
    {
        final long t0 = System.nanoTime();
        final List<Guild> out = new ArrayList<>(guilds);
        for (int g = 0; g < guilds; g++)
        {
            final RestClient.User owner = rest.register(prefix + "-owner-" + g);
            final String channel = rest.createGuild(owner, prefix + "-" + g);
            final List<RestClient.User> ms = new ArrayList<>(members);
            for (int u = 0; u < members; u++)
            {
                final RestClient.User m = rest.register(prefix + "-m-" + g + "-" + u);
                rest.join(owner, channel, m);
                ms.add(m);
            }
            out.add(new Guild(owner, channel, ms));
        }
        System.out.printf(Locale.ROOT, "REST setup: %d guilds x (1 owner + %d members) in %d ms%n", guilds, members,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return out;
    }

    /**
     * @return a short id that keeps this run's names apart from earlier ones.
     */
    public static String runId()
    {
        return Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    }

    /**
     * @param nanoTime a {@code System.nanoTime()} to park until.
     */
    public static void parkUntil(final long nanoTime)
    {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; )
        {
            LockSupport.parkNanos(left);
        }
    }
}
