package dev.pinwheel.core.store;

/**
 * An asynchronous store ({@link ShardStore#asynchronous()}) does not hold the answer to a read in memory: it has
 * issued the fetch (or found it in flight) and names it by {@link #ticket()}. Nothing was written and nothing in the
 * store's memory changed. The owner shard parks the command or task that read, keeps serving, and runs it again from
 * the start once {@link ShardStore#readComplete(long)} says the fetch completed; the re-run finds the answer in memory,
 * or, if the fetch failed, a {@link StoreUnavailableException} (503). A command must therefore do its reads before its
 * first write: a re-run repeats everything before the read.
 * <p>
 * A miss is an expected outcome on the owner's hot path, so the exception carries no stack trace.
 */
public final class ReadPendingException extends RuntimeException
{
    private static final long serialVersionUID = 1L;
    private final long ticket;

    /**
     * @param ticket the fetch the read waits for.
     */
    public ReadPendingException(final long ticket)
    {
        super("read " + ticket + " waits for the database", null, false, false);
        this.ticket = ticket;
    }

    /**
     * @return the fetch the read waits for ({@link ShardStore#readComplete(long)}).
     */
    public long ticket()
    {
        return ticket;
    }
}
