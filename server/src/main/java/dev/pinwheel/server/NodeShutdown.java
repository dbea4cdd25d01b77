package dev.pinwheel.server;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node process ends, whatever happens: SIGTERM (or any {@code System.exit}) runs {@link #run} as the JVM's
 * shutdown hook, which closes the server on a thread of its own and waits at most {@code pinwheel.server
 * .shutdown-timeout-ms}; if closing hangs (a stuck shard, a store that does not close) it logs why and halts the JVM
 * with {@link #EXIT_SHUTDOWN_HUNG}. A shard thread that dies ({@link #shardDied}), or the cluster link every shard
 * needs, ends the process with {@link #EXIT_SHARD_DIED}: never a zombie whose dead shard's socket still takes
 * connections.
 * <pre>
 *   exit codes: 0 --help | 1 could not start | 2 bad command line | 70 a shard thread or the cluster link died
 *               75 shutdown did not finish in time (halted) | 143 SIGTERM, clean shutdown
 * </pre>
 */
final class NodeShutdown implements Runnable
{
    /** A shard thread died: the node stopped (EX_SOFTWARE). */
    static final int EXIT_SHARD_DIED = 70;
    /** Shutdown did not finish within the timeout: the JVM was halted (EX_TEMPFAIL). */
    static final int EXIT_SHUTDOWN_HUNG = 75;
    /** How long shutdown may take before the JVM is halted. */
    static final String TIMEOUT_PROP_NAME = "pinwheel.server.shutdown-timeout-ms";
    static final long TIMEOUT_DEFAULT_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(NodeShutdown.class);

    private final long timeoutMillis;
    private volatile PinwheelServer server;
    private volatile boolean shardDied;

    /**
     * @param timeoutMillis how long closing may take before the JVM is halted.
     */
    NodeShutdown(final long timeoutMillis)
    {
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * @return the timeout from {@link #TIMEOUT_PROP_NAME}.
     */
    static long configuredTimeoutMillis()
    {
        final long t = Long.getLong(TIMEOUT_PROP_NAME, TIMEOUT_DEFAULT_MILLIS);
        if (t < 1)
        {
            throw new IllegalArgumentException(TIMEOUT_PROP_NAME + " must be >= 1: " + t);
        }
        return t;
    }

    /**
     * @param value the started server, closed by the hook.
     */
    void server(final PinwheelServer value)
    {
        server = value;
    }

    /**
     * The server's shard death handler: logs and exits the process with {@link #EXIT_SHARD_DIED} (the shutdown
     * hook closes everything else, bounded as always). Called on the dying shard thread: the exit runs on a thread
     * of its own, since {@code System.exit} waits for the hooks and the hook waits for the shard threads.
     *
     * @param shardId the dead shard.
     * @param cause   what killed it.
     */
    void shardDied(final int shardId, final Throwable cause)
    {
        shardDied = true;
        LOG.error("pinwheel: {} died ({}); stopping the node, exit {}",
            shardId == PinwheelServer.NODE_WIDE ? "a part of the node every shard needs" : "shard " + shardId,
            cause.toString(), EXIT_SHARD_DIED);
        Thread.ofPlatform().name("pinwheel-exit").start(() -> System.exit(EXIT_SHARD_DIED));
    }

    @Override
    public void run()
    {
        final PinwheelServer s = server;
        if (s != null)
        {
            final Thread closer = Thread.ofPlatform().name("pinwheel-close").daemon(true).start(() ->
            {
                try
                {
                    s.close();
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("pinwheel: shutdown failed", ex);
                }
            });
            try
            {
                closer.join(timeoutMillis);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (closer.isAlive())
            {
                final int code = shardDied ? EXIT_SHARD_DIED : EXIT_SHUTDOWN_HUNG;
                // Straight to stderr as well: the halt skips everything, the async log writer included.
                System.err.println("pinwheel: shutdown did not finish within " + timeoutMillis + " ms ("
                    + TIMEOUT_PROP_NAME + "); halting, exit " + code);
                System.err.flush();
                LOG.error("pinwheel: shutdown did not finish within {} ms; halting, exit {}", timeoutMillis, code);
                Logging.shutdown(TimeUnit.SECONDS.toMillis(2));
                Runtime.getRuntime().halt(code);
            }
        }
        Logging.shutdown(TimeUnit.SECONDS.toMillis(5));
    }
}
