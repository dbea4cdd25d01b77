package dev.pinwheel.gateway.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The node's files: message attachments, avatars and guild icons, kept on disk beside the journals (never in them),
 * content-addressed by SHA-256.
 * <pre>
 *   DIR/blobs/ab/abcdef…            the bytes, once per distinct content (written as tmp/…, fsynced, renamed)
 *   DIR/attachments/{id}            a hard link to its blob: the link count is the blob's reference count
 *   DIR/attachments/{id}.meta       guild, channel, filename, content type, size, hash, width, height
 *   DIR/images/{avatars|icons}/{owner}/{hash}   a hard link to the image's blob
 *   DIR/secret                      the key of signed URLs ({@code ex/is/hm}, HMAC-SHA256)
 *   DIR/tmp/                        half-written files; emptied at start, never served
 * </pre>
 * Writes run on the store's own thread ({@link #submit}), never on a shard thread: each one is durable — the file
 * and the directories that name it fsynced — before it returns, so a message that names a file is journaled only
 * after the file survives a crash. A file is served only under its final name, reached from an id (digits) or a
 * hash (hex), never from a client's path. Releasing an attachment unlinks it; its blob goes with the last link.
 * What no live message names any more is found by the owners ({@code owner.AttachmentSweeper}): this store lists its
 * attachments ({@link #attachmentIds}) and drops blobs no link names ({@link #dropUnlinkedBlobs}).
 * Reads ({@link #attachment}, {@link #attachmentFile}, {@link #imageFile}) are safe from any thread.
 */
public final class FileStore implements AutoCloseable
{
    private static final HexFormat HEX = HexFormat.of();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileStore.class);
    private final Path dir;
    private final Path blobs;
    private final Path attachments;
    private final Path images;
    private final Path tmp;
    /** The key this node signs URLs with: the cluster's on a shared store, else its own. */
    private final byte[] secret;
    /** This node's own key ({@code DATA/files/secret}): URLs it signed before it joined a shared store stay valid. */
    private final byte[] localSecret;
    /** Where every node of the cluster reads message files (a remote store), or null. */
    private final dev.pinwheel.core.store.SharedFiles shared;
    private final FilesConfig config;
    private final ThreadPoolExecutor writer;
    private final ThreadLocal<Mac> macs;
    private final ThreadLocal<Mac> localMacs;
    /** Answers held in memory now (files relayed from another node or read from the shared store). */
    private final java.util.concurrent.Semaphore inMemoryAnswers;
    private long tmpCounter;
    private volatile boolean holdAfterWrite;

    /**
     * What the store knows of an attachment.
     *
     * @param id          the attachment's id.
     * @param channelId   the channel it was posted in.
     * @param filename    its (sanitized) name.
     * @param contentType what it is served as.
     * @param size        bytes.
     * @param sha256      the blob's hash (hex).
     * @param width       pixels (images; else 0).
     * @param height      pixels (images; else 0).
     * @param guildId     the channel's guild when it was stored; -1 for files stored before guilds were recorded
     *                    (the sweep leaves those alone: no owner ever bound them).
     */
    public record Attachment(long id, long channelId, String filename, String contentType, long size, String sha256,
        int width, int height, long guildId)
    {
        /** @return whether it is served inline as an image. */
        public boolean image()
        {
            return width > 0 && height > 0;
        }
    }

    /**
     * Opens (or creates) the store and empties its {@code tmp} directory: whatever is there was half-written by a
     * node that stopped, and nothing refers to it.
     *
     * @param dir    the store's directory.
     * @param config the settings.
     */
    public FileStore(final Path dir, final FilesConfig config)
    {
        this(dir, config, null);
    }

    /**
     * A file store whose message files are also kept in a shared store (Cassandra): each is written there before its
     * message is sent, deleted there with it, read from there by a node that holds no copy, and served by any node
     * only while it is there. URLs are signed with the cluster's key (the shared store's), so any node verifies them.
     *
     * @param dir    the store's directory.
     * @param config the settings.
     * @param shared the shared store, or null.
     */
    public FileStore(final Path dir, final FilesConfig config, final dev.pinwheel.core.store.SharedFiles shared)
    {
        this.shared = shared;
        this.dir = dir.toAbsolutePath().normalize();
        this.config = config;
        this.blobs = this.dir.resolve("blobs");
        this.attachments = this.dir.resolve("attachments");
        this.images = this.dir.resolve("images");
        this.tmp = this.dir.resolve("tmp");
        try
        {
            Files.createDirectories(blobs);
            Files.createDirectories(attachments);
            Files.createDirectories(images);
            Files.createDirectories(tmp);
            try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp))
            {
                for (final Path p : s)
                {
                    Files.deleteIfExists(p);
                }
            }
            this.localSecret = loadSecret(this.dir.resolve("secret"));
            final byte[] cluster = shared == null ? localSecret : shared.secret(localSecret);
            this.secret = java.util.Arrays.equals(cluster, localSecret) ? localSecret : cluster;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the file store in " + this.dir, ex);
        }
        this.macs = ThreadLocal.withInitial(() -> newMac(secret));
        this.localMacs = ThreadLocal.withInitial(() -> newMac(localSecret));
        this.inMemoryAnswers = new java.util.concurrent.Semaphore(config.maxInMemoryAnswers());
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(config.queue()),
            r -> Thread.ofPlatform().name("pinwheel-files").daemon(true).unstarted(r));
    }

    /** @return the store's directory. */
    public Path directory()
    {
        return dir;
    }

    /** @return the settings. */
    public FilesConfig config()
    {
        return config;
    }

    /**
     * Queues work for the store's writer thread.
     *
     * @param work what to do there.
     * @return false if the queue is full (the caller refuses the request).
     */
    public boolean submit(final Runnable work)
    {
        try
        {
            writer.execute(work);
            return true;
        }
        catch (final RejectedExecutionException ex)
        {
            return false;
        }
    }

    /**
     * Stores an attachment durably (writer thread): the blob, its metadata and its link, fsynced with their
     * directories.
     *
     * @param id           the attachment's id (a snowflake).
     * @param guildId      its channel's guild (0: a DM).
     * @param channelId    its channel.
     * @param filename     the client's name for it (sanitized here).
     * @param declaredType the part's Content-Type, or null.
     * @param data         the bytes.
     * @return what was stored.
     * @throws IOException when the disk refuses.
     */
    public Attachment storeAttachment(final long id, final long guildId, final long channelId, final String filename,
        final String declaredType, final byte[] data) throws IOException
    {
        final String name = sanitize(filename);
        final ImageInfo info = ImageInfo.of(data, data.length);
        final String type = info.isImage() ? info.contentType() : contentType(declaredType, name);
        final String sha = writeBlob(data);
        final Attachment a = new Attachment(id, channelId, name, type, data.length, sha, info.width(), info.height(),
            guildId);
        final Properties p = new Properties();
        p.setProperty("guild", Long.toString(guildId));
        p.setProperty("channel", Long.toString(channelId));
        p.setProperty("filename", name);
        p.setProperty("content_type", type);
        p.setProperty("size", Long.toString(data.length));
        p.setProperty("sha256", sha);
        p.setProperty("width", Integer.toString(info.width()));
        p.setProperty("height", Integer.toString(info.height()));
        if (shared != null)
        {
            p.setProperty("shared", "true"); // the shared store decides whether it exists (keptOnlyHere)
        }
        final java.io.StringWriter w = new java.io.StringWriter();
        p.store(w, null);
        final Path meta = attachments.resolve(id + ".meta");
        writeDurably(w.toString().getBytes(StandardCharsets.UTF_8), meta);
        link(attachments.resolve(Long.toString(id)), blobPath(sha));
        syncDirectory(attachments);
        if (shared != null)
        {
            try
            {
                shared.put(id, w.toString(), data); // before the message names it: every node can serve it
            }
            catch (final RuntimeException ex)
            {
                throw new IOException("the shared file store did not take attachment " + id + ": " + ex, ex);
            }
        }
        return a;
    }

    /**
     * <b>Test only</b> (the server's fault injection): from now on an upload stops on the writer thread once its files
     * are durable, before its message is sent to the owner, so that a test can kill the node exactly there.
     *
     * @return true.
     */
    public boolean holdUploadsAfterWrite()
    {
        holdAfterWrite = true;
        return true;
    }

    /**
     * Called by an upload between writing its files and sending its message (writer thread): returns at once unless
     * {@link #holdUploadsAfterWrite} was called, then never (the test kills the process).
     */
    public void uploadWritten()
    {
        if (!holdAfterWrite)
        {
            return;
        }
        LOG.warn("fault injection: an upload is held after its files were written, before its message is sent");
        final java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        while (true)
        {
            try
            {
                never.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Stores an avatar or icon durably (writer thread).
     *
     * @param kind    {@code avatars} or {@code icons}.
     * @param ownerId the user or guild.
     * @param data    the image's bytes.
     * @return its hash (32 hex digits), the name it is served under.
     * @throws IOException when the disk refuses.
     */
    public String storeImage(final String kind, final long ownerId, final byte[] data) throws IOException
    {
        final String sha = writeBlob(data);
        final String hash = sha.substring(0, 32);
        final Path ownerDir = images.resolve(kind).resolve(Long.toString(ownerId));
        Files.createDirectories(ownerDir);
        link(ownerDir.resolve(hash), blobPath(sha));
        syncDirectory(ownerDir);
        syncDirectory(ownerDir.getParent());
        if (shared != null)
        {
            try
            {
                shared.putImage(kind, ownerId, hash, data); // before the hash is journaled: every node can serve it
            }
            catch (final RuntimeException ex)
            {
                throw new IOException("the shared file store did not take an image of " + ownerId + ": " + ex, ex);
            }
        }
        return hash;
    }

    /**
     * Drops an attachment (writer thread): its link and metadata; its blob when no other link is left.
     *
     * @param id the attachment.
     */
    public void release(final long id)
    {
        if (shared != null)
        {
            try
            {
                shared.delete(id); // first: no node serves it once this returns
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("could not delete attachment {} from the shared file store: {}", id, ex.toString());
            }
        }
        try
        {
            final Attachment a = attachment(id);
            Files.deleteIfExists(attachments.resolve(Long.toString(id)));
            Files.deleteIfExists(attachments.resolve(id + ".meta"));
            if (a != null)
            {
                final Path blob = blobPath(a.sha256());
                if (Files.exists(blob) && ((Number)Files.getAttribute(blob, "unix:nlink")).intValue() <= 1)
                {
                    Files.deleteIfExists(blob);
                }
            }
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            // left for a later sweep: nothing refers to it any more
        }
    }

    /**
     * Lists the stored attachments (any thread; the sweep calls it on the writer thread). A metadata file whose link
     * is gone (a release cut short by a crash) is removed here.
     *
     * @return the ids of the attachments that have metadata and a link.
     * @throws IOException when the directory cannot be read.
     */
    public long[] attachmentIds() throws IOException
    {
        long[] out = new long[64];
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(attachments, "*.meta"))
        {
            for (final Path p : s)
            {
                final String name = p.getFileName().toString();
                final String digits = name.substring(0, name.length() - ".meta".length());
                if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(Character::isDigit))
                {
                    continue;
                }
                if (!Files.exists(attachments.resolve(digits)))
                {
                    Files.deleteIfExists(p);
                    continue;
                }
                if (n == out.length)
                {
                    out = java.util.Arrays.copyOf(out, n * 2);
                }
                out[n++] = Long.parseLong(digits);
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Removes every blob no attachment or image links to any more (its link count is 1: only its own name), and links
     * without metadata. Writer thread only: a blob is written and linked within one task there, so none is caught
     * between the two.
     *
     * @return blobs removed.
     * @throws IOException when a directory cannot be read.
     */
    public int dropUnlinkedBlobs() throws IOException
    {
        int removed = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(attachments))
        {
            for (final Path p : s)
            {
                final String name = p.getFileName().toString();
                if (!name.endsWith(".meta") && !Files.exists(attachments.resolve(name + ".meta")))
                {
                    Files.deleteIfExists(p); // a link whose metadata was never written or already removed
                }
            }
        }
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(blobs))
        {
            for (final Path prefix : prefixes)
            {
                if (!Files.isDirectory(prefix))
                {
                    continue;
                }
                try (DirectoryStream<Path> s = Files.newDirectoryStream(prefix))
                {
                    for (final Path blob : s)
                    {
                        if (((Number)Files.getAttribute(blob, "unix:nlink")).intValue() <= 1)
                        {
                            Files.deleteIfExists(blob);
                            removed++;
                        }
                    }
                }
            }
        }
        return removed;
    }

    /**
     * @param id an attachment id.
     * @return its metadata, or null if there is no such attachment.
     */
    public Attachment attachment(final long id)
    {
        final Path meta = attachments.resolve(id + ".meta");
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta))
        {
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return attachment(id, p);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    private static Attachment attachment(final long id, final Properties p)
    {
        return new Attachment(id, Long.parseLong(p.getProperty("channel")), p.getProperty("filename"),
            p.getProperty("content_type"), Long.parseLong(p.getProperty("size")), p.getProperty("sha256"),
            Integer.parseInt(p.getProperty("width", "0")), Integer.parseInt(p.getProperty("height", "0")),
            Long.parseLong(p.getProperty("guild", "-1")));
    }

    /**
     * @param id an attachment id.
     * @return whether this node holds it and stored it without the shared store (before it used one): then its own
     *         copy decides whether it exists, not the shared store, which never had it.
     */
    public boolean keptOnlyHere(final long id)
    {
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(attachments.resolve(id + ".meta")))
        {
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return p.getProperty("shared") == null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Takes one of the places for answers held in memory ({@link FilesConfig#maxInMemoryAnswers}). Any thread.
     *
     * @return whether one was free (give it back with {@link #releaseInMemoryAnswer} once the answer is written).
     */
    public boolean tryInMemoryAnswer()
    {
        return inMemoryAnswers.tryAcquire();
    }

    /** Gives back a place taken by {@link #tryInMemoryAnswer}. Any thread. */
    public void releaseInMemoryAnswer()
    {
        inMemoryAnswers.release();
    }

    /**
     * @return the shared store of message files (Cassandra), or null: this node's disk decides alone.
     */
    public dev.pinwheel.core.store.SharedFiles shared()
    {
        return shared;
    }

    /**
     * An attachment's metadata as the shared store has it (only with {@link #shared}): whether it exists at all.
     *
     * @param id an attachment id.
     * @return its metadata, or null when the shared store has no such file (completes on the store's thread).
     */
    public java.util.concurrent.CompletableFuture<Attachment> sharedAttachment(final long id)
    {
        return shared.meta(id).thenApply(text ->
        {
            if (text == null)
            {
                return null;
            }
            final Properties p = new Properties();
            try
            {
                p.load(new java.io.StringReader(text));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            return attachment(id, p);
        });
    }

    /**
     * @param id an attachment id.
     * @return the file with its bytes (exists when {@link #attachment} found it).
     */
    public Path attachmentFile(final long id)
    {
        return attachments.resolve(Long.toString(id));
    }

    /**
     * @param kind    {@code avatars} or {@code icons}.
     * @param ownerId the user or guild.
     * @param hash    the image's hash as named in the URL.
     * @return the image's file, or null if the hash is not 32 hex digits (nothing else names a file).
     */
    public Path imageFile(final String kind, final long ownerId, final String hash)
    {
        if (hash.length() != 32 || !isHex(hash))
        {
            return null;
        }
        return images.resolve(kind).resolve(Long.toString(ownerId)).resolve(hash);
    }

    /**
     * @param channelId    the attachment's channel.
     * @param attachmentId the attachment.
     * @param issuedSeconds when the URL is issued (Unix seconds).
     * @return Discord's signed query: {@code ex=…&is=…&hm=…} (hex), valid for the configured lifetime.
     */
    public String sign(final long channelId, final long attachmentId, final long issuedSeconds)
    {
        final String ex = Long.toHexString(issuedSeconds + config.signedUrlTtlSeconds());
        final String is = Long.toHexString(issuedSeconds);
        return "ex=" + ex + "&is=" + is + "&hm=" + mac(channelId, attachmentId, ex, is);
    }

    /**
     * @param channelId    the URL's channel.
     * @param attachmentId the URL's attachment.
     * @param ex           its {@code ex} (hex expiry).
     * @param is           its {@code is} (hex issue time).
     * @param hm           its {@code hm}.
     * @param nowSeconds   now (Unix seconds).
     * @return whether the signature is this node's and has not expired.
     */
    public boolean verify(final long channelId, final long attachmentId, final String ex, final String is,
        final String hm, final long nowSeconds)
    {
        if (ex == null || is == null || hm == null || ex.length() > 16 || is.length() > 16 || !isHex(ex)
            || !isHex(is))
        {
            return false;
        }
        final long expiry = Long.parseUnsignedLong(ex, 16);
        if (expiry < nowSeconds)
        {
            return false;
        }
        final byte[] given = hm.getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(mac(channelId, attachmentId, ex, is).getBytes(StandardCharsets.US_ASCII), given)
            || secret != localSecret && MessageDigest.isEqual(mac(localMacs.get(), channelId, attachmentId, ex, is)
                .getBytes(StandardCharsets.US_ASCII), given);
    }

    /**
     * @param channelId    the URL's channel.
     * @param attachmentId the URL's attachment.
     * @param ex           its {@code ex} (hex expiry).
     * @param is           its {@code is} (hex issue time).
     * @param hm           its {@code hm}.
     * @return whether this node signed it, expired or not (a refresh needs a URL someone was once given).
     */
    public boolean signedHere(final long channelId, final long attachmentId, final String ex, final String is,
        final String hm)
    {
        return verify(channelId, attachmentId, ex, is, hm, 0);
    }

    private String mac(final long channelId, final long attachmentId, final String ex, final String is)
    {
        return mac(macs.get(), channelId, attachmentId, ex, is);
    }

    private static String mac(final Mac m, final long channelId, final long attachmentId, final String ex,
        final String is)
    {
        m.reset();
        return HEX.formatHex(m.doFinal((channelId + "/" + attachmentId + "/" + ex + "/" + is)
            .getBytes(StandardCharsets.US_ASCII)));
    }

    private static Mac newMac(final byte[] key)
    {
        try
        {
            final Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Writes the bytes under their hash (once: the same content is stored once), durably; returns the hash. */
    private String writeBlob(final byte[] data) throws IOException
    {
        final String sha;
        try
        {
            sha = HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
        final Path blob = blobPath(sha);
        if (!Files.exists(blob))
        {
            Files.createDirectories(blob.getParent());
            writeDurably(data, blob);
            syncDirectory(blob.getParent());
            syncDirectory(blobs);
        }
        return sha;
    }

    /** Writes to a temporary file, fsyncs it and renames it over {@code target}: a reader sees all or nothing. */
    private void writeDurably(final byte[] data, final Path target) throws IOException
    {
        final Path t = tmp.resolve(Long.toString(++tmpCounter) + "-" + System.nanoTime());
        try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining())
            {
                ch.write(b);
            }
            ch.force(true);
        }
        try
        {
            Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.deleteIfExists(t);
            throw ex;
        }
    }

    private static void link(final Path link, final Path blob) throws IOException
    {
        try
        {
            Files.createLink(link, blob);
        }
        catch (final FileAlreadyExistsException ex)
        {
            // stored before (a retried write): the same content under the same name
        }
    }

    private static void syncDirectory(final Path d) throws IOException
    {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ))
        {
            ch.force(true);
        }
    }

    private Path blobPath(final String sha)
    {
        return blobs.resolve(sha.substring(0, 2)).resolve(sha);
    }

    private static byte[] loadSecret(final Path file) throws IOException
    {
        if (Files.exists(file))
        {
            final byte[] s = Files.readAllBytes(file);
            if (s.length >= 32)
            {
                return s;
            }
        }
        final byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        final Path t = file.resolveSibling("secret.tmp");
        Files.write(t, s);
        try (FileChannel ch = FileChannel.open(t, StandardOpenOption.WRITE))
        {
            ch.force(true);
        }
        Files.move(t, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
        return s;
    }

    /**
     * Discord's rule for names: letters, digits, dot, dash and underscore stay, anything else becomes an underscore.
     *
     * @param filename the client's name.
     * @return a name safe in a URL and a path segment.
     */
    public static String sanitize(final String filename)
    {
        final String base = filename == null ? "" : filename.substring(Math.max(filename.lastIndexOf('/'),
            filename.lastIndexOf('\\')) + 1);
        final StringBuilder b = new StringBuilder(Math.min(base.length(), 128));
        for (int i = 0; i < base.length() && b.length() < 128; i++)
        {
            final char c = base.charAt(i);
            b.append(c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_') ? c : '_');
        }
        while (b.length() > 0 && b.charAt(0) == '.')
        {
            b.setCharAt(0, '_');
        }
        return b.length() == 0 ? "unknown" : b.toString();
    }

    /**
     * The type a non-image is served as: the declared one unless it claims to be an image or something a browser
     * would run (those are plain bytes), else a guess from the name.
     */
    static String contentType(final String declared, final String name)
    {
        final String d = declared == null ? "" : declared.trim().toLowerCase(Locale.ROOT);
        if (!d.isEmpty() && !d.startsWith("application/octet-stream") && !d.startsWith("image/")
            && !d.contains("html") && !d.contains("xml") && !d.contains("javascript") && d.indexOf('/') > 0
            && d.length() < 128)
        {
            return d.startsWith("text/") && !d.contains("charset") ? d + "; charset=utf-8" : d;
        }
        final String n = name.toLowerCase(Locale.ROOT);
        final int dot = n.lastIndexOf('.');
        final String ext = dot < 0 ? "" : n.substring(dot + 1);
        return switch (ext)
        {
            case "txt", "log", "md", "csv" -> "text/plain; charset=utf-8";
            case "json" -> "application/json";
            case "pdf" -> "application/pdf";
            case "zip" -> "application/zip";
            case "mp3" -> "audio/mpeg";
            case "ogg" -> "audio/ogg";
            case "mp4" -> "video/mp4";
            case "webm" -> "video/webm";
            default -> "application/octet-stream";
        };
    }

    private static boolean isHex(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f'))
            {
                return false;
            }
        }
        return !s.isEmpty();
    }

    @Override
    public void close()
    {
        writer.shutdown();
        try
        {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
