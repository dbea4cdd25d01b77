package dev.pinwheel.gateway.http.routes;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.channel.ChannelHandlerContext;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.ResponseHeaders;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.http.Upload;

/**
 * The REST entry of one shard: the route table of every resource ({@link RouteTable}; each resource registers its
 * routes from its own small class: {@code GuildRoutes}, {@code ChannelRoutes}, {@code MessageRoutes}, …). Runs on
 * the shard that accepted the connection.
 * <pre>
 *   request ─▶ table match ─┬─ wrong method ─▶ 405 (Allow), before the token is looked at
 *                           ├─ route ─▶ 401 without a token ─▶ 429 over the user's limit ─▶ handler ─▶ owner command
 *                           └─ none  ─▶ 401 without a token, else 404
 * </pre>
 */
public final class RestRouter
{
    /** Discord's longest audit-log reason. */
    private static final int MAX_REASON = 512;
    /** How recently a thing must have been made for a 404 or 401 naming it to wait for other nodes' records. */
    static final long RECENT_MILLIS = dev.pinwheel.gateway.auth.AuthService.NEW_ELSEWHERE_MILLIS;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final dev.pinwheel.gateway.auth.AuthService auth;
    private final RateLimits limits;
    private final RouteTable table = new RouteTable();
    private final ResponseHeaders answerHeaders = new ResponseHeaders();

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for their owners' answers.
     */
    public RestRouter(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.shard = shard;
        this.exchanges = exchanges;
        this.auth = ctx.auth();
        final DmRoutes dms = new DmRoutes(ctx, shard, exchanges);
        this.limits = new RateLimits(shard, ctx.rateLimiter(), ctx.config().restRequestsPerSecond());
        dms.register(table);
        new MessageRoutes(ctx, shard, exchanges, dms::messages).register(table);
        new ReadStateRoutes(ctx, shard, exchanges).register(table);
        new ReactionRoutes(ctx, shard, exchanges, dms::unsupported).register(table);
        new PinRoutes(ctx, shard, exchanges, dms::unsupported).register(table);
        new CommandRoutes(ctx, shard, exchanges).register(table);
        new InteractionRoutes(ctx, shard, exchanges).register(table);
        new UserRoutes(ctx, shard).register(table);
        new AvatarRoutes(ctx, shard, exchanges).register(table);
        new AttachmentUrlRoutes(ctx, shard).register(table);
        final WebhookRoutes webhooks = new WebhookRoutes(ctx, shard, exchanges);
        webhooks.register(table);
        // /webhooks/{id}/{token}...: a webhook's, or else an application's interaction follow-ups (their own table)
        final RouteTable interactionWebhooks = new RouteTable();
        new InteractionWebhookRoutes(ctx, shard, exchanges).register(interactionWebhooks);
        new WebhookTokenRoutes(ctx, shard, exchanges, webhooks, interactionWebhooks).register(table);
        new ApplicationRoutes(ctx, shard, exchanges).register(table);
        new GatewayRoutes(ctx, shard).register(table);
        new AuthRoutes(ctx, shard, exchanges).register(table);
        final Directory directory = ctx.node().directory();
        new GuildRoutes(directory, shard, exchanges, new ImageUploads(ctx.gateway(), shard, exchanges))
            .register(table);
        new ChannelRoutes(directory, shard, exchanges, dms::channelRoutes).register(table);
        new InviteRoutes(directory, shard, exchanges, dms::unsupported).register(table);
        new MemberRoutes(directory, shard, exchanges).register(table);
        new RoleRoutes(directory, shard, exchanges).register(table);
        new ModerationRoutes(directory, shard, exchanges).register(table);
    }

    /**
     * @return the route table (tests, the README's route list).
     */
    public RouteTable table()
    {
        return table;
    }

    /**
     * Builds the request's exchange and routes it, as a task on this shard: whatever a route throws answers the
     * request (500) instead of leaving it waiting.
     *
     * @param c           the connection's context.
     * @param keepAlive   whether the connection stays open after the answer.
     * @param userId      the authenticated user, or -1.
     * @param method      the HTTP method; HEAD is routed as GET and answered without a body.
     * @param host        the Host header.
     * @param client      the client's address key (per-address limits).
     * @param path        path segments below the API version.
     * @param query       query parameters.
     * @param body        the parsed JSON body.
     * @param bodyInvalid whether the body was not valid JSON.
     * @param auditReason the {@code X-Audit-Log-Reason} header as sent (URL-encoded), or null.
     */
    public void handle(final ChannelHandlerContext c, final boolean keepAlive, final long userId,
        final String method, final String host, final String client, final String[] path,
        final Map<String, List<String>> query, final JsonNode body, final boolean bodyInvalid,
        final String auditReason)
    {
        handle(c, keepAlive, userId, method, host, client, path, query, body, bodyInvalid, auditReason, List.of(), null,
            false);
    }

    /**
     * {@link #handle(ChannelHandlerContext, boolean, long, String, String, String, String[], Map, JsonNode, boolean,
     * String)} with the file parts of a multipart body.
     *
     * @param authorization the Authorization header as sent, or null.
     * @param forwarded     whether another node of the cluster forwarded the request (answered here, whatever owns
     *                      what it names).
     * @return whether the request was answered before this returned (routed on this shard and answered at once).
     */
    public boolean handle(final ChannelHandlerContext c, final boolean keepAlive, final long userId,
        final String method, final String host, final String client, final String[] path,
        final Map<String, List<String>> query, final JsonNode body, final boolean bodyInvalid,
        final String auditReason, final List<Upload> files, final String authorization, final boolean forwarded)
    {
        return handle(c, keepAlive, userId, method, host, client, path, query, body, bodyInvalid, auditReason, files,
            authorization, forwarded, shard.group().clusterLink() != null && files.isEmpty());
    }

    private boolean handle(final ChannelHandlerContext c, final boolean keepAlive, final long userId,
        final String method, final String host, final String client, final String[] path,
        final Map<String, List<String>> query, final JsonNode body, final boolean bodyInvalid,
        final String auditReason, final List<Upload> files, final String authorization, final boolean forwarded,
        final boolean mayWait)
    {
        final boolean head = "HEAD".equals(method);
        final String routed = head ? "GET" : method;
        final RestExchange ex = new RestExchange(c, shard.group(), shard.id(), keepAlive, userId, routed, host, client,
            head, answerHeaders);
        ex.auditReason(decodeReason(auditReason));
        ex.origin(authorization, forwarded);
        if (mayWait)
        {
            ex.onMiss(status -> recentlyMade(path, userId < 0 ? authorization : null) && exchanges.sync(shard,
                connectedPeers(), () -> c.executor().execute(() -> handle(c, keepAlive, auth.authenticate(
                    authorization), method, host, client, path, query, body, bodyInvalid, auditReason, files,
                    authorization, forwarded, false))));
        }
        shard.send(shard.id(), ex.task(s -> route(ex, routed, path, query, body, bodyInvalid, files)));
        return ex.answered();
    }

    /**
     * Read-your-writes across nodes. A channel, guild, invite or account made through one node reaches the others as
     * a state record, milliseconds later; a client that makes one through node A and at once uses it through node B
     * got 404 Unknown Channel (or 401 for a new account's token) from B. So a 404 or 401 for a request that names
     * something made in the last minute (an id in its path, or in its token, whose snowflake time is that recent; an
     * invite code, which says nothing of its time) waits for a {@code SYNC} round trip to every shard of every other
     * connected node — each answer follows what that shard wrote before it — and the request runs once more, answered
     * as it then is. On the connection's event loop (this shard), after the first try's handling returned.
     *
     * @param path          the request's path segments.
     * @param authorization its Authorization header when it named no known user, else null.
     * @return whether the request names something made recently.
     */
    private static boolean recentlyMade(final String[] path, final String authorization)
    {
        final long now = System.currentTimeMillis();
        if (path.length >= 2 && "invites".equals(path[0]))
        {
            return true;
        }
        for (final String segment : path)
        {
            if (dev.pinwheel.core.ids.SnowflakeIds.madeWithin(parseId(segment), now, RECENT_MILLIS))
            {
                return true;
            }
        }
        return authorization != null && dev.pinwheel.core.ids.SnowflakeIds.madeWithin(
            dev.pinwheel.gateway.auth.AuthService.claimedUserId(authorization), now, RECENT_MILLIS);
    }

    /** @return the id a path segment spells (digits only, at most 19), or -1. */
    static long parseId(final String segment)
    {
        final int n = segment.length();
        if (n == 0 || n > 19)
        {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++)
        {
            final char ch = segment.charAt(i);
            if (ch < '0' || ch > '9')
            {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    /** @return the other nodes of the cluster this node's link is connected to, a bit per node id. */
    private long connectedPeers()
    {
        final dev.pinwheel.core.shard.ClusterLink link = shard.group().clusterLink();
        long nodes = 0;
        for (int node = 0; link != null && node < link.nodes(); node++)
        {
            if (node != shard.group().nodeId() && link.connected(node))
            {
                nodes |= 1L << node;
            }
        }
        return nodes;
    }

    private void route(final RestExchange ex, final String method, final String[] path,
        final Map<String, List<String>> query, final JsonNode body, final boolean bodyInvalid,
        final List<Upload> files)
    {
        final RouteTable.Match match = path.length == 0 ? null : table.match(method, path);
        if (match == null)
        {
            error(ex, ex.userId() < 0 ? DiscordError.UNAUTHORIZED : DiscordError.NOT_FOUND); // no route: the token first
            return;
        }
        if (match.wrongMethod())
        {
            // a known route with the wrong method: 405 before the token is looked at, as on Discord
            ex.allow(withHead(match.allow()));
            error(ex, DiscordError.METHOD_NOT_ALLOWED);
            return;
        }
        if (bodyInvalid)
        {
            error(ex, DiscordError.INVALID_JSON);
            return;
        }
        if (match.authenticated() && ex.userId() < 0)
        {
            error(ex, ex.userId() == dev.pinwheel.gateway.auth.AuthService.NOT_YET_KNOWN
                ? DiscordError.ACCOUNT_NOT_YET_KNOWN : DiscordError.UNAUTHORIZED);
            return;
        }
        if (match.authenticated() && !limits.global(ex))
        {
            return;
        }
        match.handler().handle(ex, new Request(method, path, match.params(), query, body, files));
    }

    /**
     * @param header an {@code X-Audit-Log-Reason} as clients send it (URL-encoded), or null.
     * @return the reason, decoded and cut to Discord's 512 characters, or null (none, or blank).
     */
    static String decodeReason(final String header)
    {
        if (header == null || header.isBlank())
        {
            return null;
        }
        String text;
        try
        {
            text = java.net.URLDecoder.decode(header.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException e)
        {
            text = header;
        }
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) : text;
    }

    /**
     * @param allow the route's methods, sorted ({@link RouteTable.Match#allow()}).
     * @return the same with HEAD after GET: HEAD is answered wherever GET is (sorted, HEAD comes right after GET).
     */
    static String withHead(final String allow)
    {
        return allow.replace("GET", "GET, HEAD");
    }

    private void error(final RestExchange ex, final DiscordError error)
    {
        if (error.retryAfter() > 0)
        {
            ex.retryAfterOnly(error.retryAfter());
        }
        ex.reply(shard, error.status(), error.body());
    }
}
