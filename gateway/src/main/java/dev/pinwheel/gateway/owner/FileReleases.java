package dev.pinwheel.gateway.owner;

/**
 * What an owner tells the node's file store once a change that drops attachments is committed (a deleted message,
 * an edit that removed files, a refused upload): those attachments are no longer referenced, their bytes may go.
 * Implemented per shard by its {@code GatewayShard}; the work runs on the store's own thread.
 */
@FunctionalInterface
public interface FileReleases
{
    /** Releases nothing (nodes and tests without a file store). */
    FileReleases NONE = ids -> { };

    /**
     * @param attachmentIds attachments no message refers to any more.
     */
    void release(long[] attachmentIds);
}
