package dev.pinwheel.core.store;

/**
 * A store refused a write (or, for {@link Reason#UNAVAILABLE}, a read it had to ask a remote database for)
 * <em>before</em> touching its journal: nothing of the refused record is in the journal or
 * the indexes, and everything acknowledged earlier is intact — or, {@link #outcomeUnknown}, an asynchronous store's
 * write went out and was not confirmed: it may have been applied. Reads keep working. The edge answers the client with
 * a clear error (HTTP 507 for {@link Reason#DISK_FULL}, 503 otherwise, Discord's {@code {code, message}} body); the
 * store accepts writes again by itself once the cause is gone (space freed).
 */
public final class StoreUnavailableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Why writes are refused. */
    public enum Reason
    {
        /** Free space on the data directory's filesystem is below the configured reserve. */
        DISK_FULL,
        /** The journal failed under a write (I/O error, a fault in a mapped page); writes stay refused until restart. */
        FAULTED,
        /** The store is closed (the node is stopping). */
        CLOSED,
        /**
         * A remote store (Cassandra) did not acknowledge in time or cannot be reached: writes are refused, reads of
         * what the owner holds in memory keep working, and the store accepts writes again by itself once the database
         * answers. A write answered this way may still become durable (it is re-issued until the database takes it).
         */
        UNAVAILABLE
    }

    private final Reason reason;
    private final boolean outcomeUnknown;

    /**
     * @param reason  why.
     * @param message what happened, for the log and the client.
     */
    public StoreUnavailableException(final Reason reason, final String message)
    {
        this(reason, message, false);
    }

    /**
     * @param reason         why.
     * @param message        what happened, for the log and the client.
     * @param outcomeUnknown whether the write went out and may have been applied all the same (its acknowledgement
     *                       did not come in time, or the node lost its ownership while it was unanswered): the client
     *                       is told so, as Discord says of a request whose outcome it does not know.
     */
    public StoreUnavailableException(final Reason reason, final String message, final boolean outcomeUnknown)
    {
        super(message, null, false, false); // a refusal on the hot path: no stack trace
        this.reason = reason;
        this.outcomeUnknown = outcomeUnknown;
    }

    /**
     * @return whether the write may have been applied all the same (false: it was not).
     */
    public boolean outcomeUnknown()
    {
        return outcomeUnknown;
    }

    /**
     * @return why writes are refused.
     */
    public Reason reason()
    {
        return reason;
    }
}
