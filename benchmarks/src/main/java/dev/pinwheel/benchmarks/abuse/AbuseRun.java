package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.pinwheel.benchmarks.probe.ProbeSupport;
import dev.pinwheel.benchmarks.probe.RestClient;
import dev.pinwheel.benchmarks.probe.ServerProcess;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.node.AuthConfig;
import dev.pinwheel.gateway.node.EdgeConfig;

/**
 * The abuse probe's run: one node at its real limits, a normal client chatting on it all along, and one attack per
 * phase, each followed by a recovery check.
 * <pre>
 *   start node (defaults; fault injection on stdin only for the shard-death phase)
 *   normal client: 4 accounts, 4 sessions, posts at the fixed rate ─────────────────────────────────────────▶
 *   baseline │ edge │ cap │ login ×1 │ login ×N │ CPU control │ ws abuse │ identify │ 2nd node │ kill -9 + damage
 *            └ each followed by a recovery check: alive, /metrics, tick age, attacker connections gone, chat clean
 *   disk full (its own node on a small tmpfs, root only) │ baseline again │ shard death │ restart, read back │ SIGTERM
 * </pre>
 * Not thread-safe: one run, on the calling thread (attacks bring their own threads).
 */
public final class AbuseRun implements AutoCloseable
{
    /** Phases in run order (option {@code --phases}). */
    public static final List<String> PHASES = List.of("edge", "cap", "login", "ws", "identify", "two-nodes", "crash",
        "disk-full", "shard-death");

    /** The node's PBKDF2 cost at its default (GatewayConfig), for the CPU control. */
    private static final String DUMMY_HASH =
        "pbkdf2-sha512$210000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private static final long STARTUP_NANOS = TimeUnit.SECONDS.toNanos(120);

    private final ProbeSupport.Args args;
    private final double rate;
    private final long baselineNanos;
    private final long windowNanos;
    private final long recoveryNanos;
    private final boolean paired;
    private final Set<String> phases;
    private final long deadline;
    private final String runId = ProbeSupport.runId();
    private final List<PhaseResult> results = new ArrayList<>();
    private final Map<String, Object> summary = new LinkedHashMap<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final String loadAtStart = ProbeSupport.loadAverage();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Node node;
    private ChatLoad chat;
    private String attackerToken;
    private double baselineP99 = Double.NaN;
    private double baselineLoginMs = Double.NaN;
    private int destroyedProbeId = -1;
    private int zombies;

    /**
     * @param args     the probe's options.
     * @param deadline {@code System.nanoTime()} by which the run must end.
     */
    public AbuseRun(final ProbeSupport.Args args, final long deadline)
    {
        this.args = args;
        this.rate = args.number("rate");
        this.baselineNanos = TimeUnit.MILLISECONDS.toNanos((long)(args.number("baseline") * 1000));
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos((long)(args.number("window") * 1000));
        this.recoveryNanos = TimeUnit.MILLISECONDS.toNanos((long)(args.number("recovery") * 1000));
        this.deadline = deadline;
        this.paired = Boolean.parseBoolean(args.string("paired"));
        final Set<String> p = new LinkedHashSet<>();
        for (final String s : args.string("phases").split(","))
        {
            if ("all".equals(s.trim()))
            {
                p.addAll(PHASES);
            }
            else if (PHASES.contains(s.trim()))
            {
                p.add(s.trim());
            }
            else
            {
                args.fail("unknown phase " + s + " (phases: all or " + String.join(",", PHASES) + ")", 2);
            }
        }
        this.phases = p;
    }

    /**
     * Runs every phase, prints the table and writes the results.
     *
     * @return 0 if every goal was met, 1 otherwise.
     * @throws Exception if the node or the normal client cannot be set up.
     */
    public int run() throws Exception
    {
        final int posters = ChatLoad.POSTERS;
        System.out.printf(Locale.ROOT, "abuse-probe: node with its default limits, %d shards, profile %s; normal "
            + "client on 127.0.0.1: %d accounts/sessions, %.0f msg/s; phases %s%n", args.positiveInt("shards"),
            args.string("server-profile"), posters, rate, phases);
        System.out.printf(Locale.ROOT, "box: %d CPUs, load average %s (1/5/15 min) at start%n",
            Runtime.getRuntime().availableProcessors(), loadAtStart);
        final List<String> flags = new ArrayList<>(args.serverFlags());
        if (phases.contains("shard-death"))
        {
            flags.add("-Dpinwheel.debug.fault-injection=true"); // reads "shard-error N" on stdin, nothing else
        }
        node = new Node("node", args.string("server-profile"), args.positiveInt("shards"), Map.of(), flags, null);
        final ServerProcess s = node.start(STARTUP_NANOS);
        System.out.printf(Locale.ROOT, "node pid %d serving on %s:%d after %d ms%n", s.pid(), s.host(), s.port(),
            TimeUnit.NANOSECONDS.toMillis(s.startupNanos()));
        chat = new ChatLoad("abuse-" + runId, rate, (int)Math.min(1 << 20, rate * 3600));
        chat.setup(s.host(), s.port());
        try (RestClient attacker = new RestClient(s.host(), s.port(), Loopback.IDENTIFY))
        {
            attackerToken = attacker.register("abuse-" + runId + "-attacker").token();
        }
        if (chat.openSessions(s.host(), s.port(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30)) != posters)
        {
            throw new IOException("normal sessions did not open: " + chat.sessionReasons());
        }
        NodeMetrics.scrape(chat.rest(), chat.adminToken()); // the node's shard probes start with the first scrape
        Thread.sleep(1000);
        chat.startPosting();
        chat.window("warm-up");
        Thread.sleep((long)(args.number("warmup") * 1000));
        baseline("baseline (no attack)", true);
        final int rounds = args.positiveInt("rounds");
        for (int k = 1; k <= rounds; k++)
        {
            attacks(rounds == 1 ? "" : " #" + k);
        }
        if (phases.contains("crash"))
        {
            crash();
        }
        if (phases.contains("disk-full"))
        {
            chat.stopPosting();
            chat.window("paused (disk-full node runs)");
            final DiskFullPhase full = new DiskFullPhase(this, args, runId, rate, windowNanos);
            closeLater(full);
            for (final PhaseResult p : full.run())
            {
                add(p);
            }
            summary.put("disk_full_node", full.summary());
            chat.startPosting();
            chat.window("warm-up again");
            Thread.sleep(2000);
        }
        baseline("baseline again (end)", false);
        if (phases.contains("shard-death"))
        {
            shardDeath();
        }
        finish();
        return AbuseReport.print(results, summary, baselineP99) ? 0 : 1;
    }

    /** The attacks on the live node, each with its control window and recovery check. */
    private void attacks(final String round) throws InterruptedException
    {
        if (phases.contains("edge"))
        {
            phase("edge: idle, slowloris, half upgrades, after 400" + round, true, this::edge);
        }
        if (phases.contains("cap"))
        {
            phase("edge: per-address connection cap" + round, true, this::cap);
        }
        if (phases.contains("login"))
        {
            phase("login flood, 1 address x 32" + round, true,
                d -> login(d, List.of(Loopback.LOGIN_ONE), 32, 0, 1));
            final List<InetAddress> spread = new ArrayList<>();
            for (int i = 0; i < args.positiveInt("login-addresses"); i++)
            {
                spread.add(Loopback.spread(i));
            }
            phase("login flood, " + spread.size() + " addresses (paced at their limit)" + round, true,
                d -> login(d, spread, spread.size(), 60_000 / AuthConfig.LOGIN_PER_IP_DEFAULT + 100, 2));
            phase("control: 1 thread of PBKDF2 in the probe, no attack" + round, false, this::cpuControl);
        }
        if (phases.contains("ws"))
        {
            phase("gateway: heartbeat burst, 16 MiB frame, fragments" + round, true, this::gatewayAbuse);
        }
        if (phases.contains("identify"))
        {
            phase("gateway: 150 IDENTIFYs of one token" + round, true, this::identifyStorm);
        }
        if (phases.contains("two-nodes"))
        {
            phase("second node on the same data directory" + round, true, this::secondNode);
        }
    }

    private void baseline(final String name, final boolean reference) throws InterruptedException
    {
        final int lost0 = chat.lost();
        final ChatWindow w = chat.window(name);
        final CpuMeter cpu = new CpuMeter(node.server());
        final long end = System.nanoTime() + baselineNanos;
        final List<ChatLoad.Login> logins = new ArrayList<>();
        if (reference)
        {
            Thread.sleep(2000);
            for (int i = 0; i < 3; i++)
            {
                logins.add(chat.loginUntilOk(ChatLoad.POSTERS - 1, TimeUnit.SECONDS.toNanos(10)));
                Thread.sleep(1500);
            }
        }
        ProbeSupport.parkUntil(end);
        final double[] cores = cpu.cores();
        final PhaseResult.Recovery r = recover(name, node, chat);
        if (reference)
        {
            baselineP99 = w.correctedMs(99);
            baselineLoginMs = median(logins.stream().mapToDouble(ChatLoad.Login::okMs).toArray());
        }
        final Map<String, Object> d = new LinkedHashMap<>();
        d.put("logins", logins);
        final String outcome = reference ? String.format(Locale.ROOT, "unattacked; real login %.0f ms (median of %d)",
            baselineLoginMs, logins.size()) : "unattacked, for drift";
        add(new PhaseResult(name, w, baselineP99, false, outcome, r, chat.undelivered(w), chat.lost() - lost0,
            ProbeSupport.loadAverage(), cores, d));
    }

    /** An attack: returns its outcome line, puts its numbers in the map. */
    @FunctionalInterface
    private interface Attack
    {
        String run(Map<String, Object> details) throws Exception;
    }

    private void phase(final String name, final boolean ratioGoal, final Attack attack) throws InterruptedException
    {
        if (System.nanoTime() - deadline > 0)
        {
            System.out.println("skipped (deadline): " + name);
            return;
        }
        ChatWindow control = null;
        if (paired)
        {
            control = chat.window(name + " / unattacked control before");
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(windowNanos));
        }
        final int lost0 = chat.lost();
        final NodeMetrics before = NodeMetrics.scrape(chat.rest(), chat.adminToken());
        final ChatWindow w = chat.window(name);
        final Map<String, Object> details = new LinkedHashMap<>();
        final CpuMeter cpu = new CpuMeter(node.server());
        String outcome;
        try
        {
            outcome = attack.run(details);
        }
        catch (final Exception ex)
        {
            outcome = "attack failed: " + ex;
            details.put("error", ex.toString());
        }
        final double[] cores = cpu.cores();
        final PhaseResult.Recovery r = recover(name, node, chat);
        final NodeMetrics after = NodeMetrics.scrape(chat.rest(), chat.adminToken());
        details.put("node_counters", counterDeltas(before, after));
        add(new PhaseResult(name, w, baselineP99, ratioGoal, outcome, r, chat.undelivered(w), chat.lost() - lost0,
            ProbeSupport.loadAverage(), cores, details, control));
    }

    private void add(final PhaseResult p)
    {
        results.add(p);
        if (p.recovery() != null && p.recovery().zombie())
        {
            zombies++;
        }
        AbuseReport.progress(p);
    }

    /**
     * The check after a phase, while the normal client keeps posting: no connection from an attacker's address left
     * on the node, two scrapes of {@code /metrics} at least {@code recovery} seconds apart, and every message posted
     * meanwhile acknowledged and delivered to every session.
     */
    PhaseResult.Recovery recover(final String name, final Node n, final ChatLoad c)
        throws InterruptedException
    {
        final ChatWindow rw = c.window(name + " / recovery");
        final long t0 = System.nanoTime();
        final ServerProcess s = n.server();
        int sockets = -1;
        long backMs = -1;
        Map<String, Integer> peers = Map.of();
        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15))
        {
            peers = NodeMetrics.peers(s.pid());
            sockets = NodeMetrics.attackerConnections(peers);
            if (!peers.isEmpty() && sockets == 0)
            {
                backMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                break;
            }
            Thread.sleep(100);
        }
        final NodeMetrics m1 = NodeMetrics.scrape(c.rest(), c.adminToken());
        ProbeSupport.parkUntil(Math.max(System.nanoTime(), t0 + recoveryNanos));
        final NodeMetrics m2 = NodeMetrics.scrape(c.rest(), c.adminToken());
        c.window("between phases");
        c.drain(rw, TimeUnit.SECONDS.toNanos(3));
        final double tick = m1 == null || m2 == null ? Double.NaN
            : Math.max(m1.max("pinwheel_shard_tick_age_seconds"), m2.max("pinwheel_shard_tick_age_seconds"));
        return new PhaseResult.Recovery(s.isAlive(), m1 != null && m2 != null, tick, NodeMetrics.sockets(s.pid()),
            sockets, backMs, rw.acked(), rw.errors(), c.undelivered(rw), c.ready(), ChatLoad.POSTERS, peers);
    }

    private String edge(final Map<String, Object> d) throws InterruptedException
    {
        final int[] counts = {100, 30, 30, 30};
        final long t0 = System.nanoTime();
        final List<EdgeAttack.Conn> conns = EdgeAttack.run(node.host(), node.port(), counts,
            TimeUnit.MILLISECONDS.toNanos(EdgeConfig.FIRST_REQUEST_TIMEOUT_DEFAULT + 10_000L));
        d.put("seconds", (System.nanoTime() - t0) / 1e9);
        final double slack = 1000;
        final Map<String, Object> idle = EdgeAttack.summary(conns, EdgeAttack.Kind.IDLE,
            EdgeConfig.FIRST_REQUEST_TIMEOUT_DEFAULT, slack);
        final Map<String, Object> slow = EdgeAttack.summary(conns, EdgeAttack.Kind.SLOWLORIS,
            EdgeConfig.HEADER_TIMEOUT_DEFAULT, slack);
        final Map<String, Object> half = EdgeAttack.summary(conns, EdgeAttack.Kind.HALF_UPGRADE,
            EdgeConfig.HEADER_TIMEOUT_DEFAULT, slack);
        final Map<String, Object> bad = EdgeAttack.summary(conns, EdgeAttack.Kind.AFTER_400, 0, slack);
        d.put("idle", idle);
        d.put("slowloris", slow);
        d.put("half_upgrade", half);
        d.put("after_400", bad);
        return String.join("; ", EdgeAttack.line(idle, "idle"), EdgeAttack.line(slow, "slowloris"),
            EdgeAttack.line(half, "half-upgrade"), EdgeAttack.line(bad, "after-400")) + String.format(Locale.ROOT,
            "; after-400 dropped (writes fail) %s/%s at p50 %.1f s, max %.1f s (linger %.0f s)", bad.get("dropped"),
            bad.get("connections"), (double)bad.get("dropped_ms_p50") / 1000, (double)bad.get("dropped_ms_max") / 1000,
            EdgeConfig.LINGER_DEFAULT / 1000.0);
    }

    private String cap(final Map<String, Object> d) throws InterruptedException
    {
        final int cap = EdgeConfig.MAX_CONNECTIONS_PER_IP_DEFAULT;
        final int tries = cap + 44;
        try (ConnectionCapAttack attack = new ConnectionCapAttack().open(node.host(), node.port(), tries))
        {
            Thread.sleep(500);
            final int[] c = attack.classify();
            final RestClient.Response fresh;
            try (RestClient newcomer = new RestClient(node.host(), node.port()))
            {
                fresh = newcomer.send("GET", "gateway", chat.adminToken(), null);
            }
            final int readyWhileCapped = chat.ready();
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(windowNanos) / 2 - 500));
            d.put("tried", tries);
            d.put("accepted_open", c[0]);
            d.put("refused", c[1]);
            d.put("connect_failures", attack.connectFailures());
            d.put("normal_new_connection_status", fresh.status());
            d.put("normal_new_connection_ms", fresh.nanos() / 1e6);
            d.put("normal_sessions_while_capped", readyWhileCapped);
            return String.format(Locale.ROOT, "%d from one address: %d accepted, %d refused at accept (cap %d), "
                + "%d connects failed; normal client meanwhile: new connection GET /gateway %d in %.1f ms, sessions "
                + "%d/%d", tries, c[0], c[1], cap, attack.connectFailures(), fresh.status(), fresh.nanos() / 1e6,
                readyWhileCapped, ChatLoad.POSTERS);
        }
    }

    private String login(final Map<String, Object> d, final List<InetAddress> sources, final int concurrency,
        final long paceMs, final int normalUser) throws InterruptedException
    {
        final LoginFlood flood = new LoginFlood().start(node.host(), node.port(), sources, concurrency, paceMs,
            100);
        final long end = System.nanoTime() + windowNanos;
        final List<ChatLoad.Login> logins = new ArrayList<>();
        try
        {
            Thread.sleep(1500);
            while (System.nanoTime() - end < -TimeUnit.SECONDS.toNanos(3))
            {
                logins.add(chat.loginUntilOk(normalUser, TimeUnit.SECONDS.toNanos(10)));
                Thread.sleep(1500);
            }
            ProbeSupport.parkUntil(end);
        }
        finally
        {
            flood.stop();
        }
        final ChatLoad.Login after = chat.loginUntilOk(normalUser, TimeUnit.SECONDS.toNanos(10));
        d.put("attacker", flood.toMap());
        d.put("normal_logins", logins);
        d.put("normal_login_right_after", after);
        final double[] ok = logins.stream().filter(l -> l.okMs() >= 0).mapToDouble(ChatLoad.Login::okMs).sorted()
            .toArray();
        final Map<Integer, Long> firsts = new TreeMap<>();
        for (final ChatLoad.Login l : logins)
        {
            firsts.merge(l.firstStatus(), 1L, Long::sum);
        }
        final Map<String, Object> a = flood.toMap();
        return String.format(Locale.ROOT, "attacker %d in flight from %d address(es)%s: %s attempts (%.0f/s) -> %s; "
            + "normal login (retrying as told for up to 10 s): %d/%d ok, first try %s, until ok %s ms (unattacked %.0f "
            + "ms, right after the flood %.0f ms)", concurrency, sources.size(),
            paceMs > 0 ? ", each paced at " + paceMs + " ms" : "",
            a.get("attempts"), (double)a.get("attempts_per_second"), a.get("statuses"), ok.length, logins.size(),
            firsts, range(ok), baselineLoginMs, after.okMs());
    }

    private String cpuControl(final Map<String, Object> d) throws InterruptedException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final LongAdder hashes = new LongAdder();
        final AuthService auth = new AuthService(null, 210_000);
        final Thread burner = Thread.ofPlatform().name("pbkdf2-control").daemon(true).start(() ->
        {
            while (!stop.get())
            {
                auth.verifyPassword("wrong-password", DUMMY_HASH);
                hashes.increment();
            }
        });
        final long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(windowNanos));
        stop.set(true);
        burner.join(5000);
        final double s = (System.nanoTime() - t0) / 1e9;
        d.put("hashes", hashes.sum());
        d.put("hashes_per_second", hashes.sum() / s);
        return String.format(Locale.ROOT, "no requests: the node's PBKDF2 (210,000 iterations, its own code) on one "
            + "thread of the probe JVM, %.1f hashes/s = the CPU a login flood takes (1 hashing thread)",
            hashes.sum() / s);
    }

    private String gatewayAbuse(final Map<String, Object> d) throws InterruptedException
    {
        final long end = System.nanoTime() + windowNanos;
        final List<GatewayAbuse.Outcome> out = new ArrayList<>();
        int rounds = 0;
        do
        {
            out.addAll(GatewayAbuse.run(node.host(), node.port(), 3, 1000, 16L << 20, TimeUnit.SECONDS.toNanos(10)));
            rounds++;
            Thread.sleep(1000);
        }
        while (System.nanoTime() - end < -TimeUnit.SECONDS.toNanos(1));
        d.put("rounds", rounds);
        d.put("sockets", out);
        return rounds + " rounds of 3 sockets each: " + String.join("; ", GatewayAbuse.line(out, "heartbeats"),
            GatewayAbuse.line(out, "big-frame"), GatewayAbuse.line(out, "fragments"))
            + "; close codes wanted 4008 / 4002 / 4002";
    }

    private String identifyStorm(final Map<String, Object> d) throws InterruptedException
    {
        final long end = System.nanoTime() + windowNanos;
        final Map<String, Long> counts = new TreeMap<>();
        int rounds = 0;
        do
        {
            IdentifyStorm.run(node.host(), node.port(), attackerToken, 150, TimeUnit.SECONDS.toNanos(8))
                .forEach((k, v) -> counts.merge(k, v, Long::sum));
            rounds++;
            Thread.sleep(1000);
        }
        while (System.nanoTime() - end < -TimeUnit.SECONDS.toNanos(2));
        d.put("rounds", rounds);
        d.put("answers", counts);
        return String.format(Locale.ROOT, "%d rounds of 150 at once: %s (wanted at most 1 READY per %d ms window, "
            + "the rest op 9 d=false: max_concurrency 1)", rounds, counts, 5000);
    }

    private String secondNode(final Map<String, Object> d) throws IOException, InterruptedException
    {
        final long end = System.nanoTime() + windowNanos;
        final long holder = node.server().pid();
        final List<Map<String, Object>> attempts = new ArrayList<>();
        final Map<Integer, Long> exits = new TreeMap<>();
        double maxSeconds = 0;
        boolean allName = true;
        String line = "";
        do
        {
            final Path work = Files.createTempDirectory("pinwheel-abuse-second");
            try
            {
                final ServerProcess.Refusal r = ServerProcess.startExpectingExit(new ServerProcess.Layout(work,
                    node.dataDir(), "second.log", 0, false), node.profile(), node.shards(), Map.of(),
                    args.serverFlags(), TimeUnit.SECONDS.toNanos(60));
                line = r.output().lines().filter(l -> l.contains("is in use by process")).findFirst()
                    .orElse("(no line naming the holder)");
                final boolean names = line.contains("is in use by process " + holder);
                allName &= names;
                exits.merge(r.exitCode(), 1L, Long::sum);
                maxSeconds = Math.max(maxSeconds, r.millis() / 1000.0);
                final Map<String, Object> a = new LinkedHashMap<>();
                a.put("exit_code", r.exitCode());
                a.put("exit_ms", r.millis());
                a.put("names_holder_pid", names);
                a.put("line", line);
                attempts.add(a);
                if (attempts.size() == 1)
                {
                    Files.writeString(outDir().resolve("abuse-" + runId + "-second-node.log"), r.output(),
                        StandardCharsets.UTF_8);
                }
            }
            finally
            {
                ServerProcess.deleteTree(work);
            }
        }
        while (System.nanoTime() - end < -TimeUnit.SECONDS.toNanos(3));
        d.put("attempts", attempts);
        final int at = line.indexOf("data directory");
        return String.format(Locale.ROOT, "%d second nodes started in turn: exit codes %s, each within %.1f s (JVM "
            + "start included), name the holder pid %d: %s; line: %s", attempts.size(), exits, maxSeconds, holder,
            allName ? "yes" : "NO", at < 0 ? line : line.substring(at));
    }

    private void crash() throws Exception
    {
        final int lost0 = chat.lost();
        final ChatWindow w = chat.window("kill -9 mid-chat + 2 bytes flipped + restart");
        final Map<String, Object> d = new LinkedHashMap<>();
        Thread.sleep(3000);
        final long killAt = System.nanoTime();
        node.server().kill();
        Thread.sleep(300);
        final Map<Integer, Integer> receiversAtKill = chat.receivers(w);
        final int undeliveredAtKill = (int)receiversAtKill.entrySet().stream()
            .filter(e -> e.getKey() < ChatLoad.POSTERS).mapToLong(Map.Entry::getValue).sum();
        d.put("acknowledged_before_kill_by_receivers", receiversAtKill);
        final List<Integer> ackedIds = new ArrayList<>(new TreeMap<>(chat.acked()).keySet());
        final int lostId = ackedIds.get(ackedIds.size() / 2);
        final int headerId = ackedIds.get(ackedIds.size() / 4);
        final ChatLoad.Acked lost = chat.acked().get(lostId);
        final ChatLoad.Acked header = chat.acked().get(headerId);
        final JournalDamage.Location lc = JournalDamage.find(node.dataDir(), lost.content());
        final JournalDamage.Location lh = JournalDamage.find(node.dataDir(), header.content());
        String damage = "";
        if (lc != null)
        {
            JournalDamage.flipContentByte(lc);
            destroyedProbeId = lostId;
            damage = "content byte of message " + lost.messageId() + " flipped in " + lc.file().getFileName();
        }
        final String headerNote = lh == null ? "header message not found"
            : JournalDamage.flipNotCompleteBit(lh, header.content());
        d.put("acknowledged_before_kill", ackedIds.size());
        d.put("destroyed_message", lost.messageId());
        d.put("content_flip", damage);
        d.put("not_complete_bit_of_message", header.messageId());
        d.put("header_flip", headerNote);
        final ServerProcess s = node.start(STARTUP_NANOS);
        final long servingAt = System.nanoTime();
        final int ready = chat.repoint(s.host(), s.port(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        NodeMetrics.scrape(chat.rest(), chat.adminToken()); // the new process's shard probes start with a scrape
        final double downMs = (servingAt - killAt) / 1e6;
        d.put("restart_jvm_to_serving_ms", s.startupNanos() / 1e6);
        d.put("kill_to_serving_ms", downMs);
        d.put("sessions_reopened", ready);
        Thread.sleep(2000);
        final PhaseResult.Recovery r = recover("kill -9", node, chat);
        final Verification v = verify(chat, destroyedProbeId);
        final String log = Files.readString(node.logs().get(node.logs().size() - 1), StandardCharsets.UTF_8);
        final List<String> lostLines = log.lines().filter(l -> l.contains("journal damage, LOST")).toList();
        final boolean logNamesIt = lostLines.stream().anyMatch(l -> l.contains("message " + lost.messageId()));
        final NodeMetrics m = NodeMetrics.scrape(chat.rest(), chat.adminToken());
        final double damaged = m == null ? -1 : m.sum("pinwheel_store_damaged_records_total");
        final double repaired = m == null ? -1 : m.sum("pinwheel_store_repaired_headers_total");
        d.put("verification", v.toMap());
        d.put("log_lost_lines", lostLines);
        d.put("log_names_destroyed_message", logNamesIt);
        d.put("metric_damaged_records", damaged);
        d.put("metric_repaired_headers", repaired);
        summary.put("after_crash_verification", v.toMap());
        final String outcome = String.format(Locale.ROOT, "down %.2f s (restart: JVM spawn -> serving %.2f s), "
            + "sessions back %d/%d; acknowledged in the window before the kill by sessions that got them: %s; %s: %s; "
            + "header bit: %s; read back %d acknowledged: %d missing besides it, %d "
            + "altered; server log names it: %s (%d LOST line%s), /metrics damaged_records %.0f, repaired_headers %.0f",
            downMs / 1000, s.startupNanos() / 1e9, ready, ChatLoad.POSTERS, receiversAtKill,
            "1 message destroyed on purpose",
            lost.messageId(), headerNote.startsWith("header at") ? "set (must cost nothing)" : headerNote, v.acked(),
            v.missing(), v.altered(), logNamesIt ? "yes" : "NO", lostLines.size(), lostLines.size() == 1 ? "" : "s",
            damaged, repaired);
        add(new PhaseResult("kill -9 mid-chat, 2 journal bytes flipped, restart", w, baselineP99, false, outcome, r,
            undeliveredAtKill, chat.lost() - lost0, ProbeSupport.loadAverage(), PhaseResult.NO_CPU, d));
        baselineAfterRestart();
    }

    private void baselineAfterRestart() throws InterruptedException
    {
        final int lost0 = chat.lost();
        final ChatWindow w = chat.window("after the restart (no attack)");
        final CpuMeter cpu = new CpuMeter(node.server());
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(windowNanos));
        final double[] cores = cpu.cores();
        final PhaseResult.Recovery r = recover("after the restart", node, chat);
        add(new PhaseResult("after the restart (no attack)", w, baselineP99, true, "fresh JVM (cold JIT), new "
            + "sessions", r, chat.undelivered(w), chat.lost() - lost0, ProbeSupport.loadAverage(), cores, Map.of()));
    }

    private void shardDeath() throws Exception
    {
        final int lost0 = chat.lost();
        final ChatWindow before = chat.window("shard death: before the fault");
        final Map<String, Object> d = new LinkedHashMap<>();
        Thread.sleep(2000);
        final ServerProcess dying = node.server();
        final ChatWindow w = chat.window("shard death: from the fault to the exit");
        final AtomicBoolean probing = new AtomicBoolean(true);
        final Map<String, Long> newConnections = new TreeMap<>();
        final Thread prober = Thread.ofVirtual().start(() ->
        {
            while (probing.get())
            {
                final String r = newConnection(node.host(), node.port());
                synchronized (newConnections)
                {
                    newConnections.merge(r, 1L, Long::sum);
                }
                try
                {
                    Thread.sleep(200);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        });
        final long t0 = System.nanoTime();
        dying.command("shard-error 1");
        int exit = dying.awaitExit(TimeUnit.SECONDS.toNanos(30));
        final double exitMs = (System.nanoTime() - t0) / 1e6;
        probing.set(false);
        prober.join(5000);
        final ChatWindow down = chat.window("shard death: node down, restarting");
        Thread.sleep(300);
        final Map<Integer, Integer> receivers = chat.receivers(w);
        final boolean zombie = exit == -1;
        if (zombie)
        {
            zombies++;
            dying.kill();
        }
        final String log = Files.readString(node.logs().get(node.logs().size() - 1), StandardCharsets.UTF_8);
        final String died = log.lines().filter(l -> l.contains("died")).findFirst().orElse("(no 'died' line)");
        d.put("exit_code", exit);
        d.put("exit_ms", exitMs);
        d.put("zombie", zombie);
        d.put("log_line", died);
        d.put("new_connections_while_dying", newConnections);
        d.put("acknowledged_while_dying_by_receivers", receivers);
        d.put("window_before_fault", before.toMap());
        d.put("window_down", down.toMap());
        final ServerProcess s = node.start(STARTUP_NANOS);
        final int ready = chat.repoint(s.host(), s.port(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        NodeMetrics.scrape(chat.rest(), chat.adminToken()); // the new process's shard probes start with a scrape
        Thread.sleep(2000);
        final PhaseResult.Recovery r = recover("shard death", node, chat);
        final String outcome = String.format(Locale.ROOT, "node exited %d %.2f s after the fault (wanted 70: a dead "
            + "shard stops the node), %s; meanwhile %d posts acknowledged (sessions that got each: %s), new "
            + "connections %s; restarted in %.2f s, sessions back %d/%d; log: %s", exit, exitMs / 1000,
            zombie ? "ZOMBIE: still running after 30 s, killed" : "no zombie", w.acked(), receivers, newConnections,
            s.startupNanos() / 1e9, ready, ChatLoad.POSTERS,
            died.length() > 140 ? died.substring(died.indexOf("shard")) : died);
        add(new PhaseResult("shard death (fault injection): fault -> exit", w, baselineP99, false, outcome, r,
            (int)receivers.entrySet().stream().filter(e -> e.getKey() < ChatLoad.POSTERS)
                .mapToLong(Map.Entry::getValue).sum(), chat.lost() - lost0, ProbeSupport.loadAverage(),
            PhaseResult.NO_CPU, d));
    }

    /**
     * One new connection from the normal client's address: {@code GET /api/v10/gateway}, 1 s to answer.
     *
     * @return "answered 200", "refused", "no answer in 1 s", "closed"…
     */
    private static String newConnection(final String host, final int port)
    {
        try (java.net.Socket sock = Loopback.connect(InetAddress.getLoopbackAddress(), host, port, 1000))
        {
            sock.setSoTimeout(1000);
            sock.getOutputStream().write(("GET /api/v10/gateway HTTP/1.1\r\nHost: " + host + "\r\nConnection: close"
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final byte[] b = new byte[12];
            final int n = sock.getInputStream().readNBytes(b, 0, 12);
            return n >= 12 ? "answered " + new String(b, 9, 3, StandardCharsets.US_ASCII) : "closed";
        }
        catch (final java.net.SocketTimeoutException ex)
        {
            return "no answer in 1 s";
        }
        catch (final java.net.ConnectException ex)
        {
            return "refused";
        }
        catch (final IOException ex)
        {
            return "reset";
        }
    }

    private void finish() throws Exception
    {
        chat.stopPosting();
        chat.window("final read-back");
        Thread.sleep(1000);
        final Verification v = verify(chat, destroyedProbeId);
        summary.put("final_verification", v.toMap());
        @SuppressWarnings("unchecked")
        final Map<String, Object> full = (Map<String, Object>)summary.getOrDefault("disk_full_node", Map.of());
        summary.put("acknowledged_lost", v.missing() + v.altered()
            + ((Number)full.getOrDefault("acknowledged_lost", 0)).longValue());
        summary.put("destroyed_on_purpose_and_reported", destroyedProbeId >= 0 ? 1 : 0);
        summary.put("zombie_states", zombies);
        final ServerProcess s = node.server();
        final long t0 = System.nanoTime();
        s.terminate();
        final int exit = s.awaitExit(TimeUnit.SECONDS.toNanos(45));
        final double ms = (System.nanoTime() - t0) / 1e6;
        summary.put("sigterm_exit_code", exit);
        summary.put("sigterm_exit_ms", ms);
        summary.put("load_average_start", loadAtStart);
        summary.put("load_average_end", ProbeSupport.loadAverage());
        System.out.printf(Locale.ROOT, "final read-back: %d acknowledged messages, %d missing, %d altered (the one "
            + "destroyed on purpose excluded); SIGTERM: exit %d after %.2f s (143 wanted, bounded)%n", v.acked(),
            v.missing(), v.altered(), exit, ms / 1000);
        writeResults();
    }

    /** A read-back of the channel against every acknowledged message. */
    record Verification(int acked, int missing, int altered, List<String> examples)
    {
        Map<String, Object> toMap()
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("acknowledged", acked);
            m.put("missing", missing);
            m.put("altered", altered);
            m.put("examples", examples);
            return m;
        }
    }

    /**
     * Reads the whole channel and checks every message acknowledged so far is there with its content.
     *
     * @param c        the client.
     * @param excluded a probe id destroyed on purpose (-1: none).
     * @return the counts.
     * @throws Exception if the history cannot be read.
     */
    static Verification verify(final ChatLoad c, final int excluded) throws Exception
    {
        final Map<Integer, ChatLoad.Acked> acked = new HashMap<>(c.acked());
        final Map<String, String> history = c.history();
        int missing = 0;
        int altered = 0;
        final List<String> examples = new ArrayList<>();
        for (final Map.Entry<Integer, ChatLoad.Acked> e : new TreeMap<>(acked).entrySet())
        {
            if (e.getKey() == excluded)
            {
                continue;
            }
            final String got = history.get(e.getValue().messageId());
            if (got == null)
            {
                missing++;
            }
            else if (!got.equals(e.getValue().content()))
            {
                altered++;
            }
            else
            {
                continue;
            }
            if (examples.size() < 10)
            {
                examples.add(e.getValue().messageId() + (got == null ? " missing" : " altered: " + got));
            }
        }
        return new Verification(acked.size() - (acked.containsKey(excluded) ? 1 : 0), missing, altered, examples);
    }

    private static Map<String, Object> counterDeltas(final NodeMetrics before, final NodeMetrics after)
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        if (before == null || after == null)
        {
            return out;
        }
        for (final String family : List.of("pinwheel_edge_connections_closed_total",
            "pinwheel_edge_connections_refused_total", "pinwheel_gateway_identify_refused_total",
            "pinwheel_auth_refused_total"))
        {
            final Map<String, Double> b = before.byReason(family);
            final Map<String, Double> delta = new TreeMap<>();
            after.byReason(family).forEach((k, v) ->
            {
                final double x = v - b.getOrDefault(k, 0.0);
                if (x != 0)
                {
                    delta.put(k, x);
                }
            });
            if (!delta.isEmpty())
            {
                out.put(family, delta);
            }
        }
        for (final String counter : List.of("pinwheel_shard_protocol_closes_total", "pinwheel_shard_rate_limited_total",
            "pinwheel_store_refused_writes_total", "pinwheel_shard_task_errors_total"))
        {
            final double x = after.sum(counter) - before.sum(counter);
            if (x != 0)
            {
                out.put(counter, x);
            }
        }
        return out;
    }

    private Path outDir() throws IOException
    {
        return Files.createDirectories(Path.of(args.string("out")));
    }

    private void writeResults() throws IOException
    {
        final Path out = outDir();
        final String stamp = ProbeSupport.stamp();
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", args.asMap());
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        env.put("load_average_at_start", loadAtStart);
        env.put("load_average_at_end", ProbeSupport.loadAverage());
        env.put("root", DiskFullPhase.isRoot());
        env.put("server_command", node.server().command());
        r.put("environment", env);
        r.put("baseline_p99_ms", baselineP99);
        r.put("baseline_login_ms", baselineLoginMs);
        final List<Map<String, Object>> ps = new ArrayList<>();
        for (final PhaseResult p : results)
        {
            ps.add(p.toMap());
        }
        r.put("phases", ps);
        r.put("summary", summary);
        r.put("goals", AbuseReport.goals(results, summary));
        final Map<String, Object> logs = new LinkedHashMap<>();
        for (final Path log : node.logs())
        {
            final Path copy = out.resolve("abuse-" + stamp + "-" + log.getFileName());
            Files.copy(log, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            logs.put(log.getFileName().toString(), copy.toString());
        }
        r.put("server_logs", logs);
        AbuseReport.write(out, stamp, r, results);
    }

    /** CPU time of the node and of this process over a stretch, in cores. */
    static final class CpuMeter
    {
        private final ServerProcess server;
        private final long t0 = System.nanoTime();
        private final long node0;
        private final long probe0 = ProbeSupport.clientCpuNanos();

        CpuMeter(final ServerProcess server)
        {
            this.server = server;
            this.node0 = server.cpuNanos();
        }

        /**
         * @return {node, probe} CPU since construction, in cores (NaN if unknown).
         */
        double[] cores()
        {
            final double wall = System.nanoTime() - t0;
            final long node1 = server.cpuNanos();
            final long probe1 = ProbeSupport.clientCpuNanos();
            return new double[] {node0 < 0 || node1 < 0 ? Double.NaN : (node1 - node0) / wall,
                probe0 < 0 || probe1 < 0 ? Double.NaN : (probe1 - probe0) / wall};
        }
    }

    private static double median(final double[] v)
    {
        final double[] s = java.util.Arrays.stream(v).filter(x -> x >= 0).sorted().toArray();
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }

    private static String range(final double[] sorted)
    {
        if (sorted.length == 0)
        {
            return "none";
        }
        return String.format(Locale.ROOT, "%.0f-%.0f", sorted[0], sorted[sorted.length - 1]);
    }

    /**
     * Registers something to close when the run ends, however it ends.
     *
     * @param c the resource.
     */
    void closeLater(final AutoCloseable c)
    {
        toClose.add(c);
    }

    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        if (chat != null)
        {
            chat.close();
        }
        for (final AutoCloseable c : toClose)
        {
            try
            {
                c.close();
            }
            catch (final Exception ex)
            {
                System.err.println("cleanup: " + ex);
            }
        }
        if (node != null)
        {
            node.close();
        }
    }
}
