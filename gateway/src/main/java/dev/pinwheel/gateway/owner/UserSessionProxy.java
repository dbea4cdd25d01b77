package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.shard.Shard;

/**
 * Reaches the owner of a user id (the routing ring, as for guilds) as typed commands, read back in this order by
 * {@link UserSessionService}: a shard tells it when it gets its first session of the user and when its last one ends
 * ({@link OwnerCommands#USER_SESSIONS}); anyone sends it an event addressed to the user
 * ({@link OwnerCommands#USER_EVENT}, a direct message), which it hands to each shard holding sessions of the user.
 * Ordered path at every hop. Runs on the sending shard's thread (its command writer).
 */
public final class UserSessionProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public UserSessionProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param userId  the user.
     * @param present whether this shard now holds sessions of the user (its first one opened) or none (its last one
     *                ended).
     */
    public void sessionsOn(final long userId, final boolean present)
    {
        shard.send(shard.group().ownerOf(userId), shard.commandWriter().begin(OwnerCommands.USER_SESSIONS)
            .putLong(userId).putInt(shard.address()).putBoolean(present));
    }

    /**
     * Sends an event to every session of a user, wherever they are.
     *
     * @param userId the user.
     * @param event  the event.
     */
    public void sendToUser(final long userId, final Dispatch event)
    {
        shard.send(shard.group().ownerOf(userId), DispatchFields.put(shard.commandWriter()
            .begin(OwnerCommands.USER_EVENT).putLong(userId), event));
    }
}
