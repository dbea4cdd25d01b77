package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.PresenceFields;

/**
 * Tells a user's owner (the routing ring, as for guilds) what each of the user's sessions shows
 * ({@link OwnerCommands#PRESENCE_SET}, read back by {@link PresenceService#onSessionPresence}): at IDENTIFY (its
 * {@code presence}, else online), at every op 3, and when the session ends. On the ordered path to the user's owner,
 * after {@link UserSessionProxy#sessionsOn}. Runs on the sending shard's thread (its command writer).
 */
public final class PresenceProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public PresenceProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param userId    the session's user.
     * @param sessionId the session.
     * @param presence  what it shows now.
     */
    public void set(final long userId, final String sessionId, final PresenceFields presence)
    {
        shard.send(shard.group().ownerOf(userId), shard.commandWriter().begin(OwnerCommands.PRESENCE_SET)
            .putLong(userId).putString(sessionId).putInt(presence.status()).putLong(presence.since())
            .putBoolean(presence.afk()).putString(presence.activities()).putInt(shard.address()));
    }

    /**
     * @param userId    the session's user.
     * @param sessionId the session that ended (it counts no more).
     */
    public void ended(final long userId, final String sessionId)
    {
        shard.send(shard.group().ownerOf(userId), shard.commandWriter().begin(OwnerCommands.PRESENCE_SET)
            .putLong(userId).putString(sessionId).putInt(PresenceFields.OFFLINE).putLong(0).putBoolean(false)
            .putString("[]").putInt(shard.address()));
    }
}
