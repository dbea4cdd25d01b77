package dev.pinwheel.storage;

import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reserves disk blocks for a region of a file before anything writes there through a memory mapping.
 * <p>
 * Journal cycle files are sparse and written through {@code mmap}: the first write to a page the filesystem has no
 * block for allocates one, and on a full filesystem that write is a {@code SIGBUS}, which the JVM turns into an
 * {@code InternalError} in whatever thread touched the page — a shard thread died that way before. Reserving the
 * blocks first with {@code fallocate(2)} turns "disk full" into a plain error code at a moment of our choosing,
 * with nothing written. Where {@code fallocate} is not available (no native access, a filesystem without it) the
 * region is written with zeros through {@code pwrite}, which fails with {@code ENOSPC} just as cleanly. Only
 * regions past the end of written data are ever allocated, so neither way can touch a record.
 * <p>
 * Thread-safe (no state but the one-time choice of mechanism).
 */
final class FileAllocator
{
    private static final Logger LOG = LoggerFactory.getLogger(FileAllocator.class);
    /** Linux's open(2) flags (PosixAPI's {@code OpenFlag} carries BSD values: its O_CREAT is Linux's O_TRUNC). */
    private static final int LINUX_O_RDWR = 2;
    private static final int LINUX_O_CREAT = 0100;
    private static final int ZEROS = 64 * 1024;
    private static final PosixAPI POSIX = loadPosix();
    private static volatile boolean fallocateWorks = POSIX != null;

    private FileAllocator()
    {
    }

    private static PosixAPI loadPosix()
    {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"))
        {
            return null;
        }
        try
        {
            final PosixAPI posix = PosixAPI.posix();
            posix.getpid(); // proves the native binding works
            return posix;
        }
        catch (final RuntimeException | LinkageError ex)
        {
            LOG.info("fallocate unavailable ({}); journal space is reserved by writing zeros", ex.toString());
            return null;
        }
    }

    /**
     * Makes sure the filesystem holds blocks for {@code [from, to)} of {@code file} (creating the file if missing);
     * the file grows to at least {@code to}.
     *
     * @param file the file.
     * @param from first byte.
     * @param to   first byte after the region.
     * @throws IOException with "No space left on device" when the filesystem is full (nothing was written then),
     *                     or another I/O error.
     */
    static void allocate(final Path file, final long from, final long to) throws IOException
    {
        if (to <= from)
        {
            return;
        }
        if (fallocateWorks && fallocate(file, from, to - from))
        {
            return;
        }
        writeZeros(file, from, to);
        if (fallocateWorks)
        {
            fallocateWorks = false; // zeros could be written where fallocate failed: it does not work here
            LOG.info("fallocate failed where writing zeros worked ({}); journal space is reserved by writing zeros",
                file);
        }
    }

    /**
     * @return true if done; false if fallocate failed (then the caller writes zeros, which either works — and
     *         fallocate is taken as unsupported here — or fails with the precise error: the errno JNR reports after
     *         a failed call is not reliable).
     */
    private static boolean fallocate(final Path file, final long offset, final long length) throws IOException
    {
        final int fd = POSIX.open(file.toString(), LINUX_O_RDWR | LINUX_O_CREAT, 0644);
        if (fd < 0)
        {
            throw new IOException("cannot open " + file + ": " + POSIX.strerror(POSIX.lastError()));
        }
        try
        {
            return POSIX.fallocate(fd, 0, offset, length) == 0;
        }
        finally
        {
            POSIX.close(fd);
        }
    }

    private static void writeZeros(final Path file, final long from, final long to) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(ZEROS);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            long position = from;
            while (position < to)
            {
                zeros.clear().limit((int)Math.min(ZEROS, to - position));
                position += channel.write(zeros, position);
            }
        }
    }
}
