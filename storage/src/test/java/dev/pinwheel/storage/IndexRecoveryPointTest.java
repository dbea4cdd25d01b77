package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.pinwheel.core.store.HistoryQuery.LATEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index's recovery point, with real processes killed by SIGKILL ({@link IndexKillWriter}): after a kill on the
 * same boot the maps are reused at their recovery point and serve, page by page, exactly what a rebuild of the same
 * journal serves and what the model of the acknowledged operations holds; a kill inside an index update, another
 * boot id, {@code on-damage=refuse} or a journal that outgrew the maps' sizing rebuild instead; damage before the
 * recovery point is found by the background verification, reported and dropped as a rebuild would.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class IndexRecoveryPointTest
{
    private static final long SEED = 20261210;
    /** Operations the store may hold past the last acknowledgement: the one in flight when SIGKILL landed. */
    private static final int IN_FLIGHT_SLACK = 1;
    private static final long WAIT_MILLIS = TimeUnit.MINUTES.toMillis(3);
    /** Bursts killed at a random moment, before the writer is stopped between appends to reach two reuses. */
    private static final int BURST_ROUNDS = 10;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------------ tests

    @Test
    void killedInTheMiddleOfABurstReusesTheMapsAndServesWhatARebuildServes() throws Exception
    {
        final Path data = dir.resolve("data");
        final SplittableRandom random = new SplittableRandom(SEED);
        long held = 0; // operations the store holds
        int reused = 0;
        int rebuilt = 0;
        for (int round = 1; round <= BURST_ROUNDS + 2 && reused < 2; round++)
        {
            // a burst killed at a random moment lands inside an index update or outside one by chance, and a loaded
            // box spends more of the burst inside (a CI run: 1 of 10 outside). Rounds past BURST_ROUNDS stop the
            // writer between two appends instead (it writes its operations, then idles with its maps open), so the
            // reuse path is taken at least twice whatever the chance gave
            final boolean burst = round <= BURST_ROUNDS;
            final long acked;
            try (Child child = burst ? Child.start(data, SEED, held, "burst", 500_000)
                : Child.start(data, SEED, held, "idle-after", 1500))
            {
                assertTrue(child.awaitAcks(held + 1500), child.output());
                assertEquals(round == 1 ? "REBUILT" : "REUSED_CLEAN", child.recovered(), child.output());
                if (burst)
                {
                    // not right after an ack line: the child would then be at the start of its next append
                    LockSupport.parkNanos(random.nextLong(TimeUnit.MILLISECONDS.toNanos(3)));
                }
                else
                {
                    assertTrue(child.awaitLine("idle"), child.output());
                }
                child.kill();
                acked = child.acked();
            }
            final boolean busy = busy(data);
            final Path copy = copyTree(data, dir.resolve("copy-" + round));
            final List<String> rebuiltDump = withStore(rebuildContext(copy), store ->
            {
                assertEquals(IndexRecovery.REBUILT, store.indexRecovery());
                return RandomOps.dump(store);
            });
            final List<String> served = withStore(context(data), store ->
            {
                assertEquals(busy ? IndexRecovery.REBUILT : IndexRecovery.REUSED_AT_RECOVERY_POINT,
                    store.indexRecovery(), store.indexRecoveryReason());
                final List<String> first = RandomOps.dump(store); // served before the verification ends
                awaitVerified(store);
                assertEquals(0, store.damagedRecords(), store.damage().toString());
                assertEquals(0, store.repairedHeaders(), store.damage().toString());
                assertEquals(first, RandomOps.dump(store));
                return first;
            });
            assertEquals(rebuiltDump, served, "round " + round + ": the reused maps serve what a rebuild serves");
            held = assertModel(served, acked, "round " + round);
            if (busy)
            {
                rebuilt++;
            }
            else
            {
                reused++;
            }
            deleteTree(copy);
        }
        System.out.println("IndexRecoveryPointTest: kills outside an index update: " + reused + ", inside: " + rebuilt);
        assertTrue(reused >= 2, "kills outside an index update: " + reused + ", inside: " + rebuilt);
    }

    @Test
    void killedWithIndexWritesStillDeferredServesEveryAcknowledgedVersion() throws Exception
    {
        final Path data = dir.resolve("data");
        final long operations = 300;
        final String output;
        try (Child child = Child.start(data, SEED, 0, "idle-after", operations))
        {
            assertTrue(child.awaitLine("idle"), child.output());
            child.kill();
            assertEquals(operations, child.acked());
            output = child.output();
        }
        final int deferred = Integer.parseInt(output.lines().filter(l -> l.startsWith("deferred "))
            .findFirst().orElseThrow().substring("deferred ".length()));
        assertTrue(deferred > 0, "the child was killed with acknowledged versions not yet indexed: " + output);
        assertFalse(busy(data), "deferred writes leave the recovery point outside an index update");
        final List<String> served = withStore(context(data), store ->
        {
            assertEquals(IndexRecovery.REUSED_AT_RECOVERY_POINT, store.indexRecovery(), store.indexRecoveryReason());
            final List<String> dump = RandomOps.dump(store);
            awaitVerified(store);
            return dump;
        });
        assertEquals(advanced(operations).dump(), served, deferred + " deferred versions replayed from the journal");
    }

    @Test
    void killedInsideAnIndexUpdateRebuildsFromTheJournal() throws Exception
    {
        final Path data = dir.resolve("data");
        final long acked;
        try (Child child = Child.start(data, SEED, 0, "halt-in-index", 700))
        {
            assertTrue(child.awaitExit(), child.output());
            assertTrue(child.output().contains("halting inside an index update"), child.output());
            acked = child.acked();
        }
        assertTrue(busy(data), "the recovery point is left busy");
        final List<String> served = withStore(context(data), store ->
        {
            assertEquals(IndexRecovery.REBUILT, store.indexRecovery());
            assertTrue(store.indexRecoveryReason().contains("died inside an index update"),
                store.indexRecoveryReason());
            return RandomOps.dump(store);
        });
        // the version being indexed was in the journal already: the last one acknowledged, or (index writes are
        // deferred past the acknowledgement) the one whose append ran them because the queue was full
        assertModel(served, acked, "halted inside an index update");
        withStore(context(data), store ->
        {
            assertEquals(IndexRecovery.REUSED_CLEAN, store.indexRecovery());
            assertEquals(served, RandomOps.dump(store));
            return null;
        });
    }

    @Test
    void aMachineThatRestartedRebuilds() throws Exception
    {
        final Path data = dir.resolve("data");
        killWhenIdle(data, 500);
        assertFalse(busy(data));
        final List<String> served = withStore(context(data).bootId("00000000-0000-4000-8000-00000000b007"), store ->
        {
            assertEquals(IndexRecovery.REBUILT, store.indexRecovery());
            assertTrue(store.indexRecoveryReason().contains("another boot id"), store.indexRecoveryReason());
            return RandomOps.dump(store);
        });
        assertEquals(advanced(500).dump(), served);
    }

    @Test
    void onDamageRefuseVerifiesEverythingBeforeServing() throws Exception
    {
        final Path data = dir.resolve("data");
        killWhenIdle(data, 300);
        withStore(context(data).refuseOnDamage(true), store ->
        {
            assertEquals(IndexRecovery.REBUILT, store.indexRecovery());
            assertTrue(store.indexRecoveryReason().contains("on-damage=refuse"), store.indexRecoveryReason());
            assertFalse(store.verifying());
            assertEquals(advanced(300).dump(), RandomOps.dump(store));
            return null;
        });
    }

    @Test
    void damageBeforeTheRecoveryPointIsFoundInTheBackgroundReportedAndDropped() throws Exception
    {
        final Path data = dir.resolve("data");
        killWhenIdle(data, 800);
        final RandomOps model = advanced(800);
        final List<Long> single = new ArrayList<>(); // live messages of one version, not the newest of a channel
        for (int c = 0; c < RandomOps.CHANNELS; c++)
        {
            for (final Map.Entry<Long, StoredMessage> e : model.live(c).headMap(model.live(c).lastKey()).entrySet())
            {
                if (model.versions(e.getKey()) == 1)
                {
                    single.add(e.getKey());
                }
            }
        }
        single.sort(null);
        final long lost = single.get(single.size() / 3);
        final long repaired = single.get(2 * single.size() / 3);
        final StoredMessage lostMessage = find(model, lost);
        flip(data, contentOf(data, lostMessage.content()) + 3, 0x01);
        flip(data, contentOf(data, find(model, repaired).content()) - JournalRecordCodec.MESSAGE_FIXED_LENGTH
            - JournalRecordCodec.CHECKED_HEADER - Integer.BYTES + 3, 0x80); // the "not complete" bit of its header
        final Path copy = copyTree(data, dir.resolve("copy"));
        final List<String> rebuiltDump = withStore(rebuildContext(copy), store ->
        {
            assertEquals(1, store.damagedRecords(), store.damage().toString());
            assertEquals(1, store.repairedHeaders(), store.damage().toString());
            return RandomOps.dump(store);
        });
        withStore(context(data), store ->
        {
            assertEquals(IndexRecovery.REUSED_AT_RECOVERY_POINT, store.indexRecovery(), store.indexRecoveryReason());
            assertNull(store.message(lostMessage.channelId(), lost), "a damaged record is never served");
            RandomOps.dump(store); // reads race the verification: the damage is counted once either way
            awaitVerified(store);
            assertEquals(1, store.damagedRecords(), store.damage().toString());
            assertEquals(1, store.repairedHeaders(), store.damage().toString());
            assertTrue(store.damage().stream().anyMatch(d -> !d.headerOnly() && d.lostRecord() == lost),
                store.damage().toString());
            assertTrue(store.damage().stream().anyMatch(JournalDamage::headerOnly), store.damage().toString());
            assertEquals(rebuiltDump, RandomOps.dump(store), "dropped as a rebuild leaves it out");
            return null;
        });
        withStore(context(data), store -> // a clean restart keeps the drop
        {
            assertEquals(IndexRecovery.REUSED_CLEAN, store.indexRecovery());
            assertEquals(rebuiltDump, RandomOps.dump(store));
            return null;
        });
    }

    @Test
    void mapsThatOutgrewTheirSizingAreRebuiltLarger()
    {
        final Path data = dir.resolve("data");
        final EmbeddedStoreContext small = context(data).indexEntries(1024).clock(
            new SetTimeProvider(Instant.parse("2026-06-12T10:00:00Z")));
        final int messages = 20_000; // past 1024 × 64 / 4: the maps grew tiers far past their sizing
        withStore(small, store ->
        {
            for (long id = 1; id <= messages; id++)
            {
                store.appendMessage(Messages.message(id << 22, 100 + id % 3));
            }
            assertEquals(messages, store.liveMessageCount());
            assertEquals(Messages.idsDescending((long)messages << 22, (long)(messages - 29) << 22, 3L << 22),
                Messages.ids(store.history(100 + messages % 3, LATEST, 0, 10)));
            return null;
        });
        deleteMarker(data); // as a kill at rest leaves them
        withStore(small, store ->
        {
            assertEquals(IndexRecovery.REBUILT, store.indexRecovery());
            assertTrue(store.indexRecoveryReason().contains("outgrew"), store.indexRecoveryReason());
            assertEquals(messages, store.liveMessageCount());
            return null;
        });
        deleteMarker(data);
        withStore(small, store ->
        {
            assertEquals(IndexRecovery.REUSED_AT_RECOVERY_POINT, store.indexRecovery(), store.indexRecoveryReason());
            assertEquals(messages, store.liveMessageCount());
            assertEquals(Messages.idsDescending((long)messages << 22, (long)(messages - 29) << 22, 3L << 22),
                Messages.ids(store.history(100 + messages % 3, LATEST, 0, 10)));
            awaitVerified(store);
            return null;
        });
    }

    @Test
    void replacedIndexFilesRebuild() throws Exception
    {
        final Path data = dir.resolve("data");
        killWhenIdle(data, 200);
        final Path index = data.resolve("shard-0").resolve("index");
        final Path pages = index.resolve("pages.cm");
        final Path moved = index.resolve("pages.cm.copy");
        Files.copy(pages, moved);
        Files.move(moved, pages, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // same bytes, another file
        withStore(context(data), store ->
        {
            assertEquals(IndexRecovery.REBUILT, store.indexRecovery());
            assertTrue(store.indexRecoveryReason().contains("replaced"), store.indexRecoveryReason());
            assertEquals(advanced(200).dump(), RandomOps.dump(store));
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static EmbeddedStoreContext context(final Path data)
    {
        return new EmbeddedStoreContext().dataDir(data).durability(Durability.OS);
    }

    private static EmbeddedStoreContext rebuildContext(final Path data)
    {
        return context(data).reuseCleanIndex(false).reuseIndexAfterKill(false);
    }

    private static <T> T withStore(final EmbeddedStoreContext context, final Function<ChronicleShardStore, T> use)
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            return use.apply(store);
        }
    }

    /** The store's thread polls its verification (a short bounded wait between polls). */
    private static void awaitVerified(final ChronicleShardStore store)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (store.verifying())
        {
            assertTrue(System.nanoTime() < deadline, "the background verification did not finish");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static RandomOps advanced(final long operations)
    {
        final RandomOps model = new RandomOps(SEED);
        while (model.done() < operations)
        {
            model.next();
        }
        return model;
    }

    /**
     * The store holds a prefix of the operation stream that contains every acknowledged operation: exactly the
     * first k operations for k = {@code acked} or {@code acked + 1} (the one in flight) — nothing acknowledged lost,
     * nothing half-applied, nothing out of order. An operation that changes nothing visible (an unpin of an unpinned
     * message) makes both lengths match: the shorter is taken, and re-applying that operation later is harmless.
     *
     * @return operations the store holds.
     */
    private static long assertModel(final List<String> served, final long acked, final String what)
    {
        final RandomOps model = advanced(acked);
        for (long k = acked; k <= acked + IN_FLIGHT_SLACK; k++)
        {
            if (model.dump().equals(served))
            {
                return k;
            }
            model.next();
        }
        assertEquals(advanced(acked).dump(), served, what + ": the store is not the first k operations for any k "
            + "from the acknowledged " + acked + " to " + (acked + IN_FLIGHT_SLACK));
        return acked;
    }

    private void killWhenIdle(final Path data, final long operations) throws Exception
    {
        try (Child child = Child.start(data, SEED, 0, "idle-after", operations))
        {
            assertTrue(child.awaitLine("idle"), child.output());
            child.kill();
            assertEquals(operations, child.acked());
        }
    }

    private static boolean busy(final Path data)
    {
        try (IndexRecoveryPoint point = IndexRecoveryPoint.open(data.resolve("shard-0").resolve("index")))
        {
            return point.busy();
        }
    }

    private static void deleteMarker(final Path data)
    {
        try
        {
            Files.delete(data.resolve("shard-0").resolve("index").resolve(ShardIndexes.MARKER));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static StoredMessage find(final RandomOps model, final long id)
    {
        for (int c = 0; c < RandomOps.CHANNELS; c++)
        {
            final StoredMessage m = model.live(c).get(id);
            if (m != null)
            {
                return m;
            }
        }
        throw new AssertionError("message " + id);
    }

    /** @return position of the text in the message journal (one cycle file: its data is in the first 16 MiB). */
    private static long contentOf(final Path data, final String text) throws IOException
    {
        final byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        final byte[] haystack;
        try (RandomAccessFile file = new RandomAccessFile(journalFile(data).toFile(), "r"))
        {
            haystack = new byte[(int)Math.min(file.length(), 16 << 20)]; // the file is sparse past its data
            file.readFully(haystack);
        }
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(text + " not in the journal");
    }

    private static Path journalFile(final Path data) throws IOException
    {
        try (Stream<Path> files = Files.list(data.resolve("shard-0").resolve("messages")))
        {
            final List<Path> cycles = files.filter(f -> f.toString().endsWith(".cq4")).toList();
            assertEquals(1, cycles.size(), "one day of journal (not a run across midnight UTC): " + cycles);
            return cycles.get(0);
        }
    }

    private static void flip(final Path data, final long position, final int mask) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(journalFile(data).toFile(), "rw"))
        {
            file.seek(position);
            final int b = file.read();
            file.seek(position);
            file.write(b ^ mask);
        }
    }

    /** Copies a data directory keeping its files sparse (a cycle file maps 1 GiB; its data is a few MiB). */
    private static Path copyTree(final Path from, final Path to) throws IOException, InterruptedException
    {
        final Process cp = new ProcessBuilder("cp", "-r", "--sparse=always", from.toString(), to.toString())
            .redirectErrorStream(true).start();
        final String output = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cp.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS), "cp finished");
        assertEquals(0, cp.exitValue(), output);
        Files.deleteIfExists(to.resolve("pinwheel.lock"));
        return to;
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }

    /** A child JVM running {@link IndexKillWriter}; its output is read by a thread of its own. */
    private static final class Child implements AutoCloseable
    {
        private final Process process;
        private final Thread reader;
        private final StringBuilder output = new StringBuilder();
        private long acked;
        private String recovered;
        private boolean ended;

        private Child(final Process process)
        {
            this.process = process;
            this.reader = new Thread(this::read, "index-kill-writer-output");
            this.reader.setDaemon(true);
            this.reader.start();
        }

        static Child start(final Path data, final long seed, final long skip, final String mode, final long n)
            throws IOException
        {
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(IndexKillWriter.class.getName());
            command.addAll(List.of(data.toString(), Long.toString(seed), Long.toString(skip), mode,
                Long.toString(n)));
            return new Child(new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        private void read()
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    synchronized (this)
                    {
                        if (line.startsWith("ack "))
                        {
                            acked = Long.parseLong(line.substring(4));
                        }
                        else
                        {
                            if (line.startsWith("recovered "))
                            {
                                recovered = line.substring("recovered ".length());
                            }
                            output.append(line).append('\n');
                        }
                        notifyAll();
                    }
                }
            }
            catch (final IOException ex)
            {
                // the process is gone
            }
            finally
            {
                synchronized (this)
                {
                    ended = true;
                    notifyAll();
                }
            }
        }

        synchronized boolean awaitAcks(final long target) throws InterruptedException
        {
            final long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            while (acked < target && !ended && System.currentTimeMillis() < deadline)
            {
                wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
            return acked >= target;
        }

        synchronized boolean awaitLine(final String text) throws InterruptedException
        {
            final long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            while (!output.toString().contains(text + "\n") && !ended && System.currentTimeMillis() < deadline)
            {
                wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
            return output.toString().contains(text + "\n");
        }

        boolean awaitExit() throws InterruptedException
        {
            final boolean exited = process.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(30));
            return exited;
        }

        void kill() throws InterruptedException
        {
            // SIGKILL through the handle: Process.destroyForcibly also closes our end of the child's stdout, and
            // "ack" lines still in the pipe were lost (the store then held up to 5 operations past the last ack read)
            process.toHandle().destroyForcibly();
            assertTrue(awaitExit(), "the child died");
        }

        synchronized long acked()
        {
            return acked;
        }

        synchronized String recovered()
        {
            return recovered;
        }

        synchronized String output()
        {
            return output + "(acked " + acked + ")";
        }

        @Override
        public void close() throws InterruptedException
        {
            if (process.isAlive())
            {
                kill();
            }
        }
    }
}
