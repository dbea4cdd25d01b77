package dev.pinwheel.core.shard;

import org.agrona.DirectBuffer;

import dev.pinwheel.core.fanout.Dispatch;

/**
 * What a node's shards need of the other nodes: typed commands and guild events sent as bytes to a shard of another
 * node. Implemented over Aeron in the cluster module; core knows only this interface (a single node has none).
 * <pre>
 *   shard k (node A) ──offerCommand / offerDispatch──▶ publication A→B ─ ─ ─▶ node B's receiver ──▶ B's shard rings
 *        ▲ retryPending each duty cycle: what a back-pressured publication refused, in order
 * </pre>
 * Every method is called by shard {@code fromShard}'s own thread only (the link keeps per-shard state for it), and
 * never blocks. Order: everything one shard sends to one node arrives in the order it was sent (one ordered stream
 * per node pair; what waits for room is retried in order, and anything later to that node queues behind it).
 */
public interface ClusterLink
{
    /**
     * Sends a typed command's bytes to a shard of another node.
     *
     * @param fromShard the sending shard (its thread).
     * @param node      target node.
     * @param shard     target shard of that node.
     * @param bytes     the command.
     * @param offset    where it starts.
     * @param length    its length.
     * @param answer    whether it answers a request of that node ({@link Shard#answer}): then it is held in order
     *                  even past the queue's limit, never refused as {@link #QUEUE_FULL} — the requests a node waits
     *                  on bound its answers, and a refused answer would leave the client waiting for a timeout after
     *                  the owner did the work.
     * @return {@link #SENT} (sent or queued in order behind earlier sends), {@link #NODE_DOWN} (the node is not
     *         connected: the caller answers 503) or {@link #QUEUE_FULL} (too much waits already: counted, the caller
     *         answers).
     */
    int offerCommand(int fromShard, int node, int shard, DirectBuffer bytes, int offset, int length, boolean answer);

    /**
     * Sends one event of a guild to another node, once, for every interested shard of that node.
     *
     * @param fromShard  the owner shard (its thread).
     * @param node       target node.
     * @param shardMask  the shards of that node whose sessions follow the guild.
     * @param dispatch   the event.
     * @return as {@link #offerCommand}; an event that is not sent is counted by the link.
     */
    int offerDispatch(int fromShard, int node, long shardMask, Dispatch dispatch);

    /**
     * Tells every other node of a journaled state record, so that what every node keeps node-wide (accounts and
     * their tokens, guild summaries, channel → guild, invites, DM pairs: {@code NodeState}) is known on all of them.
     * Called once the record is durable; each node applies it to its own node-wide state only (the guild state stays
     * with the owner).
     *
     * @param fromShard the shard that journaled it (its thread).
     * @param type      record type.
     * @param payload   the record.
     */
    void offerState(int fromShard, int type, byte[] payload);

    /**
     * Whether this node holds every node-wide record the owner shard of a route journaled before this node started
     * (the accounts and tokens of the users it owns among them): that shard sent its catch-up to this start of the
     * node. Until then an unknown token of a user it owns may be valid, and is told as a failure that heals rather
     * than as a bad token. Any thread.
     *
     * @param route a clustered route (another node's shard).
     * @return whether it caught this node up.
     */
    default boolean caughtUp(final int route)
    {
        return true;
    }

    /**
     * Where another node answers HTTP (REST, gateway, files), as it told this node. Any thread.
     *
     * @param node a node of the cluster.
     * @return {@code host:port}, or null if that node has not told it (or is this node).
     */
    default String httpAddress(final int node)
    {
        return null;
    }

    /**
     * Retries, in order, what back-pressure held back for this shard. A node that went down meanwhile refuses what
     * waited for it: each command is handed to {@code refused} (its waiting request is answered), each event counted.
     *
     * @param fromShard the shard (its thread).
     * @param refused   told of each held-back command the link gave up on.
     * @return entries sent or refused.
     */
    int retryPending(int fromShard, Refused refused);

    /**
     * Puts on the wire now what this shard just offered (every node's copy of one event, or one command), when the
     * link does that on the shard's own thread: at most once per duty cycle, the rest at {@link #endOfCycle}. Otherwise
     * nothing (the link's thread sends it).
     *
     * @param fromShard the shard (its thread).
     */
    default void sendOffered(final int fromShard)
    {
    }

    /**
     * The end of the shard's duty cycle, after its sessions' writes: what the shard offered in this cycle is put on the
     * wire now (the link may run its media driver's cycle on this thread here, rather than wake a thread of its own
     * for it). Each duty cycle, whatever it did.
     *
     * @param fromShard the shard (its thread).
     * @return work done.
     */
    default int endOfCycle(final int fromShard)
    {
        return 0;
    }

    /** Told of a held-back command that cannot be sent any more (its node went down). */
    @FunctionalInterface
    interface Refused
    {
        /**
         * @param node   the node it was for.
         * @param bytes  the command (valid during the call).
         * @param offset where it starts.
         * @param length its length.
         */
        void commandRefused(int node, DirectBuffer bytes, int offset, int length);
    }

    /**
     * @param fromShard the shard (its thread).
     * @return whether something of this shard waits for room (the shard must not sleep long).
     */
    boolean hasPending(int fromShard);

    /**
     * A node that starts knows nothing of the sessions of other nodes that follow its guilds and users until they tell
     * it again: its shards hold back the commands that could produce events ({@link Shard#holdCommands}) until the
     * link says every live peer did, or at most this long.
     *
     * @return the longest start hold; 0: none.
     */
    default long startHoldNanos()
    {
        return 0;
    }

    /**
     * @return the cluster's members (node ids {@code 0..nodes()-1}, this node among them).
     */
    int nodes();

    /**
     * @param node a node of the cluster.
     * @return whether this node's stream to it is connected (what is sent there now is not refused as down).
     */
    boolean connected(int node);

    /** Sent, or queued in order behind earlier sends to the same node. */
    int SENT = 0;
    /** The target node is not connected. */
    int NODE_DOWN = 1;
    /** The shard's queue for that node is full. */
    int QUEUE_FULL = 2;
}
