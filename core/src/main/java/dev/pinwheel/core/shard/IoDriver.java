package dev.pinwheel.core.shard;

/**
 * The shard's view of its network event loop (implemented by the gateway over Netty's
 * {@code ManualIoEventLoop}), so that core drives I/O from its own duty cycle without importing Netty.
 * All methods but {@link #wakeup()} MUST be called on the shard thread.
 */
public interface IoDriver
{
    /**
     * Processes ready I/O and queued loop tasks without blocking.
     *
     * @return units of work done (0 = nothing was ready).
     */
    int poll();

    /**
     * Blocks in the kernel until I/O is ready, {@link #wakeup()} is called, or the timeout passes, unless
     * {@link Shard#hasPendingInbox()} says work is already waiting; then processes what is ready.
     *
     * @param timeoutNanos maximum time to block.
     * @return units of work done.
     */
    int await(long timeoutNanos);

    /**
     * Wakes a shard blocked in {@link #await(long)}. Safe from any thread; cheap when the shard is awake.
     */
    void wakeup();

    /**
     * Closes the loop and every channel registered with it. Called on the shard thread at the end.
     */
    void close();

    /**
     * A driver with no network, for tests and benchmarks: blocks by parking.
     *
     * @return a parking driver.
     */
    static IoDriver parking()
    {
        return new ParkingIoDriver();
    }
}
