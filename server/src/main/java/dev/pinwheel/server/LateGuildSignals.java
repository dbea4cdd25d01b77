package dev.pinwheel.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.cluster.NodeLink;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.session.LateGuilds;
import dev.pinwheel.gateway.session.ShardSessions;

/**
 * Tells every shard's {@link LateGuilds} when the reason a session could not follow a guild may have healed, or when
 * sessions lose a guild: the node's link to a peer went down (the sessions here that follow its guilds get
 * {@code GUILD_DELETE {unavailable: true}} and wait for them), came back (those waiting subscribe again at once:
 * {@code GUILD_CREATE}), or a ring epoch settled on the shared Cassandra store (every waiting one subscribes again).
 * <pre>
 *   NodeLink watch (receiver thread) ─ node K down ─▶ a task on each shard: LateGuilds#ownerUnreachable(K's guilds)
 *                                    └ node K up ───▶ a task on each shard: LateGuilds#retryNode(K)
 *   K asks for a catch-up again, its link never seen down in between (a restart faster than the link notices)
 *                                                 ─▶ a task on each shard: ownerUnreachable(K's guilds), retryNode(K)
 *   CassandraHandover: epoch settled ──────────────▶ a task on each shard: LateGuilds#retryNow(every guild)
 * </pre>
 * A task goes on the shard's ring behind what the link receiver put there before (an owner's answers that arrived
 * before its node was seen down are run first). A full ring is asked again a little later, a bounded number of times;
 * the retries' own backoff covers a signal lost even so.
 */
final class LateGuildSignals implements NodeLink.PeerWatch
{
    private static final Logger LOG = LoggerFactory.getLogger(LateGuildSignals.class);
    private static final long RETRY_MS = 20;
    private static final int MAX_ATTEMPTS = 250;
    private static final Executor LATER = CompletableFuture.delayedExecutor(RETRY_MS, TimeUnit.MILLISECONDS);

    private final ShardGroup group;
    private final IntFunction<ShardSessions> sessions;
    /** Per node: it asked this node for its node-wide records before (link receiver thread only). */
    private boolean[] asked = new boolean[0];
    /** Per node: its link was seen down since it last asked (link receiver thread only). */
    private boolean[] downSinceAsked = new boolean[0];

    /**
     * @param group    this node's shards.
     * @param sessions each shard's sessions, by shard index.
     */
    LateGuildSignals(final ShardGroup group, final IntFunction<ShardSessions> sessions)
    {
        this.group = group;
        this.sessions = sessions;
    }

    /**
     * A peer asked this node for its node-wide records ({@code NodeLink#onCatchUpRequest}): its link to this node came
     * up, so it started, restarted or was cut off. When it asked before and this node never saw its link go down in
     * between, it restarted faster than the link notices ({@code peerTimeoutMs}): it forgot which shards here follow
     * its guilds, so their sessions are treated as after a loss — GUILD_DELETE unavailable — and subscribe again at
     * once (GUILD_CREATE). Link receiver thread (as {@link #peerChanged}).
     *
     * @param node the peer.
     */
    void peerAsked(final int node)
    {
        grow(node);
        final boolean restartedUnseen = asked[node] && !downSinceAsked[node];
        asked[node] = true;
        downSinceAsked[node] = false;
        if (restartedUnseen)
        {
            onEveryShard("node " + node + " restarted", late -> late.ownerUnreachable(ownedBy(node))
                + late.retryNode(node));
        }
    }

    private java.util.function.LongPredicate ownedBy(final int node)
    {
        return guild ->
        {
            final int owner = group.ownerOf(guild);
            return ShardRoute.clustered(owner) && ShardRoute.node(owner) == node;
        };
    }

    private void grow(final int node)
    {
        if (node >= asked.length)
        {
            asked = java.util.Arrays.copyOf(asked, node + 1);
            downSinceAsked = java.util.Arrays.copyOf(downSinceAsked, node + 1);
        }
    }

    @Override
    public void peerChanged(final int node, final boolean up)
    {
        if (up)
        {
            onEveryShard("node " + node + " connected", late -> late.retryNode(node));
        }
        else
        {
            grow(node);
            downSinceAsked[node] = true;
            onEveryShard("node " + node + " unreachable", late -> late.ownerUnreachable(ownedBy(node)));
        }
    }

    /**
     * A ring epoch settled: every guild a session waits for may be served now.
     */
    void settled()
    {
        onEveryShard("ring epoch settled", late -> late.retryNow(guild -> true));
    }

    private void onEveryShard(final String why, final Function<LateGuilds, Integer> work)
    {
        for (int k = 0; k < group.shardCount(); k++)
        {
            send(k, why, work, 1);
        }
    }

    private void send(final int k, final String why, final Function<LateGuilds, Integer> work, final int attempt)
    {
        final boolean queued = group.send(k, shard ->
        {
            final int n = work.apply(sessions.apply(shard.id()).lateGuilds());
            if (n > 0)
            {
                LOG.info("cluster: {}: shard {}: {} session guild subscription(s) {}", why, shard.id(), n,
                    why.endsWith("unreachable") ? "made unavailable (subscribed again when it is back)"
                        : why.endsWith("restarted") ? "made unavailable and sent again (it forgot them)"
                        : "sent again");
            }
        });
        if (queued)
        {
            return;
        }
        if (attempt >= MAX_ATTEMPTS)
        {
            LOG.warn("cluster: {}: shard {} stayed full; its sessions' guilds are retried by their backoff", why, k);
            return;
        }
        LATER.execute(() -> send(k, why, work, attempt + 1));
    }
}
