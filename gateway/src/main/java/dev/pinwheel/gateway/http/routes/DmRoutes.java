package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Mentions;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.DmProxy;

/**
 * Direct messages: {@code POST /users/@me/channels} (open one; a guild in common is needed, as on Discord without
 * friends: {@link DmPolicy}), and the routes of a DM channel, which the resource classes of those paths hand over
 * when the channel is no guild's: its messages ({@link #messages}, from {@link MessageRoutes}), the channel itself
 * ({@link #channel}), typing ({@link #typing}) and what a DM channel does not have ({@link #unsupported}: pins,
 * reactions). Only the channel's two users reach it (others: 10003). Checks, then {@link DmProxy}. Runs on the shard
 * that holds the request.
 */
public final class DmRoutes
{
    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final DmProxy dms;
    private final AttachmentUploads uploads;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public DmRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.dms = new DmProxy(shard);
        this.uploads = new AttachmentUploads(ctx.gateway(), shard, exchanges);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("POST", "/users/@me/channels", this::open);
    }

    /** {@code POST /users/@me/channels {recipient_id}}: the pair's channel, opened on the pair's owner. */
    private void open(final RestExchange ex, final Request r)
    {
        final JsonNode to = r.body() == null ? null : r.body().get("recipient_id");
        final long recipient = to == null ? -1 : to.isTextual() ? Json.parseId(to.asText())
            : to.canConvertToLong() ? to.asLong() : -1;
        if (recipient <= 0)
        {
            ex.invalidField(shard, "recipient_id", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
            return;
        }
        final Account them = ctx.node().accounts().get(recipient);
        if (them == null)
        {
            error(ex, DiscordError.UNKNOWN_USER);
            return;
        }
        if (recipient == ex.userId() || (them.bot() && ctx.node().accounts().get(ex.userId()).bot()))
        {
            error(ex, DiscordError.CANNOT_MESSAGE_SELF_OR_BOT); // oneself, or bot to bot
            return;
        }
        if (!DmPolicy.mayOpen(ctx.node().accounts(), ex.userId(), recipient))
        {
            error(ex, DiscordError.CANNOT_MESSAGE_USER);
            return;
        }
        dms.open(exchanges.register(ex), ex.userId(), recipient);
    }

    /**
     * {@code /channels/{dm}/messages[/{message}]} of a direct-message channel (the handler {@link MessageRoutes}
     * hands them to): history, post; get, edit, delete.
     *
     * @param ex the request.
     * @param r  the request as the message routes matched it (channel[, message]).
     */
    public void messages(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        if (!member(ex, channelId))
        {
            return;
        }
        if (r.params().length == 1)
        {
            if ("GET".equals(r.method()))
            {
                history(ex, r, channelId);
            }
            else
            {
                post(ex, r, channelId);
            }
            return;
        }
        final long messageId = r.id(1);
        if (messageId < 0)
        {
            error(ex, DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        switch (r.method())
        {
            case "GET" -> dms.get(exchanges.register(ex), ex.userId(), channelId, messageId);
            case "DELETE" -> dms.delete(exchanges.register(ex), ex.userId(), channelId, messageId);
            default -> edit(ex, r, channelId, messageId);
        }
    }

    /**
     * {@code GET /channels/{dm}}: the channel as its user sees it (other methods: 405).
     *
     * @param ex the request.
     * @param r  the request (channel).
     */
    public void channel(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        if (!member(ex, channelId))
        {
            return;
        }
        if (!"GET".equals(r.method()))
        {
            error(ex, DiscordError.METHOD_NOT_ALLOWED);
            return;
        }
        dms.channel(exchanges.register(ex), ex.userId(), channelId);
    }

    /**
     * The channel routes ({@code /channels/{c}}, {@code /channels/{c}/typing}) for a channel that is a DM (or no
     * channel at all).
     *
     * @param ex the request.
     * @param r  the request (channel first).
     */
    public void channelRoutes(final RestExchange ex, final Request r)
    {
        if (r.path().length == 2)
        {
            channel(ex, r);
        }
        else if (r.path().length == 3 && "typing".equals(r.path()[2]))
        {
            typing(ex, r);
        }
        else
        {
            unsupported(ex, r);
        }
    }

    /**
     * {@code POST /channels/{dm}/typing}: 204 (no event is sent for a DM).
     *
     * @param ex the request.
     * @param r  the request (channel).
     */
    public void typing(final RestExchange ex, final Request r)
    {
        if (member(ex, r.id(0)))
        {
            ex.reply(shard, 204, (byte[])null);
        }
    }

    /**
     * A route of guild channels that a DM channel does not have (pins, reactions): 404 to its users, 10003 to
     * others.
     *
     * @param ex the request.
     * @param r  the request (channel first).
     */
    public void unsupported(final RestExchange ex, final Request r)
    {
        if (member(ex, r.id(0)))
        {
            error(ex, DiscordError.NOT_FOUND);
        }
    }

    private void history(final RestExchange ex, final Request r, final long channelId)
    {
        final int limit = r.intQuery("limit", 50);
        final String before = r.q("before");
        final long anchor = before == null ? 0 : Json.parseId(before);
        if (limit < 1 || limit > 100 || anchor < 0)
        {
            ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 100.");
            return;
        }
        dms.history(exchanges.register(ex), ex.userId(), channelId, before == null ? HistoryQuery.LATEST
            : HistoryQuery.BEFORE, anchor, limit);
    }

    private void post(final RestExchange ex, final Request r, final long channelId)
    {
        final long now = System.currentTimeMillis();
        final RateLimiter.Decision d = ctx.rateLimiter().acquire(ex.userId(), RateLimiter.CHANNEL_MESSAGES, channelId,
            ctx.config().messagesPer5Seconds(), 5000, now);
        if (!d.allowed())
        {
            RateLimits.rateLimited(shard, ex, d, now, false);
            return;
        }
        ex.rateLimit(d, now);
        final JsonNode body = r.body() == null ? Json.object() : r.body();
        final JsonNode c = body.get("content");
        if (c != null && !c.isNull() && !c.isTextual())
        {
            ex.invalidField(shard, "content", "BASE_TYPE_STRING", "Must be a string.");
            return;
        }
        final String content = c == null || c.isNull() ? "" : c.asText();
        final MessageExtras.Parsed extras = MessageExtras.parse(body);
        if (!extras.valid())
        {
            ex.invalidField(shard, extras.errorField(), extras.errorCode(), extras.errorMessage());
            return;
        }
        if (content.length() > 2000)
        {
            ex.invalidField(shard, "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
            return;
        }
        final Mentions.Allowed allowed = Mentions.allowed(body);
        if (!allowed.valid())
        {
            ex.invalidPath(shard, allowed.errorPath(), allowed.errorCode(), allowed.errorMessage());
            return;
        }
        final java.util.List<dev.pinwheel.gateway.http.Upload> files = AttachmentUploads.files(r);
        if (content.isBlank() && (extras.embeds() == null || extras.embeds().isEmpty()) && files.isEmpty())
        {
            error(ex, DiscordError.EMPTY_MESSAGE);
            return;
        }
        final JsonNode n = body.get("nonce");
        final String nonce = n == null || n.isNull() ? null : n.asText();
        if (nonce != null && nonce.length() > 25)
        {
            ex.invalidField(shard, "nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
            return;
        }
        final boolean tts = body.path("tts").asBoolean(false);
        final String embeds = extras.embeds() == null ? null : extras.embeds().toString();
        if (files.isEmpty())
        {
            dms.post(exchanges.register(ex), ex.userId(), channelId, content, tts, nonce, embeds, allowed);
            return;
        }
        if (!uploads.check(ex, files)) // files in a DM, as Discord allows: no ATTACH_FILES to check
        {
            return;
        }
        final long correlation = exchanges.register(ex);
        final dev.pinwheel.core.shard.ShardGroup group = shard.group();
        final int origin = shard.address();
        final long userId = ex.userId();
        uploads.store(ex, correlation, r, body, channelId, files, attachments -> DmProxy.postWithFiles(group, origin,
            correlation, userId, channelId, content, tts, nonce, embeds, allowed, attachments));
    }

    private void edit(final RestExchange ex, final Request r, final long channelId, final long messageId)
    {
        final JsonNode c = r.body() == null ? null : r.body().get("content");
        if (c != null && !c.isNull() && (!c.isTextual() || c.asText().length() > 2000))
        {
            ex.invalidField(shard, "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
            return;
        }
        final Mentions.Allowed allowed = r.body() == null ? Mentions.DEFAULT_ALLOWED : Mentions.allowed(r.body());
        if (!allowed.valid())
        {
            ex.invalidPath(shard, allowed.errorPath(), allowed.errorCode(), allowed.errorMessage());
            return;
        }
        dms.edit(exchanges.register(ex), ex.userId(), channelId, messageId, c == null || c.isNull() ? null
            : c.asText(), allowed);
    }

    /** @return whether the caller is one of the DM channel's two users (10003 answered otherwise). */
    private boolean member(final RestExchange ex, final long channelId)
    {
        final long[] users = channelId < 0 ? null : ctx.node().directory().dmUsers(channelId);
        if (users == null || (users[0] != ex.userId() && users[1] != ex.userId()))
        {
            error(ex, DiscordError.UNKNOWN_CHANNEL);
            return false;
        }
        return true;
    }

    private void error(final RestExchange ex, final DiscordError error)
    {
        ex.reply(shard, error.status(), error.body());
    }
}
