package dev.pinwheel.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Disk space of store files. Journal cycle files and index maps are sparse (Chronicle maps 1 GiB blocks and
 * extends files ahead of the data), so their length says little: the blocks actually allocated are what counts.
 * Java cannot read {@code st_blocks}, so this asks {@code du} (a few ms); without {@code du} it falls back to file
 * lengths.
 */
final class DiskUsage
{
    private static final Logger LOG = LoggerFactory.getLogger(DiskUsage.class);
    private static volatile boolean duMissing;

    private DiskUsage()
    {
    }

    /**
     * @param dir a directory.
     * @return bytes allocated on disk for it (recursively), or the total length of its files if that is unknown.
     */
    static long allocatedBytes(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return 0;
        }
        if (!duMissing)
        {
            try
            {
                final Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
                final String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (du.waitFor(5, TimeUnit.SECONDS) && du.exitValue() == 0)
                {
                    final int end = out.indexOf('\t');
                    return Long.parseLong(end < 0 ? out : out.substring(0, end));
                }
                du.destroyForcibly();
            }
            catch (final IOException | RuntimeException ex)
            {
                duMissing = true;
                LOG.debug("du unavailable, reporting file lengths", ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        return fileLengths(dir);
    }

    /**
     * @param dir a directory.
     * @return total length of the regular files directly in it.
     */
    static long fileLengths(final Path dir)
    {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir))
        {
            for (final Path file : files)
            {
                if (Files.isRegularFile(file))
                {
                    total += Files.size(file);
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot measure {}", dir, ex);
        }
        return total;
    }
}
