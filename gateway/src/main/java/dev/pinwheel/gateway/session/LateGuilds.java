package dev.pinwheel.gateway.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.core.log.ThrottledLog;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Json;

/**
 * The guilds a shard's sessions should follow but do not, because their subscription failed for a reason that may
 * heal — the owner's node unreachable, the guild moving in a ring epoch's handover, a dropped hand-off — or because
 * the owner's node became unreachable while they followed it. Each such (session, guild) was told the guild is
 * unavailable ({@code GUILD_DELETE {unavailable: true}}, as Discord does in an outage) and subscribes again later on
 * the same session, which answers {@code GUILD_CREATE} through the ordinary snapshot-then-stream path (no event before
 * its snapshot, none twice): discord.js emits {@code guildAvailable}, JDA {@code GuildAvailableEvent}.
 * <pre>
 *   SUBSCRIBE fails (503-like) ──GUILD_DEFERRED──▶ {@link #failed}: GUILD_DELETE unavailable (once), remembered
 *   owner's node unreachable ─▶ {@link #ownerUnreachable}: its followers here GUILD_DELETE unavailable, remembered
 *   retried: when the reason may have healed ({@link #retryNow}: the node's link is back, a ring epoch settled) and
 *            by a capped backoff with jitter ({@link #poll}: 1, 2, 4, 5, 5 … s) so that a missed signal strands none;
 *            a retry unanswered for 15 s (lost on its way to a node that restarted unnoticed) is sent again
 *   forgotten: GUILD_CREATE came, the owner refused for good (not a member), the session ended or left the guild
 * </pre>
 * Nothing is kept for a session none of whose subscriptions failed, and at most {@link #MAX_ENTRIES_PROP} entries
 * per shard (past it a failure is told and not retried, counted in {@link #dropped()}). What it does is counted in the
 * node's counters ({@link LateGuildCounters}: {@code pinwheel_cluster_late_guilds_*} in {@code /metrics}). Shard thread
 * only.
 */
public final class LateGuilds
{
    /** {@code pinwheel.gateway.late-guilds.first-retry-ms}: the first retry's delay; each next one doubles it. */
    public static final String FIRST_RETRY_PROP = "pinwheel.gateway.late-guilds.first-retry-ms";
    /** {@code pinwheel.gateway.late-guilds.max-retry-ms}: the longest delay between two retries. */
    public static final String MAX_RETRY_PROP = "pinwheel.gateway.late-guilds.max-retry-ms";
    /** {@code pinwheel.gateway.late-guilds.max}: at most this many (session, guild) entries per shard. */
    public static final String MAX_ENTRIES_PROP = "pinwheel.gateway.late-guilds.max";
    private static final Logger LOG = LoggerFactory.getLogger(LateGuilds.class);
    private static final ThrottledLog FULL = new ThrottledLog(LOG, Level.WARN, "late guilds not retried", 5, 10_000);

    private final ShardSessions sessions;
    private final Shard shard;
    private final long firstRetryNanos = TimeUnit.MILLISECONDS.toNanos(Long.getLong(FIRST_RETRY_PROP, 1_000));
    private final long maxRetryNanos = TimeUnit.MILLISECONDS.toNanos(Long.getLong(MAX_RETRY_PROP, 5_000));
    private final int maxEntries = Integer.getInteger(MAX_ENTRIES_PROP, 100_000);
    /** A retry unanswered this long was lost on its way (a command to a node that restarted unnoticed): sent again. */
    private final long answerTimeoutNanos = TimeUnit.SECONDS.toNanos(15);
    /** Session id → guild → its retry. Empty (and nothing per session) while no subscription failed. */
    private final HashMap<String, Long2ObjectHashMap<Retry>> bySession = new HashMap<>();
    private int size;
    /** When the earliest entry not in flight is due (Long.MAX_VALUE: none). */
    private long nextDueNanos = Long.MAX_VALUE;
    /** Retried, healed, dropped and deferred, and the pairs waiting: in the node's counters ({@code /metrics}). */
    private final LateGuildCounters counters;

    /** One (session, guild) to subscribe again. */
    private static final class Retry
    {
        int attempts;
        long dueNanos;
        /** A subscription for it is on its way: its answer updates or removes this entry. */
        boolean inFlight;
        /** When it was sent (inFlight). */
        long sentNanos;
    }

    LateGuilds(final ShardSessions sessions, final Shard shard)
    {
        this.sessions = sessions;
        this.shard = shard;
        this.counters = new LateGuildCounters(shard.group().counters(), shard.id());
    }

    /**
     * A subscription of a session failed for a reason that may heal: remember it for a later retry.
     *
     * @param sessionId the session.
     * @param guildId   the guild.
     * @param now       {@link System#nanoTime()}.
     * @return whether the client has not been told yet that the guild is unavailable (its first failure).
     */
    boolean failed(final String sessionId, final long guildId, final long now)
    {
        Long2ObjectHashMap<Retry> mine = bySession.get(sessionId);
        Retry r = mine == null ? null : mine.get(guildId);
        final boolean first = r == null;
        if (r == null)
        {
            r = add(sessionId, guildId, mine);
            if (r == null)
            {
                return true;
            }
        }
        r.inFlight = false;
        r.attempts++;
        counters.increment(LateGuildCounters.DEFERRED);
        due(r, now);
        return first;
    }

    private Retry add(final String sessionId, final long guildId, final Long2ObjectHashMap<Retry> existing)
    {
        if (size >= maxEntries)
        {
            counters.increment(LateGuildCounters.DEFERRED);
            counters.increment(LateGuildCounters.DROPPED);
            if (FULL.admit())
            {
                LOG.warn("shard {}: {} guilds already wait to be subscribed again; session {} gets guild {} only "
                    + "when it reconnects ({})", shard.id(), size, sessionId, guildId, MAX_ENTRIES_PROP);
            }
            return null;
        }
        Long2ObjectHashMap<Retry> mine = existing;
        if (mine == null)
        {
            mine = new Long2ObjectHashMap<>();
            bySession.put(sessionId, mine);
        }
        final Retry r = new Retry();
        mine.put(guildId, r);
        size++;
        return r;
    }

    private void due(final Retry r, final long now)
    {
        final int shift = Math.min(Math.max(r.attempts - 1, 0), 16);
        final long base = Math.min(maxRetryNanos, firstRetryNanos << shift);
        // ±25 % jitter: sessions that failed together do not all ask again in the same tick
        r.dueNanos = now + base - base / 4 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        if (r.dueNanos - nextDueNanos < 0 || nextDueNanos == Long.MAX_VALUE)
        {
            nextDueNanos = r.dueNanos;
        }
    }

    /**
     * The session got the guild's GUILD_CREATE, or the owner refused it for good: nothing to retry.
     *
     * @param sessionId the session.
     * @param guildId   the guild.
     * @return whether the session waited for it here (it was told the guild is unavailable).
     */
    boolean resolved(final String sessionId, final long guildId, final boolean subscribed)
    {
        if (size == 0)
        {
            return false;
        }
        final Long2ObjectHashMap<Retry> mine = bySession.get(sessionId);
        if (mine != null && mine.remove(guildId) != null)
        {
            size--;
            if (subscribed)
            {
                counters.increment(LateGuildCounters.HEALED);
            }
            if (mine.isEmpty())
            {
                bySession.remove(sessionId);
            }
            return true;
        }
        return false;
    }

    /**
     * The session ended: forget what it waited for.
     *
     * @param sessionId the session.
     */
    void forget(final String sessionId)
    {
        if (size == 0)
        {
            return;
        }
        final Long2ObjectHashMap<Retry> mine = bySession.remove(sessionId);
        if (mine != null)
        {
            size -= mine.size();
        }
    }

    /**
     * The session's user left the guild or was removed from it.
     *
     * @param sessionId the session.
     * @param guildId   the guild.
     */
    void forget(final String sessionId, final long guildId)
    {
        resolved(sessionId, guildId, false);
    }

    /**
     * The shard's ticker: retries the entries that are due (the backoff fallback).
     *
     * @param now {@link System#nanoTime()}.
     * @return subscriptions sent again.
     */
    int poll(final long now)
    {
        counters.waiting(size);
        if (size == 0 || nextDueNanos == Long.MAX_VALUE || now - nextDueNanos < 0)
        {
            return 0;
        }
        return retry(now, g -> true, true);
    }

    /**
     * The reason of some failures may have healed (a node's link came back, a ring epoch settled): retries at once
     * every entry of the guilds {@code guilds} accepts that is not waiting for an answer already.
     *
     * @param guilds which guilds.
     * @return subscriptions sent again.
     */
    public int retryNow(final LongPredicate guilds)
    {
        return size == 0 ? 0 : retry(System.nanoTime(), guilds, false);
    }

    /**
     * @param node a node of the cluster.
     * @return {@link #retryNow} for the guilds that node owns.
     */
    public int retryNode(final int node)
    {
        return retryNow(g -> ownerNode(g) == node);
    }

    private int ownerNode(final long guildId)
    {
        final int route = shard.group().ownerOf(guildId);
        return ShardRoute.clustered(route) ? ShardRoute.node(route) : shard.group().nodeId();
    }

    private int retry(final long now, final LongPredicate guilds, final boolean dueOnly)
    {
        final List<Due> asked = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (final Map.Entry<String, Long2ObjectHashMap<Retry>> e : bySession.entrySet())
        {
            final Long2ObjectHashMap<Retry>.KeyIterator keys = e.getValue().keySet().iterator();
            while (keys.hasNext())
            {
                final long g = keys.nextLong();
                final Retry r = e.getValue().get(g);
                // an answer that never came (lost on its way) is as good as a refusal: asked again
                final long due = r.inFlight ? r.sentNanos + answerTimeoutNanos : r.dueNanos;
                long wake = due;
                if ((!r.inFlight || dueOnly) && (!dueOnly || now - due >= 0) && guilds.test(g))
                {
                    asked.add(new Due(e.getKey(), g, r.inFlight));
                    r.inFlight = true;
                    r.sentNanos = now;
                    wake = now + answerTimeoutNanos;
                }
                if (next == Long.MAX_VALUE || wake - next < 0)
                {
                    next = wake;
                }
            }
        }
        nextDueNanos = next;
        int sent = 0;
        for (final Due d : asked)
        {
            // may fail at once (the node is still down): GUILD_DEFERRED then runs here, nested, and re-arms the entry
            switch (sessions.subscribeAgain(d.sessionId(), d.guildId(), d.forced()))
            {
                case ShardSessions.SENT ->
                {
                    sent++;
                    counters.increment(LateGuildCounters.RETRIED);
                }
                case ShardSessions.GONE -> resolved(d.sessionId(), d.guildId(), false);
                default ->
                {
                    // a subscription of the session to that guild is already on its way: its answer decides
                }
            }
        }
        return sent;
    }

    /**
     * The owner of some guilds became unreachable (its node's link went down): each session of this shard that
     * follows one of them stops following it, is told it is unavailable, and is remembered to subscribe again; a
     * subscription still waiting for that owner's answer will get none, and is treated as failed.
     *
     * @param lost which guilds (those the unreachable node owns).
     * @return sessions made to wait for a guild.
     */
    public int ownerUnreachable(final LongPredicate lost)
    {
        final long now = System.nanoTime();
        int n = 0;
        for (final long guildId : shard.sessions().followedGuilds())
        {
            if (!lost.test(guildId))
            {
                continue;
            }
            final Dispatch gone = unavailable(guildId);
            for (final SessionEndpoint e : shard.sessions().subscribersOf(guildId))
            {
                shard.sessions().unsubscribe(guildId, e);
                if (e instanceof GatewaySession s && !s.destroyed())
                {
                    if (failed(s.id(), guildId, now))
                    {
                        shard.sessions().deliverTo(s, gone);
                    }
                    n++;
                }
            }
        }
        final LongHashSet waiting = sessions.pendingGuilds(lost);
        if (!waiting.isEmpty())
        {
            for (final GatewaySession s : sessions.allSessions())
            {
                final LongHashSet.LongIterator it = waiting.iterator();
                while (it.hasNext())
                {
                    final long g = it.nextValue();
                    if (s.guildArrived(g))
                    {
                        s.awaitGuild(g); // still awaited: onDeferred answers it as a failure that may heal
                        sessions.onDeferred(s.id(), g);
                        n++;
                    }
                }
            }
        }
        return n;
    }

    static Dispatch unavailable(final long guildId)
    {
        return Dispatch.of("GUILD_DELETE", ("{\"id\":\"" + Json.id(guildId) + "\",\"unavailable\":true}")
            .getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @return (session, guild) pairs waiting to be subscribed again.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return subscriptions sent again so far.
     */
    public long retries()
    {
        return counters.get(LateGuildCounters.RETRIED);
    }

    /**
     * @return guilds that came back to a session that waited for them.
     */
    public long healed()
    {
        return counters.get(LateGuildCounters.HEALED);
    }

    /**
     * @return failures not remembered because the table was full.
     */
    public long dropped()
    {
        return counters.get(LateGuildCounters.DROPPED);
    }

    /**
     * @return subscriptions that failed for a reason that may heal (each failure of a pair counts; full table too).
     */
    public long deferred()
    {
        return counters.get(LateGuildCounters.DEFERRED);
    }

    /** An entry asked again in this pass (collected first: asking may change the map). */
    private record Due(String sessionId, long guildId, boolean forced)
    {
    }
}
