package dev.pinwheel.gateway.session;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.log.ThrottledLog;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.owner.DispatchFields;
import dev.pinwheel.gateway.owner.OwnerCommands;
import dev.pinwheel.gateway.owner.PresenceService;
import dev.pinwheel.gateway.owner.SessionProxy;

/**
 * Receives what owners send to this shard's gateway sessions ({@link OwnerCommands}, types 10-29, written by
 * {@link SessionProxy}) and hands it to {@link ShardSessions}: a session's GUILD_CREATE (or "unavailable"), its op 8
 * member chunks, a user's new guild, an event for a user. Each arrives on the ordered path, in order with the
 * guild's fanout hand-offs. One per shard; shard thread only.
 */
public final class SessionCommandAdapter
{
    private static final Logger LOG = LoggerFactory.getLogger(SessionCommandAdapter.class);
    private static final ThrottledLog LOST = new ThrottledLog(LOG, Level.WARN, "lost session commands", 5, 10_000);
    private final ShardSessions sessions;
    private final PresenceService presences;

    /**
     * @param sessions this shard's sessions.
     */
    public SessionCommandAdapter(final ShardSessions sessions)
    {
        this(sessions, null);
    }

    /**
     * @param sessions  this shard's sessions.
     * @param presences this shard's presences (a user who joins a guild while online shows there), or null.
     */
    public SessionCommandAdapter(final ShardSessions sessions, final PresenceService presences)
    {
        this.sessions = sessions;
        this.presences = presences;
    }

    /**
     * @param type a command type.
     * @return whether it is a command to sessions this adapter runs.
     */
    public static boolean handles(final int type)
    {
        return type >= OwnerCommands.FIRST_SESSION_COMMAND && type <= OwnerCommands.LAST_SESSION_COMMAND
            || type >= OwnerCommands.FIRST_SESSION_COMMAND_2 && type <= OwnerCommands.LAST_SESSION_COMMAND_2;
    }

    /**
     * Runs a command to this shard's sessions.
     *
     * @param shard   this shard.
     * @param command the command, at its first field.
     */
    public void onCommand(final Shard shard, final CommandReader command)
    {
        switch (command.type())
        {
            case OwnerCommands.GUILD_SNAPSHOT ->
            {
                final String sessionId = command.getString();
                final long guildId = command.getLong();
                final Dispatch snapshot = command.getBoolean() ? DispatchFields.get(command) : null;
                sessions.onSnapshot(sessionId, guildId, snapshot);
            }
            case OwnerCommands.GUILD_DEFERRED ->
            {
                final String sessionId = command.getString();
                sessions.onDeferred(sessionId, command.getLong());
            }
            case OwnerCommands.MEMBER_CHUNKS ->
            {
                final String sessionId = command.getString();
                final int n = command.getInt();
                final List<Dispatch> chunks = new ArrayList<>(n);
                for (int i = 0; i < n; i++)
                {
                    chunks.add(DispatchFields.get(command));
                }
                sessions.onMemberChunks(sessionId, chunks);
            }
            case OwnerCommands.USER_JOINED ->
            {
                final long userId = command.getLong();
                final long guildId = command.getLong();
                sessions.onUserJoined(userId, guildId);
                if (presences != null)
                {
                    presences.userJoined(shard, userId, guildId);
                }
            }
            case OwnerCommands.USER_LEFT ->
            {
                final long userId = command.getLong();
                final long guildId = command.getLong();
                sessions.onUserLeft(userId, guildId);
            }
            case OwnerCommands.GUILD_MEMBERS_LEFT ->
            {
                final long guildId = command.getLong();
                for (final long userId : command.getLongs())
                {
                    sessions.onUserLeft(userId, guildId);
                }
            }
            case OwnerCommands.USER_TOKEN_RESET -> sessions.closeUser(command.getLong());
            case OwnerCommands.USER_DISPATCH ->
            {
                final long userId = command.getLong();
                sessions.deliverToUser(userId, DispatchFields.get(command));
            }
            case OwnerCommands.READ_STATES ->
            {
                final String sessionId = command.getString();
                sessions.onReadStates(sessionId, command.getBytes());
            }
            default -> throw new IllegalArgumentException("unknown session command type " + command.type());
        }
    }

    /**
     * A command to sessions that failed here, or that was dropped on its way from this shard: nobody waits for an
     * answer (the shard counted and logged it; a lost snapshot leaves that guild unavailable to the session, as a
     * lost hand-off of the guild's events would).
     *
     * @param shard   this shard.
     * @param command the command, rewound.
     * @param cause   why.
     */
    public void failed(final Shard shard, final CommandReader command, final Throwable cause)
    {
        if (LOST.admit())
        {
            LOG.warn("shard {}: a command to sessions ({}) was lost: {}", shard.id(),
                OwnerCommands.name(command.type()), cause.toString());
        }
    }
}
