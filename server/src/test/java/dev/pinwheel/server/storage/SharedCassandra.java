package dev.pinwheel.server.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.storage.cassandra.LocalCassandra;

/**
 * The Cassandra this test JVM's server tests share: the one {@code .ci/run} started ({@code PINWHEEL_TEST_CASSANDRA}),
 * else a real node started here (temporary data directory, free ports) and stopped with the JVM. Tests that kill
 * Cassandra start one of their own ({@link LocalCassandra#start}).
 */
final class SharedCassandra
{
    private static final AtomicInteger KEYSPACES = new AtomicInteger();
    private static String contactPoint;

    private SharedCassandra()
    {
    }

    static synchronized String contactPoint()
    {
        if (contactPoint == null)
        {
            final String given = System.getenv("PINWHEEL_TEST_CASSANDRA");
            contactPoint = given != null && !given.isBlank() ? given.trim() : startOwn().contactPoint();
        }
        return contactPoint;
    }

    static String keyspace(final String prefix)
    {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + KEYSPACES.incrementAndGet();
    }

    /**
     * @return the JVM options that make a {@link ServerProcess} store in Cassandra.
     */
    static List<String> serverOptions(final String contactPoint, final String keyspace)
    {
        return List.of("-Dpinwheel.store=cassandra", "-Dpinwheel.cassandra.contact-points=" + contactPoint,
            "-Dpinwheel.cassandra.keyspace=" + keyspace, "-Dpinwheel.cassandra.replication=1");
    }

    /**
     * @param keyspacePrefix the test's keyspace prefix (a fresh keyspace on the shared Cassandra).
     * @return the JVM options of a cluster node on the shared Cassandra as the cluster tests run it: peer timeout 1 s,
     *         1 MiB link terms, handover grace 100 ms.
     */
    static List<String> clusterOptions(final String keyspacePrefix)
    {
        final List<String> options = new java.util.ArrayList<>(serverOptions(contactPoint(), keyspace(keyspacePrefix)));
        options.addAll(List.of("-Dpinwheel.cluster.peerTimeoutMs=1000", "-Dpinwheel.cluster.termLength=1048576",
            "-Dpinwheel.cluster.handoverGraceMs=100"));
        return options;
    }

    /**
     * @return a Cassandra of the caller's own (killable), stopped and deleted with the JVM at the latest.
     */
    static LocalCassandra startOwn()
    {
        try
        {
            final Path dir = Files.createTempDirectory("cassandra-");
            final LocalCassandra c = LocalCassandra.start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                c.close();
                TestNode.deleteTree(dir);
            }, "test-cassandra-stop"));
            return c;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
