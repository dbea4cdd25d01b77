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
     * Wakes this shard when a socket it does not own becomes readable, and runs {@code onReadable} on the shard thread
     * then, inside {@link #poll()} or {@link #await(long)} (edge-triggered: once per arrival after the last report, so
     * {@code onReadable} reads until it has nothing more, or hands the rest to the socket's owner). The socket stays
     * its owner's: this driver never reads, writes or closes it. The cluster link uses it so that a peer's datagram
     * wakes the shard that delivers it rather than the link's thread first ({@code NodeLink#receiveOn}).
     *
     * @param channel    an open, non-blocking socket.
     * @param onReadable what runs on this shard's thread when data arrived; must not block.
     * @return what stops the watch (any thread; before the socket's owner closes it), or null when this driver's
     *         transport cannot watch a foreign socket (then nothing was registered).
     */
    default AutoCloseable watchReadable(final java.nio.channels.SelectableChannel channel, final Runnable onReadable)
    {
        return null;
    }

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
