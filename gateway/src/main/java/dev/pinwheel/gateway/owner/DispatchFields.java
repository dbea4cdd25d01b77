package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.fanout.Dispatch;

/**
 * An encoded event ({@link Dispatch}) as fields of a command, so that it travels as bytes (to a session's shard, to
 * another node) exactly as it is: its type, its {@code d} for everyone, its {@code d} without message content (or
 * none), the intent it needs, its guild, its author and its one recipient.
 * <pre>
 *   type (string) | data (bytes) | redacted data (bytes, null: none) | intent i32 | guild i64 | author i64 | target i64
 *   | mentioned (i64s, null: none) | message key i64 (top bit: sent again)
 * </pre>
 */
public final class DispatchFields
{
    private DispatchFields()
    {
    }

    /**
     * @param command the command being written.
     * @param event   the event.
     * @return the command.
     */
    public static CommandWriter put(final CommandWriter command, final Dispatch event)
    {
        return command.putString(event.type()).putBytes(event.data()).putBytes(event.redactedData())
            .putInt(event.intent()).putLong(event.guildId()).putLong(event.authorId()).putLong(event.targetUserId())
            .putLongs(event.mentioned()).putLong(event.again() ? event.messageKey() | Long.MIN_VALUE
                : event.messageKey());
    }

    /**
     * @param command a command positioned at an event's fields.
     * @return the event (its byte arrays copied out of the command).
     */
    public static Dispatch get(final CommandReader command)
    {
        final String type = command.getString();
        final byte[] data = command.getBytes();
        final byte[] redacted = command.getBytes();
        final int intent = command.getInt();
        final long guildId = command.getLong();
        final long authorId = command.getLong();
        final long targetUserId = command.getLong();
        final long[] mentioned = command.getLongs();
        final long key = command.getLong();
        return new Dispatch(type, data, redacted, intent, guildId, authorId, targetUserId, null, mentioned,
            key & Long.MAX_VALUE, key < 0);
    }
}
