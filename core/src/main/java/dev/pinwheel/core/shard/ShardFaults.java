package dev.pinwheel.core.shard;

/**
 * Which failures a shard survives. A shard runs many independent tasks; one task failing must not take the others
 * down, but some failures mean the thread (or the JVM) can no longer be trusted:
 * <table>
 *   <caption>Failures of a task, an acknowledgement or a ticker</caption>
 *   <tr><th>thrown</th><th>verdict</th><th>why</th></tr>
 *   <tr><td>{@link RuntimeException} (bugs, bad input that slipped through), checked exceptions thrown
 *   sneakily</td><td>survivable</td><td>the task's own state is the only casualty: counted, logged, the waiter is
 *   answered through {@link ShardTask#failed}, the shard goes on</td></tr>
 *   <tr><td>{@link dev.pinwheel.core.store.StoreUnavailableException}</td><td>survivable</td><td>the store refused
 *   a write before touching its journal (disk full, faulted, closed): nothing is half-written; the client gets
 *   507/503</td></tr>
 *   <tr><td>{@link AssertionError}</td><td>survivable</td><td>an invariant check of one task (tests run with
 *   {@code -ea}); treated like a bug in that task</td></tr>
 *   <tr><td>{@link VirtualMachineError}: {@link OutOfMemoryError}, {@link StackOverflowError}, {@link InternalError}
 *   (e.g. "a fault occurred in an unsafe memory access operation": a mapped journal page could not be
 *   read or written), {@link UnknownError}</td><td><b>fatal</b></td><td>the JVM or a memory mapping is broken; the
 *   shard's state may be half-mutated</td></tr>
 *   <tr><td>{@link LinkageError} and every other {@link Error}</td><td><b>fatal</b></td><td>the node's code
 *   cannot run as built (a class failed to load or initialise)</td></tr>
 * </table>
 * A fatal failure ends the shard thread: its duty cycle stops, the shard closes its store, and the group's
 * {@link ShardDeathHandler} is told — the composition root stops the node (never a zombie with a dead shard whose
 * sockets still accept connections).
 */
public final class ShardFaults
{
    private ShardFaults()
    {
    }

    /**
     * @param failure what a task, an acknowledgement or a ticker threw.
     * @return true if the shard thread must die (see the table above).
     */
    public static boolean isFatal(final Throwable failure)
    {
        return failure instanceof Error && !(failure instanceof AssertionError);
    }
}
