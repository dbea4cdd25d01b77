package dev.pinwheel.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import dev.pinwheel.cluster.ConsensusMembership;
import dev.pinwheel.cluster.EpochState;
import dev.pinwheel.cluster.MembershipMessages;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.storage.cassandra.CassandraScopes;
import dev.pinwheel.storage.cassandra.CassandraShardStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a ring epoch changes on a cluster node on the shared Cassandra store: routing keys (guilds, users, DM pairs,
 * applications) move to the owners of the epoch's ring, and the new owner rebuilds each one from its state log.
 * Every step is agreed through the consensus log ({@link ConsensusMembership#report}), so no key has two writers and
 * none is served before its new owner holds every acknowledged record:
 * <pre>
 *   epoch E agreed ──▶ every node: refuses the keys that move until E settles (503, "moving"; a key whose owner held
 *                      it in every epoch since the last settled one keeps being served); its sessions that follow a
 *                      guild that moves get GUILD_DELETE unavailable (GuildMoves) ─ APPLIED(E)
 *   all APPLIED ──▶ every node, after a grace for commands already on their way: drops the guilds it no longer owns,
 *                   waits until its shards' writes are durable in Cassandra, forgets its read caches ─ RELEASED(E)
 *   all RELEASED ──▶ every node reads the state logs of the keys it gained (this thread, never a shard's), each
 *                    shard applies its own, the shard store adopts them ─ LOADED(E)
 *   all LOADED ──▶ every node subscribes those sessions again at the new owners (GUILD_CREATE) ─ SUBSCRIBED(E)
 *   all SUBSCRIBED ──▶ the epoch is settled: every node routes by ring(E); each shard tells the new owners of the
 *                      users and guilds that moved where its sessions of those users are and what its users show
 *                      (PeerSignals#settled; the old owners forgot both at RELEASED)
 * </pre>
 * A node that restarted holds nothing until its first load, whatever the epochs say: one restarted faster than its
 * peers noticed is live in every epoch since the last settled one, and one that caught up with an epoch that settled
 * meanwhile sees every phase done at once. It refuses its own keys until it loaded them (the others route them to it,
 * and its answers are 503 "moving" meanwhile, not 404 and 401 for guilds and tokens it had not read yet).
 * A guild's events all come from one owner at a time, and none is produced while it moves (its commands are
 * refused), so the sessions that follow it keep its order and see no event twice.
 * Messages are not copied: the new owner reads them from Cassandra as any cold channel (every acknowledged message is
 * durable there). Runs on its own thread ({@code pinwheel-handover}); shard state is touched only by shard tasks.
 */
final class CassandraHandover implements ConsensusMembership.RingEpochs, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(CassandraHandover.class);
    /** {@code pinwheel.cluster.handoverGraceMs}: how long after all nodes route by an epoch the old owners drop. */
    static final long GRACE_MS = Long.getLong("pinwheel.cluster.handoverGraceMs", 200);
    private static final long SHARD_WAIT_MS = 30_000;

    private final int nodeId;
    private final int shards;
    private final RoutingTable routing;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r ->
        Thread.ofPlatform().name("pinwheel-handover").daemon(true).unstarted(r));
    private volatile ShardGroup group;
    private volatile NodeState node;
    private volatile CassandraScopes scopes;
    private volatile ConsensusMembership membership;
    private volatile java.util.function.IntFunction<dev.pinwheel.gateway.GatewayShard> gateway;
    /** Sessions whose subscription failed while their guild moved subscribe again once the epoch settles. */
    private volatile PeerSignals lateGuilds;

    // the handover thread's own state
    private long epoch;
    private RoutingRing ring;
    /**
     * The ring the routing table took when the current epoch began, with no node settled: every key it refuses was
     * refused at some time since the last settled epoch (the keys refused only grow over the epochs that do not
     * settle).
     */
    private RoutingRing refusing;
    private boolean released;
    private boolean loaded;
    private boolean resubscribed;
    private boolean settled;
    /** Per shard: its sessions to subscribe again once the new owners hold the guilds that moved. */
    private final List<List<dev.pinwheel.gateway.session.GuildMoves.Pending>> pending = new ArrayList<>();
    /** The ring of the last completed load (null: this node holds nothing yet). */
    private RoutingRing heldRing;
    /** Rings of the releases since that load: a key is still held only if it is this node's in all of them. */
    private final List<RoutingRing> releasedSince = new ArrayList<>();

    /**
     * @param nodeId  this node.
     * @param shards  shards per node.
     * @param routing the node's routing table (swapped here).
     */
    CassandraHandover(final int nodeId, final int shards, final RoutingTable routing)
    {
        this.nodeId = nodeId;
        this.shards = shards;
        this.routing = routing;
    }

    /**
     * @return the ring a cluster node on Cassandra starts with: every key moving (refused) until its first epoch.
     */
    static RoutingRing startRing(final int members, final int shards)
    {
        return RoutingRing.build(0, members, shards, RoutingRing.DEFAULT_VIRTUAL_NODES).inHandover(RoutingRing.EMPTY, 0);
    }

    /**
     * Binds what the handover works on, once the node runs (epochs that arrive before wait on the thread's queue).
     */
    void bind(final ShardGroup shardGroup, final NodeState nodeState, final CassandraScopes reader,
        final ConsensusMembership consensus,
        final java.util.function.IntFunction<dev.pinwheel.gateway.GatewayShard> shards)
    {
        nodeState.directory().learning(true); // until the first load learnt what the other nodes keep
        this.gateway = shards;
        this.lateGuilds = new PeerSignals(shardGroup, shards);
        this.group = shardGroup;
        this.node = nodeState;
        this.scopes = reader;
        this.membership = consensus;
    }

    @Override
    public void apply(final EpochState state)
    {
        thread.execute(() ->
        {
            try
            {
                onState(state);
            }
            catch (final RuntimeException ex)
            {
                LOG.error("cluster: handover of ring epoch {} failed", state.epoch(), ex);
            }
        });
    }

    private void onState(final EpochState s)
    {
        while (membership == null || group == null)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // bound right after the node started
        }
        if (s.epoch() < epoch)
        {
            return;
        }
        if (s.epoch() > epoch)
        {
            final RoutingRing before = ring;
            epoch = s.epoch();
            ring = RoutingRing.buildLive(epoch, s.liveNodes(), shards, RoutingRing.DEFAULT_VIRTUAL_NODES);
            released = false;
            loaded = false;
            resubscribed = false;
            settled = false;
            // a node held its keys throughout only if this process loaded them: one restarted faster than its peers
            // noticed is live in every epoch since the last settled one, yet holds nothing before its first load
            final int held = heldRing == null ? s.heldCommon() & ~(1 << nodeId) : s.heldCommon();
            refusing = ring.inHandover(heldRing(s), 0, held);
            routing.swap(refusing);
            unavailable(before, ring);
            membership.report(epoch, MembershipMessages.APPLIED);
        }
        if (!released && s.all(MembershipMessages.APPLIED))
        {
            released = true;
            release();
            if (epoch == s.epoch())
            {
                membership.report(epoch, MembershipMessages.RELEASED);
            }
        }
        if (!loaded && s.all(MembershipMessages.RELEASED))
        {
            loaded = true;
            load();
            membership.report(epoch, MembershipMessages.LOADED);
        }
        if (loaded && !resubscribed && s.all(MembershipMessages.LOADED))
        {
            resubscribed = true;
            int n = 0;
            final RoutingRing r = ring;
            for (int k = 0; k < shards && k < pending.size(); k++)
            {
                final List<dev.pinwheel.gateway.session.GuildMoves.Pending> p = new ArrayList<>();
                for (final dev.pinwheel.gateway.session.GuildMoves.Pending x : pending.get(k))
                {
                    final int owner = r.owner(x.guildId()); // the newest epoch's owner (an epoch may have passed)
                    p.add(new dev.pinwheel.gateway.session.GuildMoves.Pending(x.sessionId(), x.guildId(),
                        dev.pinwheel.core.routing.ShardRoute.of(owner >>> 16, owner & 0xFFFF)));
                }
                n += onShard(k, shard -> dev.pinwheel.gateway.session.GuildMoves.resubscribe(
                    gateway.apply(shard.id()).sessions(), shard, p));
            }
            pending.clear();
            if (n > 0)
            {
                LOG.info("cluster: ring epoch {}: {} session subscription(s) sent again to the guilds' new owners",
                    epoch, n);
            }
            membership.report(epoch, MembershipMessages.SUBSCRIBED);
        }
        // settled: every live node reported its keys held — and this process loaded its own (a node that restarted
        // and caught up with an epoch settled meanwhile loads first; it served its keys unloaded before: 404s)
        if (loaded && !settled && s.all(MembershipMessages.SUBSCRIBED))
        {
            settled = true;
            routing.swap(ring);
            LOG.info("cluster: ring epoch {} settled: every live node holds its keys", epoch);
            final RoutingRing moved = refusing;
            lateGuilds.settled(ring, key -> moved.route(key) == RoutingRing.MOVING);
        }
    }

    /**
     * The ring whose keys stay served during the epoch's handover (with {@link EpochState#heldCommon()}): the ring
     * over every node live since the last settled epoch ({@link RoutingRing#inHandover(RoutingRing, int, int)}), or
     * {@link RoutingRing#EMPTY} before any epoch settled (every key moves).
     */
    private RoutingRing heldRing(final EpochState s)
    {
        return s.heldCommon() == 0 ? RoutingRing.EMPTY
            : RoutingRing.buildLive(0, s.heldUnion(), shards, RoutingRing.DEFAULT_VIRTUAL_NODES);
    }

    /**
     * The sessions of this node that follow a guild that moves: GUILD_DELETE unavailable, remembered (with those of
     * an earlier epoch that did not settle) until the new owners hold their guilds.
     */
    private void unavailable(final RoutingRing before, final RoutingRing after)
    {
        int n = 0;
        for (int k = 0; k < shards; k++)
        {
            final List<dev.pinwheel.gateway.session.GuildMoves.Pending> p = before == null ? new ArrayList<>()
                : onShard(k, shard -> dev.pinwheel.gateway.session.GuildMoves.unavailable(
                    gateway.apply(shard.id()).sessions(), shard, guild ->
                    {
                        final int owner = after.owner(guild);
                        return before.owner(guild) == owner ? -1
                            : dev.pinwheel.core.routing.ShardRoute.of(owner >>> 16, owner & 0xFFFF);
                    }));
            if (pending.size() <= k)
            {
                pending.add(new ArrayList<>());
            }
            pending.get(k).addAll(p); // with those of an epoch that did not settle
            n += p.size();
        }
        if (n > 0)
        {
            LOG.info("cluster: ring epoch {}: {} session subscription(s) to moving guilds made unavailable", epoch, n);
        }
    }

    /** Drops what this node no longer owns, once its writes are durable; forgets the read caches. */
    private void release()
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(GRACE_MS));
        final RoutingRing r = ring;
        final long[] targets = new long[shards];
        int dropped = 0;
        int forgot = 0;
        for (int k = 0; k < shards; k++)
        {
            final int me = nodeId << 16 | k;
            final long[] result = onShard(k, shard ->
            {
                int n = 0;
                final List<Long> lost = new ArrayList<>();
                for (final Guild g : shard.guilds().all())
                {
                    if (r.owner(g.id()) != me)
                    {
                        lost.add(g.id());
                    }
                }
                for (final long id : lost)
                {
                    shard.guilds().remove(id);
                    n++;
                }
                // what it kept as the owner of users and guilds that moved away (their new owners are told again)
                final java.util.function.LongPredicate away = key -> r.owner(key) != me;
                final dev.pinwheel.gateway.GatewayShard g = gateway.apply(shard.id());
                final int forgotten = g.users().forget(away) + g.presences().forget(away);
                return new long[] {shard.store().issuedSequence(), n, forgotten};
            });
            targets[k] = result[0];
            dropped += (int)result[1];
            forgot += (int)result[2];
        }
        for (int k = 0; k < shards; k++)
        {
            final long target = targets[k];
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHARD_WAIT_MS);
            while (!onShard(k, shard -> shard.store().durableSequence() >= target))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    LOG.error("cluster: shard {}'s writes did not become durable within {} ms; releasing epoch {} "
                        + "anyway (writes not durable were not acknowledged)", k, SHARD_WAIT_MS, epoch);
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            onShard(k, shard ->
            {
                if (shard.store() instanceof CassandraShardStore c)
                {
                    c.dropCaches();
                }
                return Boolean.TRUE;
            });
        }
        releasedSince.add(r);
        LOG.info("cluster: ring epoch {}: released {} guild(s) this node no longer owns, and {} record(s) of users' "
            + "sessions and presences kept for keys that moved away", epoch, dropped, forgot);
    }

    /** Reads the state logs of the keys this node gained and has each shard apply its own. */
    private void load()
    {
        final long t0 = System.nanoTime();
        final RoutingRing r = ring;
        final List<List<CassandraScopes.StateRow>> perShard = new ArrayList<>();
        final List<List<Long>> gainedPerShard = new ArrayList<>();
        for (int k = 0; k < shards; k++)
        {
            perShard.add(new ArrayList<>());
            gainedPerShard.add(new ArrayList<>());
        }
        int gained = 0;
        int records = 0;
        final boolean first = heldRing == null;
        final List<CassandraScopes.StateRow> nodeWide = new ArrayList<>();
        for (final long scope : scopes.all())
        {
            final int owner = r.owner(scope);
            if (owner >>> 16 != nodeId || held(scope, owner))
            {
                if (first && owner >>> 16 != nodeId)
                {
                    nodeWide.addAll(scopes.log(scope)); // another node's key: only its node-wide records matter here
                }
                continue;
            }
            final int k = owner & 0xFFFF;
            gainedPerShard.get(k).add(scope);
            final List<CassandraScopes.StateRow> rows = scopes.log(scope);
            perShard.get(k).addAll(rows);
            gained++;
            records += rows.size();
        }
        for (int k = 0; k < shards; k++)
        {
            final List<CassandraScopes.StateRow> rows = perShard.get(k);
            rows.sort(Comparator.comparingLong(CassandraScopes.StateRow::seq));
            final long[] keys = gainedPerShard.get(k).stream().mapToLong(Long::longValue).toArray();
            final NodeState n = node;
            onShard(k, shard ->
            {
                for (final long key : keys)
                {
                    shard.guilds().remove(key); // a stale copy from an earlier epoch
                }
                long maxSeq = 0;
                for (final CassandraScopes.StateRow row : rows)
                {
                    try
                    {
                        StateRecords.decode(row.type(), row.payload()).applyTo(shard.guilds(), n);
                    }
                    catch (final RuntimeException ex)
                    {
                        LOG.error("cluster: shard {}: state record (type {}) of scope {} cannot be applied: {}",
                            shard.id(), row.type(), row.scope(), ex.toString());
                    }
                    maxSeq = Math.max(maxSeq, row.seq());
                }
                if (shard.store() instanceof CassandraShardStore c)
                {
                    c.adopt(keys, maxSeq);
                }
                // DMs to the users gained wait for their sessions' shards, which tell where they are once it settles
                gateway.apply(shard.id()).users().gained(keys);
                return Boolean.TRUE;
            });
        }
        if (first)
        {
            learnNodeWide(nodeWide);
            node.directory().learning(false); // unknown tokens and DM channels are unknown from now on
        }
        heldRing = r;
        releasedSince.clear();
        LOG.info("cluster: ring epoch {}: loaded {} routing key(s) ({} state records) this node gained, in {} ms",
            epoch, gained, records, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * A node that (re)starts learns what every node keeps node-wide (accounts and tokens, guild summaries, channel →
     * guild, invites, DM pairs) from the state logs of the keys other nodes own, also what was written while it was
     * down: each log replayed in order into a scratch guild table (thrown away: those guilds stay with their owners)
     * and this node's {@link NodeState}. Later records reach it as every node's do (the link's state broadcast).
     */
    private void learnNodeWide(final List<CassandraScopes.StateRow> rows)
    {
        final long t0 = System.nanoTime();
        rows.sort(Comparator.comparingLong(CassandraScopes.StateRow::seq));
        final dev.pinwheel.core.guild.GuildTable scratch = new dev.pinwheel.core.guild.GuildTable();
        int skipped = 0;
        for (final CassandraScopes.StateRow row : rows)
        {
            try
            {
                StateRecords.decode(row.type(), row.payload()).applyTo(scratch, node);
            }
            catch (final RuntimeException ex)
            {
                skipped++;
            }
        }
        LOG.info("cluster: learned the node-wide records of {} state records of other nodes' keys in {} ms{}",
            rows.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
            skipped == 0 ? "" : " (" + skipped + " could not be applied)");
    }

    /**
     * Reads every scope's state log again, on this thread, for the node-wide records written while this node was cut
     * off from a peer (the peer's broadcast of them was refused; the embedded store's catch-up has no counterpart
     * here: the logs are shared).
     *
     * @return completes with what applies them to this node's node-wide state (run by the link's receiver, which
     *         holds the live records meanwhile: {@code NodeLink#holdStatesUntil}).
     */
    java.util.concurrent.CompletableFuture<Runnable> relearnNodeWide()
    {
        return java.util.concurrent.CompletableFuture.supplyAsync(() ->
        {
            final CassandraScopes s = scopes;
            if (s == null || node == null)
            {
                return () -> { };
            }
            final long t0 = System.nanoTime();
            final List<CassandraScopes.StateRow> rows = new ArrayList<>();
            for (final long scope : s.all())
            {
                rows.addAll(s.log(scope));
            }
            LOG.info("cluster: read {} state records again for the node-wide records written while a peer was "
                + "unreachable, in {} ms", rows.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return () -> learnNodeWide(rows);
        }, thread);
    }

    /** Whether this node still holds a key for that owner shard (loaded before and never released since). */
    private boolean held(final long scope, final int owner)
    {
        if (heldRing == null || heldRing.owner(scope) != owner)
        {
            return false;
        }
        for (final RoutingRing r : releasedSince)
        {
            if (r.owner(scope) != owner)
            {
                return false;
            }
        }
        return true;
    }

    /** Runs on shard k and waits for its answer (retried while the shard's inbox is full). */
    private <T> T onShard(final int k, final Function<Shard, T> work)
    {
        final CompletableFuture<T> done = new CompletableFuture<>();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHARD_WAIT_MS);
        while (!group.send(k, shard ->
        {
            try
            {
                done.complete(work.apply(shard));
            }
            catch (final RuntimeException ex)
            {
                done.completeExceptionally(ex);
            }
        }))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("shard " + k + "'s inbox stayed full");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        try
        {
            return done.get(SHARD_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new IllegalStateException("shard " + k + ": " + ex, ex);
        }
    }

    @Override
    public void close()
    {
        thread.shutdownNow();
    }
}
