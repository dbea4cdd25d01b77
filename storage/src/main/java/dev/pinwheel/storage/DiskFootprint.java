package dev.pinwheel.storage;

/**
 * Disk used by one shard's store.
 *
 * @param messageJournalBytes bytes of the message journal's files.
 * @param stateJournalBytes   bytes of the state journal's files.
 * @param indexBytes          bytes of the index files (derived data, rebuilt after a crash).
 * @param liveMessages        live messages.
 */
public record DiskFootprint(long messageJournalBytes, long stateJournalBytes, long indexBytes, long liveMessages)
{
    /**
     * @return message journal and index bytes per live message (0 if there are none).
     */
    public double bytesPerMessage()
    {
        return liveMessages == 0 ? 0 : (double)(messageJournalBytes + indexBytes) / liveMessages;
    }

    /**
     * @return message journal bytes per live message (0 if there are none).
     */
    public double journalBytesPerMessage()
    {
        return liveMessages == 0 ? 0 : (double)messageJournalBytes / liveMessages;
    }

    @Override
    public String toString()
    {
        return String.format(java.util.Locale.ROOT,
            "%d live messages, message journal %d B (%.1f B/message), indexes %d B, %.1f B/message in all, "
                + "state journal %d B", liveMessages, messageJournalBytes, journalBytesPerMessage(), indexBytes,
            bytesPerMessage(), stateJournalBytes);
    }
}
