package dev.pinwheel.voicesfu.media;

/**
 * Every outcome of a datagram on the media plane, with a stable id (the ordinal is never reordered: append).
 */
public enum MediaCounter
{
    /** Datagrams received. */
    RECEIVED,
    /** Packets sent to a receiver (one per receiver per forwarded packet). */
    FORWARDED,
    /** IP discovery requests answered. */
    DISCOVERY,
    /** Keepalives and other small non-RTP datagrams, ignored. */
    KEEPALIVE,
    /** RTCP datagrams, ignored. */
    RTCP,
    /** Datagrams larger than the maximum. */
    DROPPED_OVERSIZED,
    /** RTP too short for header, tag and nonce. */
    DROPPED_TRUNCATED,
    /** SSRC not in the table. */
    DROPPED_UNKNOWN_SSRC,
    /** SSRC belongs to a member whose address is a different one (spoofed or stolen SSRC). */
    DROPPED_WRONG_SOURCE,
    /** Member has no key yet (before SESSION_DESCRIPTION) or no address. */
    DROPPED_NOT_READY,
    /** Nonce at or below the replay window. */
    DROPPED_REPLAY,
    /** Tag did not verify with the sender's key. */
    DROPPED_AUTH_FAILED,
    /** Sender muted (self or server) or lacks SPEAK. */
    DROPPED_MUTED,
    /** Sender has not announced speaking (op 5). */
    DROPPED_NOT_SPEAKING,
    /** A receiver skipped because it is deafened. */
    SKIPPED_DEAFENED,
    /** A receiver skipped because it is not ready. */
    SKIPPED_NOT_READY,
    /** Re-encryption failed (should never happen). */
    SEAL_FAILED,
    /** The socket's send buffer was full. */
    SEND_FAILED,
    /** Late discovery request (after the key was issued), ignored. */
    DISCOVERY_REFUSED,
    /** Datagrams that are neither RTP, RTCP, discovery nor a keepalive. */
    DROPPED_MALFORMED;

    private static final MediaCounter[] VALUES = values();

    /**
     * @return all counters, by id.
     */
    public static MediaCounter[] all()
    {
        return VALUES;
    }
}
