package dev.pinwheel.benchmarks;

import static dev.pinwheel.benchmarks.probe.ProbeSupport.clientCpuNanos;
import static dev.pinwheel.benchmarks.probe.ProbeSupport.loadAverage;
import static dev.pinwheel.benchmarks.probe.ProbeSupport.openFileLimits;
import static dev.pinwheel.benchmarks.probe.ProbeSupport.parkUntil;
import static dev.pinwheel.benchmarks.probe.ProbeSupport.printLatency;
import static dev.pinwheel.benchmarks.probe.ProbeSupport.summary;

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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.probe.DeliveryStats;
import dev.pinwheel.benchmarks.probe.GatewayLoadClient;
import dev.pinwheel.benchmarks.probe.PercentilePlot;
import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.RestClient;
import dev.pinwheel.benchmarks.probe.ServerProcess;

/**
 * End-to-end fanout probe: a real Pinwheel node in a child JVM, N gateway sessions in one guild held by this
 * process, and a poster that sends M messages at a fixed rate over REST. Every delivery's latency is the
 * time from handing the POST to the HTTP client to reading the MESSAGE_CREATE frame on a session (both in
 * this process, so one {@code System.nanoTime()} clock).
 * <pre>
 *   this JVM                                                  child JVM (PinwheelMain, its own fd limit)
 *   poster ──POST /channels/C/messages "fanout-probe #i#"──▶  owner shard: journal, encode once
 *   N sessions (Netty epoll) ◀──── MESSAGE_CREATE x N ─────  every shard: splice seq, write, flush
 *   per delivery: latency (HdrHistogram, raw + corrected for coordinated omission)
 *   per message:  time to last delivery (max over sessions)
 * </pre>
 * Before the measured messages, W warm-up messages (same rate, not recorded) let both JVMs compile the path.
 * <p>
 * Usage: {@code FanoutProbe [--sessions N] [--messages M] [--warmup W] [--rate R] [--users U] [--in-flight K]
 * [--client-threads T] [--shards S] [--server-profile P] [--server-flag F]... [--deadline SECONDS]
 * [--drain SECONDS] [--out DIR]}. Results go to {@code DIR/fanout-<timestamp>.json} (default
 * {@code bench-results}, relative to the working directory) with the server log beside it.
 */
public final class FanoutProbe
{
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final long PROGRESS_SECONDS = 5;

    private final Options o;
    private final long deadlineNanos;
    private volatile String phase = "starting server";
    private volatile GatewayLoadClient client;
    private volatile DeliveryStats stats;
    private final AtomicLong sentCount = new AtomicLong();
    private final LongAdder postOk = new LongAdder();
    private final Map<Integer, LongAdder> postFailures = new java.util.concurrent.ConcurrentHashMap<>();
    private String loadAtStart = "";
    private double[] identifyCpu = {-1, -1};
    private long[] cpuAtPostStart;
    private long[] cpuAtDrained;
    private long lastProgressDeliveries;
    private long lastProgressNanos = System.nanoTime();

    private FanoutProbe(final Options o)
    {
        this.o = o;
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.deadlineSeconds);
    }

    /** Command-line options. */
    private static final class Options
    {
        int sessions = 10_000;
        int messages = 100;
        int warmup = 20;
        double rate = 10;
        int users = 4;
        int inFlight = 256;
        int clientThreads = 1;
        int shards = 2;
        String serverProfile = "dev";
        List<String> serverFlags = new ArrayList<>();
        long deadlineSeconds = 300;
        long drainSeconds = 30;
        Path out = Path.of("bench-results");

        static Options parse(final String[] args)
        {
            final Options o = new Options();
            for (int i = 0; i < args.length; i++)
            {
                final String a = args[i];
                if ("-h".equals(a) || "--help".equals(a))
                {
                    usage(0);
                }
                if (i + 1 >= args.length)
                {
                    System.err.println(a + " needs a value");
                    usage(2);
                }
                final String v = args[++i];
                switch (a)
                {
                    case "--sessions" -> o.sessions = Integer.parseInt(v);
                    case "--messages" -> o.messages = Integer.parseInt(v);
                    case "--warmup" -> o.warmup = Integer.parseInt(v);
                    case "--rate" -> o.rate = Double.parseDouble(v);
                    case "--users" -> o.users = Integer.parseInt(v);
                    case "--in-flight" -> o.inFlight = Integer.parseInt(v);
                    case "--client-threads" -> o.clientThreads = Integer.parseInt(v);
                    case "--shards" -> o.shards = Integer.parseInt(v);
                    case "--server-profile" -> o.serverProfile = v;
                    case "--server-flag" -> o.serverFlags.add(v);
                    case "--deadline" -> o.deadlineSeconds = Long.parseLong(v);
                    case "--drain" -> o.drainSeconds = Long.parseLong(v);
                    case "--out" -> o.out = Path.of(v);
                    default ->
                    {
                        System.err.println("unknown option " + a);
                        usage(2);
                    }
                }
            }
            if (o.sessions < 1 || o.messages < 1 || o.warmup < 0 || o.rate <= 0 || o.users < 1 || o.inFlight < 1 || o.clientThreads < 1)
            {
                System.err.println("sessions, messages, rate, users, in-flight and client-threads must be positive");
                usage(2);
            }
            return o;
        }

        static void usage(final int status)
        {
            System.err.println("""
                usage: FanoutProbe [--sessions N=10000] [--messages M=100] [--warmup W=20] [--rate MSG_PER_S=10] [--users U=4]
                                   [--in-flight K=256] [--client-threads T=1] [--shards S=2]
                                   [--server-profile dev|ci|throughput|latency] [--server-flag JVM_FLAG]...
                                   [--deadline SECONDS=300] [--drain SECONDS=30] [--out DIR=bench-results]""");
            System.exit(status);
        }
    }

    /**
     * @param args see the class comment.
     * @throws Exception on a setup failure (the child server is stopped first).
     */
    public static void main(final String[] args) throws Exception
    {
        final Options o = Options.parse(args);
        final int code = new FanoutProbe(o).run();
        System.exit(code);
    }

    private int run() throws Exception
    {
        final long[] fds = openFileLimits();
        System.out.printf(Locale.ROOT, "fanout-probe: %d sessions, %d messages at %.1f/s, %d users, %d shards, "
            + "server profile %s, deadline %d s%n", o.sessions, o.messages, o.rate, o.users, o.shards, o.serverProfile,
            o.deadlineSeconds);
        System.out.printf(Locale.ROOT, "open files limit per process: soft %d, hard %d (client and server are separate "
            + "processes; each needs one descriptor per session)%n", fds[0], fds[1]);
        loadAtStart = loadAverage();
        System.out.println("load average at start: " + loadAtStart + " (other work on the box skews the numbers)");
        if (fds[0] > 0 && o.sessions + 200 > fds[0])
        {
            System.err.printf("%d sessions need more than the %d descriptors this process may open; use fewer "
                + "sessions or several client processes%n", o.sessions, fds[0]);
            return 2;
        }
        final ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "probe-progress");
            t.setDaemon(true);
            return t;
        });
        progress.scheduleAtFixedRate(this::printProgress, PROGRESS_SECONDS, PROGRESS_SECONDS, TimeUnit.SECONDS);
        ProbeSupport.startWatchdog("fanout-probe", deadlineNanos);
        final Map<String, String> props = ProbeSupport.serverProperties();
        final long t0 = System.nanoTime();
        final ServerProcess server = ServerProcess.start(o.serverProfile, o.shards, props, o.serverFlags,
            Math.min(TimeUnit.SECONDS.toNanos(120), deadlineNanos - t0));
        final AtomicBoolean stopped = new AtomicBoolean();
        final Thread hook = new Thread(() ->
        {
            if (stopped.compareAndSet(false, true))
            {
                server.close();
            }
        }, "probe-stop-server");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.printf(Locale.ROOT, "server pid %d serving on %s:%d after %d ms (log %s)%n", server.pid(),
            server.host(), server.port(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), server.log());
        final String stamp = LocalDateTime.now().format(STAMP);
        try
        {
            return measure(server, stamp);
        }
        finally
        {
            phase = "stopping";
            final GatewayLoadClient c = client;
            if (c != null)
            {
                c.close();
            }
            Files.createDirectories(o.out);
            final Map<String, Object> problems = server.problems();
            server.copyLog(o.out.resolve("fanout-" + stamp + "-server.log"));
            if (stopped.compareAndSet(false, true))
            {
                server.close();
            }
            progress.shutdownNow();
            printProblems(problems);
        }
    }

    private int measure(final ServerProcess server, final String stamp) throws Exception
    {
        phase = "REST setup";
        final long setupStart = System.nanoTime();
        final RestClient rest = new RestClient(server.host(), server.port());
        final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        final RestClient.User poster = rest.register("probe-poster-" + run);
        final long registered = System.nanoTime();
        final String channelId = rest.createGuild(poster, "fanout-probe-" + run);
        final long guildCreated = System.nanoTime();
        final List<RestClient.User> members = new ArrayList<>();
        for (int u = 0; u < o.users; u++)
        {
            final RestClient.User m = rest.register("probe-member-" + run + "-" + u);
            rest.join(poster, channelId, m);
            members.add(m);
        }
        final long setupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - setupStart);
        System.out.printf(Locale.ROOT, "REST setup: %d users, guild channel %s in %d ms (first register %d ms, guild "
            + "%d ms, then %.0f ms per member: register + invite + join)%n", o.users + 1, channelId, setupMillis,
            TimeUnit.NANOSECONDS.toMillis(registered - setupStart), TimeUnit.NANOSECONDS.toMillis(guildCreated - registered),
            (System.nanoTime() - guildCreated) / 1e6 / o.users);

        final long intervalNanos = (long)(1e9 / o.rate);
        final DeliveryStats st = new DeliveryStats(o.messages, intervalNanos);
        stats = st;
        final GatewayLoadClient c = new GatewayLoadClient(server.host(), server.port(), o.clientThreads, st);
        client = c;
        final List<String> tokens = new ArrayList<>(o.sessions);
        for (int i = 0; i < o.sessions; i++)
        {
            tokens.add(members.get(i % members.size()).token());
        }
        phase = "identifying";
        final long postingNanos = intervalNanos * (o.messages + o.warmup) + TimeUnit.SECONDS.toNanos(3);
        final long connectDeadline = deadlineNanos - postingNanos - TimeUnit.SECONDS.toNanos(o.drainSeconds);
        final long connectStart = System.nanoTime();
        final long[] cpuAtConnect = {server.cpuNanos(), clientCpuNanos()};
        final int ready = c.open(tokens, o.inFlight, Math.max(connectDeadline, connectStart + TimeUnit.SECONDS.toNanos(10)));
        final long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart);
        identifyCpu = new double[] {(server.cpuNanos() - cpuAtConnect[0]) / 1e9, (clientCpuNanos() - cpuAtConnect[1]) / 1e9};
        System.out.printf(Locale.ROOT, "sessions ready: %d of %d in %d ms (%.0f/s), %d failed attempts; CPU server %.2f s, "
            + "client %.2f s%n", ready, o.sessions, connectMillis, ready * 1000.0 / Math.max(1, connectMillis),
            c.failedAttempts(), identifyCpu[0], identifyCpu[1]);
        if (ready == 0)
        {
            System.err.println("no session became ready: " + c.reasons());
            return 1;
        }

        phase = "settling";
        Thread.sleep(1000);
        if (o.warmup > 0)
        {
            phase = "warming up";
            final long warmStart = System.nanoTime();
            for (int i = 0; i < o.warmup && System.nanoTime() - deadlineNanos < 0; i++)
            {
                parkUntil(warmStart + i * intervalNanos);
                rest.postAsync(poster, channelId, "fanout-probe-warmup " + i);
            }
            Thread.sleep(Math.max(1000, TimeUnit.NANOSECONDS.toMillis(intervalNanos) * 2));
        }
        final int recipients = c.ready();
        phase = "posting";
        final long postStart = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        cpuAtPostStart = new long[] {server.cpuNanos(), clientCpuNanos()};
        int sent = 0;
        for (int i = 0; i < o.messages; i++)
        {
            final long target = postStart + i * intervalNanos;
            if (target - deadlineNanos >= 0)
            {
                System.err.println("deadline reached while posting; stopping after " + i + " messages");
                break;
            }
            parkUntil(target);
            final long now = System.nanoTime();
            st.sent(i, now);
            rest.postAsync(poster, channelId, "fanout-probe #" + i + "# " + now).whenComplete((status, ex) ->
            {
                final int key = ex != null ? -1 : status;
                if (key / 100 == 2)
                {
                    postOk.increment();
                }
                else
                {
                    postFailures.computeIfAbsent(key, k -> new LongAdder()).increment();
                }
            });
            sent++;
            sentCount.set(sent);
        }
        final long postEnd = System.nanoTime();

        phase = "draining";
        final long drainDeadline = Math.min(deadlineNanos, postEnd + TimeUnit.SECONDS.toNanos(o.drainSeconds));
        while (System.nanoTime() - drainDeadline < 0 && !allDelivered(st, sent, recipients))
        {
            Thread.sleep(20);
        }
        final long drainedAt = System.nanoTime();
        cpuAtDrained = new long[] {server.cpuNanos(), clientCpuNanos()};
        phase = "reporting";
        final Map<String, Object> result = report(st, server, sent, recipients, ready, connectMillis, setupMillis,
            postStart, postEnd, drainedAt, intervalNanos);
        Files.createDirectories(o.out);
        final Path file = o.out.resolve("fanout-" + stamp + ".json");
        final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(file, mapper.writeValueAsString(result) + "\n", StandardCharsets.UTF_8);
        System.out.println("results: " + file.toAbsolutePath());
        final Map<String, Histogram> plot = new LinkedHashMap<>();
        plot.put("delivery, corrected", st.corrected());
        plot.put("delivery, raw", st.raw());
        final Path svg = o.out.resolve("fanout-" + stamp + ".svg");
        if (PercentilePlot.write(svg, String.format(Locale.ROOT, "fanout-probe: %d messages x %d sessions at %.1f/s",
            sent, recipients, o.rate), plot))
        {
            System.out.println("plot: " + svg.toAbsolutePath());
        }
        return 0;
    }

    private static boolean allDelivered(final DeliveryStats st, final int sent, final int recipients)
    {
        for (int i = 0; i < sent; i++)
        {
            if (st.received(i) < recipients)
            {
                return false;
            }
        }
        return true;
    }

    private Map<String, Object> report(final DeliveryStats st, final ServerProcess server, final int sent,
        final int recipients, final int ready, final long connectMillis, final long setupMillis, final long postStart,
        final long postEnd, final long drainedAt, final long intervalNanos)
    {
        final Histogram ttl = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        int complete = 0;
        long lastDelivery = 0;
        for (int i = 0; i < sent; i++)
        {
            final long last = st.lastDeliveryNanos(i);
            if (last != 0 && (lastDelivery == 0 || last - lastDelivery > 0))
            {
                lastDelivery = last;
            }
            if (st.received(i) >= recipients)
            {
                complete++;
                ttl.recordValue(Math.min(TimeUnit.MINUTES.toMicros(10),
                    Math.max(0, TimeUnit.NANOSECONDS.toMicros(last - st.sendNanos(i)))));
            }
        }
        final long deliveries = st.deliveries();
        final long expected = (long)sent * recipients;
        final double spanSeconds = lastDelivery == 0 ? 0 : (lastDelivery - st.sendNanos(0)) / 1e9;
        final double deliveriesPerSecond = spanSeconds <= 0 ? 0 : deliveries / spanSeconds;
        final Histogram raw = st.raw();
        final Histogram corrected = st.corrected();
        final Histogram identify = st.identify();

        System.out.println();
        System.out.printf(Locale.ROOT, "=== fanout: %d messages x %d sessions (%d deliveries expected, %d recorded, "
            + "%d missing) ===%n", sent, recipients, expected, deliveries, Math.max(0, expected - deliveries));
        printLatency("delivery latency, corrected (CO, interval " + st.expectedIntervalMicros() / 1000.0 + " ms)",
            corrected);
        printLatency("delivery latency, raw (from actual send)", raw);
        printLatency("time to last delivery per message (" + complete + " of " + sent + " complete)", ttl);
        printLatency("connect to GUILD_CREATE per session", identify);
        System.out.printf(Locale.ROOT, "deliveries/s: %.0f over %.2f s (first send to last delivery); offered "
            + "%.0f/s%n", deliveriesPerSecond, spanSeconds, recipients * o.rate);
        System.out.printf(Locale.ROOT, "posts: %d ok, failures %s; out of server order %d, duplicates %d, unknown %d, "
            + "overtaken before the owner shard %d; sessions lost after ready %d%n", postOk.sum(), failures(),
            st.outOfOrder(), st.duplicates(), st.unknown(), st.overtaken(), client.lost());
        System.out.printf(Locale.ROOT, "CPU from first post to last delivery (%.2f s wall, %d cores): server %.2f s, "
            + "client %.2f s%n", (drainedAt - postStart) / 1e9, Runtime.getRuntime().availableProcessors(),
            cpuSeconds(0), cpuSeconds(1));
        if (!client.reasons().isEmpty())
        {
            System.out.println("session failures/closes: " + client.reasons());
        }

        final Map<String, Object> r = new LinkedHashMap<>();
        final Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("sessions", o.sessions);
        cfg.put("messages", o.messages);
        cfg.put("warmup_messages", o.warmup);
        cfg.put("rate_per_second", o.rate);
        cfg.put("users", o.users);
        cfg.put("in_flight", o.inFlight);
        cfg.put("client_threads", o.clientThreads);
        cfg.put("client_transport", GatewayLoadClient.transport());
        cfg.put("shards", o.shards);
        cfg.put("server_profile", o.serverProfile);
        cfg.put("server_flags", o.serverFlags);
        cfg.put("deadline_seconds", o.deadlineSeconds);
        r.put("config", cfg);
        final long[] fds = openFileLimits();
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        env.put("open_files_soft", fds[0]);
        env.put("open_files_hard", fds[1]);
        env.put("load_average_at_start", loadAtStart);
        env.put("load_average_at_end", loadAverage());
        env.put("server_command", server.command());
        r.put("environment", env);
        final Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("rest_setup_ms", setupMillis);
        setup.put("sessions_ready", ready);
        setup.put("recipients_at_first_post", recipients);
        setup.put("connect_ms", connectMillis);
        setup.put("sessions_per_second", ready * 1000.0 / Math.max(1, connectMillis));
        setup.put("failed_attempts", client.failedAttempts());
        setup.put("identify_ms", summary(identify));
        setup.put("server_cpu_seconds", identifyCpu[0]);
        setup.put("client_cpu_seconds", identifyCpu[1]);
        r.put("setup", setup);
        final Map<String, Object> fan = new LinkedHashMap<>();
        fan.put("messages_sent", sent);
        fan.put("posts_ok", postOk.sum());
        fan.put("post_failures", failures());
        fan.put("deliveries_expected", expected);
        fan.put("deliveries", deliveries);
        fan.put("deliveries_missing", Math.max(0, expected - deliveries));
        fan.put("messages_complete", complete);
        fan.put("deliveries_per_second", deliveriesPerSecond);
        fan.put("span_seconds", spanSeconds);
        fan.put("posting_seconds", (postEnd - postStart) / 1e9);
        fan.put("drain_seconds", (drainedAt - postEnd) / 1e9);
        fan.put("server_cpu_seconds", cpuSeconds(0));
        fan.put("client_cpu_seconds", cpuSeconds(1));
        fan.put("send_interval_ms", intervalNanos / 1e6);
        fan.put("latency_corrected_ms", summary(corrected));
        fan.put("latency_raw_ms", summary(raw));
        fan.put("time_to_last_delivery_ms", summary(ttl));
        fan.put("out_of_server_order", st.outOfOrder());
        fan.put("overtaken_before_owner", st.overtaken());
        fan.put("duplicates", st.duplicates());
        fan.put("unknown", st.unknown());
        fan.put("sessions_lost", client.lost());
        fan.put("session_failure_reasons", client.reasons());
        r.put("fanout", fan);
        r.put("server_log_problems", server.problems());
        return r;
    }

    private double cpuSeconds(final int which)
    {
        if (cpuAtPostStart == null || cpuAtDrained == null || cpuAtPostStart[which] < 0 || cpuAtDrained[which] < 0)
        {
            return -1;
        }
        return (cpuAtDrained[which] - cpuAtPostStart[which]) / 1e9;
    }

    private Map<Integer, Long> failures()
    {
        final Map<Integer, Long> out = new java.util.TreeMap<>();
        postFailures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private synchronized void printProgress()
    {
        final long now = System.nanoTime();
        final GatewayLoadClient c = client;
        final DeliveryStats st = stats;
        final long deliveries = st == null ? 0 : st.deliveries();
        final double rate = (deliveries - lastProgressDeliveries) / ((now - lastProgressNanos) / 1e9);
        lastProgressDeliveries = deliveries;
        lastProgressNanos = now;
        System.out.printf(Locale.ROOT, "[%s] ready %d, failed attempts %d, lost %d | sent %d/%d | deliveries %d "
            + "(%.0f/s) | %d s left%n", phase, c == null ? 0 : c.ready(), c == null ? 0 : c.failedAttempts(),
            c == null ? 0 : c.lost(), sentCount.get(), o.messages, deliveries, rate,
            TimeUnit.NANOSECONDS.toSeconds(deadlineNanos - now));
    }

    private static void printProblems(final Map<String, Object> problems)
    {
        final long lines = ((Number)problems.get("lines")).longValue();
        System.out.println("server log: " + lines + " WARN/ERROR/exception lines");
        @SuppressWarnings("unchecked")
        final List<String> first = (List<String>)problems.get("first");
        for (int i = 0; i < Math.min(10, first.size()); i++)
        {
            System.out.println("  " + first.get(i));
        }
    }
}
