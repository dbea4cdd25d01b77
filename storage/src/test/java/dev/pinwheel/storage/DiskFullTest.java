package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real, small filesystem (a tmpfs this test mounts; it needs root, as CI has) filled for real by another file:
 * the store refuses writes with {@link StoreUnavailableException} before touching its journal, keeps serving reads,
 * accepts writes again by itself once space is freed, and loses nothing it acknowledged. Without the reserve (0),
 * appends run into the end of the disk blocks reserved ahead of them and are refused there — never a write through
 * the mapping into a page the filesystem cannot back (which used to kill the shard thread with an InternalError).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DiskFullTest
{
    private static final long CHANNEL = 10;
    private Path mount;

    @BeforeEach
    void mountSmallFilesystem() throws Exception
    {
        mount = Files.createTempDirectory("pinwheel-diskfull");
        final Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        final boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeTrue(mounted, "this test mounts a 160 MiB tmpfs and needs root (CI runs as root): " + out);
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (mount != null)
        {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(mount);
        }
    }

    private EmbeddedStoreContext context(final long minFree)
    {
        return new EmbeddedStoreContext().dataDir(mount.resolve("data")).minFreeBytes(minFree)
            .preallocateBytes(1 << 20).indexEntries(16_384);
    }

    private static StoredMessage message(final long id)
    {
        return new StoredMessage(id, CHANNEL, 1, 2, "message " + id + " " + "x".repeat(200), 0, 0, false, false);
    }

    /** Fills the filesystem with a file until it is full; returns the file. */
    private Path fill() throws IOException
    {
        final Path filler = mount.resolve("filler");
        final byte[] chunk = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(filler))
        {
            while (true)
            {
                out.write(chunk);
            }
        }
        catch (final IOException full)
        {
            if (!String.valueOf(full.getMessage()).contains("No space left"))
            {
                throw full;
            }
        }
        return filler;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static boolean tryAppend(final ChronicleShardStore store, final StoredMessage m, final List<Long> acked)
    {
        try
        {
            store.appendMessage(m);
            acked.add(m.id());
            return true;
        }
        catch (final StoreUnavailableException refused)
        {
            assertEquals(StoreUnavailableException.Reason.DISK_FULL, refused.reason(), refused.getMessage());
            return false;
        }
    }

    @Test
    void belowTheReserveWritesAreRefusedReadsServedAndWritesResumeWhenSpaceReturns() throws Exception
    {
        final List<Long> acked = new ArrayList<>();
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context(8L << 20)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (long id = 1; id <= 100; id++)
            {
                assertTrue(tryAppend(store, message(id), acked));
            }
            final Path filler = fill();
            final long[] next = {101};
            await(() -> !tryAppend(store, message(next[0]++), acked), "the store refuses writes");
            final StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
                () -> store.appendState(1, new byte[] {1}));
            assertTrue(refused.getMessage().contains("below the reserve"), refused.getMessage());
            assertTrue(!store.writable());
            assertTrue(store.refusedWrites() >= 2);
            assertEquals(Math.min(100, acked.size()), store.history(CHANNEL, HistoryQuery.LATEST, 0, 100).size(),
                "reads are served");
            assertEquals(message(50), store.message(CHANNEL, 50));

            Files.delete(filler);
            await(() -> tryAppend(store, message(next[0]++), acked), "writes are accepted again");
            assertTrue(store.writable());
        }
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context(8L << 20)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (final long id : acked)
            {
                assertEquals(message(id), store.message(CHANNEL, id), "acknowledged message " + id);
            }
            assertEquals(acked.size(), store.liveMessageCount(), "nothing unacknowledged became visible");
        }
    }

    @Test
    void withoutAReserveAppendsStopAtTheReservedBlocksOfAFullDisk() throws Exception
    {
        final List<Long> acked = new ArrayList<>();
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context(0)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            assertTrue(tryAppend(store, message(1), acked));
            final Path filler = fill();
            long id = 2;
            while (tryAppend(store, message(id), acked))
            {
                id++;
                assertTrue(id < 1_000_000, "a full disk must stop the appends");
            }
            assertTrue(acked.size() > 1, "the blocks reserved ahead were used first: " + acked.size());
            assertEquals(message(acked.get(acked.size() - 1)), store.message(CHANNEL, acked.get(acked.size() - 1)));
            Files.delete(filler);
            final long resumeFrom = id;
            final long[] next = {resumeFrom};
            await(() -> tryAppend(store, message(next[0]++), acked), "writes resume");
        }
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context(0)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (final long id : acked)
            {
                assertEquals(message(id), store.message(CHANNEL, id), "acknowledged message " + id);
            }
            assertEquals(acked.size(), store.liveMessageCount());
        }
    }
}
