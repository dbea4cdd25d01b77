package dev.pinwheel.server;

import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.cluster.NodeLink;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.gateway.GatewayShard;
import dev.pinwheel.gateway.owner.PresenceService;
import dev.pinwheel.gateway.session.ShardSessions;

/**
 * A peer asked for this node's node-wide records (it started, restarted or was cut off: {@link NodeLink} asks each
 * peer whose link comes up). Each shard first tells it again where its sessions of the peer's users are and what they
 * show ({@link ShardSessions#announceUsersTo}: a new start knows nothing of it) and what the users this shard owns show
 * in the peer's guilds ({@link PresenceService#announceTo}), then that it follows the peer again
 * ({@link NodeLink#followingAgain}: behind every subscription the shard sent it, so the peer, which holds back
 * whatever could produce events until each shard of each live peer said so, misses none of its events here); then the
 * node-wide records. On the embedded store each node's accounts, tokens, guild summaries, invites and DM pairs
 * are in its own shards' journals only, and reach the others once, by the link's broadcast when journaled; so each
 * shard sends every record of its state journal to that peer, which applies the node-wide part as it applies a live
 * one.
 * <pre>
 *   node X starts ─▶ link to P up ─▶ CATCH_UP_REQUEST ─▶ P's receiver ─▶ this ─▶ a task on each shard of P
 *   shard j of P: USER_SESSIONS, PRESENCE_SET for X's users ─▶ FOLLOWING_AGAIN to X (X ends its start hold when
 *                 every shard of every live peer sent it)
 *   shard j of P: NodeLink#beginCatchUp ─▶ a slice of its state journal per duty cycle ─▶ STATE frames to X (behind
 *                 what j sent X before; what j sends X meanwhile, its later records among it, waits behind the scan)
 * </pre>
 * The shard's own FIFO keeps every key's records in journal order at X (a key's records all come from its owner
 * shard), and the scan ends with the newest, so X ends up with the latest state even when live records overtook it.
 * The scan is sliced ({@code pinwheel.cluster.catchUpSliceRecords}, {@code catchUpSliceBytes}) so that a large
 * journal does not pause the shard's sessions for the whole of it. A store without a journal of its own (Cassandra: a
 * restarted node reads the shared state logs) sends nothing.
 */
final class NodeWideCatchUp implements NodeLink.CatchUpHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeWideCatchUp.class);
    /** A shard whose inbox ring is full is asked again this much later, this many times. */
    private static final int MAX_ATTEMPTS = 500;

    private final ShardGroup group;
    private final NodeLink link;
    private final IntFunction<GatewayShard> shards;

    /**
     * @param group  this node's shards.
     * @param link   its link.
     * @param shards each shard's gateway side (sessions, presence), by shard index.
     */
    NodeWideCatchUp(final ShardGroup group, final NodeLink link, final IntFunction<GatewayShard> shards)
    {
        this.group = group;
        this.link = link;
        this.shards = shards;
    }

    @Override
    public void requested(final int node, final long token)
    {
        for (int k = 0; k < group.shardCount(); k++)
        {
            send(k, node, token, 1);
        }
    }

    private void send(final int shard, final int node, final long token, final int attempt)
    {
        ShardRetries.send(group, shard, a -> new Scan(node, token, a), attempt, MAX_ATTEMPTS, k -> gaveUp(k, node));
    }

    private static void gaveUp(final int shard, final int node)
    {
        LOG.error("cluster: catch-up for node {}: shard {} stayed full or could not reach it for {} s; node {} misses "
            + "this shard's node-wide records until its link comes up again", node, shard,
            MAX_ATTEMPTS * ShardRetries.RETRY_MS / 1000, node);
    }

    /**
     * On the shard's thread: tells the peer again where this shard's sessions of its users are, that this shard
     * follows it again, and begins the scan of its journal for it (the link sends it a slice per cycle).
     */
    private final class Scan implements ShardTask
    {
        private final int node;
        private final long token;
        private final int attempt;

        Scan(final int node, final long token, final int attempt)
        {
            this.node = node;
            this.token = token;
            this.attempt = attempt;
        }

        @Override
        public void run(final Shard shard)
        {
            if (!link.connected(node))
            {
                // the peer asked over its own stream; this node's stream to it may connect a moment later (each
                // direction is set up on its own): what is sent before would be refused, the hold's answer lost
                ShardRetries.later(group, shard.id(), a -> new Scan(node, token, a), attempt, MAX_ATTEMPTS,
                    k -> gaveUp(k, node));
                return;
            }
            final GatewayShard g = shards.apply(shard.id());
            final int users = g.sessions().announceUsersTo(node);
            final int presences = g.presences().announceTo(shard, node);
            if (users + presences > 0)
            {
                LOG.info("cluster: node {} asked for this node's records: shard {} told it again of {} user(s) with "
                    + "sessions here and of {} user(s)' presence in its guilds", node, shard.id(), users, presences);
            }
            link.followingAgain(shard.id(), node, token);
            link.beginCatchUp(shard.id(), node, shard.store()); // no journal of its own: only CATCH_UP_DONE
        }
    }
}
