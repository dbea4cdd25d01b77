package dev.pinwheel.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which boot of the machine this process runs in: Linux's {@code /proc/sys/kernel/random/boot_id}, a random UUID
 * drawn once per boot (the same inside containers, which share the host's kernel). Memory-mapped files written by a
 * process that was killed are intact in the page cache as long as the boot id has not changed; a new boot id means the
 * machine went down (power loss, kernel panic, reboot) and pages that were never written back may be lost.
 */
final class BootId
{
    /** Where Linux publishes it. */
    static final Path LINUX = Path.of("/proc/sys/kernel/random/boot_id");

    private BootId()
    {
    }

    /**
     * @return this boot's id, or null where the system has none (then indexes are never reused after a kill).
     */
    static String current()
    {
        try
        {
            final String id = Files.readString(LINUX, StandardCharsets.US_ASCII).trim();
            return id.isEmpty() ? null : id;
        }
        catch (final IOException | SecurityException | UnsupportedOperationException ex)
        {
            return null;
        }
    }
}
