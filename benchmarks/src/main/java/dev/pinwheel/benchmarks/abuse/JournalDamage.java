package dev.pinwheel.benchmarks.abuse;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Damage done to a stopped node's message journal, as a bad disk or a stray write would: the bytes are found by
 * the message's content in the shard's Chronicle Queue cycle files and changed in place.
 * <pre>
 *   … [hdr 4 B: bit 31 not complete, bit 30 metadata, bits 0-29 length] [checked record 9 B] [message 49 B] content …
 * </pre>
 * A flipped content byte breaks the record's CRC32C: the node must lose that one message and say so. A set "not
 * complete" bit on a header is what used to hide every later record: the node must recover the record behind it.
 * (The layout of the message record is the one {@code JournalDamageRecoveryTest} relies on; the header is checked
 * for plausibility before it is touched.)
 */
final class JournalDamage
{
    /** Bytes from a message's Chronicle header to its content: header 4, checked record 9, fixed fields 49. */
    private static final int HEADER_TO_CONTENT = 4 + 9 + 49;
    private static final int SCAN_BYTES = 64 << 20;

    /** Where a message's content is. */
    record Location(Path file, long contentAt)
    {
    }

    private JournalDamage()
    {
    }

    /**
     * @param dataDir a node's data directory.
     * @param content a message's content.
     * @return where it is in a message journal, or null.
     * @throws IOException on a read failure.
     */
    static Location find(final Path dataDir, final String content) throws IOException
    {
        final byte[] needle = content.getBytes(StandardCharsets.UTF_8);
        for (final Path f : journals(dataDir))
        {
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r"))
            {
                final byte[] head = new byte[(int)Math.min(raf.length(), SCAN_BYTES)];
                raf.readFully(head);
                final int at = indexOf(head, needle);
                if (at >= 0)
                {
                    return new Location(f, at);
                }
            }
        }
        return null;
    }

    /**
     * Flips the lowest bit of the 6th content byte.
     *
     * @param l the message's location.
     * @throws IOException on a write failure.
     */
    static void flipContentByte(final Location l) throws IOException
    {
        xor(l.file(), l.contentAt() + 5, 0x01);
    }

    /**
     * Sets the "not complete" bit of the message's Chronicle header, if the header looks like one.
     *
     * @param l       the message's location.
     * @param content its content (for the length check).
     * @return what was done, for the report.
     * @throws IOException on a read or write failure.
     */
    static String flipNotCompleteBit(final Location l, final String content) throws IOException
    {
        final long header = l.contentAt() - HEADER_TO_CONTENT;
        try (RandomAccessFile raf = new RandomAccessFile(l.file().toFile(), "rw"))
        {
            final byte[] b = new byte[4];
            raf.seek(header);
            raf.readFully(b);
            final int h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
            final int length = h & 0x3fffffff;
            final int min = HEADER_TO_CONTENT - 4 + content.length();
            if ((h & 0xc0000000) != 0 || length < min || length > min + 64)
            {
                return String.format("header at %d is 0x%08x, not a plausible ready data header: left alone",
                    header, h);
            }
            raf.seek(header + 3);
            raf.write(b[3] ^ 0x80);
            return String.format("header at %d: 0x%08x -> 0x%08x", header, h, h ^ 0x80000000);
        }
    }

    private static List<Path> journals(final Path dataDir) throws IOException
    {
        final List<Path> out = new ArrayList<>();
        try (Stream<Path> shards = Files.list(dataDir))
        {
            for (final Path shard : shards.filter(p -> p.getFileName().toString().startsWith("shard-")).sorted()
                .toList())
            {
                final Path messages = shard.resolve("messages");
                if (Files.isDirectory(messages))
                {
                    try (Stream<Path> files = Files.list(messages))
                    {
                        out.addAll(files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList());
                    }
                }
            }
        }
        return out;
    }

    private static void xor(final Path file, final long position, final int mask) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ mask);
        }
    }

    private static int indexOf(final byte[] hay, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (hay[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
