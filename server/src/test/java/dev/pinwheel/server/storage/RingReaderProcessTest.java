package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.jvmflags.JvmFlagProfiles;

/**
 * The ring a cluster node publishes into its data directory's Chronicle Map, read by {@code pinwheel ring} in other
 * JVMs while three nodes (child JVMs, embedded store, one shard each) run: the reader agrees with the nodes — on the
 * epoch they logged, on 5,000 keys, and on where each of 30 real guilds lives (each node's own count of the guilds it
 * owns, then, after {@code kill -9} of node 1, exactly the guilds the reader put on node 1 answer 503 on node 0) — and
 * a watching reader follows the epoch change without a restart.
 */
class RingReaderProcessTest
{
    private static final int NODES = 3;
    private static final int GUILDS = 30;
    private static final Pattern HEADER = Pattern.compile(
        "^ring: publication (\\d+), epoch (\\d+), ring v(\\d+), (\\d+) nodes?, live (\\[[0-9, ]*\\]), (\\d+) shard");
    private static final Pattern OWNER = Pattern.compile("^guild (\\d+): node (\\d+) shard (\\d+) \\((live|not live)\\)");

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[NODES];
    private Process watcher;

    /** One publication as a reader printed it. */
    private record Publication(long sequence, long epoch, String live, Map<Long, Integer> owners)
    {
    }

    @AfterEach
    void stop()
    {
        if (watcher != null)
        {
            watcher.destroyForcibly();
        }
        for (final ServerProcess p : nodes)
        {
            if (p != null)
            {
                p.close();
            }
        }
    }

    @Test
    void anotherProcessReadsTheRingTheNodesRouteByAndFollowsAnEpochChange() throws Exception
    {
        final String members = ClusterNodesTest.freeMemberPorts(NODES);
        final int[] ports = new int[NODES];
        for (int k = 0; k < NODES; k++)
        {
            ports[k] = ServerProcess.freePort();
            final Path data = dir.resolve("node-" + k);
            Files.createDirectories(data);
            nodes[k] = ServerProcess.start(data, 1, "os", dir.resolve("node-" + k + ".log"), 120,
                List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576"), ports[k],
                List.of("--node-id", Integer.toString(k), "--members", members));
        }
        long epoch = 0;
        for (int k = 0; k < NODES; k++)
        {
            epoch = epochOf(nodes[k].awaitLine("live nodes [0, 1, 2]"));
        }
        final RestClient rest0 = new RestClient(nodes[0].restBase());
        final RestClient.User admin = rest0.register("ring-admin"); // the first account: may read /metrics
        final List<Long> guilds = new ArrayList<>();
        final List<String> channels = new ArrayList<>();
        for (int i = 0; i < GUILDS; i++)
        {
            final JsonNode g = rest0.ok("POST", "guilds", admin.token(), "{\"name\":\"ring-" + i + "\"}");
            guilds.add(Long.parseLong(g.get("id").asText()));
            channels.add(g.get("channels").get(0).get("id").asText());
        }
        final Path ids = dir.resolve("guild-ids.txt");
        final List<Long> keys = new ArrayList<>(guilds);
        final java.util.Random random = new java.util.Random(12);
        for (int i = 0; i < 5_000; i++)
        {
            keys.add(random.nextLong() & Long.MAX_VALUE);
        }
        Files.write(ids, keys.stream().map(String::valueOf).toList());

        // a second JVM reads node 2's published ring once (the node is running; the reader takes no lock of it)
        // (under load more epochs may pass — a node briefly late with its heartbeats — so the reader is compared with
        // the newest epoch the node logged, and with the live nodes it logged for it)
        Publication once = null;
        for (int attempt = 0; attempt < 10 && (once == null || once.epoch() != newest(nodes[2])); attempt++)
        {
            once = parse(ServerProcess.runCli(120, "ring", "--data", dir.resolve("node-2").toString(), "--guild",
                "@" + ids)); // the node publishes on a thread of its own: the epoch may come a moment later
        }
        assertTrue(once.epoch() >= epoch, "at least the epoch the nodes logged with all three live");
        assertEquals(newest(nodes[2]), once.epoch(), "the newest epoch node 2 logged");
        assertEquals(logged(nodes[2]).get(once.epoch()), once.live(), "the live nodes node 2 logged for it");
        assertEquals(keys.size(), once.owners().size());
        final RoutingRing built = RoutingRing.build(1, NODES, 1, RoutingRing.DEFAULT_VIRTUAL_NODES); // as every node
        for (final long key : keys)
        {
            assertEquals(built.nodeOf(key), once.owners().get(key), "owner of " + key);
        }

        // a third JVM watches node 0's ring for the rest of the test
        watcher = watch(dir.resolve("node-0"), ids);
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        pump(watcher, lines, dir.resolve("watcher.log"));
        final Publication first = agree(nodes[0], next(lines, keys.size()), lines, keys.size(), epoch);
        assertEquals(once.owners(), first.owners(), "node 0 and node 2 published the same ring");

        // each node's own routing: the guilds its shard owns are the ones the reader puts on it
        final int[] expected = new int[NODES];
        for (final long g : guilds)
        {
            expected[first.owners().get(g)]++;
        }
        for (int k = 0; k < NODES; k++)
        {
            awaitGuildsOwned(ports[k], admin.token(), expected[k]);
        }
        assertTrue(expected[1] > 0 && expected[1] < GUILDS, "node 1 owns some of " + GUILDS + " guilds, not all");

        // node 1 dies: the watcher sees the survivors' new epoch, and node 0 refuses exactly node 1's guilds
        final CompletableFuture<String> lost = nodes[0].lineContaining("live nodes [0, 2] (lost [1])");
        final CompletableFuture<String> unreachable = nodes[0].lineContaining("node 1 unreachable");
        nodes[1].kill();
        nodes[1] = null;
        final long lostEpoch = epochOf(lost.get(60, TimeUnit.SECONDS));
        final long agreed = System.nanoTime(); // node 0 logged the epoch (its output read by this JVM)
        Publication after = next(lines, keys.size());
        while (after.epoch() < lostEpoch)
        {
            after = next(lines, keys.size());
        }
        System.out.println("RingReaderProcessTest: the watching reader printed epoch " + after.epoch() + " "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - agreed) + " ms after node 0 logged epoch " + lostEpoch
            + " (poll 50 ms)");
        after = agree(nodes[0], after, lines, keys.size(), lostEpoch);
        unreachable.get(60, TimeUnit.SECONDS);
        assertTrue(!after.live().contains("1"), "node 1 is dead: " + after.live());
        assertTrue(after.sequence() > first.sequence());
        assertEquals(first.owners(), after.owners(), "on the embedded store the ring stays over every member");
        for (int i = 0; i < GUILDS; i++)
        {
            final long g = guilds.get(i);
            final RestClient.Response r = rest0.call("GET", "channels/" + channels.get(i) + "/messages?limit=1",
                admin.token(), null);
            assertEquals(after.owners().get(g) == 1 ? 503 : 200, r.status(), "guild " + g + " of node "
                + after.owners().get(g) + ": " + r.raw());
        }
    }

    /**
     * @return the watcher's publication of the newest epoch the node logged (at least {@code atLeast}), checked against
     *         the live nodes the node logged for it; newer publications are read as long as the node logs newer epochs.
     */
    private static Publication agree(final ServerProcess node, final Publication start,
        final LinkedBlockingQueue<String> lines, final int keys, final long atLeast) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Publication p = start;
        while (true)
        {
            assertTrue(System.nanoTime() - deadline < 0, "the reader did not reach the node's epoch; at " + p.epoch());
            final long newest = newest(node);
            if (p.epoch() == newest && newest >= atLeast)
            {
                assertEquals(logged(node).get(newest), p.live(), "live nodes of epoch " + newest + " as node logged");
                return p;
            }
            if (p.epoch() > newest)
            {
                TimeUnit.MILLISECONDS.sleep(100); // published a moment before the node logged it
                continue;
            }
            p = next(lines, keys); // the node has a newer epoch: its publication follows
        }
    }

    private static final Pattern EPOCH_LINE = Pattern.compile("ring epoch (\\d+): live nodes (\\[[0-9, ]*\\])");

    /** @return every "ring epoch N: live nodes [...]" the node logged: epoch → its live nodes. */
    private static Map<Long, String> logged(final ServerProcess node) throws IOException
    {
        final Map<Long, String> epochs = new HashMap<>();
        for (final String line : Files.readAllLines(node.log()))
        {
            final Matcher m = EPOCH_LINE.matcher(line);
            if (m.find())
            {
                epochs.put(Long.parseLong(m.group(1)), m.group(2));
            }
        }
        return epochs;
    }

    private static long newest(final ServerProcess node) throws IOException
    {
        return logged(node).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private Process watch(final Path data, final Path ids) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlagProfiles.locate().argFileOptions(JvmFlagProfiles.TEST, Runtime.version().feature()));
        command.addAll(List.of("-Xmx128m", "-cp", System.getProperty("java.class.path"),
            "dev.pinwheel.server.PinwheelMain", "ring", "--data", data.toString(), "--guild", "@" + ids, "--watch",
            "--interval-ms", "50", "--for-seconds", "600"));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void pump(final Process p, final LinkedBlockingQueue<String> lines, final Path log)
    {
        Thread.ofPlatform().daemon(true).name("ring-watcher-output").start(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)); java.io.Writer out = Files.newBufferedWriter(log))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    lines.add(line);
                    out.write(line + "\n");
                }
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
        });
    }

    /** @return the next publication the watcher prints (its header line and one owner line per key). */
    private static Publication next(final LinkedBlockingQueue<String> lines, final int keys) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        final StringBuilder block = new StringBuilder();
        int owners = -1;
        while (owners < keys)
        {
            final String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(line, "no whole publication from the watcher within 90 s; got:\n" + block);
            if (owners < 0 && !line.startsWith("ring: "))
            {
                continue; // JVM warnings before the first publication
            }
            block.append(line).append('\n');
            owners++;
        }
        return parse(block.toString());
    }

    private static Publication parse(final String out)
    {
        Publication p = null;
        final Map<Long, Integer> owners = new HashMap<>();
        for (final String line : out.split("\n"))
        {
            final Matcher h = HEADER.matcher(line);
            if (h.find())
            {
                assertEquals(null, p, "one publication: " + out);
                assertEquals(String.valueOf(NODES), h.group(4));
                p = new Publication(Long.parseLong(h.group(1)), Long.parseLong(h.group(2)), h.group(5), owners);
                continue;
            }
            final Matcher o = OWNER.matcher(line);
            if (o.find())
            {
                assertNotNull(p, "an owner after the header: " + out);
                owners.put(Long.parseLong(o.group(1)), Integer.parseInt(o.group(2)));
                assertEquals(p.live().contains(o.group(2)), "live".equals(o.group(4)), line);
            }
        }
        assertNotNull(p, "a publication: " + out);
        return p;
    }

    private static void awaitGuildsOwned(final int port, final String token, final int expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long owned = -1;
        while (System.nanoTime() - deadline < 0)
        {
            owned = 0;
            final String body = new RestClient("http://127.0.0.1:" + port + "/api/v10/").metrics(token);
            for (final String line : body.split("\n"))
            {
                if (line.startsWith("pinwheel_shard_guilds_owned{"))
                {
                    owned += (long)Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            if (owned == expected)
            {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200); // the gauge is sampled by the shard's tick
        }
        assertEquals(expected, owned, "guilds owned by the node on port " + port);
    }

    /** @return N of a "cluster: ring epoch N: live nodes …" line. */
    private static long epochOf(final String line)
    {
        final Matcher m = Pattern.compile("ring epoch (\\d+):").matcher(line);
        assertTrue(m.find(), line);
        return Long.parseLong(m.group(1));
    }
}
