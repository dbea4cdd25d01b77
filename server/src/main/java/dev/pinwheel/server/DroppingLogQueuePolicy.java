package dev.pinwheel.server;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.async.AsyncQueueFullPolicy;
import org.apache.logging.log4j.core.async.EventRoute;

import dev.pinwheel.core.log.LogCounters;

/**
 * What Log4j does with a line when its async ring is full: drop it and count it ({@link LogCounters#dropped()},
 * {@code pinwheel_node_log_dropped_total}), whatever its level. A shard thread never waits for the log writer
 * (Log4j's default would block the caller until a slot frees; its {@code Discard} policy still blocks for WARN and
 * ERROR). Named in {@code log4j2.component.properties}.
 */
public final class DroppingLogQueuePolicy implements AsyncQueueFullPolicy
{
    @Override
    public EventRoute getRoute(final long backgroundThreadId, final Level level)
    {
        LogCounters.dropped();
        return EventRoute.DISCARD;
    }
}
