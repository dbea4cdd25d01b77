package dev.pinwheel.storage;

import dev.pinwheel.core.store.StoredMessage;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Writes records in the layout used before checksums (a kind byte, then the body), to build journals as older
 * versions left them.
 */
final class LegacyRecords
{
    private LegacyRecords()
    {
    }

    static void writeState(final Bytes<?> out, final int type, final byte[] payload)
    {
        out.writeByte(JournalRecordCodec.STATE);
        out.writeInt(type);
        out.writeInt(payload.length);
        out.write(payload, 0, payload.length);
    }

    static void writeMessage(final Bytes<?> out, final StoredMessage message)
    {
        final byte[] content = JournalRecordCodec.utf8(message.content() == null ? "" : message.content());
        out.writeByte(JournalRecordCodec.MESSAGE);
        out.writeLong(message.id());
        out.writeLong(message.channelId());
        out.writeLong(message.guildId());
        out.writeLong(message.authorId());
        out.writeLong(message.editedTimestampMillis());
        out.writeInt(message.flags());
        out.writeByte((byte)((message.tts() ? 1 : 0) | (message.pinned() ? 2 : 0) | (message.extra() != null ? 4 : 0)));
        out.writeInt(content.length);
        out.write(content);
        if (message.extra() != null)
        {
            final byte[] extra = JournalRecordCodec.utf8(message.extra());
            out.writeInt(extra.length);
            out.write(extra);
        }
    }

    static void writeTombstone(final Bytes<?> out, final long channelId, final long messageId)
    {
        out.writeByte(JournalRecordCodec.TOMBSTONE);
        out.writeLong(channelId);
        out.writeLong(messageId);
    }
}
