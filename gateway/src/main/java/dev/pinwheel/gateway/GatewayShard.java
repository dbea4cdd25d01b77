package dev.pinwheel.gateway;

import java.util.function.IntFunction;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGauges;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.edge.EdgeDeadlines;
import dev.pinwheel.gateway.edge.NettyIoDriver;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.owner.AttachmentOwnership;
import dev.pinwheel.gateway.owner.FileReleases;
import dev.pinwheel.gateway.owner.MemberListService;
import dev.pinwheel.gateway.owner.OwnerCommandAdapter;
import dev.pinwheel.gateway.owner.SessionProxy;
import dev.pinwheel.gateway.owner.LazyMemberLists;
import dev.pinwheel.gateway.owner.PresenceService;
import dev.pinwheel.gateway.owner.SessionRequestAdapter;
import dev.pinwheel.gateway.owner.SubscriptionService;
import dev.pinwheel.gateway.owner.UserSessionProxy;
import dev.pinwheel.gateway.owner.UserSessionService;
import dev.pinwheel.gateway.owner.VoiceService;
import dev.pinwheel.gateway.session.SessionCommandAdapter;
import dev.pinwheel.gateway.session.SessionStartLimits;
import dev.pinwheel.gateway.session.ShardSessions;
import dev.pinwheel.gateway.web.ShardProbe;

/**
 * Everything the gateway keeps for one shard, built once on the shard's thread as it starts (by
 * {@link GatewayShards}, with the shard's Netty driver) and handed explicitly to whoever needs a part of it:
 * <pre>
 *   GatewayShard k ─┬─ driver          NettyIoDriver: the shard's event loop (listeners, moved connections)
 *                   ├─ sessions        ShardSessions: WebSocket connections, sessions, their timer wheel
 *                   ├─ exchanges       ExchangeTable: this shard's REST requests waiting for an owner's answer
 *                   ├─ edgeDeadlines   EdgeDeadlines: this shard's HTTP connection deadlines
 *                   ├─ edgeCounters    EdgeCounters: why this shard closed or refused something (in the node's
 *                   │                  counters file, with the shard's own counters and gauges)
 *                   ├─ voice           VoiceService: voice states of the guilds this shard owns (the owner
 *                   │                  services' GuildVoice)
 *                   ├─ users           UserSessionService: which shards hold sessions of the users it owns
 *                   ├─ owner           OwnerCommandAdapter: the REST operations it runs as an owner (every area's
 *                   │                  service)
 *                   └─ probe           ShardProbe: the hand-off latency probe /metrics reads
 *   commands to the shard ─▶ GatewayCommands ─▶ REPLY: exchanges │ 10-29: sessions │ 30-159: owner │ 160-199: owner
 *                                                                                   (session requests)
 * </pre>
 * Its parts are confined to the shard's thread unless they say otherwise (the counters and the probe's histogram are
 * read by the metrics endpoint from any shard). A ticker writes the shard's connections and sessions gauges.
 */
public final class GatewayShard
{
    private final Shard shard;
    private final NettyIoDriver driver;
    private final EdgeDeadlines edgeDeadlines = new EdgeDeadlines();
    private final EdgeCounters edgeCounters;
    private final ExchangeTable exchanges = new ExchangeTable();
    private final ShardSessions sessions;
    private final VoiceService voice;
    private final UserSessionService users;
    private final PresenceService presences;
    private final LazyMemberLists memberLists;
    private final OwnerCommandAdapter owner;
    private final ShardProbe probe;

    /**
     * Builds the shard's gateway and registers its tickers and its command handler. On the shard's thread, before
     * its duty cycle starts.
     *
     * @param shard         the shard.
     * @param driver        its Netty driver.
     * @param context       the node.
     * @param auth          token checks.
     * @param sessionStarts the node's session start limits.
     * @param peers         every shard's gateway sessions, by shard id.
     */
    GatewayShard(final Shard shard, final NettyIoDriver driver, final GatewayContext context, final AuthService auth,
        final SessionStartLimits sessionStarts, final IntFunction<ShardSessions> peers)
    {
        this.shard = shard;
        this.driver = driver;
        this.edgeCounters = new EdgeCounters(shard.group().counters(), shard.id());
        this.sessions = new ShardSessions(shard, context, auth, sessionStarts, edgeCounters, driver.loop(), peers);
        final Accounts accounts = context.node().accounts();
        final SessionProxy toSessions = new SessionProxy(shard);
        final UserSessionProxy toUsers = new UserSessionProxy(shard);
        this.voice = new VoiceService(context);
        this.users = new UserSessionService(toSessions, accounts);
        this.presences = new PresenceService(accounts);
        final LazyMemberLists lists = new LazyMemberLists(accounts, presences, toSessions,
            context.config().lazyGuildMembers());
        this.memberLists = lists;
        this.owner = new OwnerCommandAdapter(context.node(), (from, userId, event) -> toUsers.sendToUser(userId, event),
            voice, lists.following(toSessions), context.files() == null ? FileReleases.NONE
                : new AttachmentOwnership(shard, context.node(), context.files()));
        owner.lazyGuilds(lists);
        final SessionRequestAdapter requests = new SessionRequestAdapter(
            new SubscriptionService(accounts, voice, toSessions).presences(presences),
            new MemberListService(accounts, toSessions).presences(presences), voice,
            users, owner.temporaryMembers(), owner.readStates()).presences(presences)
            .memberLists(lists);
        this.probe = new ShardProbe();
        shard.addTicker(() -> edgeDeadlines.tick(System.nanoTime()));
        shard.addTicker(() -> exchanges.tick(shard, System.nanoTime()));
        shard.addTicker(() -> owner.nameReleases().tick(shard, System.nanoTime()));
        shard.addTicker(() -> // the transport's gauges, for /metrics and the counters file
        {
            shard.gauges().set(ShardGauges.CONNECTIONS, sessions.connectionCount());
            shard.gauges().set(ShardGauges.SESSIONS, sessions.sessionCount());
        });
        shard.commandHandler(new GatewayCommands(exchanges, new SessionCommandAdapter(sessions, presences), owner, requests));
    }

    /**
     * @return where presence is kept on this shard: of the users it owns, and in the guilds it owns (shard thread only).
     */
    public PresenceService presences()
    {
        return presences;
    }

    /**
     * @return the lazy member lists (op 14) of the guilds this shard owns (shard thread only).
     */
    public LazyMemberLists memberLists()
    {
        return memberLists;
    }

    /**
     * @return the shard.
     */
    public Shard shard()
    {
        return shard;
    }

    /**
     * @return its Netty driver (the event loop its listeners and connections run on).
     */
    public NettyIoDriver driver()
    {
        return driver;
    }

    /**
     * @return its WebSocket connections and gateway sessions.
     */
    public ShardSessions sessions()
    {
        return sessions;
    }

    /**
     * @return its REST requests waiting for an owner's answer.
     */
    public ExchangeTable exchanges()
    {
        return exchanges;
    }

    /**
     * @return its HTTP connection deadlines.
     */
    public EdgeDeadlines edgeDeadlines()
    {
        return edgeDeadlines;
    }

    /**
     * @return why it closed or refused connections, IDENTIFYs, logins (readable from any thread).
     */
    public EdgeCounters edgeCounters()
    {
        return edgeCounters;
    }

    /**
     * @return the voice states of the guilds it owns.
     */
    public VoiceService voice()
    {
        return voice;
    }

    /**
     * @return which shards hold sessions of the users it owns.
     */
    public UserSessionService users()
    {
        return users;
    }

    /**
     * @return the REST operations it runs as an owner.
     */
    public OwnerCommandAdapter owner()
    {
        return owner;
    }

    /**
     * @return what the metrics endpoint reads of it.
     */
    public ShardProbe probe()
    {
        return probe;
    }
}
