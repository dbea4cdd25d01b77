package dev.pinwheel.gateway.session;

import dev.pinwheel.core.fanout.DispatchLog;
import dev.pinwheel.core.fanout.SessionEndpoint;

/**
 * The fields of a {@link GatewaySession} that a delivery and the flush after it read and write, declared apart so that
 * they lie together at the start of the object, right after its header and {@link SessionEndpoint}'s own few fields:
 * the JVM lays out a superclass's fields before its subclass's (the class-hierarchy idiom Disruptor and Agrona use
 * for padding). A fanout touches 30,000 sessions that are not in cache, and every cache line of a session it touches
 * is a miss: here they span 104 bytes (two lines for most sessions, three when the object starts late in a line), where
 * the same fields among the cold ones spanned 144 (three or four).
 * Confined to the session's shard thread, as the session is.
 */
abstract class SessionHotFields extends SessionEndpoint
{
    final long userId;
    /** The sequence of the last event this session numbered. */
    long seq;
    /**
     * First sequence not yet handed to the connection: dispatches are corked in the resume buffer or the open run
     * (where they are kept anyway) and framed together, into one write, at the end of the duty cycle — or as soon as
     * {@link GatewaySession#CORK_LIMIT} are waiting, so that a corked event is never overwritten before it is written.
     */
    long unwritten = 1;
    /**
     * The open run: sequences {@code runFirstSeq … seq} are this session's events of {@code runLog} (its guild's
     * {@link DispatchLog} on this shard) from position {@code runPos} up to {@code runNextPos} (exclusive), each
     * position either one of them or an event its intents filtered out; they are not in the resume buffer, whose slots
     * hold the sequences below {@code runFirstSeq}. {@code runLog} is null when no run is open (then the buffer holds
     * everything). A delivery in the run touches these fields and nothing else of the session.
     */
    long runFirstSeq;
    /** Position of the run's first event ({@code runFirstSeq}'s). */
    long runPos;
    long runNextPos;
    /** Position of the run's last event this session received (not filtered out). */
    long runLastPass;
    /**
     * The run's last position that is not one of this session's events (filtered out by its intents, or not offered
     * to it), or one before the run's start: the run's events after it lie at consecutive positions, so the flush
     * writes them straight from the log's slots.
     */
    long runLastGap;
    final int intents;
    /** The most events its resume buffer, or its open run, holds. */
    final int maxBuffer;
    DispatchLog runLog;
    /** Where its dispatches are written: the connection (a recorder in tests); null while detached. */
    SessionWire wire;
    boolean destroyed;

    SessionHotFields(final long userId, final int intents, final int maxBuffer)
    {
        this.userId = userId;
        this.intents = intents;
        this.maxBuffer = maxBuffer;
    }
}
