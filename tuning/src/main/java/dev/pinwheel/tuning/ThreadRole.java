package dev.pinwheel.tuning;

/**
 * The kinds of long-lived threads Pinwheel runs. A {@link ThreadPlacement} decides, per role and index,
 * which CPU (if any) a thread is pinned to; the profile decides how it idles.
 */
public enum ThreadRole
{
    /** A shard: Netty event loop + Disruptor inbox + timers in one duty cycle. */
    SHARD,
    /** A UDP media loop of the voice SFU. */
    MEDIA,
    /**
     * The cluster link: the Aeron media driver (conductor, sender and receiver, in INVOKER mode) and the link's
     * receiver on one thread — the data path between nodes.
     */
    CONDUCTOR,
    /** Control-plane workers (password hashing, recovery, housekeeping): never pinned. */
    CONTROL
}
