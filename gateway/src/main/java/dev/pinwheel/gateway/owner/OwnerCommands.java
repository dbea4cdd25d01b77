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
 * owner commands, one per operation, grouped by area. Each type has a name, used to count them in {@code /metrics}.
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

    private static final String[] NAMES = new String[CommandReader.MAX_TYPE + 1];

    static
    {
        NAMES[REPLY] = "reply";
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
