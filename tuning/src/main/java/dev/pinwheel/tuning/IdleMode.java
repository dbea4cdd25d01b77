package dev.pinwheel.tuning;

/**
 * How a duty-cycle thread waits when it found no work. Busy-spin is a production choice for isolated
 * cores; on a shared 2-core box (dev, CI) only {@link #BLOCK} or {@link #BACKOFF} are acceptable.
 */
public enum IdleMode
{
    /** Never yield the core: lowest wake-up latency, burns a whole CPU. Isolated cores only. */
    BUSY_SPIN,
    /** Spin a little, then yield, then park for microseconds. */
    BACKOFF,
    /** Block in the kernel (epoll wait / park) until work arrives or a timer is due. */
    BLOCK
}
