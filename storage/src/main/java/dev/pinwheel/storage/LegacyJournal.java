package dev.pinwheel.storage;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Splits the journal of the first data layout ({@code shard-N/journal}: state and message records in one queue)
 * into the state and message journals, once, when the shard is first opened by this version.
 * <pre>
 *   1. copy every record, in order, into split-tmp/state or split-tmp/messages (by its kind byte)
 *   2. rename journal          ──&gt; journal.split      (kept: delete it by hand once satisfied)
 *   3. rename split-tmp/state  ──&gt; state, split-tmp/messages ──&gt; messages
 * </pre>
 * Interrupted in 1, it starts over; interrupted in 3, it finishes 3.
 */
final class LegacyJournal
{
    private static final Logger LOG = LoggerFactory.getLogger(LegacyJournal.class);

    private LegacyJournal()
    {
    }

    /**
     * @param shardDir {@code <dataDir>/shard-N}.
     * @param clock    the roll clock.
     */
    static void splitIfPresent(final Path shardDir, final TimeProvider clock)
    {
        final Path legacy = shardDir.resolve("journal");
        final Path done = shardDir.resolve("journal.split");
        final Path tmp = shardDir.resolve("split-tmp");
        try
        {
            if (!Files.isDirectory(legacy))
            {
                if (Files.isDirectory(tmp) && Files.isDirectory(done))
                {
                    finish(shardDir, tmp);
                }
                return;
            }
            if (!hasCycleFiles(legacy))
            {
                return;
            }
            deleteTree(tmp);
            long stateRecords = 0;
            long messageRecords = 0;
            try (SingleChronicleQueue from = Journal.builder(legacy, clock).build();
                 SingleChronicleQueue toState = Journal.builder(tmp.resolve("state"), clock).build();
                 SingleChronicleQueue toMessages = Journal.builder(tmp.resolve("messages"), clock).build();
                 ExcerptTailer tailer = from.createTailer();
                 ExcerptAppender stateAppender = toState.createAppender();
                 ExcerptAppender messageAppender = toMessages.createAppender())
            {
                while (true)
                {
                    try (DocumentContext in = tailer.readingDocument())
                    {
                        if (!in.isPresent())
                        {
                            break;
                        }
                        final Bytes<?> bytes = in.wire().bytes();
                        final byte kind = bytes.readRemaining() < 1 ? 0 : bytes.readByte(bytes.readPosition());
                        final ExcerptAppender to = kind == JournalRecordCodec.STATE ? stateAppender : messageAppender;
                        try (DocumentContext out = to.writingDocument())
                        {
                            out.wire().bytes().write(bytes, bytes.readPosition(), bytes.readRemaining());
                        }
                        if (kind == JournalRecordCodec.STATE)
                        {
                            stateRecords++;
                        }
                        else
                        {
                            messageRecords++;
                        }
                    }
                }
            }
            Files.move(legacy, done);
            finish(shardDir, tmp);
            LOG.warn("split the journal of {} into state ({} records) and messages ({} records); the original is "
                + "kept in {}", shardDir, stateRecords, messageRecords, done);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot split the journal of " + shardDir, ex);
        }
    }

    private static void finish(final Path shardDir, final Path tmp) throws IOException
    {
        for (final String name : new String[] {"state", "messages"})
        {
            final Path from = tmp.resolve(name);
            if (Files.isDirectory(from))
            {
                deleteTree(shardDir.resolve(name));
                Files.move(from, shardDir.resolve(name));
            }
        }
        deleteTree(tmp);
    }

    private static boolean hasCycleFiles(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(Journal.CYCLE_SUFFIX));
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
