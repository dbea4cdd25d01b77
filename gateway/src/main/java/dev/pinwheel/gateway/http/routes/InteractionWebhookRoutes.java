package dev.pinwheel.gateway.http.routes;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.InteractionProxy;
import dev.pinwheel.gateway.owner.InteractionTokens;

/**
 * The interaction side of {@code /webhooks/{id}/{token}[/messages/@original|{message}]}: where {@code id} is an
 * application and {@code token} one of its live interaction tokens, an application sends follow-ups and reads, edits
 * and deletes its responses for 15 minutes (no Authorization; the token is the credential). Anything else is
 * {@code 404 Unknown Webhook} here. The same paths serve real webhooks: {@link #handles} tells the dispatcher which
 * requests are ours. Runs on the shard that holds the request.
 */
public final class InteractionWebhookRoutes
{
    /** Follow-up and {@code @original} requests one interaction may make per 2 s. */
    static final int REQUESTS_PER_2S = Integer.getInteger("pinwheel.rest.interaction-webhook-per-2s", 5);

    private static final String ORIGINAL = "@original";

    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final InteractionProxy interactions;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public InteractionWebhookRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.interactions = new InteractionProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("POST", "/webhooks/{app}/{token}", this::execute, false)
            .add("GET", "/webhooks/{app}/{token}/messages/{message}", (ex, r) -> message(ex, r,
                InteractionProxy.GET), false)
            .add("PATCH", "/webhooks/{app}/{token}/messages/{message}", (ex, r) -> message(ex, r,
                InteractionProxy.EDIT), false)
            .add("DELETE", "/webhooks/{app}/{token}/messages/{message}", (ex, r) -> message(ex, r,
                InteractionProxy.DELETE), false);
    }

    /**
     * @param id    the path's first id.
     * @param token the path's token.
     * @return whether the request is an interaction's (the id an application's bot, the token an interaction
     *         token); the owner still checks that the interaction lives.
     */
    public boolean handles(final long id, final String token)
    {
        final var a = ctx.node().accounts().get(id);
        return a != null && a.bot() && InteractionTokens.parse(token) != null;
    }

    /**
     * {@code POST /webhooks/{app}/{token}}: a follow-up message (always answered with the message, as
     * {@code ?wait=true}).
     *
     * @param ex the request.
     * @param r  its path and body.
     */
    public void execute(final RestExchange ex, final Request r)
    {
        final InteractionTokens.Parsed token = token(ex, r);
        if (token == null)
        {
            return;
        }
        final ObjectNode data = InteractionRoutes.checkMessage(shard, ex, r.body(), List.of(), true);
        if (data != null)
        {
            interactions.webhook(exchanges.register(ex), token.guildId(), r.id(0), token.interactionId(), r.param(1),
                InteractionProxy.EXECUTE, 0, data.toString());
        }
    }

    /**
     * {@code GET|PATCH|DELETE /webhooks/{app}/{token}/messages/@original|{message}}.
     *
     * @param ex        the request.
     * @param r         its path and body.
     * @param operation {@link InteractionProxy#GET}, {@link InteractionProxy#EDIT} or {@link InteractionProxy#DELETE}.
     */
    public void message(final RestExchange ex, final Request r, final int operation)
    {
        final InteractionTokens.Parsed token = token(ex, r);
        if (token == null)
        {
            return;
        }
        final String m = r.param(2);
        final long messageId = ORIGINAL.equals(m) ? 0 : Json.parseId(m);
        if (messageId < 0)
        {
            ex.reply(shard, DiscordError.UNKNOWN_MESSAGE.status(), DiscordError.UNKNOWN_MESSAGE.body());
            return;
        }
        ObjectNode data = null;
        if (operation == InteractionProxy.EDIT)
        {
            data = InteractionRoutes.checkMessage(shard, ex, r.body(), List.of(), false);
            if (data == null)
            {
                return;
            }
            if (r.body() == null || !r.body().has("flags"))
            {
                data.remove("flags");
            }
        }
        interactions.webhook(exchanges.register(ex), token.guildId(), r.id(0), token.interactionId(), r.param(1),
            operation, messageId, data == null ? null : data.toString());
    }

    /**
     * The path's interaction token, or null once the request is answered: 404 (10015) for no token, 429 with Discord's
     * body and headers past {@link #REQUESTS_PER_2S} requests per interaction in 2 s (these routes need no
     * Authorization, so the token's interaction is what is limited).
     */
    private InteractionTokens.Parsed token(final RestExchange ex, final Request r)
    {
        final InteractionTokens.Parsed token = r.id(0) <= 0 ? null : InteractionTokens.parse(r.param(1));
        if (token == null)
        {
            ex.reply(shard, DiscordError.UNKNOWN_WEBHOOK.status(), DiscordError.UNKNOWN_WEBHOOK.body());
            return null;
        }
        final long now = System.currentTimeMillis();
        final RateLimiter.Decision d = ctx.rateLimiter().acquire(token.interactionId(), "interaction-webhook",
            REQUESTS_PER_2S, 2000, now);
        if (!d.allowed())
        {
            RateLimits.rateLimited(shard, ex, d, now, false);
            return null;
        }
        ex.rateLimit(d, now);
        return token;
    }
}
