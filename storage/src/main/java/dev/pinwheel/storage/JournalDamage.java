package dev.pinwheel.storage;

import java.nio.file.Path;

/**
 * One damaged region a journal scan found: bytes that are not the records they should be (a flipped bit, a torn
 * or zeroed header, garbage). Everything outside the region was read and checked; what was inside is lost unless
 * {@link #headerOnly()} says the record itself survived.
 *
 * @param file       the cycle file.
 * @param from       first damaged byte (file position of the damaged document's header).
 * @param to         first byte after the region (the next record found intact), or the scan's end.
 * @param what       what was found there, for people: the reason, and the kind and id of the record that sat at
 *                   {@code from} as far as its (unverified) bytes tell.
 * @param lostRecord the id (message id, or state record type) the damaged record claims, or 0 if unreadable.
 * @param headerOnly true if only Chronicle's document header was damaged and the record, checked by its own
 *                   CRC32C, was recovered: nothing is lost.
 */
public record JournalDamage(Path file, long from, long to, String what, long lostRecord, boolean headerOnly)
{
    /**
     * @return damaged bytes.
     */
    public long bytes()
    {
        return to - from;
    }

    @Override
    public String toString()
    {
        return file + " bytes " + from + ".." + to + " (" + bytes() + " B): " + what
            + (headerOnly ? " — record intact, nothing lost" : "");
    }
}
