package dev.pinwheel.gateway.session;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * What a {@link GatewaySession} writes its dispatches to: its {@link GatewayConnection}, or a test's recorder or a
 * benchmark's sink ({@link GatewaySession#unattached}). Shard thread only.
 */
public interface SessionWire
{
    /**
     * Frames dispatches {@code from … to} of a ring into one write (not flushed), each numbered with its index.
     *
     * @param ring        the events, at {@code sequence & mask}.
     * @param mask        the ring's index mask.
     * @param from        first sequence.
     * @param to          last sequence (inclusive).
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     */
    default void writeDispatches(final Dispatch[] ring, final int mask, final long from, final long to,
        final boolean seesContent)
    {
        writeDispatches(ring, mask, from, to, from, seesContent);
    }

    /**
     * Frames the events at indexes {@code from … to} of a ring into one write (not flushed), numbered {@code firstSeq},
     * {@code firstSeq + 1}, … (a stretch of a guild's {@link dev.pinwheel.core.fanout.DispatchLog}, whose positions are
     * not the session's sequences).
     *
     * @param ring        the events, at {@code index & mask}.
     * @param mask        the ring's index mask.
     * @param from        first index.
     * @param to          last index (inclusive).
     * @param firstSeq    the sequence of the event at {@code from}.
     * @param seesContent whether the session holds MESSAGE_CONTENT.
     */
    void writeDispatches(Dispatch[] ring, int mask, long from, long to, long firstSeq, boolean seesContent);

    /**
     * @return the shard's scratch array of {@link GatewaySession#CORK_LIMIT} slots (one write at a time).
     */
    Dispatch[] dispatchScratch();

    /** Flushes what was written. */
    void flush();

    /**
     * Closes the connection with a close frame.
     *
     * @param code   the close code.
     * @param reason the reason.
     */
    void close(int code, String reason);
}
