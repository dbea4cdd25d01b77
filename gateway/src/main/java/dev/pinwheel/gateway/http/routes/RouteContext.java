package dev.pinwheel.gateway.http.routes;

import java.util.concurrent.ExecutorService;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.auth.LoginThrottle;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.session.SessionStartLimits;

/**
 * What the REST routes of one shard use, handed to them by the composition root: the node
 * ({@link GatewayContext}: settings, directories, ports, control plane), what other packages own and the routes
 * consult (the token and password checks and the login limits of {@code auth}, the session start limits of
 * {@code session}, the node's REST rate limiter), and what belongs to this shard (the shard, its refusal counters,
 * its requests waiting for an owner's answer). Immutable; the objects it hands out say how they may be used.
 */
public final class RouteContext
{
    private final GatewayContext node;
    private final Shard shard;
    private final AuthService auth;
    private final LoginThrottle loginThrottle;
    private final RateLimiter rateLimiter;
    private final SessionStartLimits sessionStarts;
    private final EdgeCounters edgeCounters;
    private final ExchangeTable exchanges;

    /**
     * @param node          the node.
     * @param shard         this shard.
     * @param auth          token and password checks.
     * @param loginThrottle the login and registration limits.
     * @param rateLimiter   the node's REST rate limiter.
     * @param sessionStarts the per-user session start limits ({@code GET /gateway/bot}).
     * @param edgeCounters  this shard's refusal counters.
     * @param exchanges     this shard's requests waiting for an owner's answer.
     */
    public RouteContext(final GatewayContext node, final Shard shard, final AuthService auth,
        final LoginThrottle loginThrottle, final RateLimiter rateLimiter, final SessionStartLimits sessionStarts,
        final EdgeCounters edgeCounters, final ExchangeTable exchanges)
    {
        this.node = node;
        this.shard = shard;
        this.auth = auth;
        this.loginThrottle = loginThrottle;
        this.rateLimiter = rateLimiter;
        this.sessionStarts = sessionStarts;
        this.edgeCounters = edgeCounters;
        this.exchanges = exchanges;
    }

    /**
     * @return the node context.
     */
    public GatewayContext gateway()
    {
        return node;
    }

    /**
     * @return the settings.
     */
    public GatewayConfig config()
    {
        return node.config();
    }

    /**
     * @return the node's directories.
     */
    public NodeState node()
    {
        return node.node();
    }

    /**
     * @return the main port.
     */
    public int port()
    {
        return node.port();
    }

    /**
     * @return executor for blocking control-plane work (never a shard thread).
     */
    public ExecutorService control()
    {
        return node.control();
    }

    /**
     * @return a new snowflake from the control plane's generator.
     */
    public long nextControlId()
    {
        return node.nextControlId();
    }

    /**
     * @return this shard.
     */
    public Shard shard()
    {
        return shard;
    }

    /**
     * @return token and password checks (thread-safe).
     */
    public AuthService auth()
    {
        return auth;
    }

    /**
     * @return the login and registration limits (thread-safe).
     */
    public LoginThrottle loginThrottle()
    {
        return loginThrottle;
    }

    /**
     * @return the node's REST rate limiter (lock-free).
     */
    public RateLimiter rateLimiter()
    {
        return rateLimiter;
    }

    /**
     * @return the per-user session start limits (thread-safe).
     */
    public SessionStartLimits sessionStarts()
    {
        return sessionStarts;
    }

    /**
     * @return this shard's refusal counters.
     */
    public EdgeCounters edgeCounters()
    {
        return edgeCounters;
    }

    /**
     * @return this shard's requests waiting for an owner's answer (this shard's thread only).
     */
    public ExchangeTable exchanges()
    {
        return exchanges;
    }
}
