package dev.pinwheel.core.store;

import java.util.concurrent.CompletableFuture;

/**
 * Message files kept where every node of a cluster reads them (Cassandra, beside the messages), so that a guild that
 * moves to another node when its owner dies keeps its files as it keeps its messages. The node that stores a file
 * keeps a local copy too (served with sendfile); this store decides whether the file exists: a file deleted here is
 * gone on every node, whatever copies a node kept. Implemented by a remote store; the embedded store has none (a
 * guild's files live on its owner's disk, with its journal).
 */
public interface SharedFiles
{
    /**
     * Writes a file durably (blocking: the file store's own thread, never a shard): its bytes, then its metadata,
     * which is what says that it exists.
     *
     * @param id   the attachment.
     * @param meta its metadata (the file store's text).
     * @param data its bytes.
     * @throws RuntimeException if the store did not acknowledge it (the upload then fails).
     */
    void put(long id, String meta, byte[] data);

    /**
     * Deletes a file (blocking: the file store's thread).
     *
     * @param id the attachment.
     * @throws RuntimeException if the store did not acknowledge it.
     */
    void delete(long id);

    /**
     * @param id the attachment.
     * @return its metadata, or null when there is no such file (completes on the store's I/O thread).
     */
    CompletableFuture<String> meta(long id);

    /**
     * @param id the attachment.
     * @return its bytes, or null when there is no such file (completes on the store's I/O thread).
     */
    CompletableFuture<byte[]> data(long id);

    /**
     * Writes an avatar or icon durably (blocking: the file store's thread). Images are named by their content's hash
     * and never change or go (old hashes keep working, as on Discord's CDN).
     *
     * @param kind  {@code avatars} or {@code icons}.
     * @param owner the user, guild or webhook.
     * @param hash  its hash (32 hex digits).
     * @param data  its bytes.
     * @throws RuntimeException if the store did not acknowledge it.
     */
    void putImage(String kind, long owner, String hash, byte[] data);

    /**
     * @param kind  {@code avatars} or {@code icons}.
     * @param owner the user, guild or webhook.
     * @param hash  its hash.
     * @return its bytes, or null when there is no such image (completes on the store's I/O thread).
     */
    CompletableFuture<byte[]> image(String kind, long owner, String hash);

    /**
     * The key that signs file URLs, one for the whole cluster (blocking; at start): the first node's proposal wins
     * and every node gets that one, so that any node verifies what another signed.
     *
     * @param proposed this node's own key.
     * @return the cluster's key.
     */
    byte[] secret(byte[] proposed);
}
