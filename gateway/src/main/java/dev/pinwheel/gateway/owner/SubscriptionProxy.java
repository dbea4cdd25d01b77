package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.PresenceFields;

/**
 * Sends a session's subscriptions to the guild's owner as typed commands ({@link OwnerCommands#SUBSCRIBE},
 * {@link OwnerCommands#UNSUBSCRIBE}), read back in this order by {@link SubscriptionService}. Runs on the session's
 * shard (its command writer); the answer ({@link OwnerCommands#GUILD_SNAPSHOT}) comes back to this shard.
 */
public final class SubscriptionProxy
{
    private final Shard shard;

    /**
     * @param shard the session's shard (this thread).
     */
    public SubscriptionProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param sessionId      the session.
     * @param userId         its user.
     * @param guildId        the guild.
     * @param largeThreshold the session's {@code large_threshold}.
     */
    public void subscribe(final String sessionId, final long userId, final long guildId, final int largeThreshold)
    {
        subscribe(sessionId, userId, guildId, largeThreshold, false);
    }

    /**
     * @param sessionId      the session.
     * @param userId         its user.
     * @param guildId        the guild.
     * @param largeThreshold the session's {@code large_threshold}.
     * @param presences      whether the session holds GUILD_PRESENCES (its GUILD_CREATE then carries the members'
     *                       presences when the guild is not large).
     */
    public void subscribe(final String sessionId, final long userId, final long guildId, final int largeThreshold,
        final boolean presences)
    {
        subscribe(sessionId, userId, guildId, largeThreshold, presences, PresenceFields.DEFAULT);
    }

    /**
     * {@link #subscribe(String, long, long, int, boolean)} with what the session itself shows: the owner may not
     * have heard of the user's presence yet (it comes through the user's owner), and a small guild's GUILD_CREATE
     * lists the session's own user among the {@code presences}.
     *
     * @param own the session's presence.
     */
    public void subscribe(final String sessionId, final long userId, final long guildId, final int largeThreshold,
        final boolean presences, final PresenceFields own)
    {
        subscribeAt(shard.group().ownerOf(guildId), sessionId, userId, guildId, largeThreshold, presences, own);
    }

    /**
     * A subscription sent to a given owner rather than to the routing ring's (a cluster's ring epoch handover re-
     * subscribes sessions at a guild's new owner before the ring routes there).
     *
     * @param route     the owner's route.
     * @param sessionId the session.
     * @param userId    its user.
     * @param guildId   the guild.
     * @param largeThreshold the session's {@code large_threshold}.
     * @param presences whether the session holds GUILD_PRESENCES.
     * @param own       what the session shows.
     */
    public void subscribeAt(final int route, final String sessionId, final long userId, final long guildId,
        final int largeThreshold, final boolean presences, final PresenceFields own)
    {
        shard.send(route, shard.commandWriter().begin(OwnerCommands.SUBSCRIBE)
            .putInt(shard.address()).putString(sessionId).putLong(guildId).putLong(userId).putInt(largeThreshold)
            .putBoolean(presences).putInt(own.status()).putLong(own.since()).putBoolean(own.afk())
            .putString(own.activities()));
    }

    /**
     * This shard has no session subscribed to the guild any more.
     *
     * @param guildId the guild.
     */
    public void unsubscribe(final long guildId)
    {
        shard.send(shard.group().ownerOf(guildId), shard.commandWriter().begin(OwnerCommands.UNSUBSCRIBE)
            .putInt(shard.address()).putLong(guildId));
    }
}
