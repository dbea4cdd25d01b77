package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * The real server in a child JVM with real faults injected into its real shard threads (the server's test-only
 * {@code pinwheel.debug.fault-injection}: commands on its standard input):
 * <ul>
 *   <li>a shard thread that dies (an {@code InternalError} escapes a task, as a fault in a mapped journal page
 *   does) stops the whole node, exit 70, with a line naming the shard and the cause — no zombie;</li>
 *   <li>SIGTERM ends a node whose shutdown cannot finish (a shard stuck in a task): the shutdown hook gives up
 *   after {@code pinwheel.server.shutdown-timeout-ms}, says so and halts, exit 75.</li>
 * </ul>
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NodeFailureTest
{
    private static final String FAULTS = "-Dpinwheel.debug.fault-injection=true";

    @Test
    void aDyingShardThreadStopsTheNode() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-shard-death");
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), 2, "os", dir.resolve("server.log"), 180,
            List.of(FAULTS)))
        {
            final RestClient rest = new RestClient(server.restBase());
            rest.register("death-0"); // serving, on both shards' listeners
            final CompletableFuture<String> died = server.lineContaining("shard 1 died");
            final long t0 = System.nanoTime();
            server.command("shard-error 1");
            final int exit = server.awaitExit(60, TimeUnit.SECONDS);
            final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertEquals(70, exit, "exit code of a node whose shard died; output:\n"
                + ServerProcess.tail(server.log()));
            // ~0.5 s; it was 10 s while shutdown waited 5 s on each of the dead shard's listeners, and the surviving
            // shard kept accepting connections and acknowledging posts meanwhile (abuse-probe)
            assertTrue(seconds < 8, "the node took " + seconds + " s to exit after its shard died");
            final String line = died.get(10, TimeUnit.SECONDS);
            assertTrue(line.contains("InternalError"), line);
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }

    @Test
    void sigtermEndsANodeWhoseShutdownHangs() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-shutdown-hang");
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), 2, "os", dir.resolve("server.log"), 180,
            List.of(FAULTS, "-Dpinwheel.server.shutdown-timeout-ms=3000")))
        {
            new RestClient(server.restBase()).register("hang-0");
            final CompletableFuture<String> sent = server.lineContaining("fault injection: shard-hang 0 -> sent");
            final CompletableFuture<String> halting = server.lineContaining("shutdown did not finish within 3000 ms");
            server.command("shard-hang 0");
            sent.get(30, TimeUnit.SECONDS);
            final long t0 = System.nanoTime();
            server.terminate();
            final int exit = server.awaitExit(60, TimeUnit.SECONDS);
            final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertEquals(75, exit, "exit code of a halted shutdown; output:\n" + ServerProcess.tail(server.log()));
            assertTrue(seconds < 30, "ended " + seconds + " s after SIGTERM");
            try
            {
                halting.get(10, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.TimeoutException ex)
            {
                throw new AssertionError("no line about the halt; output:\n" + ServerProcess.tail(server.log()), ex);
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }
}
