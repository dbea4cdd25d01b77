package dev.pinwheel.storage.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.loadbalancing.NodeDistance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pinwheel nodes that start at once against a Cassandra of two nodes each create the schema ({@code CREATE TABLE IF
 * NOT EXISTS}), each through its own coordinator. Cassandra 5.0 gives a new table a time-based id chosen by the
 * coordinator; two coordinators creating the same table at once each created their own, and the schema merge then
 * kept one of the two: what a node wrote to the table it had created before the merge stayed in the dropped one's
 * directory, outside the table (Cassandra's known hazard of concurrent table creation). Every table now carries an id
 * derived from its keyspace and name, so both coordinators create the same table.
 * <p>
 * Two real Cassandra nodes (127.0.0.1 and 127.0.0.2, both seeds), a session pinned to each; four rounds, each in a
 * fresh keyspace of replication 2, start {@link CassandraSchema#create} through both sessions at the same instant.
 * After schema agreement each node's own {@code system_schema.tables} must give every table one id, the same on both
 * nodes; each node must hold one data directory per table, under that id (before, the node whose creation lost
 * held a second one per table: the table it had created, which the schema then replaced); and a row
 * written through one node at consistency ALL must be read through the other.
 */
class CassandraConcurrentSchemaTest
{
    private static final int ROUNDS = 4;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;

    @Test
    void tablesCreatedAtOnceThroughTwoCoordinatorsAreOneTable() throws Exception
    {
        final List<LocalCassandra> nodes = LocalCassandra.startCluster(dir, 2);
        try (CqlSession a = pinned(nodes.get(0)); CqlSession b = pinned(nodes.get(1)))
        {
            awaitAgreement(a, nodes.get(0), b, nodes.get(1), "start");
            for (int round = 0; round < ROUNDS; round++)
            {
                final String keyspace = "concurrent_schema_" + round;
                final CyclicBarrier together = new CyclicBarrier(2);
                // a thread each (the common pool may have one thread on two cores: the barrier would never trip)
                final CompletableFuture<Void> viaA = CompletableFuture.runAsync(() -> create(a, keyspace, together),
                    r -> new Thread(r, "create-via-1").start());
                final CompletableFuture<Void> viaB = CompletableFuture.runAsync(() -> create(b, keyspace, together),
                    r -> new Thread(r, "create-via-2").start());
                viaA.get(180, TimeUnit.SECONDS);
                viaB.get(180, TimeUnit.SECONDS);
                awaitAgreement(a, nodes.get(0), b, nodes.get(1), "round " + round);

                final Map<String, String> idsA = tableIds(a, keyspace);
                final Map<String, String> idsB = tableIds(b, keyspace);
                assertEquals(CassandraSchema.statements(keyspace, 2).size() - 1, idsA.size(), "tables: " + idsA);
                assertEquals(idsA, idsB, "round " + round + ": the two nodes' ids of the tables of " + keyspace);
                for (final LocalCassandra node : nodes)
                {
                    assertEquals(expectedDirectories(idsA), directories(node, keyspace), "round " + round
                        + ": node " + node.address() + "'s table directories (a second one per table: the node "
                        + "created the table under an id of its own that the schema then replaced)");
                }

                final long channel = 1000 + round;
                a.execute(SimpleStatement.newInstance("INSERT INTO " + keyspace + ".messages (channel_id, bucket, "
                    + "message_id, content) VALUES (?, 0, 1, 'through node 1')", channel)
                    .setConsistencyLevel(com.datastax.oss.driver.api.core.DefaultConsistencyLevel.ALL));
                final Row row = b.execute(SimpleStatement.newInstance("SELECT content FROM " + keyspace
                    + ".messages WHERE channel_id = ? AND bucket = 0", channel)
                    .setConsistencyLevel(com.datastax.oss.driver.api.core.DefaultConsistencyLevel.ALL)).one();
                assertTrue(row != null && "through node 1".equals(row.getString(0)),
                    "round " + round + ": a row written through node 1 read through node 2: " + row);
            }
        }
        finally
        {
            nodes.forEach(LocalCassandra::kill);
        }
    }

    private static void create(final CqlSession session, final String keyspace, final CyclicBarrier together)
    {
        try
        {
            together.await(60, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        CassandraSchema.create(session, keyspace, 2);
    }

    /** @return "TABLE-ID" with the id's hex digits: the data directory Cassandra keeps for each table. */
    private static java.util.Set<String> expectedDirectories(final Map<String, String> ids)
    {
        final java.util.Set<String> dirs = new java.util.TreeSet<>();
        ids.forEach((table, id) -> dirs.add(table + "-" + id.replace("-", "")));
        return dirs;
    }

    /** @return the table directories the node created for the keyspace. */
    private static java.util.Set<String> directories(final LocalCassandra node, final String keyspace)
        throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(node.dataDirectory().resolve("data")
            .resolve(keyspace)))
        {
            return list.map(p -> p.getFileName().toString())
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }

    /** @return each table's id as this session's node has it (system tables are read locally). */
    private static Map<String, String> tableIds(final CqlSession session, final String keyspace)
    {
        final Map<String, String> ids = new TreeMap<>();
        for (final Row r : session.execute(SimpleStatement.newInstance(
            "SELECT table_name, id FROM system_schema.tables WHERE keyspace_name = ?", keyspace)))
        {
            ids.put(r.getString(0), String.valueOf(r.getUuid(1)));
        }
        return ids;
    }

    /**
     * Waits until each node lists the other among its peers and both have the same schema version (the driver's own
     * agreement check skips nodes a pinned session ignores).
     */
    private static void awaitAgreement(final CqlSession a, final LocalCassandra nodeA, final CqlSession b,
        final LocalCassandra nodeB, final String what) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(knows(a, nodeB) && knows(b, nodeA) && schemaVersion(a).equals(schemaVersion(b))))
        {
            assertTrue(System.nanoTime() - deadline < 0, what + ": the two nodes did not agree within 120 s");
            Thread.sleep(100);
        }
    }

    private static boolean knows(final CqlSession session, final LocalCassandra peer) throws Exception
    {
        return session.execute(SimpleStatement.newInstance("SELECT peer FROM system.peers_v2 WHERE peer = ?",
            java.net.InetAddress.getByName(peer.address()))).one() != null;
    }

    private static String schemaVersion(final CqlSession session)
    {
        return String.valueOf(session.execute("SELECT schema_version FROM system.local").one().getUuid(0));
    }

    /** @return a session whose every request goes to this node (the other is never a coordinator). */
    private static CqlSession pinned(final LocalCassandra node)
    {
        final InetSocketAddress address = new InetSocketAddress(node.address(), node.port());
        return CqlSession.builder()
            .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                .build())
            .addContactPoint(address)
            .withLocalDatacenter("datacenter1")
            .withNodeDistanceEvaluator((n, dc) -> n.getEndPoint().resolve() instanceof InetSocketAddress s
                && s.getAddress().equals(address.getAddress()) ? null : NodeDistance.IGNORED)
            .build();
    }
}
