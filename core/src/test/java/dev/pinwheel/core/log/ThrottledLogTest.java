package dev.pinwheel.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A call site's lines are admitted up to the limit per window; the rest are counted and summarised once when the
 * next window opens.
 */
class ThrottledLogTest
{
    /** Keeps the lines it is given. */
    private static final class RecordingLogger extends LegacyAbstractLogger
    {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName()
        {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(final Level level, final Marker marker, final String pattern,
            final Object[] arguments, final Throwable throwable)
        {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, arguments));
        }

        @Override
        public boolean isTraceEnabled()
        {
            return true;
        }

        @Override
        public boolean isDebugEnabled()
        {
            return true;
        }

        @Override
        public boolean isInfoEnabled()
        {
            return true;
        }

        @Override
        public boolean isWarnEnabled()
        {
            return true;
        }

        @Override
        public boolean isErrorEnabled()
        {
            return true;
        }
    }

    @Test
    void admitsUpToTheLimitThenCountsAndSummarises()
    {
        final RecordingLogger log = new RecordingLogger();
        final AtomicLong now = new AtomicLong(1_000_000);
        final ThrottledLog limit = new ThrottledLog(log, Level.WARN, "refusals", 3, 1000, now::get);
        final long suppressedBefore = LogCounters.suppressedTotal();
        int admitted = 0;
        for (int i = 0; i < 10; i++)
        {
            if (limit.admit())
            {
                admitted++;
            }
        }
        assertEquals(3, admitted);
        assertEquals(7, limit.suppressedInWindow());
        assertEquals(7, LogCounters.suppressedTotal() - suppressedBefore);
        assertTrue(log.lines.isEmpty(), "nothing written by the limiter within the window");

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1500));
        assertTrue(limit.admit(), "a new window admits again");
        assertEquals(List.of("WARN refusals: suppressed 7 lines in the last 1500 ms"), log.lines);
        assertTrue(limit.admit());
        assertTrue(limit.admit());
        assertFalse(limit.admit());

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1000));
        assertTrue(limit.admit());
        assertEquals(2, log.lines.size(), "one summary per window that suppressed something");
    }
}
