package dev.pinwheel.server;

import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.cluster.NodeLink;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.GatewayShard;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.session.LateGuilds;
import dev.pinwheel.gateway.session.ShardSessions;

/**
 * Tells every shard what a peer's change means for it: its {@link LateGuilds} when the reason a session could not
 * follow a guild may have healed, or when sessions lose a guild — the node's link to a peer went down (the sessions here
 * that follow its guilds get {@code GUILD_DELETE {unavailable: true}} and wait for them), came back (those waiting
 * subscribe again at once: {@code GUILD_CREATE}), or a ring epoch settled on the shared Cassandra store (every waiting
 * one subscribes again) — and its owners of users, guilds and voice channels when the peer's sessions are gone (it went
 * down, or a new start of it appeared).
 * <pre>
 *   NodeLink watch (receiver thread) ─ node K down ─▶ a task on each shard: LateGuilds#ownerUnreachable(K's guilds),
 *                                                 and K's sessions gone (PresenceService#nodeGone,
 *                                                 UserSessionService#nodeGone, VoiceService#nodeGone,
 *                                                 LazyMemberLists#nodeGone); the posts sent to K and unanswered
 *                                                 sent again to their guild's owner (ExchangeTable#failNode)
 *                                    └ node K up ───▶ a task on each shard: LateGuilds#retryNode(K)
 *   K's frames arrive on a new stream (it restarted) ────▶ a task on each shard: the REST requests sent to K
 *                                                 and unanswered as when K went down (ExchangeTable#failNode); and when
 *                                                 its link was never seen down in between (a restart faster than the
 *                                                 link notices): ownerUnreachable(K's guilds), retryNode(K); and the
 *                                                 old start's sessions gone (nodeGone)
 *   CassandraHandover: epoch settled ──────────────▶ a task on each shard: LateGuilds#retryNow(every guild), and
 *                                                 the sessions of users whose key moved announced to their new
 *                                                 owners, what its users show told to moved guilds' new owners
 * </pre>
 * A task goes on the shard's ring behind what the link receiver put there before (an owner's answers that arrived
 * before its node was seen down are run first). A full ring is asked again a little later, a bounded number of times;
 * the retries' own backoff covers a signal lost even so.
 */
final class PeerSignals implements NodeLink.PeerWatch
{
    private static final Logger LOG = LoggerFactory.getLogger(PeerSignals.class);
    private static final int MAX_ATTEMPTS = 250;

    private final ShardGroup group;
    private final IntFunction<ShardSessions> sessions;
    private final IntFunction<ExchangeTable> exchanges;
    private final IntFunction<GatewayShard> shards;
    /** Peers seen unreachable since they were last seen connected (receiver thread). */
    private final java.util.BitSet seenDown = new java.util.BitSet();
    /** On a shared store: the link, and what reads the node-wide records again after an outage; null otherwise. */
    private NodeLink link;
    private java.util.function.Supplier<java.util.concurrent.CompletableFuture<Runnable>> relearn;

    /**
     * @param group  this node's shards.
     * @param shards each shard's gateway side (its sessions, waiting REST requests, presence), by shard index.
     */
    PeerSignals(final ShardGroup group, final IntFunction<GatewayShard> shards)
    {
        this.group = group;
        this.shards = shards;
        this.sessions = k -> shards.apply(k).sessions();
        this.exchanges = k -> shards.apply(k).exchanges();
    }

    /**
     * On a shard: a node's sessions are gone (unreachable, or a new start of it): its users' presences there no longer
     * count, and the users it owns show offline in this shard's guilds until it tells again.
     */
    private int sessionsGone(final Shard shard, final int node, final boolean restarted)
    {
        final GatewayShard g = shards.apply(shard.id());
        final int users = g.users().nodeGone(node, restarted);
        final int presences = g.presences().nodeGone(shard, node);
        final int voice = g.voice().nodeGone(shard, node);
        final int lists = g.memberLists().nodeGone(node);
        if (users + presences + voice + lists > 0)
        {
            LOG.info("cluster: node {}'s sessions gone: shard {}: {} user(s) had sessions there, {} presence(s) now "
                + "offline, {} member(s) left voice, {} member list subscription(s) dropped", node, shard.id(), users,
                presences, voice, lists);
        }
        return 0; // not session guild subscriptions
    }

    /**
     * A peer's frames arrive on a new stream ({@code NodeLink}): it restarted. The REST requests each shard
     * sent it and still waits for are answered 503 now (their answer will not come; waiting gave a 504 after 30 s),
     * but posts, which are sent again to their guild's owner (ExchangeTable#failNode).
     * When its link was never seen down in between it restarted faster than the link notices ({@code peerTimeoutMs}):
     * it forgot which shards here follow its guilds, so their sessions are treated as after a loss — GUILD_DELETE
     * unavailable — and subscribe again at once (GUILD_CREATE). Link receiver thread (as {@link #peerChanged}), before
     * anything the new start sent is put on a shard ring.
     */
    @Override
    public void peerRestarted(final int node, final boolean seenDown)
    {
        onEveryShard("node " + node + " restarted", (shard, late) ->
        {
            final int failed = exchanges.apply(shard.id()).failNode(shard, node, DiscordError.NODE_RESTARTED);
            if (failed > 0)
            {
                LOG.warn("cluster: node {} restarted: shard {}: {} REST request(s) sent to it answered 503 (its answer "
                    + "will not come)", node, shard.id(), failed);
            }
            sessionsGone(shard, node, true); // seen down or not: what it tells from now on is the new start's
            return seenDown ? 0 : late.ownerUnreachable(ownedBy(node)) + late.retryNode(node);
        });
    }

    private java.util.function.LongPredicate ownedBy(final int node)
    {
        return guild ->
        {
            final int owner = group.ownerOf(guild);
            return ShardRoute.onNode(owner, node);
        };
    }

    /**
     * On the shared Cassandra store: once a peer seen unreachable is connected again, the node-wide records (accounts,
     * tokens, memberships, guild summaries, invites, DM pairs) are read again from Cassandra — the ones the peer
     * broadcast meanwhile were refused, and a store without a journal of its own has no catch-up — with the live ones
     * held meanwhile; then each shard matches its sessions against the memberships of the guilds other nodes own.
     * Before, a node cut off for a while learnt them only when it restarted: a user registered meanwhile got 401 and
     * 4004 there. Once, before the link starts.
     *
     * @param nodeLink the link.
     * @param reader   reads the records on its own thread and completes with what applies them.
     */
    void relearnAfterOutage(final NodeLink nodeLink,
        final java.util.function.Supplier<java.util.concurrent.CompletableFuture<Runnable>> reader)
    {
        this.link = nodeLink;
        this.relearn = reader;
    }

    @Override
    public void peerChanged(final int node, final boolean up)
    {
        if (up)
        {
            if (seenDown.get(node) && relearn != null)
            {
                seenDown.clear(node);
                link.holdStatesUntil(relearn.get(), () -> reconcile("node-wide records read again",
                    guild -> ShardRoute.clustered(group.ownerOf(guild))));
            }
            onEveryShard("node " + node + " connected", (shard, late) -> late.retryNode(node));
        }
        else
        {
            seenDown.set(node);
            onEveryShard("node " + node + " unreachable", (shard, late) ->
            {
                // the posts sent there are sent again to whoever owns their guild (ExchangeTable#remember: written
                // once); the rest wait on: this node may be the one that was stalled, their answers on their way
                // (they are answered when the node restarts, or time out: 504)
                exchanges.apply(shard.id()).failNode(shard, node, DiscordError.FORWARD_LOST, true);
                return sessionsGone(shard, node, false) + late.ownerUnreachable(ownedBy(node));
            });
        }
    }

    /**
     * A peer's shard sent every record of its journal this node asked for: the memberships of the guilds it owns are
     * up to date here, and each shard matches its sessions against them ({@link ShardSessions#reconcileMemberships}):
     * joins and removals the owner told while the two nodes were cut off (or before this node started) were refused
     * on the way.
     */
    @Override
    public void caughtUp(final int node, final int peerShard)
    {
        final int route = ShardRoute.of(node, peerShard);
        reconcile("node " + node + " shard " + peerShard + " sent its records", guild -> group.ownerOf(guild) == route);
    }

    /** On every shard: its sessions matched against the memberships of some guilds, now known to be up to date. */
    private void reconcile(final String why, final java.util.function.LongPredicate guilds)
    {
        onEveryShard(why, (shard, late) ->
        {
            final int n = sessions.apply(shard.id()).reconcileMemberships(guilds);
            if (n > 0)
            {
                LOG.info("cluster: {}: shard {}: {} session(s) subscribed to guilds they had joined, or removed from "
                    + "guilds they had left, meanwhile", why, shard.id(), n);
            }
            return 0;
        });
    }

    /**
     * A ring epoch settled (the shared Cassandra store): every guild a session waits for may be served now; the new
     * owners of the users whose key moved learn where their sessions are and what they show, and those of the guilds
     * that moved what their members show (each knows none of it, and what was sent while the keys moved was refused).
     * Before, a moved user's DMs reached none of their sessions and their guilds showed them offline until they
     * reconnected.
     *
     * @param ring  the settled ring: the REST requests waiting on a node it is without are answered (or sent again).
     * @param moved the keys refused at some time since the last settled epoch (moved, or moving and back).
     */
    void settled(final RoutingRing ring, final java.util.function.LongPredicate moved)
    {
        final long lost = lostNodes(ring);
        onEveryShard("ring epoch settled", (shard, late) ->
        {
            final GatewayShard g = shards.apply(shard.id());
            // the REST requests still waiting on a node the settled ring is without: its answer is not expected any
            // more (it was declared lost; were it only stalled, what it sends later is dropped, as after a restart).
            // Those kept to be sent again go to their guild's new owner; the others are answered 503 now, where they
            // waited for a 504 after 30 s
            final long waitedOn = g.exchanges().nodesWaitedOn() & lost;
            final int failed = waitedOn == 0 ? 0 : g.exchanges().failNodes(shard, waitedOn, DiscordError.NODE_LOST);
            if (failed > 0)
            {
                LOG.warn("cluster: ring epoch settled without node {}: shard {}: {} REST request(s) sent there "
                    + "answered 503 (their answer is not expected)", java.util.stream.IntStream.range(0, Long.SIZE)
                    .filter(n -> (waitedOn & 1L << n) != 0).mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(", ")), shard.id(), failed);
            }
            final int users = g.sessions().announceUsers(moved);
            final int presences = g.presences().announceIn(shard, moved);
            if (users + presences > 0)
            {
                LOG.info("cluster: ring epoch settled: shard {}: told the new owners of {} moved user(s) where "
                    + "their sessions are, and those of moved guilds what {} user(s) show", shard.id(), users,
                    presences);
            }
            return late.retryNow(guild -> true);
        });
    }

    /**
     * @param ring the settled ring.
     * @return the node ids (a bit each) it holds no shard of, but this node's.
     */
    private long lostNodes(final RoutingRing ring)
    {
        long in = 0;
        for (final int owner : ring.owners())
        {
            if (owner >= 0) // a ring owner is node << 16 | shard
            {
                in |= 1L << ((owner >>> 16) & 63);
            }
        }
        if (in == 0)
        {
            return 0; // no ring (nothing settled): nothing is known lost
        }
        return ~in & ~(1L << (group.nodeId() & 63)) & (1L << ShardRoute.MAX_NODE + 1) - 1;
    }

    /** What a signal does on one shard (its thread). */
    @FunctionalInterface
    private interface ShardWork
    {
        /** @return session guild subscriptions affected. */
        int run(Shard shard, LateGuilds late);
    }

    private void onEveryShard(final String why, final ShardWork work)
    {
        for (int k = 0; k < group.shardCount(); k++)
        {
            send(k, why, work, 1);
        }
    }

    private void send(final int k, final String why, final ShardWork work, final int attempt)
    {
        ShardRetries.send(group, k, a -> shard ->
        {
            final int n = work.run(shard, sessions.apply(shard.id()).lateGuilds());
            if (n > 0)
            {
                LOG.info("cluster: {}: shard {}: {} session guild subscription(s) {}", why, shard.id(), n,
                    why.endsWith("unreachable") ? "made unavailable (subscribed again when it is back)"
                        : why.endsWith("restarted") ? "made unavailable and sent again (it forgot them)"
                        : "sent again");
            }
        }, attempt, MAX_ATTEMPTS, shard -> LOG.warn("cluster: {}: shard {} stayed full; its sessions' guilds are "
            + "retried by their backoff", why, shard));
    }
}
