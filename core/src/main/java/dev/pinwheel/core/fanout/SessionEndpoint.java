package dev.pinwheel.core.fanout;

/**
 * A gateway session as its shard sees it. Implemented by the gateway (framing, compression, resume
 * buffer, socket). Confined to the shard thread that accepted the connection.
 */
public abstract class SessionEndpoint extends GuildSlots
{
    // inherited: guild id → this endpoint's index in that guild's SessionIndex list (for O(1) removal)
    /** It has output to flush at the end of the cycle ({@link SessionIndex#flushDirty}). */
    boolean dirty;
    /** The last audience (a channel's viewers) this session was checked against, and whether it is in it. */
    private org.agrona.collections.LongHashSet lastAudience;
    private boolean inLastAudience;

    /**
     * Whether this session's user is in an event's audience, remembered per audience snapshot: a channel's events
     * carry the same snapshot until its viewers change, so after the first event each session costs one reference
     * comparison instead of a hash lookup.
     *
     * @param audience the event's audience (non-null).
     * @return whether the user is in it.
     */
    protected final boolean inAudience(final org.agrona.collections.LongHashSet audience)
    {
        if (audience != lastAudience)
        {
            lastAudience = audience;
            inLastAudience = audience.contains(userId());
        }
        return inLastAudience;
    }

    /**
     * @return the session's user id.
     */
    public abstract long userId();

    /**
     * Frames and queues one event (not yet flushed to the socket).
     *
     * @param dispatch the event.
     */
    public abstract void dispatch(Dispatch dispatch);

    /**
     * Frames and queues one event of a guild, at its position in the guild's {@link DispatchLog} on this shard (which
     * holds every event of the guild here, also those not offered to this session: another channel's audience,
     * another user's event). A session that keeps where its run of the log starts and ends, instead of writing the
     * event into a ring of its own, overrides this; the default is {@link #dispatch(Dispatch)}.
     *
     * @param dispatch the event.
     * @param log      the guild's log on this shard.
     * @param position the event's position in it.
     */
    public void dispatch(final Dispatch dispatch, final DispatchLog log, final long position)
    {
        dispatch(dispatch);
    }

    /**
     * @param log a guild's log this session is subscribed to.
     * @return the oldest position of it this session may still need (to write, or to replay on a RESUME);
     *     {@code Long.MAX_VALUE} if none.
     */
    public long oldestNeeded(final DispatchLog log)
    {
        return Long.MAX_VALUE;
    }

    /**
     * The log is at its limit and releases every position before {@code position}: if this session still needs one,
     * it copies what it needs into a buffer of its own and stops reading the log there.
     *
     * @param log      a guild's log this session is subscribed to.
     * @param position the log's new oldest position.
     */
    public void evictBefore(final DispatchLog log, final long position)
    {
    }

    /**
     * The session is about to stop receiving the log's guild on this shard: from now on the log no longer keeps what
     * it needs, so it keeps it itself.
     *
     * @param log the guild's log.
     */
    public void leaving(final DispatchLog log)
    {
    }

    /**
     * Flushes queued frames to the socket; called once per duty cycle for every session that received
     * events in it.
     */
    public abstract void flush();

    /**
     * @param guildId a guild.
     * @return whether this session is subscribed to the guild on its shard.
     */
    public final boolean subscribedTo(final long guildId)
    {
        return hasGuildSlot(guildId);
    }

    /**
     * @return the guild ids this session is subscribed to (a copy).
     */
    public final long[] subscribedGuilds()
    {
        return guildSlotKeys();
    }
}
