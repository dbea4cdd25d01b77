package dev.pinwheel.storage.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The Cassandra the tests of this JVM share: the one {@code .ci/run} started (its address in
 * {@code PINWHEEL_TEST_CASSANDRA}), else one real node started here on free ports with a temporary data directory
 * and stopped (and deleted) when the JVM exits. Each test class uses keyspaces of its own.
 */
final class TestCassandra
{
    private static final AtomicInteger KEYSPACES = new AtomicInteger();
    private static String contactPoint;

    private TestCassandra()
    {
    }

    static synchronized String contactPoint()
    {
        if (contactPoint == null)
        {
            final String given = System.getenv("PINWHEEL_TEST_CASSANDRA");
            if (given != null && !given.isBlank())
            {
                contactPoint = given.trim();
            }
            else
            {
                contactPoint = startOwn().contactPoint();
            }
        }
        return contactPoint;
    }

    /**
     * @param prefix what the keyspace is for.
     * @return a keyspace name no other test of this run uses.
     */
    static String keyspace(final String prefix)
    {
        return (prefix + "_" + ProcessHandle.current().pid() + "_" + KEYSPACES.incrementAndGet()).toLowerCase(
            java.util.Locale.ROOT);
    }

    /**
     * @param keyspace keyspace (created when missing).
     * @return a context for one shard against the shared node.
     */
    static CassandraStoreContext context(final String keyspace)
    {
        return new CassandraStoreContext().contactPoints(contactPoint()).keyspace(keyspace).replication(1);
    }

    private static LocalCassandra startOwn()
    {
        try
        {
            final Path dir = Files.createTempDirectory("cassandra-");
            final LocalCassandra c = LocalCassandra.start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                c.close();
                delete(dir);
            }, "test-cassandra-stop"));
            return c;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void delete(final Path dir)
    {
        try (Stream<Path> s = Files.walk(dir))
        {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            // best effort
        }
    }
}
