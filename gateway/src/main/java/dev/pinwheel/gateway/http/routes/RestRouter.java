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
    private final Shard shard;
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
        final boolean head = "HEAD".equals(method);
        final String routed = head ? "GET" : method;
        final RestExchange ex = new RestExchange(c, shard.group(), shard.id(), keepAlive, userId, routed, host, client,
            head, answerHeaders);
        ex.auditReason(decodeReason(auditReason));
        ex.origin(authorization, forwarded);
        shard.send(shard.id(), ex.task(s -> route(ex, routed, path, query, body, bodyInvalid, files)));
        return ex.answered();
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
