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
 * Types 1-9 travel back to an origin ({@link #REPLY}); 10-29 are reserved for session-bound commands; 30 and up are
 * owner commands, one per operation, grouped by area: 30-39 messages, 40-99 guilds, channels, invites, members and
 * roles, 100-159 reactions (100-104), pins (105-109), direct messages (110-119), application commands (120-129) and
 * accounts (130-139). Each type has a name, used to count them in {@code /metrics}.
 * To add a command: a constant here (and its name in {@link #name}), a method on the area's proxy that writes it, a
 * case in {@link OwnerCommandAdapter} that reads it into the area's service.
 */
public final class OwnerCommands
{
    /** An answer to a request: correlation i64, status i32, Retry-After seconds i32 (0: none), body bytes. */
    public static final int REPLY = 1;

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

    /** {@code PUT /channels/{c}/messages/{m}/reactions/{emoji}/@me}. */
    public static final int REACTION_ADD = 100;
    /** {@code DELETE /channels/{c}/messages/{m}/reactions/{emoji}/@me|{user}}. */
    public static final int REACTION_REMOVE = 101;
    /** {@code DELETE /channels/{c}/messages/{m}/reactions[/{emoji}]}. */
    public static final int REACTION_CLEAR = 102;
    /** {@code GET /channels/{c}/messages/{m}/reactions/{emoji}}. */
    public static final int REACTION_USERS = 103;

    /** {@code GET /channels/{c}/pins} and {@code GET /channels/{c}/messages/pins}. */
    public static final int PIN_LIST = 105;
    /** {@code PUT /channels/{c}/pins/{m}} and {@code PUT /channels/{c}/messages/pins/{m}}. */
    public static final int PIN_ADD = 106;
    /** {@code DELETE /channels/{c}/pins/{m}} and {@code DELETE /channels/{c}/messages/pins/{m}}. */
    public static final int PIN_REMOVE = 107;

    /** {@code POST /users/@me/channels}, on the owner of the user pair. */
    public static final int DM_OPEN = 110;
    /** {@code GET /channels/{dm}}. */
    public static final int DM_CHANNEL_GET = 111;
    /** {@code POST /channels/{dm}/messages}. */
    public static final int DM_MESSAGE_POST = 112;
    /** {@code PATCH /channels/{dm}/messages/{m}}. */
    public static final int DM_MESSAGE_EDIT = 113;
    /** {@code DELETE /channels/{dm}/messages/{m}}. */
    public static final int DM_MESSAGE_DELETE = 114;
    /** {@code GET /channels/{dm}/messages/{m}}. */
    public static final int DM_MESSAGE_GET = 115;
    /** {@code GET /channels/{dm}/messages}. */
    public static final int DM_MESSAGE_HISTORY = 116;

    /** {@code GET /applications/{app}[/guilds/{g}]/commands}. */
    public static final int APP_COMMAND_LIST = 120;
    /** {@code GET /applications/{app}[/guilds/{g}]/commands/{id}}. */
    public static final int APP_COMMAND_GET = 121;
    /** {@code PUT /applications/{app}[/guilds/{g}]/commands}. */
    public static final int APP_COMMAND_OVERWRITE = 122;
    /** {@code POST /applications/{app}[/guilds/{g}]/commands}. */
    public static final int APP_COMMAND_UPSERT = 123;
    /** {@code PATCH /applications/{app}[/guilds/{g}]/commands/{id}}. */
    public static final int APP_COMMAND_EDIT = 124;
    /** {@code DELETE /applications/{app}[/guilds/{g}]/commands/{id}}. */
    public static final int APP_COMMAND_DELETE = 125;

    /** {@code POST /auth/register}, after hashing: the account and its first token, on the account's owner. */
    public static final int ACCOUNT_REGISTER = 130;
    /** {@code POST /auth/login}, after the password matched: a new token, on the account's owner. */
    public static final int ACCOUNT_LOGIN = 131;

    private static final String[] NAMES = new String[CommandReader.MAX_TYPE + 1];
    private static final ThreadLocal<CommandWriter> OFF_SHARD_WRITERS = ThreadLocal.withInitial(CommandWriter::new);

    static
    {
        NAMES[REPLY] = "reply";
        NAMES[MESSAGE_POST] = "message_post";
        NAMES[MESSAGE_EDIT] = "message_edit";
        NAMES[MESSAGE_DELETE] = "message_delete";
        NAMES[MESSAGE_BULK_DELETE] = "message_bulk_delete";
        NAMES[MESSAGE_GET] = "message_get";
        NAMES[MESSAGE_HISTORY] = "message_history";
        NAMES[REACTION_ADD] = "reaction_add";
        NAMES[REACTION_REMOVE] = "reaction_remove";
        NAMES[REACTION_CLEAR] = "reaction_clear";
        NAMES[REACTION_USERS] = "reaction_users";
        NAMES[PIN_LIST] = "pin_list";
        NAMES[PIN_ADD] = "pin_add";
        NAMES[PIN_REMOVE] = "pin_remove";
        NAMES[DM_OPEN] = "dm_open";
        NAMES[DM_CHANNEL_GET] = "dm_channel_get";
        NAMES[DM_MESSAGE_POST] = "dm_message_post";
        NAMES[DM_MESSAGE_EDIT] = "dm_message_edit";
        NAMES[DM_MESSAGE_DELETE] = "dm_message_delete";
        NAMES[DM_MESSAGE_GET] = "dm_message_get";
        NAMES[DM_MESSAGE_HISTORY] = "dm_message_history";
        NAMES[APP_COMMAND_LIST] = "app_command_list";
        NAMES[APP_COMMAND_GET] = "app_command_get";
        NAMES[APP_COMMAND_OVERWRITE] = "app_command_overwrite";
        NAMES[APP_COMMAND_UPSERT] = "app_command_upsert";
        NAMES[APP_COMMAND_EDIT] = "app_command_edit";
        NAMES[APP_COMMAND_DELETE] = "app_command_delete";
        NAMES[ACCOUNT_REGISTER] = "account_register";
        NAMES[ACCOUNT_LOGIN] = "account_login";
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

    /**
     * Starts a request command from a thread that is no shard (the control plane), on that thread's own writer
     * ({@link #offShardWriter()}); it goes out through {@code ShardGroup#send(int, CommandWriter)}.
     *
     * @param origin      the shard holding the request (where the answer goes).
     * @param type        the command.
     * @param correlation the origin's id of the waiting request.
     * @param userId      the user it acts for.
     * @return the writer, positioned after the header.
     */
    public static CommandWriter request(final int origin, final int type, final long correlation, final long userId)
    {
        return offShardWriter().begin(type).putInt(origin).putLong(correlation).putLong(userId);
    }

    /**
     * Writes a {@link #REPLY}: correlation, status, Retry-After seconds, body (the one place its layout is written).
     *
     * @param writer      the writer to use (a shard's, or {@link #offShardWriter()}).
     * @param correlation the request at its origin.
     * @param status      HTTP status.
     * @param retryAfter  seconds for a Retry-After header, 0 for none.
     * @param body        the encoded body, or null.
     * @return the writer, with the whole command.
     */
    public static CommandWriter reply(final CommandWriter writer, final long correlation, final int status,
        final int retryAfter, final byte[] body)
    {
        return writer.begin(REPLY).putLong(correlation).putInt(status).putInt(retryAfter).putBytes(body);
    }

    /**
     * @return the calling thread's own writer, for threads that are no shard (the control plane's few threads);
     *         a shard uses {@code Shard#commandWriter()}.
     */
    public static CommandWriter offShardWriter()
    {
        return OFF_SHARD_WRITERS.get();
    }
}
