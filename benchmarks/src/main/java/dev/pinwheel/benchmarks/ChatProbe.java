package dev.pinwheel.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import dev.pinwheel.benchmarks.probe.DeliveryStats;
import dev.pinwheel.benchmarks.probe.GatewayLoadClient;
import dev.pinwheel.benchmarks.probe.PostConnections;
import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.RestClient;
import dev.pinwheel.benchmarks.probe.ServerProcess;

/**
 * Chat load probe (b): G guilds, M sessions in each (spread over U member users per guild), and R messages per
 * second in total posted round-robin over the guilds by each guild's owner, at a fixed rate (latency corrected
 * for coordinated omission with the interval 1/R). Every message goes to the M sessions of its guild. Reports
 * delivered events per second and per-delivery latency (POST to frame read).
 */
public final class ChatProbe
{
    private static final String USAGE = """
        usage: ChatProbe [--guilds G=10] [--members M=100] [--users U=2] [--rate MSG_PER_S=200] [--messages N=2000]
                         [--warmup W=100] [--post-connections P=64] [--in-flight K=256] [--client-threads T=1]
                         [--shards S=2]
                         [--server-profile dev|ci|throughput|latency] [--server-flag JVM_FLAG]...
                         [--drain SECONDS=20] [--deadline SECONDS=240] [--out DIR=bench-results]
        M is sessions per guild (U distinct users hold them); the rate R is for all guilds together.""";

    private ChatProbe()
    {
    }

    /**
     * @param argv see {@link #USAGE}.
     * @throws Exception on a setup failure.
     */
    public static void main(final String[] argv) throws Exception
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("guilds", "10");
        d.put("members", "100");
        d.put("users", "2");
        d.put("rate", "200");
        d.put("messages", "2000");
        d.put("warmup", "100");
        d.put("in-flight", "256");
        d.put("post-connections", "64");
        d.put("client-threads", "1");
        d.put("shards", "2");
        d.put("server-profile", "dev");
        d.put("drain", "20");
        d.put("deadline", "240");
        d.put("out", "bench-results");
        System.exit(run(new ProbeSupport.Args(USAGE, d, argv)));
    }

    private static int run(final ProbeSupport.Args a) throws Exception
    {
        final int guilds = a.positiveInt("guilds");
        final int members = a.positiveInt("members");
        final int messages = a.positiveInt("messages");
        final int warmup = Integer.parseInt(a.string("warmup"));
        final double rate = a.number("rate");
        final int sessions = guilds * members;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.positiveInt("deadline"));
        System.out.printf(Locale.ROOT, "chat-probe: %d guilds x %d sessions (%d), %d messages at %.1f/s in total "
            + "round-robin, %d shards, server profile %s%n", guilds, members, sessions, messages, rate,
            a.positiveInt("shards"), a.string("server-profile"));
        if (rate <= 0 || !ProbeSupport.checkDescriptors(sessions))
        {
            return 2;
        }
        final String loadAtStart = ProbeSupport.loadAverage();
        ProbeSupport.startWatchdog("chat-probe", deadline);
        final ServerProcess server = ProbeSupport.startServer(a, ProbeSupport.serverProperties(), deadline);
        final String stamp = ProbeSupport.stamp();
        GatewayLoadClient client = null;
        PostConnections posts = null;
        try
        {
            final RestClient rest = new RestClient(server.host(), server.port());
            final List<ProbeSupport.Guild> gs = ProbeSupport.setupGuilds(rest, "chat-" + ProbeSupport.runId(), guilds,
                a.positiveInt("users"));
            final long intervalNanos = (long)(1e9 / rate);
            final DeliveryStats st = new DeliveryStats(warmup + messages, intervalNanos);
            client = new GatewayLoadClient(server.host(), server.port(), a.positiveInt("client-threads"), st);
            final List<String> tokens = new ArrayList<>(sessions);
            for (int i = 0; i < sessions; i++)
            {
                final ProbeSupport.Guild g = gs.get(i / members);
                tokens.add(g.members().get(i % g.members().size()).token());
            }
            final long postingNanos = intervalNanos * (messages + warmup);
            final long connectStart = System.nanoTime();
            final int ready = client.open(tokens, a.positiveInt("in-flight"), deadline - postingNanos
                - TimeUnit.SECONDS.toNanos(a.positiveInt("drain") + 5));
            final long connectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart);
            System.out.printf(Locale.ROOT, "sessions ready: %d of %d in %d ms, %d failed attempts%n", ready, sessions,
                connectMs, client.failedAttempts());
            if (ready == 0)
            {
                System.err.println("no session became ready: " + client.reasons());
                return 1;
            }
            Thread.sleep(1000);
            // posts on P keep-alive connections (the JDK's HttpClient opened one per concurrent post and, at 800
            // posts a second, took more CPU than the server); warm-up messages take the measured path and are then
            // forgotten (DeliveryStats#countFrom): the client's code is compiled before the measured phase
            posts = new PostConnections(server.host(), server.port(), a.positiveInt("post-connections"));
            final long w0 = System.nanoTime();
            for (int i = 0; i < warmup && System.nanoTime() - deadline < 0; i++)
            {
                ProbeSupport.parkUntil(w0 + i * intervalNanos);
                final ProbeSupport.Guild g = gs.get(i % guilds);
                final long now = System.nanoTime();
                st.sent(i, now);
                posts.post(g.channelId(), g.owner().token(), "fanout-probe #" + i + "# " + now);
            }
            Thread.sleep(1000);
            st.countFrom(warmup);
            final Map<Integer, Long> warmStatuses = posts.statuses();
            final int recipients = client.ready();
            final long cpu0 = server.cpuNanos();
            final long cpuClient0 = ProbeSupport.clientCpuNanos();
            final long postStart = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            int sent = 0;
            for (int i = 0; i < messages; i++)
            {
                final long target = postStart + i * intervalNanos;
                if (target - deadline >= 0)
                {
                    System.err.println("deadline reached while posting; stopping after " + i + " messages");
                    break;
                }
                ProbeSupport.parkUntil(target);
                final ProbeSupport.Guild g = gs.get(i % guilds);
                final long now = System.nanoTime();
                st.sent(warmup + i, now);
                posts.post(g.channelId(), g.owner().token(), "fanout-probe #" + (warmup + i) + "# " + now);
                sent++;
                if (i > 0 && i % (int)Math.max(1, rate * 5) == 0)
                {
                    System.out.printf(Locale.ROOT, "[posting] sent %d/%d, deliveries %d%n", i, messages,
                        st.deliveries());
                }
            }
            final long postEnd = System.nanoTime();
            final long expected = (long)sent * members * recipients / sessions;
            final long drainDeadline = Math.min(deadline, postEnd + TimeUnit.SECONDS.toNanos(a.positiveInt("drain")));
            long lastCount = -1;
            long lastChange = System.nanoTime();
            while (st.deliveries() < expected && System.nanoTime() - drainDeadline < 0
                && System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(3))
            {
                Thread.sleep(20);
                if (st.deliveries() != lastCount)
                {
                    lastCount = st.deliveries();
                    lastChange = System.nanoTime();
                }
            }
            final double serverCpu = (server.cpuNanos() - cpu0) / 1e9;
            final double clientCpu = (ProbeSupport.clientCpuNanos() - cpuClient0) / 1e9;
            long last = 0;
            for (int i = warmup; i < warmup + sent; i++)
            {
                final long l = st.lastDeliveryNanos(i);
                if (l != 0 && (last == 0 || l - last > 0))
                {
                    last = l;
                }
            }
            final long deliveries = st.deliveries();
            final double span = last == 0 ? 0 : (last - st.sendNanos(warmup)) / 1e9;
            final double perSecond = span <= 0 ? 0 : deliveries / span;
            final Histogram corrected = st.corrected();
            final Histogram raw = st.raw();
            final Map<Integer, Long> statuses = new TreeMap<>(); // the measured posts' (0: no answer)
            posts.statuses().forEach((k, v) -> statuses.merge(k, v - warmStatuses.getOrDefault(k, 0L), Long::sum));
            statuses.values().removeIf(v -> v == 0);

            System.out.println();
            System.out.printf(Locale.ROOT, "=== chat: %d guilds x %d sessions, %d messages at %.0f/s (%d deliveries "
                + "expected, %d recorded) ===%n", guilds, members, sent, rate, expected, deliveries);
            System.out.printf(Locale.ROOT, "delivered events/s: %.0f over %.2f s (offered %.0f/s)%n", perSecond, span,
                rate * members);
            ProbeSupport.printLatency("delivery latency, corrected (CO, interval " + intervalNanos / 1e6 + " ms)",
                corrected);
            ProbeSupport.printLatency("delivery latency, raw", raw);
            System.out.printf(Locale.ROOT, "post statuses %s; out of server order %d, duplicates %d, unknown %d, "
                + "overtaken %d; sessions lost %d; CPU server %.2f s, client %.2f s%n", statuses, st.outOfOrder(),
                st.duplicates(), st.unknown(), st.overtaken(), client.lost(), serverCpu, clientCpu);

            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("config", a.asMap());
            r.put("environment", ProbeSupport.environment(server, loadAtStart));
            final Map<String, Object> c = new LinkedHashMap<>();
            c.put("sessions_ready", ready);
            c.put("connect_ms", connectMs);
            c.put("messages_sent", sent);
            c.put("post_statuses", statuses);
            c.put("deliveries_expected", expected);
            c.put("deliveries", deliveries);
            c.put("deliveries_per_second", perSecond);
            c.put("offered_deliveries_per_second", rate * members);
            c.put("span_seconds", span);
            c.put("posting_seconds", (postEnd - postStart) / 1e9);
            c.put("latency_corrected_ms", ProbeSupport.summary(corrected));
            c.put("latency_raw_ms", ProbeSupport.summary(raw));
            c.put("out_of_server_order", st.outOfOrder());
            c.put("duplicates", st.duplicates());
            c.put("unknown", st.unknown());
            c.put("overtaken_before_owner", st.overtaken());
            c.put("sessions_lost", client.lost());
            c.put("server_cpu_seconds", serverCpu);
            c.put("client_cpu_seconds", clientCpu);
            r.put("chat", c);
            final Map<String, Histogram> plot = new LinkedHashMap<>();
            plot.put("delivery, corrected", corrected);
            plot.put("delivery, raw", raw);
            ProbeSupport.writeResults(Path.of(a.string("out")), "chat", stamp, r, String.format(Locale.ROOT,
                "chat-probe: %d guilds x %d sessions, %.0f msg/s, %.0f deliveries/s", guilds, members, rate,
                perSecond), plot, server);
            return deliveries >= expected && st.outOfOrder() == 0 ? 0 : 1;
        }
        finally
        {
            if (client != null)
            {
                client.close();
            }
            if (posts != null)
            {
                posts.close();
            }
            server.close();
        }
    }
}
