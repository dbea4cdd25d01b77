package dev.pinwheel.storage.cassandra;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import dev.pinwheel.core.store.StoreFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the node's Cassandra stores: one driver session for the node (its I/O threads only complete futures and
 * wake shards), the keyspace and tables created when missing, the statements prepared once, then one
 * {@link CassandraShardStore} per shard.
 */
public final class CassandraStoreFactory implements StoreFactory
{
    private static final Logger LOG = LoggerFactory.getLogger(CassandraStoreFactory.class);
    private final CassandraStoreContext ctx;
    private final CqlSession session;
    private final CassandraStatements statements;
    private final CassandraFiles files;

    /**
     * Connects, creates the schema when missing and prepares the statements.
     *
     * @param ctx settings (concluded here).
     * @throws IllegalStateException naming the addresses if Cassandra cannot be reached or the schema not created.
     */
    public CassandraStoreFactory(final CassandraStoreContext ctx)
    {
        this.ctx = ctx.conclude();
        this.session = connect(ctx);
        try
        {
            CassandraSchema.create(session, ctx.keyspace(), ctx.replication());
            this.statements = new CassandraStatements(session, ctx.keyspace(), ctx.consistencyLevel(),
                Duration.ofMillis(ctx.requestTimeoutMillis()));
            this.files = new CassandraFiles(session, ctx.keyspace(), statements);
        }
        catch (final DriverException ex)
        {
            session.close();
            throw new IllegalStateException("Cassandra at " + ctx.contactPoints() + ": cannot create keyspace "
                + ctx.keyspace() + ": " + ex.getMessage(), ex);
        }
        LOG.info("Cassandra store: keyspace {} at {}, consistency {}, {} writes in flight per shard",
            ctx.keyspace(), ctx.contactPoints(), ctx.consistencyLevel(), ctx.maxInFlight());
        warnIfAcknowledgedWritesCanBeLost(session, ctx.keyspace(), ctx.consistencyLevel());
    }

    /**
     * Warns when a write Cassandra acknowledged can still be lost to one crash (see {@link #acknowledgedWriteRisk}).
     *
     * @param session     a session.
     * @param keyspace    the store's keyspace.
     * @param consistency the consistency level name in use.
     * @return the warning logged, or null.
     */
    static String warnIfAcknowledgedWritesCanBeLost(final CqlSession session, final String keyspace,
        final String consistency)
    {
        final String sync = commitLogSync(session);
        int replication = Integer.MAX_VALUE;
        final var ks = session.getMetadata().getKeyspace(keyspace);
        if (ks.isPresent())
        {
            for (final Map.Entry<String, String> e : ks.get().getReplication().entrySet())
            {
                if (!"class".equals(e.getKey()))
                {
                    try
                    {
                        replication = Math.min(replication, Integer.parseInt(e.getValue().trim()));
                    }
                    catch (final NumberFormatException ignored)
                    {
                        // not a replica count (e.g. a transient-replication spec): not judged
                    }
                }
            }
        }
        final String warning = acknowledgedWriteRisk(sync, replication, consistency, keyspace);
        if (warning != null)
        {
            LOG.warn(warning);
        }
        return warning;
    }

    /**
     * @param session a session.
     * @return the {@code commitlog_sync} setting of the node the session asks ({@code system_views.settings}), or
     *         null when it cannot be read.
     */
    static String commitLogSync(final CqlSession session)
    {
        try
        {
            final var row = session.execute(SimpleStatement.newInstance(
                "SELECT value FROM system_views.settings WHERE name = 'commitlog_sync'")
                .setTimeout(Duration.ofSeconds(5))).one();
            return row == null ? null : row.getString("value");
        }
        catch (final DriverException ex)
        {
            LOG.debug("Cassandra's commit log setting could not be read: {}", ex.toString());
            return null;
        }
    }

    /**
     * A write Cassandra acknowledged can be lost to one crash when the node syncs its commit log periodically (it
     * acknowledges before the sync, and a crashed replica replays only up to its last sync marker — a process
     * {@code kill -9} included) and nothing else holds the write: replication below 3, or a consistency level one
     * replica satisfies.
     *
     * @param sync        the node's {@code commitlog_sync} (periodic, group, batch), or null if unknown.
     * @param replication the keyspace's smallest replication factor ({@link Integer#MAX_VALUE} if unknown).
     * @param consistency the consistency level name.
     * @param keyspace    the keyspace, for the message.
     * @return the warning, or null when there is no such risk (or it cannot be told).
     */
    static String acknowledgedWriteRisk(final String sync, final int replication, final String consistency,
        final String keyspace)
    {
        final boolean oneReplica = "ONE".equals(consistency) || "LOCAL_ONE".equals(consistency)
            || "ANY".equals(consistency);
        if (sync == null || !"periodic".equalsIgnoreCase(sync.trim()) || replication >= 3 && !oneReplica)
        {
            return null;
        }
        return "Cassandra syncs its commit log periodically (commitlog_sync: periodic) while keyspace " + keyspace
            + " has replication " + (replication == Integer.MAX_VALUE ? "?" : replication) + " and writes are "
            + "acknowledged at " + consistency + ": a write Cassandra acknowledged can be lost if that replica crashes "
            + "before its next sync (kill -9 included). Set commitlog_sync: group (or batch), or use replication 3 "
            + "with LOCAL_QUORUM";
    }

    /**
     * @param ctx settings.
     * @return a session with Pinwheel's driver settings: bounded request timeout, idempotent requests, fast
     *         reconnection, small I/O thread pool.
     * @throws IllegalStateException if no contact point answers.
     */
    public static CqlSession connect(final CassandraStoreContext ctx)
    {
        final DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofMillis(ctx.requestTimeoutMillis()))
            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, ctx.consistencyLevel())
            .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
            .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(5))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(5))
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(20))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(20))
            // a DDL statement completes once the driver saw schema agreement (polled every 200 ms by default) and
            // refreshed its schema metadata, which it debounces by 1 s by default: creating the keyspace and its 8
            // tables took 12.3 s of a node's first start, 2.5 s with these (schema changes are rare otherwise)
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_INTERVAL, Duration.ofMillis(20))
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(20))
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
            .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(2))
            .withDuration(DefaultDriverOption.HEARTBEAT_INTERVAL, Duration.ofSeconds(5))
            .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, 1)
            .withInt(DefaultDriverOption.CONNECTION_POOL_REMOTE_SIZE, 1)
            .withInt(DefaultDriverOption.NETTY_IO_SIZE, 2)
            .withInt(DefaultDriverOption.NETTY_ADMIN_SIZE, 1)
            .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
            .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
            .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_TIMEOUT, 2)
            .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_TIMEOUT, 2)
            .build();
        try
        {
            final var builder = CqlSession.builder().withConfigLoader(config)
                .withLocalDatacenter(ctx.localDatacenter());
            for (final InetSocketAddress a : ctx.contactPoints())
            {
                builder.addContactPoint(a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a);
            }
            return builder.build();
        }
        catch (final DriverException ex)
        {
            throw new IllegalStateException("cannot reach Cassandra at " + ctx.contactPoints() + ": "
                + ex.getMessage(), ex);
        }
    }

    @Override
    public CassandraShardStore open(final int shardId)
    {
        return new CassandraShardStore(session, statements, ctx, shardId);
    }

    /**
     * @return message files in Cassandra, read by every node (a guild that moves keeps its files).
     */
    @Override
    public dev.pinwheel.core.store.SharedFiles sharedFiles()
    {
        return files;
    }

    /**
     * @return a reader of the state logs by scope (a cluster node's handover of routing keys; blocking reads).
     */
    public CassandraScopes scopes()
    {
        return new CassandraScopes(session, statements);
    }

    /**
     * @return the node's driver session (tools: migration, benchmarks).
     */
    public CqlSession session()
    {
        return session;
    }

    /**
     * @return the prepared statements.
     */
    public CassandraStatements statements()
    {
        return statements;
    }

    /**
     * @return the settings.
     */
    public CassandraStoreContext context()
    {
        return ctx;
    }

    @Override
    public void close()
    {
        session.close();
    }
}
