package dev.pinwheel.benchmarks.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import org.HdrHistogram.Histogram;

import dev.pinwheel.core.store.BlockingReads;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ReadPendingException;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.EmbeddedStoreFactory;
import dev.pinwheel.storage.cassandra.Buckets;
import dev.pinwheel.storage.cassandra.CassandraShardStore;
import dev.pinwheel.storage.cassandra.CassandraStoreContext;
import dev.pinwheel.storage.cassandra.CassandraStoreFactory;
import dev.pinwheel.storage.cassandra.LocalCassandra;

/**
 * Pinwheel's Cassandra store against the raw driver issuing the same statements, on one Cassandra, in one run; the
 * same reads on the embedded store beside them; and latest-50 of hot channels served from the owner's memory.
 * <pre>
 *   benchmarks/run.sh cassandra-probe [--cassandra HOST:PORT] [--channels 200] [--messages 300] [--ops 4000]
 * </pre>
 * Without {@code --cassandra} it starts a local node with {@code storage-cassandra/bin/cassandra-local} (run it from the
 * repository root) and stops it at the end. The probe thread plays the owner shard: it calls the store; a read the store
 * must fetch throws {@link ReadPendingException}, and the probe, as a shard would, waits for that fetch (polling the
 * store's completions, parked until the driver's callback wakes it: no spinning) and runs the read again.
 * <ul>
 *   <li>cold reads: the store keeps 1 hot channel and 16 messages by id, and each operation picks a random channel, so
 *   every latest-50, page-before and get-by-id goes to Cassandra (the store's path: bucket walk, overlay, window);</li>
 *   <li>raw: the same prepared statements, the same bucket walk (the newest buckets first, then 4 at once), on the
 *   same session, from the same thread; Pinwheel's and the raw operations alternate one by one (appends at 64 in
 *   flight: in alternating rounds), so both see the same box and the same Cassandra;</li>
 *   <li>appends: latency from the call to the durable watermark passing the write (what a client's 200 waits for),
 *   1 in flight, and 64 sent to Cassandra and unanswered (refilled as any answer comes, as the raw side; the watermark
 *   is in order: a write's latency ends when the ones issued before it are answered too); raw: each
 *   future's own completion, and also "in order" (a write counts as done once every write issued before it is: the
 *   watermark's semantics, computed from the same completions);</li>
 *   <li>hot: latest-50 of 100 channels whose windows are loaded (the default cache settings).</li>
 * </ul>
 */
public final class CassandraStoreProbe
{
    private static final long DAY = TimeUnit.DAYS.toMillis(1);
    private final int channels;
    private final int messages;
    private final int ops;
    private final long[] channelIds;
    private final long[][] messageIds;
    private Thread owner;

    private CassandraStoreProbe(final int channels, final int messages, final int ops)
    {
        this.channels = channels;
        this.messages = messages;
        this.ops = ops;
        this.channelIds = new long[channels];
        this.messageIds = new long[channels][messages];
        final long now = System.currentTimeMillis() - 60_000;
        for (int c = 0; c < channels; c++)
        {
            channelIds[c] = snowflake(now - 30 * DAY, c);
            for (int i = 0; i < messages; i++) // spread over the last 15 days: two or three 10-day buckets
            {
                messageIds[c][i] = snowflake(now - 15 * DAY + i * (15 * DAY / messages), c * messages + i);
            }
        }
    }

    public static void main(final String[] args) throws Exception
    {
        String cassandra = null;
        int channels = 200;
        int messages = 300;
        int ops = 4000;
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--cassandra" -> cassandra = args[i + 1];
                case "--channels" -> channels = Integer.parseInt(args[i + 1]);
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--ops" -> ops = Integer.parseInt(args[i + 1]);
                default ->
                {
                    System.err.println("usage: CassandraStoreProbe [--cassandra HOST:PORT] [--channels N] "
                        + "[--messages N] [--ops N]");
                    System.exit(2);
                }
            }
        }
        LocalCassandra local = null;
        Path localDir = null;
        if (cassandra == null)
        {
            localDir = Files.createTempDirectory("probe-cassandra-");
            System.out.println("starting a local Cassandra in " + localDir + " ...");
            local = LocalCassandra.start(localDir);
            cassandra = local.contactPoint();
        }
        try
        {
            new CassandraStoreProbe(channels, messages, ops).run(cassandra);
        }
        finally
        {
            if (local != null)
            {
                local.close();
                deleteTree(localDir);
            }
        }
        System.exit(0);
    }

    private void run(final String cassandra) throws Exception
    {
        owner = Thread.currentThread();
        final String keyspace = "probe_" + ProcessHandle.current().pid();
        final CassandraStoreContext cold = new CassandraStoreContext().contactPoints(cassandra).keyspace(keyspace)
            .replication(1).hotChannels(1).cachedVersions(16);
        System.out.printf("Cassandra %s, keyspace %s, %d channels x %d messages, %d operations per measurement%n",
            cassandra, keyspace, channels, messages, ops);
        final List<String[]> rows = new ArrayList<>();
        try (CassandraStoreFactory factory = new CassandraStoreFactory(cold))
        {
            final CqlSession session = factory.session();
            final PreparedStatement insert = session.prepare("INSERT INTO " + keyspace + ".messages (channel_id, "
                + "bucket, message_id, guild_id, author_id, content, edited_at, flags, tts, pinned, extra) VALUES "
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
            final PreparedStatement before = session.prepare("SELECT message_id, guild_id, author_id, content, "
                + "edited_at, flags, tts, pinned, extra FROM " + keyspace + ".messages WHERE channel_id = ? AND "
                + "bucket = ? AND message_id < ? LIMIT ?");
            final PreparedStatement byId = session.prepare("SELECT message_id, guild_id, author_id, content, "
                + "edited_at, flags, tts, pinned, extra FROM " + keyspace + ".messages WHERE channel_id = ? AND "
                + "bucket = ? AND message_id = ?");
            load(session, insert);
            final CassandraShardStore store = factory.open(0);
            store.bindWakeup(() -> LockSupport.unpark(owner));
            final ThreadLocalRandom rnd = ThreadLocalRandom.current();

            // latest-50 (cold)
            final Histogram[] pLatestPair = measurePair(() ->
            {
                final int c = rnd.nextInt(channels);
                return timed(() -> check(owned(store, () -> store.history(channelIds[c], HistoryQuery.LATEST, 0, 50))
                    .size(), 50));
            }, () ->
            {
                final int c = rnd.nextInt(channels);
                return timed(() -> check(rawBefore(session, before, channelIds[c], Long.MAX_VALUE, 50), 50));
            });
            final Histogram pLatest = pLatestPair[0];
            final Histogram rLatest = pLatestPair[1];
            // page-before (older than any window: the middle of the channel)
            final Histogram[] pBeforePair = measurePair(() ->
            {
                final int c = rnd.nextInt(channels);
                final long anchor = messageIds[c][messages / 2];
                return timed(() -> check(owned(store, () -> store.history(channelIds[c], HistoryQuery.BEFORE, anchor,
                    50)).size(), 50));
            }, () ->
            {
                final int c = rnd.nextInt(channels);
                final long anchor = messageIds[c][messages / 2];
                return timed(() -> check(rawBefore(session, before, channelIds[c], anchor, 50), 50));
            });
            final Histogram pBefore = pBeforePair[0];
            final Histogram rBefore = pBeforePair[1];
            // get-by-id
            final Histogram[] pGetPair = measurePair(() ->
            {
                final int c = rnd.nextInt(channels);
                final long id = messageIds[c][rnd.nextInt(messages)];
                return timed(() -> check(owned(store, () -> store.message(channelIds[c], id)) == null ? 0 : 1, 1));
            }, () ->
            {
                final int c = rnd.nextInt(channels);
                final long id = messageIds[c][rnd.nextInt(messages)];
                return timed(() -> check(session.execute(byId.bind(channelIds[c], Buckets.of(id), id)).one() == null
                    ? 0 : 1, 1));
            });
            final Histogram pGet = pGetPair[0];
            final Histogram rGet = pGetPair[1];
            // appends, 1 in flight, into one channel (its window is loaded once)
            final long appendChannel = snowflake(System.currentTimeMillis() - DAY, 4000);
            final long[] next = {snowflake(System.currentTimeMillis(), 0)};
            final Histogram[] pAppend1Pair = measurePair(() ->
            {
                final long id = next[0]++;
                final long t0 = System.nanoTime();
                owned(store, () -> store.appendMessage(message(id, appendChannel)));
                awaitDurable(store, store.issuedSequence());
                return System.nanoTime() - t0;
            }, () ->
            {
                final long id = next[0]++;
                final long t0 = System.nanoTime();
                session.execute(bindInsert(insert, message(id, appendChannel)));
                return System.nanoTime() - t0;
            });
            final Histogram pAppend1 = pAppend1Pair[0];
            final Histogram rAppend1 = pAppend1Pair[1];
            final Histogram pAppend64 = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
            final Histogram rAppend64 = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
            final Histogram oAppend64 = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
            for (int round = 0; round < 4; round++) // alternating rounds: the same conditions for both
            {
                appendsInFlight(store, appendChannel, next, 64, round == 0 ? null : pAppend64);
                rawAppendsInFlight(session, insert, appendChannel, next, 64, round == 0 ? null : rAppend64,
                    round == 0 ? null : oAppend64);
            }
            store.close();

            // hot: latest-50 from the owner's memory
            final CassandraStoreContext hot = new CassandraStoreContext().contactPoints(cassandra).keyspace(keyspace)
                .replication(1);
            final Histogram hLatest;
            try (CassandraStoreFactory hotFactory = new CassandraStoreFactory(hot))
            {
                final CassandraShardStore hotStore = hotFactory.open(0);
                for (int c = 0; c < Math.min(100, channels); c++)
                {
                    final int c0 = c;
                    owned(hotStore, () -> hotStore.history(channelIds[c0], HistoryQuery.LATEST, 0, 50));
                }
                hLatest = measure(() ->
                {
                    final int c = rnd.nextInt(Math.min(100, channels));
                    return timed(() -> check(owned(hotStore, () -> hotStore.history(channelIds[c], HistoryQuery.LATEST,
                        0, 50)).size(), 50));
                });
                hotStore.close();
            }

            // the embedded store, same data
            final Path dir = Files.createTempDirectory("probe-embedded-");
            final Histogram eLatest;
            final Histogram eBefore;
            final Histogram eGet;
            final Histogram eAppend;
            try (EmbeddedStoreFactory ef = new EmbeddedStoreFactory(dir, Durability.OS))
            {
                final ShardStore e = ef.open(0);
                e.recover((t, p) -> { });
                for (int c = 0; c < channels; c++)
                {
                    for (int i = 0; i < messages; i++)
                    {
                        e.appendMessage(message(messageIds[c][i], channelIds[c]));
                    }
                }
                eLatest = measure(() ->
                {
                    final int c = rnd.nextInt(channels);
                    return timed(() -> check(e.history(channelIds[c], HistoryQuery.LATEST, 0, 50).size(), 50));
                });
                eBefore = measure(() ->
                {
                    final int c = rnd.nextInt(channels);
                    final long anchor = messageIds[c][messages / 2];
                    return timed(() -> check(e.history(channelIds[c], HistoryQuery.BEFORE, anchor, 50).size(), 50));
                });
                eGet = measure(() ->
                {
                    final int c = rnd.nextInt(channels);
                    final long id = messageIds[c][rnd.nextInt(messages)];
                    return timed(() -> check(e.message(channelIds[c], id) == null ? 0 : 1, 1));
                });
                eAppend = measure(() ->
                {
                    final long id = next[0]++;
                    return timed(() ->
                    {
                        e.appendMessage(message(id, appendChannel));
                        return 1;
                    });
                });
                e.close();
            }
            finally
            {
                deleteTree(dir);
            }
            rows.add(row("latest-50 (cold: Cassandra)", pLatest, rLatest, eLatest));
            rows.add(row("page-before 50", pBefore, rBefore, eBefore));
            rows.add(row("get-by-id", pGet, rGet, eGet));
            rows.add(row("append, 1 in flight", pAppend1, rAppend1, eAppend));
            rows.add(row("append, 64 in flight", pAppend64, rAppend64, eAppend));
            rows.add(row("append, 64 in flight, in order", pAppend64, oAppend64, eAppend));
            rows.add(row("latest-50 (hot: owner memory)", hLatest, null, eLatest));
            session.execute(SimpleStatement.newInstance("DROP KEYSPACE " + keyspace)
                .setTimeout(java.time.Duration.ofSeconds(60)));
        }
        System.out.println();
        System.out.printf("%-31s %12s %12s %12s %12s %8s %8s %12s %12s %9s%n", "operation (µs)", "pinwheel p50",
            "pinwheel p99", "raw p50", "raw p99", "x p50", "x p99", "embedded p50", "embedded p99", "x emb p50");
        for (final String[] r : rows)
        {
            System.out.printf("%-31s %12s %12s %12s %12s %8s %8s %12s %12s %9s%n", (Object[])r);
        }
        System.out.println("x = Pinwheel / raw driver (goal <= 1.2); x emb = Pinwheel on Cassandra / embedded store");
    }

    /**
     * What a shard does with a read the store must fetch: the store throws {@link ReadPendingException}, the owner
     * parks (here: this thread, woken by the driver's callback) until the fetch is in, then runs the read again.
     */
    private static <T> T owned(final CassandraShardStore store, final Supplier<T> read)
    {
        try
        {
            return read.get();
        }
        catch (final ReadPendingException pending)
        {
            return BlockingReads.await(store, read, 30, TimeUnit.SECONDS);
        }
    }

    private static void owned(final CassandraShardStore store, final Runnable write)
    {
        owned(store, () ->
        {
            write.run();
            return null;
        });
    }

    private static String[] row(final String name, final Histogram p, final Histogram raw, final Histogram emb)
    {
        return new String[] {name, us(p.getValueAtPercentile(50)), us(p.getValueAtPercentile(99)),
            raw == null ? "-" : us(raw.getValueAtPercentile(50)), raw == null ? "-" : us(raw.getValueAtPercentile(99)),
            raw == null ? "-" : ratio(p.getValueAtPercentile(50), raw.getValueAtPercentile(50)),
            raw == null ? "-" : ratio(p.getValueAtPercentile(99), raw.getValueAtPercentile(99)),
            us(emb.getValueAtPercentile(50)), us(emb.getValueAtPercentile(99)),
            ratio(p.getValueAtPercentile(50), emb.getValueAtPercentile(50))};
    }

    private static String us(final long nanos)
    {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    private static String ratio(final long a, final long b)
    {
        return String.format(Locale.ROOT, "%.2f", (double)a / Math.max(1, b));
    }

    /** Warm-up (a quarter of the operations, not recorded), then the recorded ones. */
    private Histogram measure(final LongSupplier op)
    {
        return measurePair(op, null)[0];
    }

    /** Two operations alternating one by one (same conditions for both); warm-up first. */
    private Histogram[] measurePair(final LongSupplier a, final LongSupplier b)
    {
        final Histogram ha = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        final Histogram hb = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        for (int i = 0; i < ops / 4; i++)
        {
            a.getAsLong();
            if (b != null)
            {
                b.getAsLong();
            }
        }
        for (int i = 0; i < ops; i++)
        {
            ha.recordValue(a.getAsLong());
            if (b != null)
            {
                hb.recordValue(b.getAsLong());
            }
        }
        return new Histogram[] {ha, hb};
    }

    @FunctionalInterface
    private interface Op
    {
        int run();
    }

    private static long timed(final Op op)
    {
        final long t0 = System.nanoTime();
        op.run();
        return System.nanoTime() - t0;
    }

    private static int check(final int got, final int want)
    {
        if (got != want)
        {
            throw new IllegalStateException("expected " + want + " results, got " + got);
        }
        return got;
    }

    /** The store's walk with the raw driver: the newest bucket alone, then 4 at once, until the page is full. */
    private static int rawBefore(final CqlSession session, final PreparedStatement before, final long channel,
        final long maxExclusive, final int want)
    {
        final int minBucket = Buckets.of(channel);
        final boolean top = maxExclusive == Long.MAX_VALUE || Buckets.of(maxExclusive - 1) > Buckets.now();
        int b = top ? Buckets.now() + 1 : Buckets.of(maxExclusive - 1);
        int need = want;
        int round = 0;
        final List<CompletableFuture<AsyncResultSet>> batch = new ArrayList<>(4);
        while (need > 0 && b >= minBucket)
        {
            batch.clear();
            final int k = Math.min(round++ == 0 ? (top ? 2 : 1) : 4, b - minBucket + 1);
            for (int i = 0; i < k; i++)
            {
                batch.add(session.executeAsync(before.bind(channel, b - i, maxExclusive, want))
                    .toCompletableFuture());
            }
            for (int i = 0; i < k && need > 0; i++)
            {
                for (final Row row : batch.get(i).join().currentPage())
                {
                    if (need > 0)
                    {
                        row.getString(3);
                        need--;
                    }
                }
            }
            b -= k;
        }
        return want - need;
    }

    private void awaitDurable(final CassandraShardStore store, final long seq)
    {
        store.pollCompletions();
        while (store.durableSequence() < seq)
        {
            if (store.pollCompletions() == 0)
            {
                LockSupport.parkNanos(1_000_000); // woken by the driver's callback
            }
        }
    }

    /** One round of ops/3 appends with {@code inFlight} outstanding; latencies into h (null: warm-up). */
    private void appendsInFlight(final CassandraShardStore store, final long channel, final long[] next,
        final int inFlight, final Histogram h)
    {
        final int total = ops / 3;
        final long[] started = new long[total];
        final long firstSeq = store.issuedSequence() + 1;
        int issued = 0;
        int done = 0;
        while (done < total)
        {
            // as the raw side: a slot is refilled as soon as Cassandra answers any write (the ordered acknowledgement
            // is measured, not used to hold back sending: a shard's clients post independently)
            while (issued < total && store.writesInFlight() < inFlight)
            {
                started[issued++] = System.nanoTime();
                final long id = next[0]++;
                owned(store, () -> store.appendMessage(message(id, channel)));
            }
            if (store.pollCompletions() == 0)
            {
                LockSupport.parkNanos(1_000_000); // woken by the driver's callback
            }
            final long now = System.nanoTime();
            while (done < total && firstSeq + done <= store.durableSequence())
            {
                if (h != null)
                {
                    h.recordValue(now - started[done]);
                }
                done++;
            }
        }
    }

    /**
     * One round of ops/3 raw appends with {@code inFlight} outstanding: each future's own latency into h, and the
     * in-order latency (done once every earlier write is) into inOrder.
     */
    private void rawAppendsInFlight(final CqlSession session, final PreparedStatement insert, final long channel,
        final long[] next, final int inFlight, final Histogram h, final Histogram inOrder)
    {
        final int total = ops / 3;
        final long[] started = new long[total];
        final long[] finished = new long[total];
        final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(inFlight);
        final java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(total);
        for (int i = 0; i < total; i++)
        {
            slots.acquireUninterruptibly();
            final int n = i;
            started[n] = System.nanoTime();
            session.executeAsync(bindInsert(insert, message(next[0]++, channel))).whenComplete((rs, err) ->
            {
                finished[n] = System.nanoTime();
                slots.release();
                all.countDown();
            });
        }
        try
        {
            all.await(120, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (h != null)
        {
            long doneAt = 0;
            for (int i = 0; i < total; i++)
            {
                h.recordValue(finished[i] - started[i]);
                doneAt = Math.max(doneAt, finished[i]);
                inOrder.recordValue(doneAt - started[i]);
            }
        }
    }

    private void load(final CqlSession session, final PreparedStatement insert)
    {
        final long t0 = System.nanoTime();
        final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(128);
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < messages; i++)
            {
                slots.acquireUninterruptibly();
                session.executeAsync(bindInsert(insert, message(messageIds[c][i], channelIds[c])))
                    .whenComplete((rs, err) -> slots.release());
            }
        }
        slots.acquireUninterruptibly(128);
        System.out.printf("loaded %d messages in %.1f s%n", channels * messages, (System.nanoTime() - t0) / 1e9);
    }

    private static BoundStatement bindInsert(final PreparedStatement insert, final StoredMessage m)
    {
        return insert.bind(m.channelId(), Buckets.of(m.id()), m.id(), m.guildId(), m.authorId(), m.content(),
            m.editedTimestampMillis(), m.flags(), m.tts(), m.pinned(), m.extra(), System.currentTimeMillis() * 1000)
            .setIdempotent(true);
    }

    private static StoredMessage message(final long id, final long channel)
    {
        return new StoredMessage(id, channel, 7, 42, "benchmark message " + id + " with some ordinary text in it", 0,
            0, false, false);
    }

    private static long snowflake(final long unixMillis, final long low)
    {
        return ((unixMillis - Buckets.DISCORD_EPOCH) << 22) | (low & 0x3FFFFF);
    }

    private static void deleteTree(final Path dir)
    {
        try (var s = Files.walk(dir))
        {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final java.io.IOException ex)
        {
            // best effort
        }
    }
}
