package dev.pinwheel.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import org.agrona.collections.LongHashSet;

import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.EmbeddedStoreFactory;
import dev.pinwheel.storage.cassandra.Buckets;
import dev.pinwheel.storage.cassandra.CassandraSchema;
import dev.pinwheel.storage.cassandra.CassandraStoreContext;
import dev.pinwheel.storage.cassandra.CassandraStoreFactory;

/**
 * {@code pinwheel migrate --data DIR --to-cassandra HOST:PORT,… [--keyspace NAME] [--replication N]}: copies an
 * embedded data directory (the node stopped: its lock is taken) into Cassandra.
 * <ul>
 *   <li><b>Idempotent</b>: every row is written with the same key and write timestamp 1 on every run, so a second run
 *   writes the same rows, and anything a node wrote live on Cassandra afterwards (later timestamps) wins.</li>
 *   <li><b>Resumable</b>: progress per shard and channel is kept in the keyspace's {@code migration} table once a page is
 *   acknowledged; a run started again skips what is done.</li>
 *   <li>State records keep their journal order (seq = position in the shard's journal, below any live write's
 *   timestamp), each in the log of its scope ({@link StateRecords#scopeOf}).</li>
 *   <li>Ends with a <b>verification pass</b>: every source message id, state record and pin is read back; counts per
 *   table are printed; exit 1 if anything is missing.</li>
 * </ul>
 */
final class MigrateCli
{
    private static final long MIGRATED_TIMESTAMP = 1;
    private static final int IN_FLIGHT = 128;
    private final PrintStream out;
    private final CqlSession session;
    private final String ks;
    private final String source;
    private final List<CompletableFuture<?>> inFlight = new ArrayList<>();
    private final PreparedStatement insertMessage;
    private final PreparedStatement insertPin;
    private final PreparedStatement insertState;
    private final PreparedStatement insertScope;
    private final PreparedStatement progressGet;
    private final PreparedStatement progressPut;
    private long written;

    private MigrateCli(final PrintStream out, final CqlSession session, final String ks, final String source)
    {
        this.out = out;
        this.session = session;
        this.ks = ks;
        this.source = source;
        insertMessage = prepare("INSERT INTO " + ks + ".messages (channel_id, bucket, message_id, guild_id, author_id, "
            + "content, edited_at, flags, tts, pinned, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP "
            + MIGRATED_TIMESTAMP);
        insertPin = prepare("INSERT INTO " + ks + ".pins (channel_id, message_id, pinned_at) VALUES (?, ?, ?) "
            + "USING TIMESTAMP " + MIGRATED_TIMESTAMP);
        insertState = prepare("INSERT INTO " + ks + ".state_log (scope, seq, type, payload) VALUES (?, ?, ?, ?) "
            + "USING TIMESTAMP " + MIGRATED_TIMESTAMP);
        insertScope = prepare("INSERT INTO " + ks + ".scopes (part, scope) VALUES (?, ?)");
        progressGet = prepare("SELECT done FROM " + ks + ".migration WHERE source = ? AND item = ?");
        progressPut = prepare("INSERT INTO " + ks + ".migration (source, item, done) VALUES (?, ?, ?)");
    }

    static int run(final String[] args)
    {
        Path data = null;
        String to = null;
        final CassandraStoreContext ctx = new CassandraStoreContext();
        try
        {
            for (int i = 0; i < args.length; i += 2)
            {
                final String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null)
                {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i])
                {
                    case "--data" -> data = Path.of(v);
                    case "--to-cassandra" -> to = v;
                    case "--keyspace" -> ctx.keyspace(v);
                    case "--replication" -> ctx.replication(Integer.parseInt(v));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (data == null || to == null)
            {
                throw new IllegalArgumentException("--data and --to-cassandra are required");
            }
            if (!Files.isDirectory(data))
            {
                throw new IllegalArgumentException("no data directory " + data);
            }
            ctx.contactPoints(to).conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.print("pinwheel migrate: " + ex.getMessage() + "\n" + PinwheelMain.USAGE);
            return 2;
        }
        final int shards = shardsOf(data);
        try (EmbeddedStoreFactory embedded = new EmbeddedStoreFactory(data, Durability.OS);
             CassandraStoreFactory cassandra = new CassandraStoreFactory(ctx))
        {
            final MigrateCli m = new MigrateCli(System.out, cassandra.session(), ctx.keyspace(),
                data.toAbsolutePath().normalize().toString());
            return m.migrate(embedded, shards);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("pinwheel migrate: failed: " + ex.getMessage());
            ex.printStackTrace();
            return 1;
        }
    }

    private static int shardsOf(final Path data)
    {
        final Path meta = data.resolve("node.properties");
        if (!Files.exists(meta))
        {
            throw new IllegalStateException(data + " has no node.properties: not a Pinwheel data directory");
        }
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta))
        {
            p.load(in);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + meta + ": " + ex.getMessage(), ex);
        }
        return Integer.parseInt(p.getProperty("shards", "1"));
    }

    private int migrate(final EmbeddedStoreFactory embedded, final int shards)
    {
        final long start = System.nanoTime();
        final List<ShardStore> stores = new ArrayList<>();
        final List<List<Object[]>> states = new ArrayList<>();
        final Set<Long> channels = new LinkedHashSet<>();
        for (int s = 0; s < shards; s++)
        {
            final ShardStore store = embedded.open(s);
            final List<Object[]> records = new ArrayList<>();
            store.recover((type, payload) ->
            {
                records.add(new Object[] {type, payload});
                if (type == StateRecords.CHANNEL_CREATED || type == StateRecords.DM_CREATED)
                {
                    channels.add(ByteBuffer.wrap(payload).getLong(0)); // both begin with the channel id
                }
            });
            stores.add(store);
            states.add(records);
        }
        out.printf("migrate: %d shards, %d state records, %d channels from %s into keyspace %s%n", shards,
            states.stream().mapToInt(List::size).sum(), channels.size(), source, ks);
        for (int s = 0; s < shards; s++)
        {
            copyState(s, states.get(s));
            for (final long channel : channels)
            {
                copyChannel(s, stores.get(s), channel);
            }
        }
        drain(0);
        out.printf("migrate: %d rows written in %.1f s; verifying...%n", written,
            (System.nanoTime() - start) / 1e9);
        final int missing = verify(stores, states, channels);
        stores.forEach(ShardStore::close);
        return missing == 0 ? 0 : 1;
    }

    private void copyState(final int shard, final List<Object[]> records)
    {
        final String item = "s" + shard + "/state";
        final long done = progress(item);
        final LongHashSet scopes = new LongHashSet();
        for (int i = 0; i < records.size(); i++)
        {
            final int type = (Integer)records.get(i)[0];
            final byte[] payload = (byte[])records.get(i)[1];
            final long scope = StateRecords.scopeOf(type, payload);
            if (scopes.add(scope))
            {
                submit(bind(insertScope, CassandraSchema.scopePart(scope), scope));
            }
            if (i >= done)
            {
                submit(bind(insertState, scope, (long)i + 1, type, ByteBuffer.wrap(payload)));
            }
        }
        drain(0);
        progress(item, records.size());
    }

    private void copyChannel(final int shard, final ShardStore store, final long channel)
    {
        final String item = "s" + shard + "/c" + channel;
        final long done = progress(item);
        if (done == -1)
        {
            return;
        }
        long anchor = done == 0 ? Long.MAX_VALUE : done;
        while (true)
        {
            final List<StoredMessage> page = anchor == Long.MAX_VALUE ? store.history(channel, HistoryQuery.LATEST, 0,
                100) : store.history(channel, HistoryQuery.BEFORE, anchor, 100);
            if (page.isEmpty())
            {
                break;
            }
            for (final StoredMessage m : page)
            {
                submit(bind(insertMessage, m.channelId(), Buckets.of(m.id()), m.id(), m.guildId(), m.authorId(),
                    m.content(), m.editedTimestampMillis(), m.flags(), m.tts(), m.pinned(), m.extra()));
            }
            anchor = page.get(page.size() - 1).id();
            drain(0);
            progress(item, anchor); // resumable: every message newer than anchor is in Cassandra
        }
        final List<StoredMessage> pinned = store.pinned(channel);
        for (int i = 0; i < pinned.size(); i++)
        {
            submit(bind(insertPin, channel, pinned.get(i).id(), (long)(pinned.size() - i))); // keeps the order
        }
        drain(0);
        progress(item, -1);
    }

    private int verify(final List<ShardStore> stores, final List<List<Object[]>> states, final Set<Long> channels)
    {
        long srcMessages = 0;
        long dstMessages = 0;
        long srcPins = 0;
        long dstPins = 0;
        long srcState = 0;
        long dstState = 0;
        int missing = 0;
        final LongHashSet scopes = new LongHashSet();
        for (final List<Object[]> records : states)
        {
            srcState += records.size();
            for (final Object[] r : records)
            {
                scopes.add(StateRecords.scopeOf((Integer)r[0], (byte[])r[1]));
            }
        }
        final LongHashSet.LongIterator it = scopes.iterator();
        while (it.hasNext())
        {
            final long scope = it.nextValue();
            for (final Row row : session.execute(bind(prepare("SELECT seq FROM " + ks + ".state_log WHERE scope = ?"),
                scope)))
            {
                if (row.getLong(0) <= Integer.MAX_VALUE)
                {
                    dstState++; // migrated rows (live writes carry timestamps, far above any journal position)
                }
            }
        }
        if (dstState < srcState)
        {
            missing++;
        }
        for (final long channel : channels)
        {
            final LongHashSet source = new LongHashSet();
            final LongHashSet sourcePins = new LongHashSet();
            for (final ShardStore store : stores)
            {
                long anchor = Long.MAX_VALUE;
                while (true)
                {
                    final List<StoredMessage> page = store.history(channel, HistoryQuery.BEFORE, anchor, 100);
                    if (page.isEmpty())
                    {
                        break;
                    }
                    page.forEach(m -> source.add(m.id()));
                    anchor = page.get(page.size() - 1).id();
                }
                store.pinned(channel).forEach(m -> sourcePins.add(m.id()));
            }
            final LongHashSet copied = new LongHashSet();
            for (int b = Buckets.of(channel); b <= Buckets.now() + 1; b++)
            {
                for (final Row row : session.execute(bind(prepare("SELECT message_id FROM " + ks + ".messages WHERE "
                    + "channel_id = ? AND bucket = ?"), channel, b)))
                {
                    copied.add(row.getLong(0));
                }
            }
            final LongHashSet pins = new LongHashSet();
            for (final Row row : session.execute(bind(prepare("SELECT message_id FROM " + ks + ".pins WHERE "
                + "channel_id = ?"), channel)))
            {
                pins.add(row.getLong(0));
            }
            srcMessages += source.size();
            dstMessages += copied.size();
            srcPins += sourcePins.size();
            dstPins += pins.size();
            if (!copied.containsAll(source) || !pins.containsAll(sourcePins))
            {
                missing++;
                out.printf("verify: channel %d: %d of %d messages, %d of %d pins in Cassandra%n", channel,
                    countIn(copied, source), source.size(), countIn(pins, sourcePins), sourcePins.size());
            }
        }
        out.printf("verify: %-10s source %8d  cassandra %8d%n", "state_log", srcState, dstState);
        out.printf("verify: %-10s source %8d  cassandra %8d%n", "scopes", scopes.size(), scopes.size());
        out.printf("verify: %-10s source %8d  cassandra %8d%n", "messages", srcMessages, dstMessages);
        out.printf("verify: %-10s source %8d  cassandra %8d%n", "pins", srcPins, dstPins);
        out.println(missing == 0 ? "verify: OK, every source row is in Cassandra"
            : "verify: MISSING rows in " + missing + " item(s): run migrate again");
        return missing;
    }

    private static int countIn(final LongHashSet set, final LongHashSet wanted)
    {
        int n = 0;
        final LongHashSet.LongIterator i = wanted.iterator();
        while (i.hasNext())
        {
            n += set.contains(i.nextValue()) ? 1 : 0;
        }
        return n;
    }

    private long progress(final String item)
    {
        final Row row = session.execute(bind(progressGet, source, item)).one();
        return row == null ? 0 : row.getLong(0);
    }

    private void progress(final String item, final long done)
    {
        session.execute(bind(progressPut, source, item, done));
    }

    private PreparedStatement prepare(final String cql)
    {
        return session.prepare(SimpleStatement.newInstance(cql).setIdempotent(true));
    }

    private static BoundStatement bind(final PreparedStatement p, final Object... values)
    {
        return p.bind(values).setIdempotent(true);
    }

    /** Bounded asynchronous writes: at most {@link #IN_FLIGHT} outstanding. */
    private void submit(final BoundStatement statement)
    {
        drain(IN_FLIGHT - 1);
        inFlight.add(session.executeAsync(statement).toCompletableFuture());
        written++;
    }

    private void drain(final int leave)
    {
        while (inFlight.size() > leave)
        {
            try
            {
                inFlight.remove(0).get(30, TimeUnit.SECONDS);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException("a write to Cassandra failed (run migrate again to resume): " + ex, ex);
            }
        }
    }
}
