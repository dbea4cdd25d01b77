package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes at random moments while three writers post, edit, delete and read through every node of a three-node cluster
 * on the shared Cassandra store: a node is killed ({@code kill -9}) or stalled ({@code SIGSTOP}) every few seconds, at
 * most one at a time, and restarted after a random pause — sometimes before the survivors noticed it was gone,
 * sometimes right after it came back, in the middle of a ring epoch's handover. Afterwards, all nodes live again, every
 * channel's whole history is read through every node and checked against what the server acknowledged:
 * <ul>
 *     <li>every acknowledged message is there once, with the content of its last acknowledged edit (or of a later
 *     edit whose answer was lost), unless a delete of it was acknowledged (or sent without an answer);</li>
 *     <li>nothing is there that no one posted, and no post is there twice (a command replayed across a ring change
 *     would be);</li>
 *     <li>all three nodes serve the same history.</li>
 * </ul>
 * A request that got no answer (its node died under it, or its owner did) may or may not have happened, as with
 * Discord; a post answered with an error must not have been written; a delete answered 503 "may or may not have been
 * applied" and then 404 on its retry was done by its first try. Any other answer than a success or a 503 (a 404 for a
 * guild or message that exists, a 401 for a valid token) fails the run. The writers retry 503s with Retry-After as
 * Discord's libraries do. The seed, the run's length and the rounds are printed so that a failing run can be
 * repeated: {@code -Dpinwheel.chaos.seed=N}, {@code -Dpinwheel.chaos.seconds=S} (30 by default; the timing is the
 * box's, so a seed repeats the rounds, not every interleaving).
 */
class ClusterChaosTest
{
    private static final int NODES = 3;
    private static final int WRITERS = 3;
    private static final int GUILDS = 4;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;

    private LocalCluster cluster;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread[] writers = new Thread[WRITERS];
    /** 0: serving; 1: killed or stalled (writers keep away; a request already sent there finds out). */
    private final AtomicIntegerArray down = new AtomicIntegerArray(NODES);

    /** What one writer sent and what came of it, by the post's content (unique per attempt). */
    private static final class Ledger
    {
        /** Posts answered 2xx: content → id. */
        final Map<String, String> acked = new ConcurrentHashMap<>();
        /** Posts without an answer (may have happened). */
        final List<String> unknown = new ArrayList<>();
        /** Posts answered 503 or another refusal (must not have happened). */
        final List<String> refused = new ArrayList<>();
        /** Per acknowledged id: the edits sent, in order, each with its outcome (2xx, or -1 without an answer). */
        final Map<String, List<String[]>> edits = new HashMap<>();
        /** Ids whose delete was answered 2xx, and those whose delete got no answer. */
        final List<String> deleted = new ArrayList<>();
        final List<String> maybeDeleted = new ArrayList<>();
        /** Answers no writer should get (a 404 for a guild that exists...), with when and through which node. */
        final List<String> wrong = new ArrayList<>();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger retriedAfter503 = new AtomicInteger();
        /** Reads of a channel's newest messages made (each must be answered 200, or not at all). */
        final AtomicInteger reads = new AtomicInteger();
        /** Whether the last request was answered 503 "may or may not have been applied" before its final answer. */
        boolean maybeApplied;
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        running.set(false);
        for (final Thread w : writers)
        {
            if (w != null)
            {
                w.join(TimeUnit.SECONDS.toMillis(40));
            }
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesRandomKillsAndStalls() throws Exception
    {
        final long seed = Long.getLong("pinwheel.chaos.seed", System.nanoTime());
        final int seconds = Integer.getInteger("pinwheel.chaos.seconds", 30);
        System.out.println("ClusterChaosTest: seed " + seed + ", " + seconds + " s of chaos");
        final SplittableRandom random = new SplittableRandom(seed);

        cluster = new LocalCluster(dir, NODES, 1, SharedCassandra.clusterOptions("chaos")).startAllLive();
        final RestClient[] rest = new RestClient[NODES];
        for (int k = 0; k < NODES; k++)
        {
            rest[k] = new RestClient(cluster.node(k).restBase());
        }
        final RestClient.User[] users = new RestClient.User[WRITERS];
        for (int u = 0; u < WRITERS; u++)
        {
            users[u] = rest[u % NODES].register("chaos" + u);
        }
        final List<String> channels = new ArrayList<>();
        for (int g = 0; g < GUILDS; g++)
        {
            final JsonNode guild = rest[g % NODES].ok("POST", "guilds", users[0].token(),
                "{\"name\":\"chaos-" + g + "\"}");
            final String channel = guild.get("channels").get(0).get("id").asText();
            channels.add(channel);
            for (int u = 1; u < WRITERS; u++)
            {
                // through the node that made the guild: a channel or invite just made through one node is unknown
                // on the others for a moment (404; read-your-writes across nodes is not built: README)
                rest[g % NODES].join(users[0], channel, users[u]);
            }
        }

        final Ledger[] ledgers = new Ledger[WRITERS];
        for (int u = 0; u < WRITERS; u++)
        {
            ledgers[u] = new Ledger();
            final int w = u;
            final long writerSeed = random.nextLong();
            writers[u] = Thread.ofPlatform().name("chaos-writer-" + u).start(() ->
                write(w, users[w], rest, channels, ledgers[w], new SplittableRandom(writerSeed)));
        }

        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final List<String> rounds = new ArrayList<>();
        while (System.nanoTime() - end < 0)
        {
            TimeUnit.MILLISECONDS.sleep(2_000 + random.nextInt(6_000));
            final int victim = random.nextInt(NODES);
            final boolean stall = random.nextInt(4) == 0;
            final long pauseMs = random.nextInt(stall ? 4_000 : 7_000);
            final String round = (stall ? "stall " : "kill -9 ") + "node " + victim + " for " + pauseMs + " ms";
            System.out.println("ClusterChaosTest: " + java.time.LocalTime.now() + " " + round
                + " (acknowledged so far: " + count(ledgers) + ")");
            rounds.add(round);
            down.set(victim, 1);
            if (stall)
            {
                LocalCluster.signal(cluster.node(victim), "STOP");
                TimeUnit.MILLISECONDS.sleep(pauseMs);
                LocalCluster.signal(cluster.node(victim), "CONT");
            }
            else
            {
                cluster.kill(victim);
                final Path log = dir.resolve("node-" + victim + ".log");
                java.nio.file.Files.move(log, dir.resolve("node-" + victim + ".log." + rounds.size()));
                TimeUnit.MILLISECONDS.sleep(pauseMs);
                cluster.start(victim);
            }
            down.set(victim, 0);
        }
        running.set(false);
        for (final Thread w : writers)
        {
            w.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!w.isAlive(), "writer ended");
        }

        // all nodes live: wait until one ring with all three is settled everywhere, then read every history
        final long settled = awaitAllLiveSettled();
        System.out.println("ClusterChaosTest: all three live and settled in epoch " + settled);
        final StringBuilder problems = new StringBuilder();
        final Map<String, TreeMap<Long, String>> histories = new HashMap<>();
        for (final String channel : channels)
        {
            TreeMap<Long, String> first = null;
            for (int k = 0; k < NODES; k++)
            {
                final TreeMap<Long, String> h = history(rest[k], users[0], channel, problems, k);
                if (first == null)
                {
                    first = h;
                    histories.put(channel, h);
                }
                else if (!first.equals(h))
                {
                    problems.append("channel ").append(channel).append(": node ").append(k)
                        .append(" serves another history than node 0: ").append(diff(first, h)).append('\n');
                }
            }
        }
        final Map<String, String> byId = new HashMap<>();
        final Map<String, List<String>> idsByPost = new HashMap<>();
        for (final TreeMap<Long, String> h : histories.values())
        {
            for (final Map.Entry<Long, String> m : h.entrySet())
            {
                final String id = Long.toString(m.getKey());
                byId.put(id, m.getValue());
                idsByPost.computeIfAbsent(post(m.getValue()), x -> new ArrayList<>()).add(id);
            }
        }
        int acked = 0;
        int unknownSeen = 0;
        int unknown = 0;
        int refused = 0;
        for (final Ledger l : ledgers)
        {
            for (final Map.Entry<String, String> a : l.acked.entrySet())
            {
                acked++;
                final String id = a.getValue();
                final String content = byId.get(id);
                final List<String[]> edits = l.edits.getOrDefault(id, List.of());
                if (content == null)
                {
                    if (!l.deleted.contains(id) && !l.maybeDeleted.contains(id))
                    {
                        problems.append("LOST: acknowledged message ").append(id).append(" '").append(a.getKey())
                            .append("'\n");
                    }
                    continue;
                }
                if (l.deleted.contains(id))
                {
                    problems.append("RISEN: message ").append(id)
                        .append(" is there after its delete was acknowledged\n");
                }
                // the content is the last acknowledged edit's, or one sent after it without an answer
                final List<String> allowed = new ArrayList<>();
                allowed.add(a.getKey());
                for (final String[] e : edits)
                {
                    if ("2xx".equals(e[1]))
                    {
                        allowed.clear();
                    }
                    allowed.add(e[0]);
                }
                if (!allowed.contains(content))
                {
                    problems.append("ALTERED: message ").append(id).append(" reads '").append(content)
                        .append("', expected one of ").append(allowed).append('\n');
                }
            }
            for (final String w : l.wrong)
            {
                if (!w.contains(" -> 503 "))
                {
                    problems.append("WRONG ANSWER: ").append(w).append('\n'); // a 503 after 30 s of retries is fair
                }
            }
            for (final String p : l.unknown)
            {
                unknown++;
                unknownSeen += idsByPost.containsKey(p) ? 1 : 0;
            }
            for (final String p : l.refused)
            {
                refused++;
                if (idsByPost.containsKey(p))
                {
                    problems.append("REFUSED BUT WRITTEN: post '").append(p).append("' was answered with an error"
                        + " and is there as ").append(idsByPost.get(p)).append('\n');
                }
            }
        }
        for (final Map.Entry<String, List<String>> p : idsByPost.entrySet())
        {
            if (p.getValue().size() > 1)
            {
                problems.append("TWICE: post '").append(p.getKey()).append("' is there as ").append(p.getValue())
                    .append('\n');
            }
            if (!posted(ledgers, p.getKey()))
            {
                problems.append("UNKNOWN: '").append(p.getKey()).append("' was never posted\n");
            }
        }
        int sent = 0;
        int retried = 0;
        int reads = 0;
        for (final Ledger l : ledgers)
        {
            sent += l.sent.get();
            retried += l.retriedAfter503.get();
            reads += l.reads.get();
        }
        System.out.println("ClusterChaosTest: seed " + seed + ", rounds " + rounds + "; requests " + sent + ", posts "
            + "acknowledged " + acked + ", without an answer " + unknown + " (" + unknownSeen + " of them written), "
            + "refused " + refused + ", 503s retried " + retried + ", reads " + reads + "; messages in the histories "
            + byId.size());
        final String keep = System.getProperty("pinwheel.chaos.keepLogs"); // a directory to copy the nodes' logs to
        if (keep != null)
        {
            final Path to = Path.of(keep);
            java.nio.file.Files.createDirectories(to);
            try (java.util.stream.Stream<Path> logs = java.nio.file.Files.list(dir))
            {
                for (final Path log : (Iterable<Path>)logs.filter(
                    f -> f.getFileName().toString().contains(".log"))::iterator)
                {
                    java.nio.file.Files.copy(log, to.resolve(log.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        assertTrue(acked > 50 * rounds.size() / 4, "the writers got work done between the rounds: " + acked);
        assertEquals("", problems.toString(), "seed " + seed);
    }

    /**
     * Waits up to 120 s until every node's latest ring epoch is one epoch, with all three live, that every node logged
     * as settled.
     *
     * @return that epoch.
     */
    private long awaitAllLiveSettled() throws Exception
    {
        final java.util.regex.Pattern epochLine = java.util.regex.Pattern.compile(
            "ring epoch (\\d+): live nodes \\[([0-9, ]*)\\]");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = "";
        while (System.nanoTime() - deadline < 0)
        {
            long epoch = -1;
            boolean same = true;
            boolean allLive = true;
            final List<String> logs = new ArrayList<>();
            for (int k = 0; k < NODES; k++)
            {
                final String text = java.nio.file.Files.readString(cluster.node(k).log(),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
                logs.add(text);
                final java.util.regex.Matcher m = epochLine.matcher(text);
                long latest = -1;
                String live = "";
                while (m.find())
                {
                    latest = Long.parseLong(m.group(1));
                    live = m.group(2);
                }
                same &= epoch == -1 || epoch == latest;
                epoch = latest;
                allLive &= "0, 1, 2".equals(live);
            }
            boolean settled = same && allLive;
            for (final String text : logs)
            {
                settled &= text.contains("ring epoch " + epoch + " settled");
            }
            if (settled)
            {
                return epoch;
            }
            last = "epoch " + epoch + ", same " + same + ", all live " + allLive;
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError("no settled all-live epoch on every node within 120 s: " + last);
    }

    private static int count(final Ledger[] ledgers)
    {
        int n = 0;
        for (final Ledger l : ledgers)
        {
            n += l.acked.size();
        }
        return n;
    }

    private static boolean posted(final Ledger[] ledgers, final String post)
    {
        for (final Ledger l : ledgers)
        {
            if (l.acked.containsKey(post) || l.unknown.contains(post) || l.refused.contains(post))
            {
                return true;
            }
        }
        return false;
    }

    /** @return the post a content belongs to: "w1-17" of "w1-17" and of "w1-17 edit 3". */
    private static String post(final String content)
    {
        final int edit = content.indexOf(" edit ");
        return edit < 0 ? content : content.substring(0, edit);
    }

    /**
     * One writer: posts (most of the time), edits and deletes its own acknowledged messages and reads a channel's
     * newest (each read answered 200, or not at all), through a random serving node each time, until told to stop. A
     * 503 with Retry-After is retried as Discord's libraries do (the same content: a refused attempt must not have been
     * written); no answer at all is "unknown".
     */
    private void write(final int w, final RestClient.User user, final RestClient[] rest, final List<String> channels,
        final Ledger l, final SplittableRandom random)
    {
        final List<String[]> mine = new ArrayList<>(); // {channel, id, content}
        int n = 0;
        while (running.get())
        {
            final int k = random.nextInt(NODES);
            if (down.get(k) != 0)
            {
                continue;
            }
            final int dice = random.nextInt(100);
            try
            {
                if (dice < 80 || mine.isEmpty())
                {
                    final String channel = channels.get(random.nextInt(channels.size()));
                    final String content = "w" + w + "-" + n++;
                    final RestClient.Response r = send(l, rest[k], "POST", "channels/" + channel + "/messages",
                        user, "{\"content\":\"" + content + "\"}");
                    if (r == null)
                    {
                        l.unknown.add(content);
                    }
                    else if (r.status() / 100 == 2)
                    {
                        final String id = r.body().get("id").asText();
                        l.acked.put(content, id);
                        mine.add(new String[] {channel, id, content});
                    }
                    else
                    {
                        l.refused.add(content);
                        l.wrong.add(java.time.LocalTime.now() + " post via node " + k + " -> " + r.status() + " "
                            + r.raw());
                        System.out.println("ClusterChaosTest: " + l.wrong.get(l.wrong.size() - 1));
                    }
                }
                else if (dice < 90)
                {
                    final String[] m = mine.get(random.nextInt(mine.size()));
                    final List<String[]> edits = l.edits.computeIfAbsent(m[1], x -> new ArrayList<>());
                    final String content = m[2] + " edit " + edits.size();
                    final RestClient.Response r = send(l, rest[k], "PATCH", "channels/" + m[0] + "/messages/"
                        + m[1], user, "{\"content\":\"" + content + "\"}");
                    if (r == null)
                    {
                        edits.add(new String[] {content, "none"});
                    }
                    else if (r.status() / 100 == 2)
                    {
                        edits.add(new String[] {content, "2xx"});
                    }
                    else
                    {
                        l.wrong.add(java.time.LocalTime.now() + " edit of " + m[1] + " via node " + k + " -> "
                            + r.status() + " " + r.raw());
                        System.out.println("ClusterChaosTest: " + l.wrong.get(l.wrong.size() - 1));
                    }
                }
                else if (dice < 95)
                {
                    // a read of a channel's newest messages: answered 200 (sent again to the guild's new owner when
                    // its owner is lost), never a 504 or a 503 after the retries
                    final String channel = channels.get(random.nextInt(channels.size()));
                    final RestClient.Response r = send(l, rest[k], "GET", "channels/" + channel
                        + "/messages?limit=5", user, null);
                    l.reads.incrementAndGet();
                    if (r != null && r.status() != 200)
                    {
                        l.wrong.add(java.time.LocalTime.now() + " read of " + channel + " via node " + k + " -> "
                            + r.status() + " " + r.raw());
                        System.out.println("ClusterChaosTest: " + l.wrong.get(l.wrong.size() - 1));
                    }
                }
                else
                {
                    final String[] m = mine.remove(random.nextInt(mine.size()));
                    final RestClient.Response r = send(l, rest[k], "DELETE", "channels/" + m[0] + "/messages/"
                        + m[1], user, null);
                    if (r == null)
                    {
                        l.maybeDeleted.add(m[1]);
                    }
                    else if (r.status() / 100 == 2)
                    {
                        l.deleted.add(m[1]);
                    }
                    else if (r.status() == 404 && l.maybeApplied)
                    {
                        l.maybeDeleted.add(m[1]); // the first try did it, its answer was lost: the retry finds none
                    }
                    else
                    {
                        mine.add(m);
                        l.wrong.add(java.time.LocalTime.now() + " delete of " + m[1] + " via node " + k + " -> "
                            + r.status() + " " + r.raw());
                        System.out.println("ClusterChaosTest: " + l.wrong.get(l.wrong.size() - 1));
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * @return the answer, retried after each 503 with Retry-After for up to 30 s; null when there was none (the
     *         connection broke or timed out).
     */
    private static RestClient.Response send(final Ledger l, final RestClient rest, final String method,
        final String path, final RestClient.User user, final String body) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        l.maybeApplied = false;
        while (true)
        {
            l.sent.incrementAndGet();
            final RestClient.Response r;
            final long t0 = System.nanoTime();
            try
            {
                r = rest.call(method, path, user.token(), body);
            }
            catch (final IOException ex)
            {
                System.out.println("ClusterChaosTest: " + java.time.LocalTime.now() + " " + method + " " + path
                    + " failed after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms: " + ex);
                return null;
            }
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (ms > 5_000)
            {
                System.out.println("ClusterChaosTest: " + java.time.LocalTime.now() + " slow: " + method + " " + path
                    + " -> " + r.status() + " after " + ms + " ms");
            }
            if (r.status() != 503 || r.retryAfter() == null || System.nanoTime() - deadline >= 0)
            {
                return r;
            }
            // "…it may or may not have been applied": the node that forwarded it lost its owner's answer
            l.maybeApplied |= r.raw() != null && r.raw().contains("may or may not");
            l.retriedAfter503.incrementAndGet();
            TimeUnit.MILLISECONDS.sleep((long)(Double.parseDouble(r.retryAfter()) * 1000));
        }
    }

    /** @return a channel's whole history through node k, id → content, oldest first. */
    private static TreeMap<Long, String> history(final RestClient rest, final RestClient.User user,
        final String channel, final StringBuilder problems, final int k) throws IOException
    {
        final TreeMap<Long, String> all = new TreeMap<>();
        String before = null;
        while (true)
        {
            final JsonNode page = rest.ok("GET", "channels/" + channel + "/messages?limit=100"
                + (before == null ? "" : "&before=" + before), user.token(), null);
            if (page.isEmpty())
            {
                return all;
            }
            for (final JsonNode m : page)
            {
                final long id = m.get("id").asLong();
                if (all.put(id, m.get("content").asText()) != null)
                {
                    problems.append("node ").append(k).append(" lists message ").append(id).append(" twice in ")
                        .append(channel).append('\n');
                }
                before = m.get("id").asText(); // newest first: the last is the oldest so far
            }
        }
    }

    private static String diff(final TreeMap<Long, String> a, final TreeMap<Long, String> b)
    {
        final StringBuilder s = new StringBuilder();
        for (final Map.Entry<Long, String> e : a.entrySet())
        {
            if (!e.getValue().equals(b.get(e.getKey())))
            {
                s.append(e.getKey()).append(": '").append(e.getValue()).append("' vs '").append(b.get(e.getKey()))
                    .append("'; ");
            }
        }
        for (final Map.Entry<Long, String> e : b.entrySet())
        {
            if (!a.containsKey(e.getKey()))
            {
                s.append(e.getKey()).append(": only '").append(e.getValue()).append("'; ");
            }
        }
        return s.toString();
    }
}
