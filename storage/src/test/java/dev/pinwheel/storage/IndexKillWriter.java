package dev.pinwheel.storage;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Child-JVM main for the recovery point tests: opens shard 0 of a data directory, replays the first {@code skip}
 * operations of a {@link RandomOps} stream into its model only (the store holds them already), then applies the
 * next ones to the store, printing {@code ack N} (N = operations the store holds) after each, until the test kills
 * it with SIGKILL.
 * <pre>
 *   IndexKillWriter DIR SEED SKIP burst MAX          write until killed (halts by itself after MAX more)
 *   IndexKillWriter DIR SEED SKIP idle-after N       write N, print "idle", wait to be killed (maps open, not busy)
 *   IndexKillWriter DIR SEED SKIP halt-in-index K    halt the JVM inside the K-th index update (between two map
 *                                                    writes of one message version), as a kill there would
 * </pre>
 * The first line printed is {@code recovered <IndexRecovery>}.
 */
public final class IndexKillWriter
{
    private static final long MAX_IDLE_NANOS = TimeUnit.MINUTES.toNanos(5);

    private IndexKillWriter()
    {
    }

    /**
     * @param args see the class comment.
     */
    public static void main(final String[] args)
    {
        final Path dataDir = Path.of(args[0]);
        final RandomOps ops = new RandomOps(Long.parseLong(args[1]));
        final long skip = Long.parseLong(args[2]);
        final String mode = args[3];
        final long n = Long.parseLong(args[4]);
        final BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        final EmbeddedStoreFactory factory = new EmbeddedStoreFactory(new EmbeddedStoreContext().dataDir(dataDir)
            .durability(Durability.OS));
        final ChronicleShardStore store = factory.open(0);
        store.recover((type, payload) -> { });
        print(out, "recovered " + store.indexRecovery());
        while (ops.done() < skip)
        {
            ops.next();
        }
        if (mode.equals("halt-in-index"))
        {
            final long[] updates = {0};
            store.betweenIndexWrites(() ->
            {
                if (++updates[0] == n)
                {
                    print(out, "halting inside an index update of operation " + ops.done());
                    Runtime.getRuntime().halt(0);
                }
            });
        }
        final long last = mode.equals("idle-after") ? skip + n : mode.equals("burst") ? skip + n : Long.MAX_VALUE;
        while (ops.done() < last)
        {
            ops.next().applyTo(store);
            print(out, "ack " + ops.done());
        }
        if (mode.equals("idle-after"))
        {
            print(out, "deferred " + store.pendingIndexWrites()); // journaled (acknowledged), not yet indexed
            print(out, "idle");
            final long deadline = System.nanoTime() + MAX_IDLE_NANOS;
            while (System.nanoTime() < deadline) // killed long before
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        Runtime.getRuntime().halt(3); // never closes: the test kills it first
    }

    private static void print(final BufferedWriter out, final String line)
    {
        try
        {
            out.write(line);
            out.newLine();
            out.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
