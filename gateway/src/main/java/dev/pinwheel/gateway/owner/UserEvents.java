package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.shard.Shard;

/**
 * How an owner service sends an event to every session of one user (a direct message), wherever those sessions are:
 * the ordered path through the user's owner shard ({@link UserSessionProxy#sendToUser}, relayed by its
 * {@link UserSessionService}); in tests a recording one. Keeps the owner services free of the session package.
 */
@FunctionalInterface
public interface UserEvents
{
    /**
     * @param from   the calling shard (this thread).
     * @param userId the user.
     * @param event  the event, delivered in the order this shard sends them.
     */
    void send(Shard from, long userId, Dispatch event);
}
