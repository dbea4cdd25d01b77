package dev.pinwheel.tuning;

/**
 * A transparent huge pages mode, as selected in {@code /sys/kernel/mm/transparent_hugepage/enabled}
 * (anonymous memory: G1 and Parallel heaps) or {@code shmem_enabled} (shared memory: ZGC's heap, which
 * lives in a memfd). The file lists every mode and brackets the active one:
 * {@code always [madvise] never}.
 */
public enum TransparentHugePages
{
    /** Every large enough mapping gets huge pages; khugepaged and compaction stalls hit every process. */
    ALWAYS,
    /** Only mappings that ask (madvise MADV_HUGEPAGE, as {@code -XX:+UseTransparentHugePages} does) get them. */
    MADVISE,
    /** shmem only: like {@link #MADVISE}, for shared memory. */
    ADVISE,
    /** shmem only: huge pages if the whole page fits within the file size. */
    WITHIN_SIZE,
    /** No transparent huge pages; {@code -XX:+UseTransparentHugePages} falls back to 4 KiB pages. */
    NEVER,
    /** Another mode this code does not know ({@code defer}, {@code deny}, {@code force}). */
    OTHER,
    /** The file was missing or unreadable. */
    UNKNOWN;

    /**
     * @param fileText the content of a THP sysfs file, or {@code null} if it could not be read.
     * @return the bracketed mode, {@link #UNKNOWN} if there is none.
     */
    public static TransparentHugePages parse(final String fileText)
    {
        if (fileText == null)
        {
            return UNKNOWN;
        }
        final int open = fileText.indexOf('[');
        final int close = fileText.indexOf(']', open + 1);
        if (open < 0 || close < 0)
        {
            return UNKNOWN;
        }
        return switch (fileText.substring(open + 1, close).strip())
        {
            case "always" -> ALWAYS;
            case "madvise" -> MADVISE;
            case "advise" -> ADVISE;
            case "within_size" -> WITHIN_SIZE;
            case "never" -> NEVER;
            default -> OTHER;
        };
    }

    /**
     * @return true if a JVM that asks with madvise gets huge pages in this mode.
     */
    public boolean grantsOnRequest()
    {
        return this == ALWAYS || this == MADVISE || this == ADVISE || this == WITHIN_SIZE;
    }
}
