package dev.pinwheel.gateway.node;

import java.nio.file.Path;

/**
 * The file store's settings ({@code pinwheel.files.*}): where attachments, avatars and guild icons live, how large an
 * upload may be, and how long a signed download URL stays valid.
 */
public final class FilesConfig
{
    private Path directory = System.getProperty("pinwheel.files.dir") == null ? null
        : Path.of(System.getProperty("pinwheel.files.dir"));
    private long maxFileBytes = Long.getLong("pinwheel.files.max-file-bytes", 10L * 1024 * 1024);
    private int maxRequestBytes = Integer.getInteger("pinwheel.files.max-request-bytes", 26 * 1024 * 1024);
    private int maxFilesPerMessage = Integer.getInteger("pinwheel.files.max-files", 10);
    private long signedUrlTtlSeconds = Long.getLong("pinwheel.files.signed-url-ttl-s", 14L * 24 * 3600);
    private int queue = Integer.getInteger("pinwheel.files.queue", 64);
    private int maxInMemoryAnswers = Integer.getInteger("pinwheel.files.max-in-memory-answers", 16);
    private long sweepIntervalSeconds = Long.getLong("pinwheel.files.sweep-interval-s", 3600);
    private long orphanGraceSeconds = Long.getLong("pinwheel.files.orphan-grace-s", 600);

    /** @return the store's directory (the data directory's {@code files}), or null: a temporary directory. */
    public Path directory()
    {
        return directory;
    }

    /**
     * @param value the store's directory.
     * @return this.
     */
    public FilesConfig directory(final Path value)
    {
        directory = value;
        return this;
    }

    /** @return the largest file accepted; above it 413 with code 40005. */
    public long maxFileBytes()
    {
        return maxFileBytes;
    }

    /**
     * @param value the largest file accepted.
     * @return this.
     */
    public FilesConfig maxFileBytes(final long value)
    {
        maxFileBytes = value;
        return this;
    }

    /** @return the largest multipart request body the edge buffers (every file and the JSON together). */
    public int maxRequestBytes()
    {
        return maxRequestBytes;
    }

    /**
     * @param value the largest multipart request body.
     * @return this.
     */
    public FilesConfig maxRequestBytes(final int value)
    {
        maxRequestBytes = value;
        return this;
    }

    /** @return the most files one message carries (Discord: 10). */
    public int maxFilesPerMessage()
    {
        return maxFilesPerMessage;
    }

    /** @return how long a signed attachment URL ({@code ex/is/hm}) stays valid after it was issued. */
    public long signedUrlTtlSeconds()
    {
        return signedUrlTtlSeconds;
    }

    /**
     * @param value the signed URLs' lifetime in seconds.
     * @return this.
     */
    public FilesConfig signedUrlTtlSeconds(final long value)
    {
        signedUrlTtlSeconds = value;
        return this;
    }

    /** @return how many file writes may wait for the writer thread; beyond it uploads are refused (503). */
    public int queue()
    {
        return queue;
    }

    /**
     * @return how many file answers a node may hold in memory at once — files fetched from another node or read from
     *         the shared store (Cassandra) rather than sent from its own disk; beyond it such a request is answered
     *         503 with Retry-After. Bounds their heap: at most this many times {@link #maxFileBytes}.
     */
    public int maxInMemoryAnswers()
    {
        return maxInMemoryAnswers;
    }

    /**
     * @param value file answers held in memory at once.
     * @return this.
     */
    public FilesConfig maxInMemoryAnswers(final int value)
    {
        maxInMemoryAnswers = value;
        return this;
    }

    /**
     * @return how often the file sweep asks the owners which attachments no live message names (seconds); it also
     *         runs once at start.
     */
    public long sweepIntervalSeconds()
    {
        return sweepIntervalSeconds;
    }

    /**
     * @param value the sweep's period in seconds.
     * @return this.
     */
    public FilesConfig sweepIntervalSeconds(final long value)
    {
        sweepIntervalSeconds = value;
        return this;
    }

    /**
     * @return how old (seconds) a file this process stored must be before the sweep may call it an orphan (its message
     *         never acknowledged): longer than any upload's way from the disk to its owner's commit.
     */
    public long orphanGraceSeconds()
    {
        return orphanGraceSeconds;
    }

    /**
     * @param value the grace in seconds.
     * @return this.
     */
    public FilesConfig orphanGraceSeconds(final long value)
    {
        orphanGraceSeconds = value;
        return this;
    }

    void conclude()
    {
        if (maxFileBytes < 1 || maxRequestBytes < 256 * 1024 || maxFilesPerMessage < 1 || signedUrlTtlSeconds < 1
            || queue < 1 || sweepIntervalSeconds < 1 || orphanGraceSeconds < 1 || maxInMemoryAnswers < 1)
        {
            throw new IllegalArgumentException("invalid pinwheel.files setting");
        }
    }
}
