package dev.pinwheel.gateway.http.routes;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.http.Upload;
import dev.pinwheel.gateway.owner.WebhookProxy;

/**
 * The unauthenticated webhook routes, authorized by the webhook's token (checked by the owner against its hash):
 * <pre>
 *   GET|PATCH|DELETE /webhooks/{id}/{token}
 *   POST             /webhooks/{id}/{token}[?wait=true]      execute: content, username, embeds, files[n]
 *   GET|PATCH|DELETE /webhooks/{id}/{token}/messages/{message}
 * </pre>
 * The same path shape serves interaction follow-ups ({@code {id}} an application): given their routes as a table of
 * their own ({@code others}), a path whose id is no webhook ({@link #isWebhook}) goes to the same path's route there;
 * without one (or without such a route) it is 404 with 10015. Executes are limited per webhook ({@code pinwheel.rest.webhook-messages-per-2s}, default 5): over it,
 * 429 with Discord's body and headers.
 */
public final class WebhookTokenRoutes
{
    /** Messages one webhook may post per 2 s. */
    static final int MESSAGES_PER_2S = Integer.getInteger("pinwheel.rest.webhook-messages-per-2s", 5);

    private final RouteContext ctx;
    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final WebhookRoutes managed;
    private final AttachmentUploads uploads;
    private final RouteTable others;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     * @param managed   the authenticated webhook routes (a token's PATCH shares their checks).
     */
    public WebhookTokenRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges,
        final WebhookRoutes managed)
    {
        this(ctx, shard, exchanges, managed, null);
    }

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     * @param managed   the authenticated webhook routes (a token's PATCH shares their checks).
     * @param others    the routes of the same paths for ids that are not webhooks (an application's interaction
     *                  follow-ups, registered in a table of their own), or null: 404 with 10015.
     */
    public WebhookTokenRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges,
        final WebhookRoutes managed, final RouteTable others)
    {
        this.others = others;
        this.ctx = ctx;
        this.directory = ctx.node().directory();
        this.shard = shard;
        this.exchanges = exchanges;
        this.managed = managed;
        this.uploads = new AttachmentUploads(ctx.gateway(), shard, exchanges);
    }

    /**
     * @param table where the routes go (unauthenticated: the token in the path authorizes).
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/webhooks/{webhook}/{token}", ours(this::get), false)
            .add("PATCH", "/webhooks/{webhook}/{token}", ours((ex, r) -> managed.edit(ex, r, r.param(1))), false)
            .add("DELETE", "/webhooks/{webhook}/{token}", ours(this::delete), false)
            .add("POST", "/webhooks/{webhook}/{token}", ours(this::execute), false)
            .add("GET", "/webhooks/{webhook}/{token}/messages/{message}", ours((ex, r) -> message(ex, r,
                WebhookProxy.GET)), false)
            .add("PATCH", "/webhooks/{webhook}/{token}/messages/{message}", ours((ex, r) -> message(ex, r,
                WebhookProxy.EDIT)), false)
            .add("DELETE", "/webhooks/{webhook}/{token}/messages/{message}", ours((ex, r) -> message(ex, r,
                WebhookProxy.DELETE)), false);
    }

    /**
     * A route of ours for webhook ids; any other id goes to the same path's route in {@code others}, if any. An id
     * this node does not know yet waits for its record first ({@link WebhookRoutes#known}).
     */
    private RouteTable.Handler ours(final RouteTable.Handler handler)
    {
        return managed.known((ex, r) ->
        {
            final RouteTable.Match m = others == null || isWebhook(directory, r.id(0)) ? null
                : others.match(r.method(), r.path());
            if (m != null && !m.wrongMethod())
            {
                m.handler().handle(ex, new Request(r.method(), r.path(), m.params(), r.query(), r.body(), r.files()));
            }
            else
            {
                handler.handle(ex, r);
            }
        });
    }

    /**
     * @param directory the node's directory.
     * @param id        the path's {@code {id}}.
     * @return whether it names a webhook (else it may be an application's interaction follow-up).
     */
    public static boolean isWebhook(final Directory directory, final long id)
    {
        return id > 0 && directory.guildOfWebhook(id) != 0;
    }

    private void get(final RestExchange ex, final Request r)
    {
        final long guildId = managed.guildOf(ex, r);
        if (guildId > 0)
        {
            final long correlation = exchanges.register(ex);
            sent(correlation, WebhookProxy.get(shard.group(), shard.address(), correlation, -1, guildId, r.id(0),
                r.param(1)));
        }
    }

    private void delete(final RestExchange ex, final Request r)
    {
        final long guildId = managed.guildOf(ex, r);
        if (guildId > 0)
        {
            final long correlation = exchanges.register(ex);
            sent(correlation, WebhookProxy.delete(shard.group(), shard.address(), correlation, -1, ex.auditReason(),
                guildId, r.id(0), r.param(1)));
        }
    }

    private void execute(final RestExchange ex, final Request r)
    {
        final long guildId = managed.guildOf(ex, r);
        if (guildId <= 0)
        {
            return;
        }
        final long webhookId = r.id(0);
        final long now = System.currentTimeMillis();
        final RateLimiter.Decision d = ctx.rateLimiter().acquire(webhookId, "webhook-execute", MESSAGES_PER_2S,
            2000, now);
        if (!d.allowed())
        {
            RateLimits.rateLimited(shard, ex, d, now, false);
            return;
        }
        ex.rateLimit(d, now);
        final JsonNode body = r.body() == null ? Json.object() : r.body();
        final JsonNode c = body.get("content");
        if (c != null && !c.isNull() && (!c.isTextual() || c.asText().length() > 2000))
        {
            ex.invalidField(shard, "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
            return;
        }
        final String content = c == null || c.isNull() ? "" : c.asText();
        final JsonNode u = body.get("username");
        final String badName = u == null || u.isNull() ? null : WebhookRoutes.badName(Json.object().set("name", u));
        if (badName != null)
        {
            ex.invalidField(shard, "username", "BASE_TYPE_BAD_LENGTH", badName);
            return;
        }
        final String username = u == null || u.isNull() ? null : u.asText();
        final MessageExtras.Parsed extras = MessageExtras.parse(body);
        if (!extras.valid())
        {
            ex.invalidField(shard, extras.errorField(), extras.errorCode(), extras.errorMessage());
            return;
        }
        final List<Upload> files = AttachmentUploads.files(r);
        if (content.isBlank() && (extras.embeds() == null || extras.embeds().isEmpty()) && files.isEmpty())
        {
            RouteChecks.error(shard, ex, DiscordError.EMPTY_MESSAGE);
            return;
        }
        if (!files.isEmpty() && !uploads.check(ex, files))
        {
            return;
        }
        final String embeds = extras.embeds() == null ? null : extras.embeds().toString();
        final boolean wait = "true".equalsIgnoreCase(r.q("wait"));
        final boolean tts = body.path("tts").asBoolean(false);
        final String token = r.param(1);
        final long correlation = exchanges.register(ex);
        final ShardGroup group = shard.group();
        final int origin = shard.address();
        if (files.isEmpty())
        {
            sent(correlation, WebhookProxy.execute(group, origin, correlation, guildId, webhookId, token, content,
                username, embeds, null, tts, wait));
            return;
        }
        final long channelId = directory.channelOfWebhook(webhookId);
        uploads.store(ex, correlation, r, body, channelId, files, attachments ->
            WebhookProxy.execute(group, origin, correlation, guildId, webhookId, token, content, username, embeds,
                attachments, tts, wait));
    }

    private void message(final RestExchange ex, final Request r, final int op)
    {
        final long guildId = managed.guildOf(ex, r);
        if (guildId <= 0)
        {
            return;
        }
        final long messageId = r.id(2);
        if (messageId <= 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        final JsonNode body = r.body() == null ? Json.object() : r.body();
        String content = null;
        String embeds = null;
        String attachments = null;
        if (op == WebhookProxy.EDIT)
        {
            final JsonNode c = body.get("content");
            if (c != null && !c.isNull() && (!c.isTextual() || c.asText().length() > 2000))
            {
                ex.invalidField(shard, "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
                return;
            }
            content = c == null || c.isNull() ? null : c.asText();
            final MessageExtras.Parsed extras = MessageExtras.parse(body);
            if (!extras.valid())
            {
                ex.invalidField(shard, extras.errorField(), extras.errorCode(), extras.errorMessage());
                return;
            }
            embeds = extras.embeds() == null ? null : extras.embeds().toString();
            final JsonNode listed = body.get("attachments");
            if (listed != null && listed.isArray())
            {
                final ObjectNode edit = Json.object();
                final ArrayNode keep = edit.putArray("keep");
                for (final JsonNode a : listed)
                {
                    if (Json.parseId(a.path("id").asText("")) > 0)
                    {
                        keep.add(a.path("id").asText());
                    }
                }
                attachments = edit.toString();
            }
        }
        final long correlation = exchanges.register(ex);
        sent(correlation, WebhookProxy.message(shard.group(), shard.address(), correlation, guildId, r.id(0),
            r.param(1),
            op, messageId, content, embeds, attachments));
    }

    private void sent(final long correlation, final boolean ok)
    {
        if (!ok)
        {
            exchanges.fail(shard, correlation, DiscordError.STORAGE_UNAVAILABLE);
        }
    }
}
