package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.pinwheel.server.TestNode;

/**
 * The command line's store options fail clearly: a bad option is exit 2 with the reason and the usage; an unreachable
 * Cassandra is exit 1 naming the address, without serving.
 */
class StoreOptionsTest
{
    @Test
    void badStoreOptionsExit2WithTheReason() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-options");
        try
        {
            final String data = dir.resolve("data").toString();
            assertFails(2, "unknown store 'nope'", "run", "--data", data, "--store", "nope");
            assertFails(2, "need --store cassandra", "run", "--data", data, "--keyspace", "k");
            assertFails(2, "--replication needs a number", "run", "--data", data, "--store", "cassandra",
                "--replication", "three");
            assertFails(2, "bad keyspace name", "run", "--data", data, "--store", "cassandra", "--keyspace", "no-dash");
            assertFails(2, "bad Cassandra address", "run", "--data", data, "--store", "cassandra", "--cassandra",
                "host:notaport");
            assertFails(2, "--data and --to-cassandra are required", "migrate", "--data", data);
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }

    @Test
    void anUnreachableCassandraStopsTheStartWithExit1() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-options");
        try
        {
            final int closed;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
            {
                closed = s.getLocalPort(); // nothing listens there once closed
            }
            assertFails(1, "cannot reach Cassandra at", "run", "--data", dir.resolve("data").toString(), "--port", "0",
                "--store", "cassandra", "--cassandra", "127.0.0.1:" + closed);
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }

    private static void assertFails(final int exit, final String text, final String... args)
    {
        final IOException ex = assertThrows(IOException.class, () -> ServerProcess.runCli(120, args));
        assertTrue(ex.getMessage().contains("exited " + exit + ":"), ex.getMessage());
        assertTrue(ex.getMessage().contains(text), ex.getMessage());
    }
}
