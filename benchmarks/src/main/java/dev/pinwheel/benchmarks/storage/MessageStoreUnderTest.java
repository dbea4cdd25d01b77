package dev.pinwheel.benchmarks.storage;

import java.util.List;

import dev.pinwheel.core.store.StoredMessage;

/**
 * The work both engines do in the storage benchmarks: the same messages, the same queries, results materialised
 * as {@link StoredMessage} objects. An append returns once the message is durable at the configured level.
 */
interface MessageStoreUnderTest extends AutoCloseable
{
    /**
     * Appends one message and makes it durable at the configured level ({@code sync}: on the device).
     */
    void append(StoredMessage message);

    /**
     * Appends messages and makes them durable together (one group commit / one transaction).
     */
    void appendBatch(StoredMessage[] messages);

    /**
     * @return the newest {@code limit} messages of the channel, newest first.
     */
    List<StoredMessage> latest(long channelId, int limit);

    /**
     * @return the {@code limit} messages before {@code anchor}, newest first.
     */
    List<StoredMessage> before(long channelId, long anchor, int limit);

    /**
     * The writer is idle between appends (Pinwheel: the shard's idle hook pre-faults the next journal page).
     */
    default void idle()
    {
    }

    /**
     * @return the message, or null.
     */
    StoredMessage get(long channelId, long id);

    @Override
    void close();
}
