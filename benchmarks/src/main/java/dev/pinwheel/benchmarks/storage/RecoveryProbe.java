package dev.pinwheel.benchmarks.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.jvmflags.JvmFlagProfiles;
import dev.pinwheel.storage.ChronicleShardStore;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.EmbeddedStoreFactory;
import dev.pinwheel.storage.StorageConfiguration;

/**
 * Recovery time vs messages stored, each recovery in a fresh JVM (as after a crash: nothing warm).
 * <pre>
 *   for N in --messages:
 *     pinwheel: child JVM loads N messages (100 channels) into one shard and halts without closing (as kill -9)
 *               ──&gt; child JVM with reuse-index-after-kill=false: open + recover (rebuild the indexes) + latest 50
 *               ──&gt; child JVM appends one message and halts (kill -9 again)
 *               ──&gt; child JVM: open + recover (indexes reused at their recovery point) + latest 50
 *               then the clean case ──&gt; child JVM: open + recover (reuse the index files) + latest 50
 *     sqlite:   child JVM loads N rows (WAL, synchronous=NORMAL) and halts without closing
 *               ──&gt; child JVM: open + first latest-50 query
 *   --server N: the real server (2 shards, N/2 messages each) started, SIGKILLed and started again:
 *               JVM start ──&gt; "gateway listening" / "Pinwheel is serving", and each shard's recovery (and, after
 *               kill -9, its background verification), once per class cache in --class-cache (same data, same run):
 *                 none  no archive
 *                 cds   a dynamic class-data archive written at the first clean exit (what ./pinwheel run does)
 *                 aot   a JDK 24+ AOT cache (JEP 483/515: classes loaded and linked, method profiles) recorded by
 *                       the first start (-XX:AOTCacheOutput) and used by the later ones (-XX:AOTCache)
 *   --rounds R: the --messages cases (Pinwheel and SQLite alternating which goes first) and, for the server, R rounds
 *               of three starts, each after a kill -9 of the one before on its directory, in alternating order:
 *                 reuse on   the default: the indexes reused at their recovery point, verified in the background
 *                 reuse off  reuse-index-after-kill=false: the indexes rebuilt (every record verified) before serving
 *                 empty      a data directory without messages (its voice keystore made beforehand): the floor of
 *                            JVM start, class loading and start-up that no recovery work can go below
 *               then the median of every value over the rounds, and ratios of medians of the same run.
 * </pre>
 * Times are from the child's own clock (open → first page) plus, for the server, from spawning the JVM.
 * Usage: {@code RecoveryProbe [--messages 100000,1000000] [--channels 100] [--server 1000000]
 * [--class-cache cds,aot] [--rounds 3] [--dir DIR]}; {@code --messages 0} runs only the server.
 */
public final class RecoveryProbe
{
    private static final Pattern RESULT = Pattern.compile("^RESULT (.*)$");
    private static final Pattern SHARD_RECOVERED = Pattern.compile(
        "shard (\\d+): recovered (\\d+) state records and (\\d+) message records \\(([^)]*) indexes\\) in (\\d+) ms");
    private static final Pattern SHARD_VERIFIED = Pattern.compile(
        "shard (\\d+): background verification of the message journal before the recovery point: (\\d+) records "
        + "checked in (\\d+) ms");
    private static final long VERIFIED_WAIT_MILLIS = 60_000;
    private static final long RECOVERED_WAIT_MILLIS = 10_000;
    private static final String PW_REBUILD = "after kill -9, rebuild (reuse off)";
    private static final String PW_RECOVERY_POINT = "after kill -9 (reuse at recovery pt)";
    private static final String PW_CLEAN = "after clean stop (reuse indexes)";
    private static final String SQLITE_WAL = "after kill -9 (WAL recovery)";
    private static final String REUSE_ON = "reuse on";
    private static final String REUSE_OFF = "reuse off";
    private static final String EMPTY = "empty";

    private RecoveryProbe()
    {
    }

    /**
     * @param args see the class comment; child modes are internal.
     * @throws Exception if a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].startsWith("child-"))
        {
            child(args);
            return;
        }
        long[] sizes = {100_000, 300_000, 1_000_000};
        int channels = 100;
        long server = 0;
        String[] caches = {"cds"};
        int rounds = 1;
        Path root = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--messages" ->
                {
                    final String[] parts = args[++i].split(",");
                    sizes = new long[parts.length];
                    for (int k = 0; k < parts.length; k++)
                    {
                        sizes[k] = Long.parseLong(parts[k].trim());
                    }
                }
                case "--channels" -> channels = Integer.parseInt(args[++i]);
                case "--server" -> server = Long.parseLong(args[++i]);
                case "--class-cache" -> caches = args[++i].split(",");
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--dir" -> root = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final Path base = root != null ? Files.createDirectories(root) : BenchData.tempDir("pinwheel-recovery");
        final RecoverySamples samples = new RecoverySamples();
        try
        {
            System.out.printf(Locale.ROOT, "%-10s %10s %-36s %10s %10s %12s%n",
                "engine", "messages", "case", "open ms", "recover ms", "first page ms");
            for (int round = 1; round <= rounds; round++)
            {
                for (final long n : sizes)
                {
                    if (n <= 0)
                    {
                        continue;
                    }
                    if (round % 2 == 1)
                    {
                        pinwheel(base.resolve("pinwheel-" + n), n, channels, samples);
                        sqlite(base.resolve("sqlite-" + n), n, channels, samples);
                    }
                    else
                    {
                        sqlite(base.resolve("sqlite-" + n), n, channels, samples);
                        pinwheel(base.resolve("pinwheel-" + n), n, channels, samples);
                    }
                }
            }
            if (rounds > 1)
            {
                summary(sizes, rounds, samples);
            }
            if (server > 0)
            {
                server(base.resolve("server-" + server), server, channels, caches, rounds, samples);
            }
        }
        finally
        {
            if (root == null)
            {
                BenchData.deleteTree(base);
            }
        }
    }

    private static void pinwheel(final Path dir, final long n, final int channels, final RecoverySamples samples)
        throws Exception
    {
        runChild(List.of(), "child-pinwheel-load", dir.toString(), Long.toString(n), Integer.toString(channels));
        report("pinwheel", n, PW_REBUILD, runChild(
            List.of("-D" + StorageConfiguration.REUSE_INDEX_AFTER_KILL_PROP_NAME + "=false"), "child-pinwheel",
            dir.toString()), samples);
        runChild(List.of(), "child-pinwheel-touch", dir.toString(), Long.toString(n), Integer.toString(channels));
        report("pinwheel", n, PW_RECOVERY_POINT, runChild("child-pinwheel", dir.toString()), samples);
        report("pinwheel", n, PW_CLEAN, runChild("child-pinwheel", dir.toString()), samples);
        BenchData.deleteTree(dir);
    }

    private static void sqlite(final Path dir, final long n, final int channels, final RecoverySamples samples)
        throws Exception
    {
        Files.createDirectories(dir);
        runChild("child-sqlite-load", dir.toString(), Long.toString(n), Integer.toString(channels));
        report("sqlite", n, SQLITE_WAL, runChild("child-sqlite", dir.toString()), samples);
        BenchData.deleteTree(dir);
    }

    private static void report(final String engine, final long n, final String what, final String result,
        final RecoverySamples samples)
    {
        final String[] f = result.split(" ");
        System.out.printf(Locale.ROOT, "%-10s %10d %-36s %10s %10s %12s%n", engine, n, what, f[0], f[1], f[2]);
        final String key = engine + " " + n + " " + what;
        final double open = Double.parseDouble(f[0]);
        final double recover = Double.parseDouble(f[1]);
        final double page = Double.parseDouble(f[2]);
        samples.add(key + " open", open);
        samples.add(key + " recover", recover);
        samples.add(key + " page", page);
        samples.add(key + " total", open + recover + page);
    }

    private static void summary(final long[] sizes, final int rounds, final RecoverySamples samples)
    {
        System.out.printf(Locale.ROOT, "%nmedians of %d rounds (ms, the child's own clock; total = open + recover + "
            + "first page; ratio = Pinwheel total / SQLite total):%n", rounds);
        System.out.printf(Locale.ROOT, "%-10s %10s %-36s %10s %10s %12s %10s %8s%n",
            "engine", "messages", "case", "open ms", "recover ms", "first page ms", "total ms", "ratio");
        for (final long n : sizes)
        {
            final double sqlite = samples.median("sqlite " + n + " " + SQLITE_WAL + " total");
            for (final String what : new String[] {PW_REBUILD, PW_RECOVERY_POINT, PW_CLEAN, SQLITE_WAL})
            {
                final String engine = SQLITE_WAL.equals(what) ? "sqlite" : "pinwheel";
                final String key = engine + " " + n + " " + what;
                if (!samples.has(key + " total"))
                {
                    continue;
                }
                System.out.printf(Locale.ROOT, "%-10s %10d %-36s %10.0f %10.0f %12.2f %10.0f %7.2fx%n", engine, n,
                    what, samples.median(key + " open"), samples.median(key + " recover"),
                    samples.median(key + " page"), samples.median(key + " total"),
                    samples.median(key + " total") / sqlite);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ children

    private static void child(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[1]);
        final long t0 = System.nanoTime();
        switch (args[0])
        {
            case "child-pinwheel" ->
            {
                try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dir, Durability.OS))
                {
                    final ChronicleShardStore store = factory.open(0);
                    final long t1 = System.nanoTime();
                    store.recover((type, payload) -> { });
                    final long t2 = System.nanoTime();
                    final List<StoredMessage> page = store.history(BenchData.FIRST_CHANNEL,
                        dev.pinwheel.core.store.HistoryQuery.LATEST, 0, 50);
                    final long t3 = System.nanoTime();
                    result(t0, t1, t2, t3, page.size());
                }
            }
            case "child-pinwheel-load" -> // as kill -9 after loading: no close, no marker
            {
                final PinwheelStoreUnderTest store = new PinwheelStoreUnderTest(dir, Durability.OS, true);
                BenchData.load(store, Long.parseLong(args[2]), Integer.parseInt(args[3]));
                System.out.println("RESULT loaded");
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
            case "child-pinwheel-touch" -> // opens, appends one message, halts: the kill -9 state again
            {
                final PinwheelStoreUnderTest store = new PinwheelStoreUnderTest(dir, Durability.OS, true);
                store.append(BenchData.message(Long.parseLong(args[2]), Integer.parseInt(args[3])));
                System.out.println("RESULT touched");
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
            case "child-sqlite-load" ->
            {
                final SqliteStoreUnderTest store = new SqliteStoreUnderTest(dir.resolve("messages.db"), false);
                BenchData.load(store, Long.parseLong(args[2]), Integer.parseInt(args[3]));
                System.out.println("RESULT loaded");
                System.out.flush();
                Runtime.getRuntime().halt(0); // as kill -9: no close, no checkpoint
            }
            case "child-sqlite" ->
            {
                try (SqliteStoreUnderTest store = new SqliteStoreUnderTest(dir.resolve("messages.db"), false))
                {
                    final long t1 = System.nanoTime();
                    final List<StoredMessage> page = store.latest(BenchData.FIRST_CHANNEL, 50);
                    final long t3 = System.nanoTime();
                    result(t0, t1, t1, t3, page.size());
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void result(final long t0, final long t1, final long t2, final long t3, final int page)
    {
        if (page != 50)
        {
            throw new IllegalStateException("first page has " + page + " messages");
        }
        System.out.printf(Locale.ROOT, "RESULT %d %d %.2f%n", TimeUnit.NANOSECONDS.toMillis(t1 - t0),
            TimeUnit.NANOSECONDS.toMillis(t2 - t1), (t3 - t2) / 1e6);
    }

    private static List<String> javaCommand()
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlagProfiles.locate().argFileOptions("dev", Runtime.version().feature()));
        command.add("-Dorg.slf4j.simpleLogger.log.net.openhft=warn");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        return command;
    }

    private static String runChild(final String... args) throws IOException, InterruptedException
    {
        return runChild(List.of(), args);
    }

    private static String runChild(final List<String> jvmOptions, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = javaCommand();
        command.addAll(1, jvmOptions);
        command.add(RecoveryProbe.class.getName());
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String result = null;
        final StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                output.append(line).append('\n');
                final Matcher m = RESULT.matcher(line);
                if (m.matches())
                {
                    result = m.group(1);
                }
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES) || result == null)
        {
            p.destroyForcibly();
            throw new IllegalStateException("child " + String.join(" ", args) + " failed:\n" + output);
        }
        return result;
    }

    // ------------------------------------------------------------------------------------------------ server

    private static void server(final Path dir, final long n, final int channels, final String[] caches,
        final int rounds, final RecoverySamples samples) throws Exception
    {
        for (int shard = 0; shard < 2; shard++) // the messages of half the channels on each shard
        {
            try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(dir, Durability.OS))
            {
                final ChronicleShardStore store = factory.open(shard);
                store.recover((type, payload) -> { });
                for (long i = shard; i < n; i += 2)
                {
                    store.appendMessage(BenchData.message(i, channels));
                }
            }
        }
        final Path empty = dir.resolveSibling(dir.getFileName() + "-empty");
        System.out.printf(Locale.ROOT, "%nserver, 2 shards, %d messages (%d per shard), dev profile, JDK %d:%n", n,
            n / 2, Runtime.version().feature());
        for (final String cache : caches)
        {
            final Path file = dir.resolveSibling(dir.getFileName() + "-classes." + cache);
            final List<String> record = switch (cache)
            {
                case "none" -> List.of();
                // what ./pinwheel run does when it starts from the jar (the probe's class path is one jar too)
                case "cds" -> List.of("-XX:SharedArchiveFile=" + file, "-XX:+AutoCreateSharedArchive",
                    "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
                case "aot" -> List.of("-XX:AOTCacheOutput=" + file, "-Xlog:aot=off", "-Xlog:cds=off");
                default -> throw new IllegalArgumentException("unknown class cache " + cache + " (none, cds, aot)");
            };
            final List<String> use = "aot".equals(cache) ?
                List.of("-XX:AOTCache=" + file, "-Xlog:aot=off", "-Xlog:cds=off") : record;
            final ServerRun first = startServer(dir, record);
            System.out.printf(Locale.ROOT, "  [%s] first start (recording the cache): JVM spawn -> gateway listening %d"
                + " ms, serving %d ms%n", cache, first.listeningMillis, first.servingMillis);
            final long stop = System.nanoTime();
            first.process.destroy(); // clean stop: the JVM writes the archive/cache on its way out
            first.process.waitFor(120, TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "  [%s] clean stop (writing the cache) %d ms, cache %s%n", cache,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stop),
                Files.exists(file) ? Files.size(file) / (1024 * 1024) + " MiB" : "none");
            final ServerRun clean = startServer(dir, use);
            System.out.printf(Locale.ROOT, "  [%s] start after a clean stop: JVM spawn -> gateway listening %d ms,"
                + " serving %d ms; shard recovery %s%n", cache, clean.listeningMillis, clean.servingMillis,
                clean.recovered(2, RECOVERED_WAIT_MILLIS));
            kill(clean);
            kill(startServer(empty, use)); // the empty directory's first start makes its voice keystore (keytool)
            for (int round = 1; round <= rounds; round++)
            {
                final String[] order = round % 2 == 1 ?
                    new String[] {REUSE_ON, REUSE_OFF, EMPTY} : new String[] {EMPTY, REUSE_OFF, REUSE_ON};
                for (final String what : order)
                {
                    crashedStart(EMPTY.equals(what) ? empty : dir, use, cache, what, round, samples);
                }
            }
            serverSummary(cache, rounds, samples);
            Files.deleteIfExists(file);
        }
        BenchData.deleteTree(empty);
        BenchData.deleteTree(dir);
    }

    /** A start after kill -9 (the start before it on that directory is still running, and is killed first). */
    private static void crashedStart(final Path dir, final List<String> use, final String cache, final String what,
        final int round, final RecoverySamples samples) throws Exception
    {
        final List<String> flags = new ArrayList<>(use);
        if (REUSE_OFF.equals(what))
        {
            flags.add("-D" + StorageConfiguration.REUSE_INDEX_AFTER_KILL_PROP_NAME + "=false");
        }
        final ServerRun run = startServer(dir, flags);
        final List<ShardLine> recovered = run.recovered(2, RECOVERED_WAIT_MILLIS);
        final List<ShardLine> verified = REUSE_ON.equals(what) ? run.verified(2, VERIFIED_WAIT_MILLIS) : List.of();
        System.out.printf(Locale.ROOT, "  [%s] round %d, after kill -9, %-9s: JVM spawn -> gateway listening %d ms,"
            + " serving %d ms; shard recovery %s%s%n", cache, round, what, run.listeningMillis, run.servingMillis,
            recovered, verified.isEmpty() ? "" : "; then in the background: " + verified);
        final String key = cache + " " + what;
        samples.add(key + " listening", run.listeningMillis);
        samples.add(key + " serving", run.servingMillis);
        for (final ShardLine line : recovered)
        {
            samples.add(key + " shard " + line.shard + " recovery", line.millis);
        }
        for (final ShardLine line : verified)
        {
            samples.add(key + " shard " + line.shard + " verification", line.millis);
            samples.add(key + " shard " + line.shard + " verified at", line.atMillis);
        }
        kill(run);
    }

    private static void serverSummary(final String cache, final int rounds, final RecoverySamples samples)
    {
        System.out.printf(Locale.ROOT, "  [%s] medians of %d rounds after kill -9 (ms from the JVM spawn; rounds in "
            + "brackets):%n", cache, rounds);
        for (final String what : new String[] {REUSE_ON, REUSE_OFF, EMPTY})
        {
            final String key = cache + " " + what;
            final StringBuilder shards = new StringBuilder();
            for (int shard = 0; shard < 2; shard++)
            {
                final String shardKey = key + " shard " + shard;
                shards.append(String.format(Locale.ROOT, "; shard %d recovery %.0f", shard,
                    samples.median(shardKey + " recovery")));
                if (samples.has(shardKey + " verification"))
                {
                    shards.append(String.format(Locale.ROOT, ", background verification %.0f (done at %.0f)",
                        samples.median(shardKey + " verification"), samples.median(shardKey + " verified at")));
                }
            }
            System.out.printf(Locale.ROOT, "  [%s]   %-9s listening %5.0f, serving %5.0f %s%s%n", cache, what,
                samples.median(key + " listening"), samples.median(key + " serving"),
                samples.rounds(key + " serving"), shards);
        }
        final double on = samples.median(cache + " " + REUSE_ON + " serving");
        final double off = samples.median(cache + " " + REUSE_OFF + " serving");
        final double floor = samples.median(cache + " " + EMPTY + " serving");
        System.out.printf(Locale.ROOT, "  [%s]   serving: reuse off / reuse on %.2fx; reuse on - empty %+.0f ms, "
            + "reuse off - empty %+.0f ms%n", cache, off / on, on - floor, off - floor);
    }

    private static void kill(final ServerRun run) throws InterruptedException
    {
        run.process.destroyForcibly(); // SIGKILL
        if (!run.process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("the server did not die within 30 s of SIGKILL");
        }
    }

    /**
     * A line a shard logged: its recovery ({@code count} message records) or its background verification
     * ({@code count} records checked), how long it took, and when the probe read it (ms after the JVM spawn).
     */
    private record ShardLine(int shard, long count, long millis, long atMillis, String how)
    {
        @Override
        public String toString()
        {
            return "shard " + shard + ": " + count + (how.isEmpty() ? " records verified" : " messages " + how)
                + " in " + millis + " ms (at " + atMillis + " ms)";
        }
    }

    /** A server start; its output is read (and the shards' lines noted) by a thread once it serves. */
    private record ServerRun(Process process, long listeningMillis, long servingMillis, List<ShardLine> recovered,
        List<ShardLine> verifications)
    {
        /**
         * @param shards     how many shards log their recovery.
         * @param waitMillis how long to wait for their lines (they come through an asynchronous logger).
         * @return the recovery lines seen by then.
         */
        List<ShardLine> recovered(final int shards, final long waitMillis) throws InterruptedException
        {
            return await(recovered, shards, waitMillis);
        }

        /**
         * @param shards     how many shards verify in the background.
         * @param waitMillis how long to wait for a shard's verification (none runs after a clean stop).
         * @return the verification lines seen by then.
         */
        List<ShardLine> verified(final int shards, final long waitMillis) throws InterruptedException
        {
            return await(verifications, shards, waitMillis);
        }

        private static List<ShardLine> await(final List<ShardLine> lines, final int count, final long waitMillis)
            throws InterruptedException
        {
            final long deadline = System.currentTimeMillis() + waitMillis;
            synchronized (lines)
            {
                while (lines.size() < count && System.currentTimeMillis() < deadline)
                {
                    lines.wait(Math.max(1, deadline - System.currentTimeMillis()));
                }
                return List.copyOf(lines);
            }
        }
    }

    private static ServerRun startServer(final Path dir, final List<String> jvmOptions) throws IOException
    {
        final int port;
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = socket.getLocalPort();
        }
        final List<String> command = javaCommand();
        command.addAll(1, jvmOptions);
        command.add("dev.pinwheel.server.PinwheelMain");
        command.addAll(List.of("run", "--host", "127.0.0.1", "--port", Integer.toString(port), "--data",
            dir.toString(), "--shards", "2"));
        final long start = System.nanoTime();
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long listening = -1;
        final List<ShardLine> recovered = new ArrayList<>();
        final List<ShardLine> verifications = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null)
        {
            final long now = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            noteShardLine(line, now, recovered, verifications);
            if (listening < 0 && line.contains("gateway listening"))
            {
                listening = now;
            }
            if (line.contains("Pinwheel is serving"))
            {
                final long serving = now;
                final Thread drain = new Thread(() -> drain(in, start, recovered, verifications), "server-output");
                drain.setDaemon(true);
                drain.start();
                return new ServerRun(p, listening, serving, recovered, verifications);
            }
        }
        throw new IllegalStateException("server exited before serving");
    }

    /**
     * Notes a shard's recovery or background verification line. Both may come before or after "Pinwheel is serving"
     * (the log is asynchronous, and a short verification can end before the gateway binds).
     */
    private static void noteShardLine(final String line, final long now, final List<ShardLine> recovered,
        final List<ShardLine> verifications)
    {
        final Matcher r = SHARD_RECOVERED.matcher(line);
        if (r.find())
        {
            add(recovered, new ShardLine(Integer.parseInt(r.group(1)), Long.parseLong(r.group(3)),
                Long.parseLong(r.group(5)), now, r.group(4)));
        }
        final Matcher v = SHARD_VERIFIED.matcher(line);
        if (v.find())
        {
            add(verifications, new ShardLine(Integer.parseInt(v.group(1)), Long.parseLong(v.group(2)),
                Long.parseLong(v.group(3)), now, ""));
        }
    }

    private static void add(final List<ShardLine> lines, final ShardLine line)
    {
        synchronized (lines)
        {
            lines.add(line);
            lines.notifyAll();
        }
    }

    private static void drain(final BufferedReader in, final long start, final List<ShardLine> recovered,
        final List<ShardLine> verifications)
    {
        try
        {
            String line;
            while ((line = in.readLine()) != null) // keep the pipe empty
            {

                noteShardLine(line, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), recovered,
                    verifications);
            }
        }
        catch (final IOException ignored)
        {
            // the server was killed
        }
    }
}
