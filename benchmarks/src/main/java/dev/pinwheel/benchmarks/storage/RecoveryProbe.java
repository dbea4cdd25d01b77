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

/**
 * Recovery time vs messages stored, each recovery in a fresh JVM (as after a crash: nothing warm).
 * <pre>
 *   for N in --messages:
 *     pinwheel: load N messages (100 channels) into one shard, close, delete the clean-shutdown marker
 *               (what kill -9 leaves: no marker) ──&gt; child JVM: open + recover (rebuild the indexes) + latest 50
 *               then the clean case ──&gt; child JVM: open + recover (reuse the index files) + latest 50
 *     sqlite:   child JVM loads N rows (WAL, synchronous=NORMAL) and halts without closing
 *               ──&gt; child JVM: open + first latest-50 query
 *   --server N: the real server (2 shards, N/2 messages each) started, SIGKILLed and started again:
 *               JVM start ──&gt; "gateway listening" / "Pinwheel is serving", and each shard's recovery,
 *               once per class cache in --class-cache (same data, same run):
 *                 none  no archive
 *                 cds   a dynamic class-data archive written at the first clean exit (what ./pinwheel run does)
 *                 aot   a JDK 24+ AOT cache (JEP 483/515: classes loaded and linked, method profiles) recorded by
 *                       the first start (-XX:AOTCacheOutput) and used by the later ones (-XX:AOTCache)
 * </pre>
 * Times are from the child's own clock (open → first page) plus, for the server, from spawning the JVM.
 * Usage: {@code RecoveryProbe [--messages 100000,1000000] [--channels 100] [--server 1000000]
 * [--class-cache cds,aot] [--dir DIR]}; {@code --messages 0} runs only the server.
 */
public final class RecoveryProbe
{
    private static final Pattern RESULT = Pattern.compile("^RESULT (.*)$");
    private static final Pattern SHARD_RECOVERED = Pattern.compile(
        "shard (\\d+): recovered (\\d+) state records and (\\d+) message records \\(([^)]*) indexes\\) in (\\d+) ms");

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
                case "--dir" -> root = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final Path base = root != null ? Files.createDirectories(root) : BenchData.tempDir("pinwheel-recovery");
        try
        {
            System.out.printf(Locale.ROOT, "%-10s %10s %-34s %10s %10s %12s%n",
                "engine", "messages", "case", "open ms", "recover ms", "first page ms");
            for (final long n : sizes)
            {
                if (n <= 0)
                {
                    continue;
                }
                pinwheel(base.resolve("pinwheel-" + n), n, channels);
                sqlite(base.resolve("sqlite-" + n), n, channels);
            }
            if (server > 0)
            {
                server(base.resolve("server-" + server), server, channels, caches);
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

    private static void pinwheel(final Path dir, final long n, final int channels) throws Exception
    {
        try (PinwheelStoreUnderTest store = new PinwheelStoreUnderTest(dir, Durability.OS, true))
        {
            BenchData.load(store, n, channels);
        }
        Files.deleteIfExists(dir.resolve("shard-0").resolve("index").resolve("clean-shutdown.properties"));
        report("pinwheel", n, "after kill -9 (rebuild indexes)", runChild("child-pinwheel", dir.toString()));
        report("pinwheel", n, "after clean stop (reuse indexes)", runChild("child-pinwheel", dir.toString()));
        BenchData.deleteTree(dir);
    }

    private static void sqlite(final Path dir, final long n, final int channels) throws Exception
    {
        Files.createDirectories(dir);
        runChild("child-sqlite-load", dir.toString(), Long.toString(n), Integer.toString(channels));
        report("sqlite", n, "after kill -9 (WAL recovery)", runChild("child-sqlite", dir.toString()));
        BenchData.deleteTree(dir);
    }

    private static void report(final String engine, final long n, final String what, final String result)
    {
        final String[] f = result.split(" ");
        System.out.printf(Locale.ROOT, "%-10s %10d %-34s %10s %10s %12s%n", engine, n, what, f[0], f[1], f[2]);
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
        final List<String> command = javaCommand();
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

    private static void server(final Path dir, final long n, final int channels, final String[] caches)
        throws Exception
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
                clean.shards);
            clean.process.destroyForcibly(); // SIGKILL
            clean.process.waitFor(30, TimeUnit.SECONDS);
            final ServerRun crashed = startServer(dir, use);
            System.out.printf(Locale.ROOT, "  [%s] start after kill -9:      JVM spawn -> gateway listening %d ms,"
                + " serving %d ms; shard recovery %s%n", cache, crashed.listeningMillis, crashed.servingMillis,
                crashed.shards);
            crashed.process.destroy();
            crashed.process.waitFor(60, TimeUnit.SECONDS);
            Files.deleteIfExists(file);
        }
        BenchData.deleteTree(dir);
    }

    /** A server start. */
    private record ServerRun(Process process, long listeningMillis, long servingMillis, List<String> shards)
    {
    }

    private static ServerRun startServer(final Path dir, final List<String> cacheFlags) throws IOException
    {
        final int port;
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = socket.getLocalPort();
        }
        final List<String> command = javaCommand();
        command.addAll(1, cacheFlags);
        command.add("dev.pinwheel.server.PinwheelMain");
        command.addAll(List.of("run", "--host", "127.0.0.1", "--port", Integer.toString(port), "--data",
            dir.toString(), "--shards", "2"));
        final long start = System.nanoTime();
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long listening = -1;
        final List<String> shards = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null)
        {
            final long now = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            final Matcher m = SHARD_RECOVERED.matcher(line);
            if (m.find())
            {
                shards.add("shard " + m.group(1) + ": " + m.group(3) + " messages " + m.group(4) + " in " + m.group(5)
                    + " ms");
            }
            if (listening < 0 && line.contains("gateway listening"))
            {
                listening = now;
            }
            if (line.contains("Pinwheel is serving"))
            {
                final Thread drain = new Thread(() -> drain(in), "server-output");
                drain.setDaemon(true);
                drain.start();
                return new ServerRun(p, listening, now, shards);
            }
        }
        throw new IllegalStateException("server exited before serving");
    }

    private static void drain(final BufferedReader in)
    {
        try
        {
            while (in.readLine() != null)
            {
                // keep the pipe empty
            }
        }
        catch (final IOException ignored)
        {
            // the server was killed
        }
    }
}
