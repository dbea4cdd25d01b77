package dev.pinwheel.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.shard.ShardGroup;

/**
 * <b>Test only.</b> With {@code -Dpinwheel.debug.fault-injection=true} the node reads commands from its standard
 * input, one per line, and injects real faults into its real shard threads, so that tests in a child JVM exercise
 * the real failure paths (no mocks):
 * <pre>
 *   shard-error N   a task on shard N throws InternalError (as a fault in a mapped journal page does): the shard
 *                   thread dies, the node stops with exit 70
 *   shard-hang N    a task on shard N blocks forever: the shard never stops, shutdown cannot finish and is halted
 *                   after pinwheel.server.shutdown-timeout-ms (exit 75)
 *   files-hold 0    the next uploads stop on the file store's thread once their files are durable, before their
 *                   message is sent to its owner (a test kills the node there: files no message acknowledged)
 *   answers-drop 0  from now on the node's owners do the requests other nodes send them and never answer (as if
 *                   the node died between the two: a test kills it then)
 *   answers-keep 0  answers-drop ends: the answers dropped meanwhile stay lost, the next go out
 *   events-drop 0   from now on the node's owners send their guilds' events to no other node (as if the node died
 *                   after a write and before its event left: a test kills it then, with answers-drop)
 *   writes-delay MS from now on every write this node hands to the Cassandra driver goes out MS milliseconds later,
 *                   whatever happens to the node meanwhile (a write in the driver's buffer when the process stalls:
 *                   it goes out on resuming); -1: held until writes-delay 0, which sends what is held
 *   receive-delay MS from now on every frame from the other nodes is handled MS milliseconds after it arrived, in
 *                   order (a slow path between nodes, a receiver far behind); 0 ends it
 * </pre>
 * Off by default; never enable it on a node that clients use.
 */
final class FaultInjection
{
    /** The switch. */
    static final String PROP_NAME = "pinwheel.debug.fault-injection";

    private static final Logger LOG = LoggerFactory.getLogger(FaultInjection.class);

    private FaultInjection()
    {
    }

    /**
     * Starts the command reader if {@link #PROP_NAME} is true.
     *
     * @param shards the node's shards.
     * @param files  the node's file store, or null.
     * @param link   the node's link to the others of its cluster, or null.
     */
    static void startIfEnabled(final ShardGroup shards, final dev.pinwheel.gateway.node.FileStore files,
        final dev.pinwheel.cluster.NodeLink link)
    {
        if (!Boolean.getBoolean(PROP_NAME))
        {
            return;
        }
        LOG.warn("fault injection is ON ({}): commands on standard input can kill this node", PROP_NAME);
        Thread.ofPlatform().name("pinwheel-fault-injection").daemon(true).start(() -> read(shards, files, link));
    }

    private static void read(final ShardGroup shards, final dev.pinwheel.gateway.node.FileStore files,
        final dev.pinwheel.cluster.NodeLink link)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                final String[] words = line.trim().split("\\s+");
                if (words.length != 2)
                {
                    continue;
                }
                final int shard = Integer.parseInt(words[1]); // or, for receive-delay, milliseconds
                final boolean sent = switch (words[0])
                {
                    case "shard-error" -> shards.send(shard, s ->
                    {
                        throw new InternalError("injected fault: a fault occurred in an unsafe memory access "
                            + "operation");
                    });
                    case "shard-hang" -> shards.send(shard, s -> hang());
                    case "files-hold" -> files != null && files.holdUploadsAfterWrite();
                    case "answers-drop" ->
                    {
                        dev.pinwheel.gateway.owner.CommandReply.dropAnswersToOtherNodes();
                        yield true;
                    }
                    case "answers-keep" ->
                    {
                        dev.pinwheel.gateway.owner.CommandReply.keepAnswersToOtherNodes();
                        yield true;
                    }
                    case "events-drop" ->
                    {
                        dev.pinwheel.core.shard.Shard.dropEventsToOtherNodes();
                        yield true;
                    }
                    case "writes-delay" ->
                    {
                        dev.pinwheel.storage.cassandra.CassandraShardStore.delayWritesInDriver(shard);
                        yield true;
                    }
                    case "receive-delay" ->
                    {
                        if (link != null)
                        {
                            link.delayReceiving(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(shard));
                        }
                        yield link != null;
                    }
                    default -> false;
                };
                LOG.warn("fault injection: {} -> {}", line, sent ? "sent" : "not sent");
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("fault injection reader stopped", ex);
        }
    }

    private static void hang()
    {
        final CountDownLatch never = new CountDownLatch(1);
        while (true)
        {
            try
            {
                never.await();
            }
            catch (final InterruptedException ignored)
            {
                // a stuck shard ignores interrupts too
            }
        }
    }
}
