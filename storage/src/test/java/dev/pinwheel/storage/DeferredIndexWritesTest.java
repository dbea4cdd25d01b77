package dev.pinwheel.storage;

import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Index writes deferred past an append's acknowledgement: a read right after an append sees it (every read kind),
 * the store with deferred writes serves exactly what a store indexing inside each append serves, the writes run when
 * the shard idles or the queue is full. A kill with writes still deferred: {@code IndexRecoveryPointTest}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DeferredIndexWritesTest
{
    private static final long SEED = 20261203;

    @TempDir
    Path dir;

    @Test
    void everyReadRightAfterAnAppendSeesIt()
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context("read", 256)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            final long channel = 500;
            long id = 1L << 22;
            for (int i = 0; i < 40; i++, id += 1L << 22)
            {
                final int kind = i % 8;
                store.appendMessage(Messages.message(id, channel));
                assertEquals(1, store.pendingIndexWrites(), "acknowledged, not indexed yet");
                switch (kind)
                {
                    case 0 -> assertNotNull(store.message(channel, id), "by id");
                    case 1 -> assertEquals(List.of(id), Messages.ids(store.history(channel, HistoryQuery.LATEST, 0, 1)));
                    case 2 -> assertEquals(List.of(id), Messages.ids(store.history(channel, HistoryQuery.AFTER,
                        id - (1L << 22), 10)));
                    case 3 -> assertEquals(id, store.history(channel, HistoryQuery.AROUND, id, 3).get(0).id());
                    case 4 -> assertEquals(id - (1L << 22), store.history(channel, HistoryQuery.BEFORE, id + 1, 2)
                        .get(1).id(), "the previous one, behind the new one");
                    case 5 -> assertEquals(id, store.lastMessageId(channel));
                    case 6 -> assertEquals(i + 1, store.liveMessageCount());
                    default ->
                    {
                        assertTrue(store.deleteMessage(channel, id), "a delete finds it");
                        store.appendMessage(Messages.message(id, channel)); // live again, for the counts above
                        assertEquals(1, store.pendingIndexWrites());
                        store.idle();
                    }
                }
                assertEquals(0, store.pendingIndexWrites(), "the read ran the deferred writes first");
            }
            final StoredMessage pinned = Messages.message(id, channel).withPinned(true);
            store.appendMessage(pinned);
            assertEquals(List.of(id), Messages.ids(store.pinned(channel)), "a pin is listed at once");
        }
    }

    @Test
    void idleAndAFullQueueRunTheDeferredWrites()
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context("idle", 4)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            for (long i = 1; i <= 9; i++)
            {
                store.appendMessage(Messages.message(i << 22, 600));
            }
            assertEquals(1, store.pendingIndexWrites(), "two full queues of 4 indexed inside the appends");
            store.idle();
            assertEquals(0, store.pendingIndexWrites());
            store.appendMessage(Messages.message(10L << 22, 600));
        }
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context("idle", 4)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            assertEquals(IndexRecovery.REUSED_CLEAN, store.indexRecovery(), "close ran the deferred write");
            assertEquals(10, store.liveMessageCount());
        }
    }

    @Test
    void deferredWritesServeWhatIndexingInsideEachAppendServes()
    {
        final RandomOps ops = new RandomOps(SEED);
        final SplittableRandom reads = new SplittableRandom(SEED);
        try (EmbeddedStoreFactory deferredFactory = new EmbeddedStoreFactory(context("deferred", 32));
            EmbeddedStoreFactory atOnceFactory = new EmbeddedStoreFactory(context("at-once", 0)))
        {
            final ChronicleShardStore deferred = deferredFactory.open(0);
            final ChronicleShardStore atOnce = atOnceFactory.open(0);
            deferred.recover((type, payload) -> { });
            atOnce.recover((type, payload) -> { });
            int sawDeferred = 0;
            for (int i = 0; i < 3000; i++)
            {
                final RandomOps.Op op = ops.next();
                op.applyTo(deferred);
                op.applyTo(atOnce);
                assertEquals(0, atOnce.pendingIndexWrites());
                sawDeferred = Math.max(sawDeferred, deferred.pendingIndexWrites());
                if (reads.nextInt(10) == 0)
                {
                    final long channel = op.channel();
                    final long anchor = op.id();
                    final HistoryQuery query = HistoryQuery.values()[reads.nextInt(HistoryQuery.values().length)];
                    final int limit = 1 + reads.nextInt(60);
                    assertEquals(Messages.ids(atOnce.history(channel, query, anchor, limit)),
                        Messages.ids(deferred.history(channel, query, anchor, limit)), query + " " + anchor);
                    assertEquals(atOnce.message(channel, anchor) == null, deferred.message(channel, anchor) == null);
                }
                else if (reads.nextInt(50) == 0)
                {
                    deferred.idle();
                }
            }
            assertTrue(sawDeferred > 1, "writes were deferred: " + sawDeferred);
            assertEquals(RandomOps.dump(atOnce), RandomOps.dump(deferred));
            assertEquals(ops.dump(), RandomOps.dump(deferred));
        }
    }

    @Test
    void aFullPinBoardIsStillRefusedBeforeTheAppend()
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(context("pins", 256)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            final long channel = 700;
            for (long i = 1; i <= ChronicleShardStore.MAX_PINS; i++)
            {
                store.appendMessage(Messages.message(i << 22, channel).withPinned(true));
            }
            final StoredMessage oneMore = Messages.message((ChronicleShardStore.MAX_PINS + 1L) << 22, channel);
            store.appendMessage(oneMore);
            assertThrows(IllegalStateException.class, () -> store.appendMessage(oneMore.withPinned(true)));
            assertEquals(ChronicleShardStore.MAX_PINS, store.pinned(channel).size());
        }
    }

    @Test
    void theSettingIsChecked()
    {
        assertThrows(IllegalArgumentException.class, () -> context("bad", -1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> context("bad", EmbeddedStoreContext.MAX_DEFERRED_INDEX_WRITES + 1).conclude());
    }

    private EmbeddedStoreContext context(final String name, final int deferred)
    {
        return new EmbeddedStoreContext().dataDir(dir.resolve(name)).durability(Durability.OS)
            .deferredIndexWrites(deferred);
    }
}
