package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.shard.Shard;

/**
 * The typed commands of the gateway, as bytes ({@link CommandWriter}), and the header every request command starts
 * with:
 * <pre>
 *   +----------+------------------+------------------+-------------+----------------------------------+
 *   | type i32 | origin shard i32 | correlation i64  | user i64    | the command's own fields ...     |
 *   +----------+------------------+------------------+-------------+----------------------------------+
 *   origin + correlation: where the answer goes (the origin shard's table of requests waiting for one)
 * </pre>
 * Types 1-9 travel back to an origin ({@link #REPLY}); 10-29 go from an owner to the gateway sessions of a shard
 * ({@link SessionProxy} writes them, {@code session.SessionCommandAdapter} reads them); 30 and up are owner commands,
 * one per operation, grouped by area: REST operations (30-159, {@link OwnerCommandAdapter}) and the requests of gateway
 * sessions (160-199, {@link SessionRequestAdapter}), which carry their origin shard but no REST header. Each type has
 * a name, used to count them in {@code /metrics}. To add a command: a constant here (and its name in {@link #name}),
 * a method on the area's proxy that writes it, a case in its adapter that reads it into the area's service.
 */
public final class OwnerCommands
{
    /** An answer to a request: correlation i64, status i32, Retry-After seconds i32 (0: none), body bytes. */
    public static final int REPLY = 1;

    /** First type of the commands to the gateway sessions of a shard (10-29). */
    public static final int FIRST_SESSION_COMMAND = 10;
    /** Last type reserved for the commands to the gateway sessions of a shard. */
    public static final int LAST_SESSION_COMMAND = 29;
    /**
     * To a session's shard: the answer to {@link #SUBSCRIBE}, on the ordered path (FIFO with the guild's later
     * events). Session id, guild, available flag, then (available) the GUILD_CREATE ({@link DispatchFields}).
     */
    public static final int GUILD_SNAPSHOT = 10;
    /** To a session's shard: the answer to {@link #REQUEST_MEMBERS}. Session id, count, the GUILD_MEMBERS_CHUNKs. */
    public static final int MEMBER_CHUNKS = 11;
    /** To every shard: a user joined a guild, their sessions subscribe. User, guild. */
    public static final int USER_JOINED = 12;
    /** To a shard holding sessions of a user: an event for that user ({@link #USER_EVENT} relayed). User, event. */
    public static final int USER_DISPATCH = 13;

    /** {@code POST /channels/{c}/messages}. */
    public static final int MESSAGE_POST = 30;
    /** {@code PATCH /channels/{c}/messages/{m}}. */
    public static final int MESSAGE_EDIT = 31;
    /** {@code DELETE /channels/{c}/messages/{m}}. */
    public static final int MESSAGE_DELETE = 32;
    /** {@code POST /channels/{c}/messages/bulk-delete}. */
    public static final int MESSAGE_BULK_DELETE = 33;
    /** {@code GET /channels/{c}/messages/{m}}. */
    public static final int MESSAGE_GET = 34;
    /** {@code GET /channels/{c}/messages}. */
    public static final int MESSAGE_HISTORY = 35;

    /** First type of the requests of gateway sessions (160-199). */
    public static final int FIRST_SESSION_REQUEST = 160;
    /** Last type of the requests of gateway sessions. */
    public static final int LAST_SESSION_REQUEST = 199;
    /**
     * A session wants a guild's events and its GUILD_CREATE (answered {@link #GUILD_SNAPSHOT}). Origin shard i32,
     * session id, guild, user, large threshold i32.
     */
    public static final int SUBSCRIBE = 160;
    /** Shard {@code origin} has no session subscribed to the guild any more. Origin shard i32, guild. */
    public static final int UNSUBSCRIBE = 161;
    /**
     * Op 8 REQUEST_GUILD_MEMBERS (answered {@link #MEMBER_CHUNKS}). Origin shard i32, session id, guild, user, user
     * ids (null: by query), query, limit i32, presences, nonce.
     */
    public static final int REQUEST_MEMBERS = 162;
    /** Op 4 VOICE_STATE_UPDATE. Guild, channel (0: leave), user, session id, self mute, self deaf. */
    public static final int VOICE_STATE = 163;
    /** The session that joined voice ended: its member leaves the channel. Guild, user, session id. */
    public static final int VOICE_SESSION_ENDED = 164;
    /** To a user's owner: shard {@code on} holds sessions of the user (its first), or no longer (its last). */
    public static final int USER_SESSIONS = 165;
    /** To a user's owner: an event for every session of the user (a direct message). User, event. */
    public static final int USER_EVENT = 166;

    private static final String[] NAMES = new String[CommandReader.MAX_TYPE + 1];

    static
    {
        NAMES[REPLY] = "reply";
        NAMES[GUILD_SNAPSHOT] = "guild_snapshot";
        NAMES[MEMBER_CHUNKS] = "member_chunks";
        NAMES[USER_JOINED] = "user_joined";
        NAMES[USER_DISPATCH] = "user_dispatch";
        NAMES[SUBSCRIBE] = "subscribe";
        NAMES[UNSUBSCRIBE] = "unsubscribe";
        NAMES[REQUEST_MEMBERS] = "request_members";
        NAMES[VOICE_STATE] = "voice_state";
        NAMES[VOICE_SESSION_ENDED] = "voice_session_ended";
        NAMES[USER_SESSIONS] = "user_sessions";
        NAMES[USER_EVENT] = "user_event";
        NAMES[MESSAGE_POST] = "message_post";
        NAMES[MESSAGE_EDIT] = "message_edit";
        NAMES[MESSAGE_DELETE] = "message_delete";
        NAMES[MESSAGE_BULK_DELETE] = "message_bulk_delete";
        NAMES[MESSAGE_GET] = "message_get";
        NAMES[MESSAGE_HISTORY] = "message_history";
    }

    private OwnerCommands()
    {
    }

    /**
     * @param type a command type.
     * @return its name, or null if no such command exists.
     */
    public static String name(final int type)
    {
        return type >= 0 && type < NAMES.length ? NAMES[type] : null;
    }

    /**
     * Starts a request command on the sending shard's writer.
     *
     * @param from        the origin shard (where the answer goes).
     * @param type        the command.
     * @param correlation the origin's id of the waiting request.
     * @param userId      the user it acts for.
     * @return the writer, positioned after the header.
     */
    public static CommandWriter request(final Shard from, final int type, final long correlation, final long userId)
    {
        return from.commandWriter().begin(type).putInt(from.id()).putLong(correlation).putLong(userId);
    }
}
