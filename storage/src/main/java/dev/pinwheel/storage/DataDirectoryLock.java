package dev.pinwheel.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Makes a data directory belong to one process: an OS lock ({@code fcntl}) on {@code <dataDir>/pinwheel.lock}, held
 * for as long as the store factory is open. The kernel drops the lock when the process dies in any way (kill -9
 * included), so a stale lock file never blocks a restart; the file keeps the holder's pid so that a second process
 * can say who holds it. Two processes on one directory would both generate snowflakes with the same worker and
 * process bits and append to the same journals: ids collide and acknowledged messages come back with another
 * message's content.
 * <p>
 * Within one JVM, a second lock of a directory this process already holds fails too.
 */
public final class DataDirectoryLock implements AutoCloseable
{
    /** Name of the lock file in a data directory. */
    public static final String FILE = "pinwheel.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(final Path file, final FileChannel channel, final FileLock lock)
    {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of a data directory (created if missing), or fails at once.
     *
     * @param dataDir the data directory.
     * @return the held lock.
     * @throws IllegalStateException if another process (or this one) holds it; the message names the holder's pid.
     */
    public static DataDirectoryLock acquire(final Path dataDir)
    {
        final Path file = dataDir.resolve(FILE);
        FileChannel channel = null;
        try
        {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw inUse(dataDir, file, ProcessHandle.current().pid() + " (this process)");
            }
            if (lock == null)
            {
                throw inUse(dataDir, file, holder(channel));
            }
            final byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            channel.force(true);
            return new DataDirectoryLock(file, channel, lock);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock data directory " + dataDir + " (" + file + ")", ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    private static IllegalStateException inUse(final Path dataDir, final Path file, final String holder)
    {
        return new IllegalStateException("data directory " + dataDir.toAbsolutePath() + " is in use by process "
            + holder + " (it holds " + file.toAbsolutePath() + "); stop that process or choose another --data");
    }

    private static String holder(final FileChannel channel) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(32);
        final int n = channel.read(buffer, 0);
        final String text = n <= 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.US_ASCII).trim();
        return text.isEmpty() ? "(unknown pid)" : text;
    }

    /**
     * @return the lock file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * Releases the lock (the file stays; its pid is stale from now on).
     */
    @Override
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ex)
        {
            // closing the channel below releases it too
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // nothing left to do
            }
        }
    }
}
