package dev.pinwheel.gateway;

import java.util.concurrent.ExecutorService;

import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.voice.VoiceAdmission;
import dev.pinwheel.gateway.auth.LoginThrottle;
import dev.pinwheel.gateway.edge.AddressSlots;
import dev.pinwheel.gateway.edge.EdgeCounters;
import dev.pinwheel.gateway.edge.EdgeDeadlines;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.owner.VoiceStates;
import dev.pinwheel.gateway.session.SessionStartLimits;

/**
 * What every gateway component of a node shares: settings, shards, directories, auth, the control-plane
 * executor (password hashing, which must never run on a shard thread), the bound ports, and the edge's limits:
 * each shard's deadline list and counters, the node-wide per-address connection cap, the login throttle and the
 * session start limits.
 */
public final class GatewayContext
{
    private final GatewayConfig config;
    private final ShardGroup shards;
    private final NodeState node;
    private final AuthService auth;
    private final ExecutorService control;
    private final SnowflakeIds controlIds;
    private volatile int port;
    private final int[] resumePorts;
    private final VoiceStates[] voiceStates;
    private volatile VoiceAdmission voice = VoiceAdmission.NONE;
    private final RateLimiter rateLimiter = new RateLimiter();
    private final EdgeDeadlines[] edgeDeadlines;
    private final EdgeCounters[] edgeCounters;
    private final AddressSlots connectionSlots;
    private final LoginThrottle loginThrottle;
    private final SessionStartLimits sessionStarts;
    private final ExchangeTable[] exchanges;

    GatewayContext(final GatewayConfig config, final ShardGroup shards, final NodeState node, final AuthService auth,
        final ExecutorService control)
    {
        this.config = config;
        this.shards = shards;
        this.node = node;
        this.auth = auth;
        this.control = control;
        this.controlIds = new SnowflakeIds(shards.nodeId() & 31, 31);
        this.resumePorts = new int[shards.shardCount()];
        this.voiceStates = new VoiceStates[shards.shardCount()];
        for (int i = 0; i < voiceStates.length; i++)
        {
            voiceStates[i] = new VoiceStates();
        }
        this.edgeDeadlines = new EdgeDeadlines[shards.shardCount()];
        this.edgeCounters = new EdgeCounters[shards.shardCount()];
        this.exchanges = new ExchangeTable[shards.shardCount()];
        for (int i = 0; i < edgeDeadlines.length; i++)
        {
            edgeDeadlines[i] = new EdgeDeadlines();
            edgeCounters[i] = new EdgeCounters(shards.counters(), i);
            exchanges[i] = new ExchangeTable();
        }
        this.connectionSlots = new AddressSlots(config.edge().maxConnectionsPerIp());
        this.loginThrottle = new LoginThrottle(config.auth());
        this.sessionStarts = new SessionStartLimits(config.sessionStartTotal(), config.sessionStartResetMillis(),
            config.maxConcurrency(), config.identifyWindowMillis());
    }

    /**
     * @param shard a shard id.
     * @return that shard's HTTP connection deadlines (use only on that shard's thread).
     */
    public EdgeDeadlines edgeDeadlines(final int shard)
    {
        return edgeDeadlines[shard];
    }

    /**
     * @param shard a shard id.
     * @return that shard's edge counters (written on that shard's thread; readable anywhere).
     */
    /**
     * @param shard a shard id.
     * @return its REST requests waiting for an owner's answer (that shard's thread only).
     */
    public ExchangeTable exchanges(final int shard)
    {
        return exchanges[shard];
    }

    /**
     * @param shard a shard.
     * @return its edge counters.
     */
    public EdgeCounters edgeCounters(final int shard)
    {
        return edgeCounters[shard];
    }

    /**
     * @return the node-wide cap on connections per client address.
     */
    public AddressSlots connectionSlots()
    {
        return connectionSlots;
    }

    /**
     * @return the login and registration limits (thread-safe).
     */
    public LoginThrottle loginThrottle()
    {
        return loginThrottle;
    }

    /**
     * @return the per-user session start limits (thread-safe).
     */
    public SessionStartLimits sessionStarts()
    {
        return sessionStarts;
    }

    /**
     * @return the node-wide REST rate limiter (shared by every shard; lock-free).
     */
    public RateLimiter rateLimiter()
    {
        return rateLimiter;
    }

    /**
     * @param shard a shard id.
     * @return the voice states of the guilds that shard owns (use only on that shard's thread).
     */
    public VoiceStates voiceStates(final int shard)
    {
        return voiceStates[shard];
    }

    /**
     * @return the voice server's admission interface ({@link VoiceAdmission#NONE} when voice is off).
     */
    public VoiceAdmission voice()
    {
        return voice;
    }

    /**
     * Connects the voice server; call before clients connect.
     *
     * @param value the voice server's admission interface.
     */
    public void voice(final VoiceAdmission value)
    {
        voice = value == null ? VoiceAdmission.NONE : value;
    }

    public GatewayConfig config()
    {
        return config;
    }

    public ShardGroup shards()
    {
        return shards;
    }

    public NodeState node()
    {
        return node;
    }

    public AuthService auth()
    {
        return auth;
    }

    /**
     * @return executor for blocking control-plane work (never a shard thread).
     */
    public ExecutorService control()
    {
        return control;
    }

    /**
     * @return a new snowflake from the control plane's generator (process 31).
     */
    public long nextControlId()
    {
        synchronized (controlIds)
        {
            return controlIds.next();
        }
    }

    /**
     * @return the main (gateway + REST) port.
     */
    public int port()
    {
        return port;
    }

    void port(final int value)
    {
        port = value;
    }

    /**
     * @param shard shard.
     * @return the port of that shard's own listener (its resume URL).
     */
    public int resumePort(final int shard)
    {
        return resumePorts[shard];
    }

    void resumePort(final int shard, final int value)
    {
        resumePorts[shard] = value;
    }
}
