package dev.pinwheel.benchmarks;

import static dev.pinwheel.benchmarks.probe.ProbeSupport.parkUntil;
import static dev.pinwheel.benchmarks.probe.ProbeSupport.printLatency;
import static dev.pinwheel.benchmarks.probe.ProbeSupport.summary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.probe.DeliveryStats;
import dev.pinwheel.benchmarks.probe.GatewayLoadClient;
import dev.pinwheel.benchmarks.probe.PeerWsClient;
import dev.pinwheel.benchmarks.probe.PercentilePlot;
import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.PostConnections;
import dev.pinwheel.benchmarks.probe.RestClient;
import dev.pinwheel.benchmarks.probe.ServerProcess;
import dev.pinwheel.benchmarks.probe.WireProtocol;

/**
 * The fanout workload against Pinwheel and real pub/sub WebSocket peers in one run, with one client harness
 * (Netty epoll WebSocket sessions, {@link DeliveryStats}, one {@code System.nanoTime()} clock):
 * <pre>
 *   for each system (pinwheel, uws, nats), in turn, alone on the box:
 *     start it ─▶ RSS before ─▶ N subscribers ─▶ settle ─▶ RSS after: (after - before) / N per idle session
 *     W warm-up messages, recorded and then forgotten ─▶ M messages at R/s, each "fanout-probe #id# nanos" ─▶
 *     latency per delivery,
 *     time to last delivery per message ─▶ B messages unpaced (burst) ─▶ sustained deliveries/s ─▶ stop it
 *   table + Pinwheel/peer ratios, JSON + SVG in --out
 * </pre>
 * Pinwheel: gateway sessions (IDENTIFY, GUILD_CREATE) into one guild, messages POSTed over REST by the owner.
 * uWebSockets.js: {@code benchmarks/peers/uws-pubsub.js} on node (every connection subscribes to "guild", a frame
 * sent is published to it). NATS: {@code nats-server -c benchmarks/peers/nats.conf}, the NATS text protocol in WS
 * frames ({@link WireProtocol.Nats}). The peers are installed by {@code benchmarks/run.sh peer-probe}.
 */
public final class PeerFanoutProbe
{
    private static final String USAGE = """
        usage: PeerFanoutProbe [--systems pinwheel,uws,nats] [--sessions N=2000] [--messages M=50] [--rate R=10]
                               [--warmup W=10] [--burst B=200] [--in-flight K=256] [--client-threads T=1]
                               [--users U=4] [--shards S=2] [--server-profile dev] [--server-flag F]...
                               [--system-deadline SECONDS=90] [--drain SECONDS=10] [--out DIR=bench-results]
                               [--peers-dir DIR=benchmarks/peers] [--uws-modules DIR] [--node node]
                               [--nats-server nats-server] [--post-connections K=16]""";
    private static final Pattern UWS_LISTENING = Pattern.compile("uws listening on [^:]+:(\\d+)");
    private static final long TEN_MIN_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final ProbeSupport.Args a;

    private PeerFanoutProbe(final ProbeSupport.Args a)
    {
        this.a = a;
    }

    /**
     * @param args see {@link #USAGE}.
     * @throws Exception on a failure outside a system's run.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("systems", "pinwheel,uws,nats");
        d.put("sessions", "2000");
        d.put("messages", "50");
        d.put("rate", "10");
        d.put("warmup", "10");
        d.put("burst", "200");
        d.put("in-flight", "256");
        d.put("client-threads", "1");
        d.put("users", "4");
        d.put("shards", "2");
        d.put("server-profile", "dev");
        d.put("system-deadline", "90");
        d.put("drain", "10");
        d.put("out", "bench-results");
        d.put("peers-dir", "benchmarks/peers");
        d.put("uws-modules", "");
        d.put("node", "node");
        d.put("nats-server", "nats-server");
        d.put("post-connections", "16");
        final ProbeSupport.Args a = new ProbeSupport.Args(USAGE, d, args);
        System.exit(new PeerFanoutProbe(a).run());
    }

    /** One system under test: how to start it, subscribe, publish and stop it. */
    interface Target extends AutoCloseable
    {
        String name();

        /** Starts the server; returns its pid (for RSS). */
        long start(long deadlineNanos) throws Exception;

        /** Opens n subscribers recording into st and the publisher; returns subscribers ready. */
        int subscribe(int n, DeliveryStats st, long deadlineNanos) throws Exception;

        void publish(String payload);

        int lost();

        Map<String, Long> reasons();

        Map<String, Object> describe();

        /** @return live heap after a full GC in KiB (JVM servers), or -1. */
        default long liveHeapKiB()
        {
            return -1;
        }

        @Override
        void close();
    }

    private int run() throws Exception
    {
        final int n = a.positiveInt("sessions");
        final long[] fds = ProbeSupport.openFileLimits();
        final String[] systems = a.string("systems").split(",");
        final long perSystem = TimeUnit.SECONDS.toNanos(Long.parseLong(a.string("system-deadline")));
        System.out.printf(Locale.ROOT, "peer-probe: %s; %d subscribers, %d messages at %.1f/s (+%d warm-up), burst %d; "
            + "open files soft %d / hard %d; load %s%n", String.join(",", systems), n, a.positiveInt("messages"),
            a.number("rate"), Integer.parseInt(a.string("warmup")), Integer.parseInt(a.string("burst")), fds[0], fds[1],
            ProbeSupport.loadAverage());
        if (!ProbeSupport.checkDescriptors(n))
        {
            return 2;
        }
        ProbeSupport.startWatchdog("peer-probe", System.nanoTime() + perSystem * systems.length);
        final String stamp = ProbeSupport.stamp();
        final Path out = Path.of(a.string("out"));
        Files.createDirectories(out);
        final Map<String, Map<String, Object>> results = new LinkedHashMap<>();
        final Map<String, Histogram> plot = new LinkedHashMap<>();
        for (final String s : systems)
        {
            final Target t = switch (s.trim())
            {
                case "pinwheel" -> new PinwheelTarget(out.resolve("peer-" + stamp + "-pinwheel-server.log"));
                case "uws" -> new UwsTarget(out.resolve("peer-" + stamp + "-uws.log"));
                case "nats" -> new NatsTarget(out.resolve("peer-" + stamp + "-nats.log"));
                default -> throw new IllegalArgumentException("unknown system " + s);
            };
            final Runnable stop = t::close;
            final Thread hook = new Thread(stop, "stop-" + t.name());
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.println();
            System.out.println("=== " + t.name() + " ===");
            try
            {
                final Map<String, Object> r = measure(t, n, System.nanoTime() + perSystem, plot);
                results.put(t.name(), r);
            }
            catch (final Exception ex)
            {
                System.err.println(t.name() + ": " + ex);
                results.put(t.name(), Map.of("error", String.valueOf(ex)));
            }
            finally
            {
                t.close();
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            Thread.sleep(1000);
        }
        final Map<String, Object> ratios = ratios(results);
        printTable(results, ratios);
        final Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("config", a.asMap());
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        env.put("open_files_soft", fds[0]);
        env.put("open_files_hard", fds[1]);
        env.put("load_average_at_end", ProbeSupport.loadAverage());
        doc.put("environment", env);
        doc.put("systems", results);
        doc.put("ratios_pinwheel_over_peer", ratios);
        final Path json = out.resolve("peer-" + stamp + ".json");
        Files.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc)
            + "\n", StandardCharsets.UTF_8);
        System.out.println("results: " + json.toAbsolutePath());
        final Path svg = out.resolve("peer-" + stamp + ".svg");
        if (PercentilePlot.write(svg, String.format(Locale.ROOT, "peer-probe: delivery latency (corrected), %d "
            + "subscribers, %.1f msg/s", n, a.number("rate")), plot))
        {
            System.out.println("plot: " + svg.toAbsolutePath());
        }
        return 0;
    }

    private Map<String, Object> measure(final Target t, final int n, final long deadline,
        final Map<String, Histogram> plot) throws Exception
    {
        final int messages = a.positiveInt("messages");
        final int warmup = Integer.parseInt(a.string("warmup"));
        final int burst = Integer.parseInt(a.string("burst"));
        final double rate = a.number("rate");
        final long interval = (long)(1e9 / rate);
        final long drain = TimeUnit.SECONDS.toNanos(Long.parseLong(a.string("drain")));
        final long t0 = System.nanoTime();
        final long pid = t.start(deadline);
        System.out.printf(Locale.ROOT, "%s: pid %d up after %d ms%n", t.name(), pid,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        Thread.sleep(1000);
        final long heapBefore = t.liveHeapKiB();
        final long rssBefore = ProbeSupport.rssKiB(pid);
        final DeliveryStats st = new DeliveryStats(warmup + messages + burst, interval);
        final long c0 = System.nanoTime();
        final long budget = (interval * (messages + warmup)) + drain * 2 + TimeUnit.SECONDS.toNanos(8);
        final int ready = t.subscribe(n, st, Math.max(c0 + TimeUnit.SECONDS.toNanos(10), deadline - budget));
        final long connectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0);
        Thread.sleep(2000);
        final long rssAfter = ProbeSupport.rssKiB(pid);
        final double perSession = ready == 0 ? -1 : (rssAfter - rssBefore) / (double)ready;
        final long heapAfter = heapBefore < 0 ? -1 : t.liveHeapKiB();
        final double heapPerSession = ready == 0 || heapBefore < 0 || heapAfter < 0 ? -1
            : (heapAfter - heapBefore) / (double)ready;
        if (heapPerSession >= 0)
        {
            System.out.printf(Locale.ROOT, "%s: live heap after full GC %d -> %d KiB = %.2f KiB per idle session%n",
                t.name(), heapBefore, heapAfter, heapPerSession);
        }
        System.out.printf(Locale.ROOT, "%s: %d of %d subscribers in %d ms; RSS %d -> %d KiB = %.2f KiB per idle "
            + "session%n", t.name(), ready, n, connectMs, rssBefore, rssAfter, perSession);
        if (ready == 0)
        {
            throw new IllegalStateException("no subscriber ready: " + t.reasons());
        }
        final long w0 = System.nanoTime();
        // the warm-up messages are probe messages (ids 0..W-1) and take the measured path through the client (its
        // frame reading, recording, histograms): compiled before the measured phase for every system alike, where
        // the first system of a run used to pay for compiling the client's shared recording code in its own figures
        for (int i = 0; i < warmup; i++)
        {
            parkUntil(w0 + i * interval);
            final long now = System.nanoTime();
            st.sent(i, now);
            t.publish("fanout-probe #" + i + "# " + now);
        }
        awaitAll(st, 0, warmup, ready, Math.min(deadline, System.nanoTime() + drain));
        Thread.sleep(Math.max(1000, TimeUnit.NANOSECONDS.toMillis(interval) * 2));
        st.countFrom(warmup);
        final int m0 = warmup; // the first measured id

        // paced phase
        final String loadAtStart = ProbeSupport.loadAverage();
        final long[] cpuPaced0 = {ProbeSupport.processCpuNanos(pid), ProbeSupport.clientCpuNanos()};
        final long p0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        int sent = 0;
        for (int i = 0; i < messages && System.nanoTime() - deadline < 0; i++)
        {
            parkUntil(p0 + i * interval);
            final long now = System.nanoTime();
            st.sent(m0 + i, now);
            t.publish("fanout-probe #" + (m0 + i) + "# " + now);
            sent++;
        }
        awaitAll(st, m0, m0 + sent, ready, Math.min(deadline, System.nanoTime() + drain));
        final long[] cpuPaced1 = {ProbeSupport.processCpuNanos(pid), ProbeSupport.clientCpuNanos()};
        final Histogram raw = st.raw();
        final Histogram corrected = st.corrected();
        final long pacedDeliveries = st.deliveries();
        final Histogram ttl = new Histogram(TEN_MIN_MICROS, 3);
        int complete = 0;
        for (int i = 0; i < sent; i++)
        {
            if (st.received(m0 + i) >= ready)
            {
                complete++;
                ttl.recordValue(Math.min(TEN_MIN_MICROS, TimeUnit.NANOSECONDS.toMicros(st.lastDeliveryNanos(m0 + i)
                    - st.sendNanos(m0 + i))));
            }
        }

        // burst phase: unpaced
        double burstRate = -1;
        long burstDeliveries = 0;
        double burstSpan = 0;
        int burstSent = 0;
        long[] cpuBurst0 = {-1, -1};
        long[] cpuBurst1 = {-1, -1};
        if (burst > 0)
        {
            Thread.sleep(500);
            cpuBurst0 = new long[] {ProbeSupport.processCpuNanos(pid), ProbeSupport.clientCpuNanos()};
            for (int i = m0 + messages; i < m0 + messages + burst && System.nanoTime() - deadline < 0; i++)
            {
                final long now = System.nanoTime();
                st.sent(i, now);
                t.publish("fanout-probe #" + i + "# " + now);
                burstSent++;
            }
            awaitAll(st, m0 + messages, m0 + messages + burstSent, ready,
                Math.min(deadline, System.nanoTime() + drain));
            cpuBurst1 = new long[] {ProbeSupport.processCpuNanos(pid), ProbeSupport.clientCpuNanos()};
            long last = 0;
            for (int i = m0 + messages; i < m0 + messages + burstSent; i++)
            {
                final long l = st.lastDeliveryNanos(i);
                if (l != 0 && (last == 0 || l - last > 0))
                {
                    last = l;
                }
            }
            burstDeliveries = st.deliveries() - pacedDeliveries;
            burstSpan = last == 0 ? 0 : (last - st.sendNanos(m0 + messages)) / 1e9;
            burstRate = burstSpan <= 0 ? -1 : burstDeliveries / burstSpan;
        }
        final long expected = (long)sent * ready;
        final double serverUsPaced = microsPer(cpuPaced0[0], cpuPaced1[0], pacedDeliveries);
        final double clientUsPaced = microsPer(cpuPaced0[1], cpuPaced1[1], pacedDeliveries);
        final double serverUsBurst = microsPer(cpuBurst0[0], cpuBurst1[0], burstDeliveries);
        final double clientUsBurst = microsPer(cpuBurst0[1], cpuBurst1[1], burstDeliveries);
        final String loadAtEnd = ProbeSupport.loadAverage();
        printLatency(t.name() + " delivery latency, corrected (interval " + interval / 1e6 + " ms)", corrected);
        printLatency(t.name() + " delivery latency, raw", raw);
        printLatency(t.name() + " time to last delivery (" + complete + " of " + sent + " complete)", ttl);
        System.out.printf(Locale.ROOT, "%s: paced deliveries %d of %d; burst %d msgs: %d of %d deliveries in %.3f s = "
            + "%.0f deliveries/s; lost %d; %s%n", t.name(), pacedDeliveries, expected, burstSent, burstDeliveries,
            (long)burstSent * ready, burstSpan, burstRate, t.lost(), t.reasons());
        System.out.printf(Locale.ROOT, "%s: CPU per delivery (/proc/PID/stat), server %.2f µs paced, %.2f µs burst; "
            + "client %.2f / %.2f µs; load %s -> %s%n", t.name(), serverUsPaced, serverUsBurst, clientUsPaced,
            clientUsBurst, loadAtStart, loadAtEnd);
        plot.put(t.name(), corrected);
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("server", t.describe());
        r.put("pid", pid);
        r.put("subscribers_ready", ready);
        r.put("connect_ms", connectMs);
        r.put("rss_before_kib", rssBefore);
        r.put("rss_after_kib", rssAfter);
        r.put("rss_per_idle_session_kib", perSession);
        r.put("live_heap_before_kib", heapBefore);
        r.put("live_heap_after_kib", heapAfter);
        r.put("live_heap_per_idle_session_kib", heapPerSession);
        r.put("messages_sent", sent);
        r.put("deliveries_expected", expected);
        r.put("deliveries", pacedDeliveries);
        r.put("messages_complete", complete);
        r.put("latency_corrected_ms", summary(corrected));
        r.put("latency_raw_ms", summary(raw));
        r.put("time_to_last_delivery_ms", summary(ttl));
        r.put("burst_messages", burstSent);
        r.put("burst_deliveries", burstDeliveries);
        r.put("burst_deliveries_expected", (long)burstSent * ready);
        r.put("burst_span_seconds", burstSpan);
        r.put("burst_deliveries_per_second", burstRate);
        r.put("server_cpu_per_delivery_us_paced", serverUsPaced);
        r.put("server_cpu_per_delivery_us_burst", serverUsBurst);
        r.put("client_cpu_per_delivery_us_paced", clientUsPaced);
        r.put("client_cpu_per_delivery_us_burst", clientUsBurst);
        r.put("load_average_start", loadAtStart);
        r.put("load_average_end", loadAtEnd);
        r.put("unknown", st.unknown());
        r.put("overtaken", st.overtaken());
        r.put("subscribers_lost", t.lost());
        r.put("reasons", t.reasons());
        return r;
    }

    /** @return CPU µs per delivery between two readings, or -1 when a reading failed or nothing was delivered. */
    private static double microsPer(final long cpu0, final long cpu1, final long deliveries)
    {
        return cpu0 < 0 || cpu1 < 0 || deliveries <= 0 ? -1 : (cpu1 - cpu0) / 1e3 / deliveries;
    }

    private static void awaitAll(final DeliveryStats st, final int from, final int to, final int recipients,
        final long deadline) throws InterruptedException
    {
        outer:
        while (System.nanoTime() - deadline < 0)
        {
            for (int i = from; i < to; i++)
            {
                if (st.received(i) < recipients)
                {
                    Thread.sleep(10);
                    continue outer;
                }
            }
            return;
        }
    }

    @SuppressWarnings("unchecked")
    private static double metric(final Map<String, Object> r, final String key, final String sub)
    {
        if (r == null || !r.containsKey(key))
        {
            return Double.NaN;
        }
        final Object v = sub == null ? r.get(key) : ((Map<String, Object>)r.get(key)).get(sub);
        return v instanceof Number num ? num.doubleValue() : Double.NaN;
    }

    private static final String[][] METRICS = {
        {"time to last delivery p50 (ms)", "time_to_last_delivery_ms", "p50"},
        {"time to last delivery p99 (ms)", "time_to_last_delivery_ms", "p99"},
        {"delivery latency p50 (ms, corrected)", "latency_corrected_ms", "p50"},
        {"delivery latency p99 (ms, corrected)", "latency_corrected_ms", "p99"},
        {"sustained deliveries/s (burst)", "burst_deliveries_per_second", null},
        {"server CPU per delivery, burst (µs)", "server_cpu_per_delivery_us_burst", null},
        {"server CPU per delivery, paced (µs)", "server_cpu_per_delivery_us_paced", null},
        {"client CPU per delivery, burst (µs)", "client_cpu_per_delivery_us_burst", null},
        {"RSS per idle session (KiB)", "rss_per_idle_session_kib", null},
    };

    private static Map<String, Object> ratios(final Map<String, Map<String, Object>> results)
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        final Map<String, Object> pw = results.get("pinwheel");
        for (final String peer : results.keySet())
        {
            if ("pinwheel".equals(peer) || pw == null)
            {
                continue;
            }
            final Map<String, Object> m = new LinkedHashMap<>();
            for (final String[] k : METRICS)
            {
                final double p = metric(pw, k[1], k[2]);
                final double q = metric(results.get(peer), k[1], k[2]);
                m.put(k[0], q == 0 || Double.isNaN(p) || Double.isNaN(q) ? null : p / q);
            }
            out.put(peer, m);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void printTable(final Map<String, Map<String, Object>> results, final Map<String, Object> ratios)
    {
        final List<String> names = new ArrayList<>(results.keySet());
        final StringBuilder sb = new StringBuilder("\n| metric |");
        names.forEach(s -> sb.append(' ').append(s).append(" |"));
        ratios.keySet().forEach(s -> sb.append(" pinwheel/").append(s).append(" |"));
        sb.append("\n|---|");
        names.forEach(s -> sb.append("---:|"));
        ratios.keySet().forEach(s -> sb.append("---:|"));
        sb.append('\n');
        for (final String[] k : METRICS)
        {
            sb.append("| ").append(k[0]).append(" |");
            for (final String s : names)
            {
                final double v = metric(results.get(s), k[1], k[2]);
                sb.append(' ').append(Double.isNaN(v) ? "n/a" : v >= 1000 ? String.format(Locale.ROOT, "%,.0f", v)
                    : String.format(Locale.ROOT, "%.2f", v)).append(" |");
            }
            for (final String s : ratios.keySet())
            {
                final Object v = ((Map<String, Object>)ratios.get(s)).get(k[0]);
                sb.append(' ').append(v == null ? "n/a" : String.format(Locale.ROOT, "%.2f×", (Double)v)).append(" |");
            }
            sb.append('\n');
        }
        System.out.print(sb);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    private static void stopProcess(final Process p)
    {
        if (p == null || !p.isAlive())
        {
            return;
        }
        p.destroy();
        try
        {
            if (!p.waitFor(5, TimeUnit.SECONDS))
            {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** Pinwheel: the child JVM of the other probes, gateway sessions, REST posts. */
    private final class PinwheelTarget implements Target
    {
        private ServerProcess server;
        private GatewayLoadClient client;
        private RestClient rest;
        private RestClient.User poster;
        private String channel;
        private final Path log;
        /** Posts on K keep-alive connections, or null: unbounded, on the JDK's client (a connection per post). */
        private PostConnections posts;

        PinwheelTarget(final Path log)
        {
            this.log = log;
        }

        @Override
        public String name()
        {
            return "pinwheel";
        }

        @Override
        public long start(final long deadlineNanos) throws Exception
        {
            server = ServerProcess.start(a.string("server-profile"), a.positiveInt("shards"),
                ProbeSupport.serverProperties(), a.serverFlags(),
                Math.min(TimeUnit.SECONDS.toNanos(60), deadlineNanos - System.nanoTime()));
            rest = new RestClient(server.host(), server.port());
            final ProbeSupport.Guild g = ProbeSupport.setupGuilds(rest, "peer-" + ProbeSupport.runId(), 1,
                a.positiveInt("users")).get(0);
            poster = g.owner();
            channel = g.channelId();
            final int k = Integer.parseInt(a.string("post-connections"));
            posts = k > 0 ? new PostConnections(server.host(), server.port(), k) : null;
            members = g.members();
            return server.pid();
        }

        private List<RestClient.User> members;

        @Override
        public int subscribe(final int n, final DeliveryStats st, final long deadlineNanos) throws Exception
        {
            client = new GatewayLoadClient(server.host(), server.port(), a.positiveInt("client-threads"), st);
            final List<String> tokens = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                tokens.add(members.get(i % members.size()).token());
            }
            return client.open(tokens, a.positiveInt("in-flight"), deadlineNanos);
        }

        @Override
        public void publish(final String payload)
        {
            if (posts == null)
            {
                rest.postAsync(poster, channel, payload);
                return;
            }
            // at most K posts in flight on K keep-alive connections, instead of a connection per concurrent post
            // (the peers' publishers write on one open connection)
            posts.post(channel, poster.token(), payload);
        }

        @Override
        public long liveHeapKiB()
        {
            return ProbeSupport.liveHeapKiB(server.pid());
        }

        @Override
        public int lost()
        {
            return client == null ? 0 : client.lost();
        }

        @Override
        public Map<String, Long> reasons()
        {
            return client == null ? Map.of() : client.reasons();
        }

        @Override
        public Map<String, Object> describe()
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", server.command());
            m.put("publisher", "REST POST /channels/{id}/messages (" + (posts == null
                ? "the JDK's HttpClient, async, unbounded" : "Netty, at most " + a.string("post-connections")
                + " in flight on keep-alive connections") + ")");
            if (posts != null)
            {
                m.put("post_statuses", posts.statuses());
            }
            m.put("log_problems", server.problems());
            return m;
        }

        @Override
        public synchronized void close()
        {
            if (client != null)
            {
                client.close();
                client = null;
            }
            if (posts != null)
            {
                posts.close();
            }
            if (server != null)
            {
                try
                {
                    server.copyLog(log);
                }
                catch (final RuntimeException ex)
                {
                    // best effort
                }
                server.close();
                server = null;
            }
        }
    }

    /** A peer started as a child process and reached over WebSocket with a {@link WireProtocol}. */
    private abstract class ProcessTarget implements Target
    {
        protected final Path log;
        protected Process process;
        protected PeerWsClient client;
        protected int wsPort;
        protected List<String> command;

        ProcessTarget(final Path log)
        {
            this.log = log;
        }

        abstract WireProtocol protocol();

        protected void awaitPort(final long deadlineNanos) throws Exception
        {
            while (System.nanoTime() - deadlineNanos < 0)
            {
                if (!process.isAlive())
                {
                    throw new IOException(name() + " exited " + process.exitValue() + ": " + Files.readString(log));
                }
                try (Socket s = new Socket())
                {
                    s.connect(new InetSocketAddress("127.0.0.1", wsPort), 500);
                    return;
                }
                catch (final IOException ex)
                {
                    Thread.sleep(50);
                }
            }
            throw new IOException(name() + " did not listen on " + wsPort);
        }

        @Override
        public int subscribe(final int n, final DeliveryStats st, final long deadlineNanos) throws Exception
        {
            client = new PeerWsClient("127.0.0.1", wsPort, a.positiveInt("client-threads"), this::protocol, st);
            final int ready = client.open(n, a.positiveInt("in-flight"), deadlineNanos);
            if (!client.openPublisher(Math.min(deadlineNanos, System.nanoTime() + TimeUnit.SECONDS.toNanos(10))))
            {
                throw new IOException(name() + ": publisher did not connect");
            }
            return ready;
        }

        @Override
        public void publish(final String payload)
        {
            client.publish(payload);
        }

        @Override
        public int lost()
        {
            return client == null ? 0 : client.lost();
        }

        @Override
        public Map<String, Long> reasons()
        {
            return client == null ? Map.of() : client.reasons();
        }

        @Override
        public Map<String, Object> describe()
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", command);
            m.put("ws_port", wsPort);
            m.put("log", log.toString());
            return m;
        }

        @Override
        public synchronized void close()
        {
            if (client != null)
            {
                client.close();
                client = null;
            }
            stopProcess(process);
        }
    }

    /** uWebSockets.js pub/sub on node. */
    private final class UwsTarget extends ProcessTarget
    {
        UwsTarget(final Path log)
        {
            super(log);
        }

        @Override
        public String name()
        {
            return "uws";
        }

        @Override
        WireProtocol protocol()
        {
            return new WireProtocol.Uws();
        }

        @Override
        public long start(final long deadlineNanos) throws Exception
        {
            wsPort = freePort();
            command = List.of(a.string("node"), Path.of(a.string("peers-dir"), "uws-pubsub.js").toString(),
                Integer.toString(wsPort));
            final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
            if (!a.string("uws-modules").isEmpty())
            {
                pb.environment().put("UWS_MODULE_DIR", a.string("uws-modules"));
            }
            process = pb.start();
            awaitPort(Math.min(deadlineNanos, System.nanoTime() + TimeUnit.SECONDS.toNanos(20)));
            final Matcher m = UWS_LISTENING.matcher(Files.readString(log));
            if (!m.find())
            {
                Thread.sleep(200);
            }
            return process.pid();
        }
    }

    /** nats-server with its WebSocket listener (no TLS), loopback only. */
    private final class NatsTarget extends ProcessTarget
    {
        NatsTarget(final Path log)
        {
            super(log);
        }

        @Override
        public String name()
        {
            return "nats";
        }

        @Override
        WireProtocol protocol()
        {
            return new WireProtocol.Nats();
        }

        @Override
        public long start(final long deadlineNanos) throws Exception
        {
            wsPort = freePort();
            final int clientPort = freePort();
            command = List.of(a.string("nats-server"), "-c", Path.of(a.string("peers-dir"), "nats.conf").toString());
            final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
            pb.environment().put("NATS_CLIENT_PORT", Integer.toString(clientPort));
            pb.environment().put("NATS_WS_PORT", Integer.toString(wsPort));
            process = pb.start();
            awaitPort(Math.min(deadlineNanos, System.nanoTime() + TimeUnit.SECONDS.toNanos(20)));
            return process.pid();
        }
    }
}
