package dev.pinwheel.gateway.session;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.codec.CloseCodes;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.PresenceFields;
import dev.pinwheel.gateway.codec.SessionIds;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.owner.MemberListProxy;
import dev.pinwheel.gateway.owner.MemberListSubscriptionProxy;
import dev.pinwheel.gateway.owner.PresenceProxy;
import dev.pinwheel.gateway.owner.ReadStateProxy;
import dev.pinwheel.gateway.owner.SubscriptionProxy;
import dev.pinwheel.gateway.owner.UserSessionProxy;
import dev.pinwheel.gateway.owner.VoiceProxy;

/**
 * The gateway sessions of one shard: its WebSocket connections, its sessions (by id and by user), their deadlines
 * ({@link SessionTimers}), and the subscription bookkeeping between its sessions and the guilds' owner shards. What a
 * session asks of an owner goes as a typed command through the owner package's proxies; what owners send back arrives
 * through {@link SessionCommandAdapter}. Confined to the shard thread.
 * <pre>
 * IDENTIFY ─▶ READY (guilds unavailable) ─▶ per guild: SUBSCRIBE ─▶ owner shard: interest |= this shard,
 *            encode GUILD_CREATE ─▶ GUILD_SNAPSHOT back on this shard's ring (FIFO with the guild's later events)
 *            ─▶ session joins the local guild index, GUILD_CREATE dispatched.
 * </pre>
 * <b>Where a user's sessions are</b> (for events addressed to users, not guilds: direct messages): this shard tells
 * the user's owner when it gets its first session of the user and when its last one ends
 * ({@link UserSessionProxy#sessionsOn}); an event for the user comes back from there to every shard holding one
 * ({@link #deliverToUser}).
 */
public final class ShardSessions
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] INVALID_SESSION =
        "{\"t\":null,\"s\":null,\"op\":9,\"d\":false}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECONNECT =
        "{\"t\":null,\"s\":null,\"op\":7,\"d\":null}".getBytes(StandardCharsets.US_ASCII);
    /** READY's and RESUMED's {@code _trace}: Discord names the servers that handled the session; Kord requires it. */
    private static final String TRACE = "[\"pinwheel-gateway\",{\"micros\":0}]";
    private static final byte[] RESUMED = resumed();
    private final Shard shard;
    private final GatewayContext context;
    private final AuthService auth;
    private final SessionStartLimits sessionStarts;
    private final EdgeCounters counters;
    private final EventLoop loop;
    private final IntFunction<ShardSessions> peers;
    private final SessionTimers timers;
    private final SubscriptionProxy subscriptions;
    private final MemberListProxy memberLists;
    private final VoiceProxy voice;
    private final UserSessionProxy users;
    private final PresenceProxy presences;
    /** What each session of this shard shows when not {@link PresenceFields#DEFAULT} (GUILD_CREATE lists it). */
    private final HashMap<String, PresenceFields> shownBySession = new HashMap<>();
    private final MemberListSubscriptionProxy lazyLists;
    /** Sessions that sent op 14: the guilds whose lists they look at (told when the session ends). */
    private final HashMap<String, org.agrona.collections.LongHashSet> listGuilds = new HashMap<>();
    private final ArrayList<GatewayConnection> connections = new ArrayList<>();
    /** Where a connection splices its corked frames before writing them to its socket directly (one per shard). */
    private ByteBuf frameScratch;
    private byte[] payloadScratch = new byte[4096];
    /** The shard's gathering writer: each event's shared bytes copied once per shard, not once per recipient. */
    private final FrameGather frameGather = new FrameGather();
    private final Dispatch[] dispatchScratch = new Dispatch[GatewaySession.CORK_LIMIT];
    /**
     * Its sessions by the first 16 hex digits of their ids ({@link SessionIds}; a new id never repeats a live one's):
     * a string-keyed map held each id twice more, as a 72-byte string and a 32-byte node (issue 14).
     */
    private final Long2ObjectHashMap<GatewaySession> sessions = new Long2ObjectHashMap<>();
    /**
     * A user's sessions on this shard: the session itself while it is their only one (most users), else an array of
     * them, replaced (never changed) when one comes or goes — a list and its array were 48 B per user (issue 14).
     */
    private final Long2ObjectHashMap<Object> byUser = new Long2ObjectHashMap<>();
    private final Long2LongHashMap pendingSubscriptions = new Long2LongHashMap(0);
    /**
     * Sessions of user accounts whose READY waits for their read states: the first half of the session id → its
     * connection then (keyed like {@link #sessions}, so a DM's check per session makes no id string).
     */
    private final Long2ObjectHashMap<GatewayConnection> awaitingReady = new Long2ObjectHashMap<>();
    private final ReadStateProxy readStates;
    /** Guilds its sessions wait for after a subscription failed for a reason that may heal (empty: nothing kept). */
    private final LateGuilds lateGuilds;
    /** {@link #subscribeAgain}: a subscription was sent. */
    static final int SENT = 0;
    /** {@link #subscribeAgain}: one of that session to that guild is on its way already. */
    static final int PENDING = 1;
    /** {@link #subscribeAgain}: nothing to subscribe (the session ended, follows the guild, or cannot). */
    static final int GONE = 2;

    /**
     * Registers the shard's ticker, which polls the session timers.
     *
     * @param shard         the shard (this thread).
     * @param context       the node.
     * @param auth          token checks (IDENTIFY, RESUME).
     * @param sessionStarts the node's per-user session start limits.
     * @param counters      this shard's refusal counters.
     * @param loop          this shard's Netty event loop (where connections resumed here are moved to).
     * @param peers         every shard's sessions, by shard id (a RESUME that reached the wrong shard moves there).
     */
    public ShardSessions(final Shard shard, final GatewayContext context, final AuthService auth,
        final SessionStartLimits sessionStarts, final EdgeCounters counters, final EventLoop loop,
        final IntFunction<ShardSessions> peers)
    {
        this.shard = shard;
        // a guild's log may hold 8 resume buffers' worth: its positions include the events a session filters out, and
        // a session whose run reaches past the limit copies the run into its own buffer (a burst of copying)
        shard.sessions().logLimit((int)Math.min(1 << 24, 8L * context.config().resumeBufferEvents()));
        this.context = context;
        this.auth = auth;
        this.sessionStarts = sessionStarts;
        this.counters = counters;
        this.loop = loop;
        this.peers = peers;
        this.timers = new SessionTimers(System.nanoTime());
        this.subscriptions = new SubscriptionProxy(shard);
        this.memberLists = new MemberListProxy(shard);
        this.voice = new VoiceProxy(shard);
        this.users = new UserSessionProxy(shard);
        this.presences = new PresenceProxy(shard);
        this.lazyLists = new MemberListSubscriptionProxy(shard);
        this.readStates = new ReadStateProxy(shard);
        this.lateGuilds = new LateGuilds(this, shard);
        shard.addTicker(() -> pollTimers(System.nanoTime()));
        shard.addTicker(() -> lateGuilds.poll(System.nanoTime()));
    }

    Shard shard()
    {
        return shard;
    }

    GatewayConfig config()
    {
        return context.config();
    }

    EdgeCounters counters()
    {
        return counters;
    }

    SessionTimers timers()
    {
        return timers;
    }

    /**
     * @return this shard's Netty event loop.
     */
    EventLoop loop()
    {
        return loop;
    }

    /**
     * @return live WebSocket connections on this shard.
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * @return sessions on this shard (connected or awaiting resume).
     */
    public int sessionCount()
    {
        return sessions.size();
    }

    void connectionOpened(final GatewayConnection c)
    {
        c.slot = connections.size();
        connections.add(c);
        c.timer = timers.timer(c);
        timers.schedule(c.timer, c.nextDeadline());
    }

    /**
     * A connection's deadline may have moved earlier (it started closing, it became unwritable).
     *
     * @param c the connection.
     */
    void rearm(final GatewayConnection c)
    {
        if (c.timer != null)
        {
            timers.schedule(c.timer, c.nextDeadline());
        }
    }

    void connectionClosed(final GatewayConnection c)
    {
        final int slot = c.slot;
        if (slot >= 0 && slot < connections.size() && connections.get(slot) == c)
        {
            // swap-remove: O(1) even in a disconnect storm
            final GatewayConnection last = connections.remove(connections.size() - 1);
            if (last != c)
            {
                connections.set(slot, last);
                last.slot = slot;
            }
            c.slot = -1;
        }
        if (c.timer != null)
        {
            timers.retire(c.timer);
            c.timer = null;
        }
        final GatewaySession s = c.session();
        if (s != null && s.connection() == c && !s.destroyed())
        {
            final long now = System.nanoTime();
            s.detach(now);
            if (s.timer == null)
            {
                s.timer = timers.timer(t -> expire(s, t)); // on its first detach: an attached session needs none
            }
            timers.schedule(s.timer, now + resumeWindowNanos() + 1);
        }
    }

    private long resumeWindowNanos()
    {
        return TimeUnit.MILLISECONDS.toNanos(context.config().resumeWindowMillis());
    }

    /**
     * A detached session's deadline: it ends once the resume window passed without a RESUME.
     */
    private long expire(final GatewaySession s, final long now)
    {
        if (s.destroyed() || s.connection() != null || s.detachedAtNanos() == 0)
        {
            return SessionTimers.NONE; // resumed (a later detach arms it again) or gone
        }
        final long deadline = s.detachedAtNanos() + resumeWindowNanos() + 1;
        if (now - deadline < 0)
        {
            return deadline;
        }
        destroySession(s);
        return SessionTimers.NONE;
    }

    void identify(final GatewayConnection c, final JsonNode d)
    {
        if (d == null || !d.isObject() || !d.path("token").isTextual())
        {
            c.close(CloseCodes.DECODE_ERROR, "Invalid IDENTIFY payload.");
            return;
        }
        if (c.apiVersion() < 8 || c.apiVersion() > 10)
        {
            c.close(CloseCodes.INVALID_API_VERSION, "Invalid API version.");
            return;
        }
        final long userId = auth.authenticate(d.get("token").asText());
        final Account account = userId < 0 ? null : context.node().accounts().get(userId);
        if (account == null)
        {
            notAuthenticated(c, userId, d.get("token").asText());
            return;
        }
        final long intentBits = Intents.parse(d.get("intents"));
        if (intentBits < 0)
        {
            c.close(CloseCodes.INVALID_INTENTS, "Invalid intent(s).");
            return;
        }
        final int intents = (int)intentBits;
        if (!context.config().privilegedIntentsAllowed() && (intents & Intents.PRIVILEGED) != 0)
        {
            c.close(CloseCodes.DISALLOWED_INTENTS, "Disallowed intent(s).");
            return;
        }
        int shardId = 0;
        int shardCount = 1;
        final JsonNode shardNode = d.get("shard");
        if (shardNode != null && !shardNode.isNull())
        {
            if (!shardNode.isArray() || shardNode.size() != 2 || !shardNode.get(0).canConvertToInt()
                || !shardNode.get(1).canConvertToInt() || shardNode.get(1).asInt() < 1
                || shardNode.get(0).asInt() < 0 || shardNode.get(0).asInt() >= shardNode.get(1).asInt()
                || shardNode.get(1).asInt() > GatewaySession.MAX_SHARD_COUNT)
            {
                c.close(CloseCodes.INVALID_SHARD, "Invalid shard.");
                return;
            }
            shardId = shardNode.get(0).asInt();
            shardCount = shardNode.get(1).asInt();
        }
        switch (sessionStarts.tryStart(userId, shardId, System.currentTimeMillis()))
        {
            case SessionStartLimits.CONCURRENCY_LIMITED ->
            {
                // Discord: too many concurrent IDENTIFYs get op 9; the client waits 1-5 s and identifies again
                counters.increment(EdgeCounters.IDENTIFY_MAX_CONCURRENCY);
                invalidSession(c);
                return;
            }
            case SessionStartLimits.EXHAUSTED ->
            {
                counters.increment(EdgeCounters.IDENTIFY_SESSION_START_LIMIT);
                c.close(CloseCodes.RATE_LIMITED, "Session start limit reached: "
                    + context.config().sessionStartTotal() + " per period; see GET /gateway/bot.");
                return;
            }
            default ->
            {
                // started
            }
        }
        final JsonNode presenceNode = d.get("presence");
        final PresenceFields presence = presenceNode == null || presenceNode.isNull() ? PresenceFields.DEFAULT
            : PresenceFields.parse(presenceNode);
        if (presence == null)
        {
            c.close(CloseCodes.DECODE_ERROR, "Invalid IDENTIFY presence.");
            return;
        }
        final int large = Math.max(50, Math.min(250, d.path("large_threshold").asInt(50)));
        final GatewaySession s = newSession(userId, intents, large, shardId, shardCount);
        final String id = s.id();
        sessions.put(s.idHigh(), s);
        if (addUserSession(s))
        {
            users.sessionsOn(userId, true); // before READY is written: the owner knows before the client can act
        }
        presences.set(userId, id, presence);
        shows(id, presence);
        s.attach(c);
        c.session(s);
        if (!account.bot())
        {
            // a user account's READY carries its read states, kept on the user's owner: READY waits for them
            awaitingReady.put(s.idHigh(), c);
            readStates.requestReadStates(userId, id);
            return;
        }
        sendReady(s, c, account, null);
    }

    /**
     * The answer to {@link ReadStateProxy#requestReadStates}: the user's {@code read_state}, then READY.
     *
     * @param sessionId the session waiting for its READY.
     * @param readState the read_state object (JSON), or null when it could not be read.
     */
    void onReadStates(final String sessionId, final byte[] readState)
    {
        final GatewayConnection c = SessionIds.isShardId(sessionId)
            ? awaitingReady.remove(SessionIds.high(sessionId)) : null;
        final GatewaySession s = lookup(sessionId);
        final Account account = s == null ? null : context.node().accounts().get(s.userId());
        if (c != null && s != null && !s.destroyed() && account != null)
        {
            sendReady(s, c, account, readState);
        }
    }

    private void sendReady(final GatewaySession s, final GatewayConnection c, final Account account,
        final byte[] readState)
    {
        final long userId = account.id();
        final String id = s.id();
        final int shardId = s.shardId();
        final int shardCount = s.shardCount();
        final ObjectNode ready = Json.object();
        ready.put("v", c.apiVersion());
        ready.set("user", Entities.selfUser(account));
        ready.putObject("user_settings");
        final ArrayNode guilds = ready.putArray("guilds");
        final long[] guildIds = context.node().accounts().guildsOf(userId).stream()
            .mapToLong(Long::longValue).filter(s::coversGuild).sorted().toArray();
        for (final long g : guildIds)
        {
            guilds.addObject().put("id", Json.id(g)).put("unavailable", true);
        }
        ready.putArray("private_channels");
        ready.putArray("relationships");
        ready.putArray("presences");
        ready.put("session_id", id);
        ready.put("session_type", "normal");
        ready.put("resume_gateway_url", resumeUrl(c));
        ready.putArray("shard").add(shardId).add(shardCount);
        ready.putObject("application").put("id", Json.id(userId)).put("flags", 0);
        ready.putArray("guild_join_requests");
        ready.putArray("geo_ordered_rtc_regions");
        ready.putArray("_trace").add(TRACE);
        ready.putObject("auth");
        if (!account.bot())
        {
            ready.set("read_state", readState == null
                ? Json.object().put("version", 0).put("partial", true).set("entries", Json.array())
                : Json.parse(new String(readState, StandardCharsets.UTF_8)));
        }
        shard.sessions().deliverTo(s, Dispatch.of("READY", Json.bytes(ready)));
        for (final long g : guildIds)
        {
            requestSubscribe(s, g);
        }
    }

    private static byte[] resumed()
    {
        final ObjectNode d = Json.object();
        d.putArray("_trace").add(TRACE);
        return Json.bytes(d);
    }

    private String resumeUrl(final GatewayConnection c)
    {
        final String published = context.config().publicGatewayUrl();
        if (published != null)
        {
            return published; // behind a proxy only its address is reachable; a RESUME on any shard moves there
        }
        final String configured = context.config().publicHost();
        String host = configured != null ? configured : c.host();
        if (host == null || host.isEmpty())
        {
            host = context.config().host();
        }
        final int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(']') < colon)
        {
            host = host.substring(0, colon);
        }
        return "ws://" + host + ":" + context.resumePort(shard.id());
    }

    /**
     * A token that authenticates nobody: 4004, which Discord's libraries take as final; or, for a token of a user this
     * cluster node may not know yet ({@link AuthService#NOT_YET_KNOWN}), 4000, after which they connect again.
     */
    /**
     * Closes a connection whose token failed: 4004 for a bad token; 4000 (the client identifies again) for one this
     * node may not know yet — its owner has not caught this node up, or (a cluster) it names an account made in the
     * last minute through another node whose record has not arrived (read-your-writes, as {@code RestRouter}'s).
     */
    private void notAuthenticated(final GatewayConnection c, final long userId, final String token)
    {
        if (userId == AuthService.NOT_YET_KNOWN
            || auth.mayBeNewElsewhere(token))
        {
            c.close(CloseCodes.UNKNOWN_ERROR, "This node has not yet learnt your account from the node that owns it: "
                + "reconnect in a moment.");
            return;
        }
        c.close(CloseCodes.AUTHENTICATION_FAILED, "Authentication failed.");
    }

    void resume(final GatewayConnection c, final JsonNode d)
    {
        if (d == null || !d.isObject() || !d.path("token").isTextual() || !d.path("session_id").isTextual()
            || !d.path("seq").canConvertToLong())
        {
            c.close(CloseCodes.DECODE_ERROR, "Invalid RESUME payload.");
            return;
        }
        final long userId = auth.authenticate(d.get("token").asText());
        if (userId < 0)
        {
            notAuthenticated(c, userId, d.get("token").asText());
            return;
        }
        final String sessionId = d.get("session_id").asText();
        final GatewaySession s = lookup(sessionId);
        final int home = s == null ? shardOfSession(sessionId) : shard.id();
        if (s == null && home >= 0 && home != shard.id() && !c.migrated())
        {
            // The client resumed on the shared port (not resume_gateway_url) and SO_REUSEPORT put the connection
            // on another shard than its session's: hand the connection over instead of failing the resume.
            c.migrateTo(peers.apply(home), d);
            return;
        }
        if (s == null || s.destroyed() || s.userId() != userId)
        {
            invalidSession(c);
            return;
        }
        final long seq = d.get("seq").asLong();
        if (seq > s.seq() || seq < 0)
        {
            c.close(CloseCodes.INVALID_SEQ, "Invalid seq.");
            return;
        }
        final GatewayConnection previous = s.connection();
        if (previous != null && previous != c)
        {
            previous.session(null);
            previous.close(CloseCodes.UNKNOWN_ERROR, "Session resumed on another connection.");
        }
        s.attach(c);
        c.session(s);
        if (!s.replay(seq))
        {
            c.session(null);
            destroySession(s);
            invalidSession(c);
            return;
        }
        shard.sessions().deliverTo(s, Dispatch.of("RESUMED", RESUMED));
    }

    private static void invalidSession(final GatewayConnection c)
    {
        c.writeNow(INVALID_SESSION);
    }

    /**
     * @param sessionId a session id.
     * @return that session of this shard, or null.
     */
    GatewaySession session(final String sessionId)
    {
        return lookup(sessionId);
    }

    /**
     * Subscribes a session to a guild: asks the owner shard for interest and the GUILD_CREATE snapshot.
     *
     * @param s       session.
     * @param guildId guild.
     * @return whether it was asked (false: the session follows it, waits for its answer already, does not cover it, or
     *         is not READY or gone).
     */
    boolean requestSubscribe(final GatewaySession s, final long guildId)
    {
        if (awaitingReady.containsKey(s.idHigh()) || s.destroyed() || s.subscribedTo(guildId) || !s.coversGuild(guildId)
            || !s.awaitGuild(guildId))
        {
            return false;
        }
        pendingSubscriptions.put(guildId, pendingSubscriptions.get(guildId) + 1);
        subscriptions.subscribe(s.id(), s.userId(), guildId, s.largeThreshold(),
            (s.intents() & Intents.GUILD_PRESENCES) != 0, shown(s.id()));
        return true;
    }

    /**
     * The owner's answer to {@link #requestSubscribe}: runs on this shard, in order with the guild's events.
     *
     * @param sessionId session.
     * @param guildId   guild.
     * @param snapshot  GUILD_CREATE for the session, or null if it may not subscribe.
     */
    void onSnapshot(final String sessionId, final long guildId, final Dispatch snapshot)
    {
        subscriptionAnswered(guildId);
        final GatewaySession s = lookup(sessionId);
        if (s != null && !s.destroyed() && s.guildArrived(guildId))
        {
            final boolean wasLate = lateGuilds.resolved(sessionId, guildId, snapshot != null);
            if (snapshot != null)
            {
                shard.sessions().subscribe(guildId, s);
                shard.sessions().deliverTo(s, snapshot);
            }
            else if (wasLate)
            {
                // told unavailable before (its owner was unreachable, or the guild moving): the owner, back, no longer
                // knows the membership or the guild — the member was removed, or the guild deleted, meanwhile
                shard.sessions().deliverTo(s, removed(guildId));
            }
            else
            {
                // The owner does not know the guild or the membership: tell the client it is unavailable,
                // so libraries that wait for every READY guild (JDA) do not wait forever.
                shard.sessions().deliverTo(s, Dispatch.of("GUILD_DELETE", ("{\"id\":\"" + Json.id(guildId)
                    + "\",\"unavailable\":true}").getBytes(StandardCharsets.US_ASCII)));
            }
        }
        maybeUnsubscribe(guildId);
    }

    /**
     * The owner's answer to {@link #requestSubscribe} when it failed for a reason that may heal
     * ({@code OwnerCommands.GUILD_DEFERRED}): the client is told the guild is unavailable (once), and the session
     * subscribes again later ({@link LateGuilds}).
     *
     * @param sessionId session.
     * @param guildId   guild.
     */
    void onDeferred(final String sessionId, final long guildId)
    {
        subscriptionAnswered(guildId);
        final GatewaySession s = lookup(sessionId);
        if (s != null && !s.destroyed() && s.guildArrived(guildId)
            && lateGuilds.failed(sessionId, guildId, System.nanoTime()))
        {
            shard.sessions().deliverTo(s, LateGuilds.unavailable(guildId));
        }
        maybeUnsubscribe(guildId);
    }

    private void subscriptionAnswered(final long guildId)
    {
        final long pending = pendingSubscriptions.get(guildId) - 1;
        if (pending <= 0)
        {
            pendingSubscriptions.remove(guildId);
        }
        else
        {
            pendingSubscriptions.put(guildId, pending);
        }
    }

    /**
     * A retry of {@link LateGuilds}: subscribes the session to the guild again.
     *
     * @param sessionId session.
     * @param guildId   guild.
     * @param lost      whether the subscription on its way is taken as lost: sent again all the same (should its
     *                  answer come after all, the first answer is used and the other ignored).
     * @return {@link #SENT}, {@link #PENDING} or {@link #GONE}.
     */
    int subscribeAgain(final String sessionId, final long guildId, final boolean lost)
    {
        final GatewaySession s = lookup(sessionId);
        if (s == null || s.destroyed() || s.subscribedTo(guildId) || !s.coversGuild(guildId))
        {
            return GONE;
        }
        if (awaitingReady.containsKey(s.idHigh()) || !s.awaitGuild(guildId) && !lost)
        {
            return PENDING;
        }
        pendingSubscriptions.put(guildId, pendingSubscriptions.get(guildId) + 1);
        subscriptions.subscribe(s.id(), s.userId(), guildId, s.largeThreshold(),
            (s.intents() & Intents.GUILD_PRESENCES) != 0, shown(s.id()));
        return SENT;
    }

    /**
     * @param guilds which guilds.
     * @return the guilds among them with a subscription of this shard waiting for the owner's answer.
     */
    org.agrona.collections.LongHashSet pendingGuilds(final java.util.function.LongPredicate guilds)
    {
        final org.agrona.collections.LongHashSet out = new org.agrona.collections.LongHashSet();
        final Long2LongHashMap.KeyIterator it = pendingSubscriptions.keySet().iterator();
        while (it.hasNext())
        {
            final long g = it.nextValue();
            if (guilds.test(g))
            {
                out.add(g);
            }
        }
        return out;
    }

    /**
     * Tells the owners on another node again where this shard's sessions of their users are and what each shows
     * ({@code USER_SESSIONS}, {@code PRESENCE_SET}): that node asked this one for its node-wide records — it started
     * (a new start knows none of it) or its link came back (what was sent meanwhile was refused). Both are idempotent
     * at the owner; what this shard sends later follows in order. Shard thread only.
     *
     * @param node a node of the cluster.
     * @return users told again.
     */
    public int announceUsersTo(final int node)
    {
        return announceUsers(userId -> dev.pinwheel.core.routing.ShardRoute.onNode(shard.group().ownerOf(userId), node));
    }

    /**
     * Tells the owners of some users again where this shard's sessions of theirs are and what each shows
     * ({@code USER_SESSIONS}, {@code PRESENCE_SET}), as {@link #announceUsersTo} does for one node's users: on the
     * shared Cassandra store, once a ring epoch settled, for the users whose key moved (their new owner knows none of
     * it, and what this shard sent while the key moved was refused). Shard thread only.
     *
     * @param which the users to tell of.
     * @return users told again.
     */
    public int announceUsers(final java.util.function.LongPredicate which)
    {
        int n = 0;
        final Long2ObjectHashMap<Object>.EntryIterator it = byUser.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            final long userId = it.getLongKey();
            if (!which.test(userId))
            {
                continue;
            }
            users.sessionsOn(userId, true);
            final Object mine = it.getValue();
            for (int i = 0, k = count(mine); i < k; i++)
            {
                final String id = at(mine, i).id();
                presences.set(userId, id, shownBySession.getOrDefault(id, PresenceFields.DEFAULT));
            }
            n++;
        }
        return n;
    }

    /**
     * Matches this shard's sessions against the node-wide memberships of some guilds, once they are known to be up to
     * date here: another node's shard that owns them sent every record of its journal this node asked for (a
     * catch-up: this node started, or one of the two was cut off from the other). A session of a member that neither
     * follows nor waits for such a guild subscribes to it (GUILD_CREATE, as after a join); one that follows a guild its
     * user is no longer a member of (or that was deleted) stops and gets {@code GUILD_DELETE} without
     * {@code unavailable} (as after a removal). The joins and removals the owner told while the two nodes were cut off
     * were refused on the way here; before this, such a member never got the guild on this node, and a kicked one kept
     * getting its events, until they reconnected. Shard thread only.
     *
     * @param ownedThere the guilds whose memberships are up to date (those the peer's shard owns).
     * @return sessions subscribed or removed.
     */
    public int reconcileMemberships(final java.util.function.LongPredicate ownedThere)
    {
        final dev.pinwheel.core.directory.Accounts accounts = context.node().accounts();
        int n = 0;
        for (final GatewaySession s : sessions.values())
        {
            if (s.destroyed() || awaitingReady.containsKey(s.idHigh()))
            {
                continue;
            }
            for (final long g : accounts.guildsOf(s.userId()))
            {
                if (ownedThere.test(g) && requestSubscribe(s, g))
                {
                    n++;
                }
            }
        }
        for (final long g : shard.sessions().followedGuilds())
        {
            if (!ownedThere.test(g))
            {
                continue;
            }
            for (final dev.pinwheel.core.fanout.SessionEndpoint e : shard.sessions().subscribersOf(g))
            {
                if (e instanceof GatewaySession s && !s.destroyed() && !accounts.guildsOf(s.userId()).contains(g))
                {
                    removeFrom(s, g);
                    n++;
                }
            }
            maybeUnsubscribe(g);
        }
        return n;
    }

    /**
     * @return a copy of this shard's sessions.
     */
    List<GatewaySession> allSessions()
    {
        return new ArrayList<>(sessions.values());
    }

    /**
     * @return the guilds this shard's sessions wait for after a failure that may heal (shard thread only).
     */
    public LateGuilds lateGuilds()
    {
        return lateGuilds;
    }

    /**
     * Op 8 of a session on this shard, validated by its connection: asks the guild's owner for the matching
     * members ({@link MemberListProxy#requestMembers}). As Discord documents, a guild outside the session's shard is
     * not answered, the whole member list (empty query) needs GUILD_MEMBERS (without it the request goes
     * unanswered, as on Discord), and presences are only sent to sessions holding GUILD_PRESENCES.
     *
     * @param s        session.
     * @param guildId  guild.
     * @param userIds  the users asked for, or null for a query.
     * @param query    username/nickname prefix ("" for everyone) when {@code userIds} is null.
     * @param limit    at most this many members for a query (0: no limit).
     * @param presences whether the client asked for presences.
     * @param nonce    echoed in every chunk, or null.
     */
    void requestGuildMembers(final GatewaySession s, final long guildId, final long[] userIds, final String query,
        final int limit, final boolean presences, final String nonce)
    {
        if (!s.coversGuild(guildId)
            || (userIds == null && query.isEmpty() && (s.intents() & Intents.GUILD_MEMBERS) == 0))
        {
            return;
        }
        final boolean withPresences = presences && (s.intents() & Intents.GUILD_PRESENCES) != 0;
        memberLists.requestMembers(s.id(), s.userId(), guildId, userIds, query, limit, withPresences, nonce);
    }

    /**
     * Op 3 of a session on this shard, validated by its connection: the user's owner aggregates it with the user's
     * other sessions and tells their guilds.
     *
     * @param s        session.
     * @param presence what it shows now.
     */
    void presenceUpdate(final GatewaySession s, final PresenceFields presence)
    {
        presences.set(s.userId(), s.id(), presence);
        shows(s.id(), presence);
    }

    /**
     * @param sessionId a session of this shard.
     * @return what it shows ({@link PresenceFields#DEFAULT} unless it sent op 3 or identified with a presence).
     */
    PresenceFields shown(final String sessionId)
    {
        return shownBySession.getOrDefault(sessionId, PresenceFields.DEFAULT);
    }

    private void shows(final String sessionId, final PresenceFields presence)
    {
        if (presence.equals(PresenceFields.DEFAULT))
        {
            shownBySession.remove(sessionId);
        }
        else
        {
            shownBySession.put(sessionId, presence);
        }
    }

    /**
     * Op 14 of a session on this shard, validated by its connection: the guild's owner answers each channel's
     * ranges with GUILD_MEMBER_LIST_UPDATE (SYNC) and keeps the session updated.
     *
     * @param s         session.
     * @param guildId   guild.
     * @param channelId channel whose member list it looks at.
     * @param ranges    rows: first, last, first, last...
     */
    void lazyRequest(final GatewaySession s, final long guildId, final long channelId, final long[] ranges)
    {
        if (!s.coversGuild(guildId))
        {
            return;
        }
        listGuilds.computeIfAbsent(s.id(), k -> new org.agrona.collections.LongHashSet()).add(guildId);
        lazyLists.subscribe(s.id(), s.userId(), guildId, channelId, ranges);
    }

    /**
     * Op 4 of a session on this shard, validated by its connection: the guild's owner decides.
     *
     * @param s         session.
     * @param guildId   guild.
     * @param channelId voice channel, 0 to leave.
     * @param selfMute  self mute.
     * @param selfDeaf  self deafen.
     */
    void voiceStateUpdate(final GatewaySession s, final long guildId, final long channelId, final boolean selfMute,
        final boolean selfDeaf)
    {
        if (channelId == 0)
        {
            s.leftVoice(guildId);
        }
        else
        {
            s.joinedVoice(guildId);
        }
        voice.stateUpdate(guildId, channelId, s.userId(), s.id(), selfMute, selfDeaf);
    }

    /**
     * The owner's answer to {@link #requestGuildMembers}: runs on this shard, in order with the guild's events.
     *
     * @param sessionId session.
     * @param chunks    the GUILD_MEMBERS_CHUNK dispatches, in order.
     */
    void onMemberChunks(final String sessionId, final List<Dispatch> chunks)
    {
        final GatewaySession s = lookup(sessionId);
        if (s != null && !s.destroyed())
        {
            for (final Dispatch d : chunks)
            {
                shard.sessions().deliverTo(s, d);
            }
        }
    }

    /**
     * An event for one user (a direct message): every session of theirs on this shard gets it.
     *
     * @param userId the user.
     * @param d      the event.
     */
    void deliverToUser(final long userId, final Dispatch d)
    {
        final Object mine = byUser.get(userId);
        if (mine != null && shard.sessions().deliveredKeys().admit(d, userId))
        {
            for (int i = 0, n = count(mine); i < n; i++)
            {
                final GatewaySession s = at(mine, i);
                if (!s.destroyed() && (awaitingReady.isEmpty() || !awaitingReady.containsKey(s.idHigh())))
                {
                    shard.sessions().deliverTo(s, d);
                }
            }
        }
    }

    /**
     * A user joined a guild (broadcast by the owner): subscribe that user's sessions here.
     *
     * @param userId  user.
     * @param guildId guild.
     */
    void onUserJoined(final long userId, final long guildId)
    {
        final Object mine = byUser.get(userId);
        for (int i = 0, n = count(mine); i < n; i++)
        {
            requestSubscribe(at(mine, i), guildId);
        }
    }

    /**
     * A user is no member of a guild any more (broadcast by the owner, after the guild's GUILD_MEMBER_REMOVE): each
     * of that user's sessions here stops receiving the guild at once and gets {@code GUILD_DELETE} without
     * {@code unavailable} (removed, as on Discord); a subscription still pending is answered by the owner, who no
     * longer knows the member, as unavailable.
     *
     * @param userId user.
     * @param guildId guild.
     */
    void onUserLeft(final long userId, final long guildId)
    {
        final Object mine = byUser.get(userId);
        if (mine == null)
        {
            return;
        }
        for (int i = 0, n = count(mine); i < n; i++)
        {
            removeFrom(at(mine, i), guildId);
        }
        maybeUnsubscribe(guildId);
    }

    /** A session's user is no member of a guild any more: it stops following it, told as Discord does a removal. */
    private void removeFrom(final GatewaySession s, final long guildId)
    {
        lateGuilds.forget(s.id(), guildId);
        s.leftVoice(guildId);
        if (s.subscribedTo(guildId))
        {
            shard.sessions().unsubscribe(guildId, s);
            shard.sessions().deliverTo(s, removed(guildId));
        }
    }

    private static Dispatch removed(final long guildId)
    {
        return Dispatch.of("GUILD_DELETE", ("{\"id\":\"" + Json.id(guildId) + "\"}").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A user's tokens were revoked: their connections here close with 4004 (a RESUME fails the same way).
     *
     * @param userId user.
     */
    void closeUser(final long userId)
    {
        final Object mine = byUser.get(userId); // never changed in place: a close that ends a session replaces it
        for (int i = 0, n = count(mine); i < n; i++)
        {
            final GatewayConnection c = at(mine, i).connection();
            if (c != null)
            {
                c.close(CloseCodes.AUTHENTICATION_FAILED, "Authentication failed.");
            }
        }
    }

    private void maybeUnsubscribe(final long guildId)
    {
        if (shard.sessions().subscribers(guildId) == 0 && pendingSubscriptions.get(guildId) == 0)
        {
            subscriptions.unsubscribe(guildId);
        }
    }

    void destroySession(final GatewaySession s)
    {
        if (s.destroyed())
        {
            return;
        }
        s.markDestroyed();
        if (s.timer != null)
        {
            timers.retire(s.timer);
        }
        final String id = s.id();
        if (sessions.get(s.idHigh()) == s)
        {
            sessions.remove(s.idHigh());
        }
        presences.ended(s.userId(), id);
        shownBySession.remove(id);
        lateGuilds.forget(id);
        final org.agrona.collections.LongHashSet looked = listGuilds.remove(id);
        if (looked != null)
        {
            for (final long g : looked.toArray(new Long[0]))
            {
                lazyLists.ended(id, g);
            }
        }
        if (removeUserSession(s))
        {
            users.sessionsOn(s.userId(), false);
        }
        // A session that ends leaves the voice channels it joined (unless another session took its place).
        for (final long g : s.leaveAllVoice())
        {
            voice.sessionEnded(g, s.userId(), id);
        }
        final List<Long> emptied = shard.sessions().unsubscribeAll(s);
        for (final long g : emptied)
        {
            maybeUnsubscribe(g);
        }
    }

    /**
     * Runs the deadlines that are due (the shard's ticker; benchmarks call it directly).
     *
     * @param nowNanos {@link System#nanoTime()}.
     * @return deadlines that fired.
     */
    public int pollTimers(final long nowNanos)
    {
        return timers.poll(nowNanos);
    }

    /**
     * Sends op 7 RECONNECT to every connection (server shutting down) and closes them.
     */
    public void reconnectAll()
    {
        for (final GatewayConnection c : new ArrayList<>(connections))
        {
            c.writeNow(RECONNECT);
            c.close(CloseCodes.UNKNOWN_ERROR, "Server restarting: reconnect.");
        }
    }

    /**
     * A new session, its id 16 random bytes as hex with the first byte replaced by this shard's index (any shard can
     * tell where it lives), its first 16 digits those of no other live session of this shard.
     */
    private GatewaySession newSession(final long userId, final int intents, final int large, final int shardId,
        final int shardCount)
    {
        long high;
        do
        {
            high = RANDOM.nextLong() & ~(0xFFL << 56) | (long)(shard.id() & 0xFF) << 56;
        }
        while (sessions.containsKey(high) || awaitingReady.containsKey(high));
        return new GatewaySession(high, RANDOM.nextLong(), userId, intents, large, shardId, shardCount,
            context.config().resumeBufferEvents());
    }

    /**
     * @param sessionId a session id from a client or a command.
     * @return that session of this shard, or null.
     */
    private GatewaySession lookup(final String sessionId)
    {
        if (!SessionIds.isShardId(sessionId))
        {
            return null;
        }
        final GatewaySession s = sessions.get(SessionIds.high(sessionId));
        return s != null && s.isId(SessionIds.low(sessionId)) ? s : null;
    }

    /** @return whether it is its user's first session here. */
    private boolean addUserSession(final GatewaySession s)
    {
        final Object mine = byUser.get(s.userId());
        if (mine == null)
        {
            byUser.put(s.userId(), s);
            return true;
        }
        final int n = count(mine);
        final GatewaySession[] more = new GatewaySession[n + 1];
        for (int i = 0; i < n; i++)
        {
            more[i] = at(mine, i);
        }
        more[n] = s;
        byUser.put(s.userId(), more);
        return false;
    }

    /** @return whether it was its user's last session here. */
    private boolean removeUserSession(final GatewaySession s)
    {
        final Object mine = byUser.get(s.userId());
        final int n = count(mine);
        int index = -1;
        for (int i = 0; i < n && index < 0; i++)
        {
            index = at(mine, i) == s ? i : -1;
        }
        if (index < 0)
        {
            return false;
        }
        if (n == 1)
        {
            byUser.remove(s.userId());
            return true;
        }
        final GatewaySession[] fewer = new GatewaySession[n - 1];
        for (int i = 0, j = 0; i < n; i++)
        {
            if (i != index)
            {
                fewer[j++] = at(mine, i);
            }
        }
        byUser.put(s.userId(), n == 2 ? fewer[0] : fewer);
        return false;
    }

    /** @return how many sessions a {@link #byUser} value holds (0 for none). */
    private static int count(final Object mine)
    {
        return mine == null ? 0 : mine instanceof GatewaySession ? 1 : ((GatewaySession[])mine).length;
    }

    /** @return the i-th session of a {@link #byUser} value. */
    private static GatewaySession at(final Object mine, final int i)
    {
        return mine instanceof GatewaySession s ? s : ((GatewaySession[])mine)[i];
    }

    /**
     * @param sessionId a session id from a client.
     * @return the shard that created it, or -1 if the id is not one of ours.
     */
    private int shardOfSession(final String sessionId)
    {
        if (sessionId.length() != 32)
        {
            return -1;
        }
        final int index = Character.digit(sessionId.charAt(0), 16) << 4 | Character.digit(sessionId.charAt(1), 16);
        return index >= 0 && index < shard.group().shardCount() ? index : -1;
    }

    /**
     * The shard's scratch buffer for a connection's direct socket write: direct memory, reused by every connection
     * of the shard (one write at a time on the shard thread), grown to the largest batch seen.
     *
     * @param capacity bytes needed.
     * @return the buffer, emptied.
     */
    ByteBuf frameScratch(final int capacity)
    {
        if (frameScratch == null || frameScratch.capacity() < capacity)
        {
            if (frameScratch != null)
            {
                frameScratch.release();
            }
            frameScratch = io.netty.buffer.Unpooled.directBuffer(Math.max(64 * 1024, Integer.highestOneBit(capacity) << 1));
        }
        return frameScratch.clear();
    }

    /**
     * @return the shard's scratch array for the events of a session's run in a guild's log on their way to one write
     *     (shard thread only; emptied after each write).
     */
    Dispatch[] dispatchScratch()
    {
        return dispatchScratch;
    }

    /**
     * @return the shard's gathering writer (shard thread only; one gather at a time).
     */
    FrameGather frameGather()
    {
        return frameGather;
    }

    /**
     * The shard's scratch array for one payload at a time: an inbound payload on its way to the JSON parser, or a
     * zlib-stream dispatch on its way to the deflater (neither keeps it). One per shard instead of a kilobyte per
     * connection (issue 14: an idle session's footprint); shard thread only, valid until the next call.
     *
     * @param length bytes needed.
     * @return an array at least that long.
     */
    byte[] payloadScratch(final int length)
    {
        if (payloadScratch.length < length)
        {
            payloadScratch = new byte[Math.max(length, payloadScratch.length * 2)];
        }
        return payloadScratch;
    }
}
