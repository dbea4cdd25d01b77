package dev.pinwheel.server;

import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * The node's logging back end: Log4j 2 with every logger asynchronous (an LMAX Disruptor ring drained by one
 * background thread; configured in {@code log4j2.component.properties} and {@code log4j2.xml} of this module). Its
 * own shutdown hook is off, so that lines logged while the node closes are not lost: {@link NodeShutdown} stops it
 * last, here.
 */
final class Logging
{
    private Logging()
    {
    }

    /**
     * Writes out what is queued and stops the back end. Safe to call more than once.
     *
     * @param timeoutMillis how long to wait for the queue to drain.
     */
    static void shutdown(final long timeoutMillis)
    {
        if (LogManager.getContext(false) instanceof LoggerContext context)
        {
            context.stop(timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }
}
