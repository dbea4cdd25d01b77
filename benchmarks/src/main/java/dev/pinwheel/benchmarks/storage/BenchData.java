package dev.pinwheel.benchmarks.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.storage.Durability;

/**
 * The data set of the storage benchmarks: message {@code i} has a snowflake id increasing with {@code i} (one
 * message per 4,096 snowflake ticks, a little under a millisecond of snowflake time), lives in channel
 * {@code i % channels}, and has ~100 bytes of content.
 */
final class BenchData
{
    /** Snowflake of message 0: 2026-ish. */
    static final long BASE_ID = 354_000_000_000L << 22;
    static final long FIRST_CHANNEL = 1_000;
    static final long GUILD = 7;
    static final long AUTHOR = 42;

    private BenchData()
    {
    }

    static long id(final long i)
    {
        return BASE_ID + (i << 12);
    }

    static long channel(final long i, final int channels)
    {
        return FIRST_CHANNEL + i % channels;
    }

    /** 100 bytes of content, shared: building a string per message would be measured too. */
    static final String CONTENT = String.format(Locale.ROOT, "benchmark message %s",
        "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore")
        .substring(0, 100);

    static StoredMessage message(final long i, final int channels)
    {
        return new StoredMessage(id(i), channel(i, channels), GUILD, AUTHOR, CONTENT, 0, 0, false, false);
    }

    /**
     * @param engine     "pinwheel" or "sqlite".
     * @param dir        a fresh directory.
     * @param durability "os" or "sync".
     * @return the engine, empty.
     */
    static MessageStoreUnderTest open(final String engine, final Path dir, final String durability)
    {
        final boolean sync = "sync".equals(durability);
        return switch (engine)
        {
            case "pinwheel" -> new PinwheelStoreUnderTest(dir, sync ? Durability.SYNC : Durability.OS, true);
            case "sqlite" -> new SqliteStoreUnderTest(dir.resolve("messages.db"), sync);
            default -> throw new IllegalArgumentException("engine " + engine);
        };
    }

    /**
     * Loads {@code n} messages in batches of 1,000 (one commit each).
     */
    static void load(final MessageStoreUnderTest store, final long n, final int channels)
    {
        final StoredMessage[] batch = new StoredMessage[1000];
        for (long i = 0; i < n; i += batch.length)
        {
            final int size = (int)Math.min(batch.length, n - i);
            final StoredMessage[] b = size == batch.length ? batch : new StoredMessage[size];
            for (int k = 0; k < size; k++)
            {
                b[k] = message(i + k, channels);
            }
            store.appendBatch(b);
        }
    }

    static Path tempDir(final String prefix)
    {
        try
        {
            return Files.createTempDirectory(prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // best effort
        }
    }
}
