package dev.pinwheel.gateway.http.routes;

import java.security.SecureRandom;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.WebhookProxy;
import dev.pinwheel.gateway.owner.WebhookService;

/**
 * The webhook routes of users and bots (a token, MANAGE_WEBHOOKS checked by the owner):
 * {@code POST|GET /channels/{c}/webhooks}, {@code GET /guilds/{g}/webhooks}, {@code GET|PATCH|DELETE /webhooks/{id}}.
 * A new webhook's token is drawn here (32 random bytes, base64url), sent to the owner with its SHA-256, journaled as
 * the hash only, and shown once in the answer. The token routes are {@link WebhookTokenRoutes}.
 */
public final class WebhookRoutes
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final ImageUploads images;
    private final Accounts accounts;
    /** Requests for a webhook made through another node moments ago, waiting for its record. */
    private final NodeRecordWait unknownIds;

    /**
     * @param ctx       the node.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public WebhookRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.directory = ctx.node().directory();
        this.accounts = ctx.node().accounts();
        this.shard = shard;
        this.exchanges = exchanges;
        this.images = new ImageUploads(ctx.gateway(), shard, exchanges);
        this.unknownIds = new NodeRecordWait(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("POST", "/channels/{channel}/webhooks", this::create)
            .add("GET", "/channels/{channel}/webhooks", this::listChannel)
            .add("GET", "/guilds/{guild}/webhooks", this::listGuild)
            .add("GET", "/webhooks/{webhook}", known(this::get))
            .add("PATCH", "/webhooks/{webhook}", known(this::edit))
            .add("DELETE", "/webhooks/{webhook}", known(this::delete));
    }

    /**
     * The handler, run at once if the path's id is a webhook, an application or a bot this node knows; else, in a
     * cluster, once its record is here or after {@value NodeRecordWait#WAIT_MILLIS} ms (then the handler answers
     * 10015): a webhook made through another node reaches this node's directory over the link (a node-wide record)
     * and may trail its creator's answer, which a client passes on at once (Discord4J executes a webhook as soon as
     * it made it). At most {@value NodeRecordWait#MAX_WAITING} requests wait at a time per shard.
     *
     * @param handler a route of {@code /webhooks/{webhook}…}.
     * @return the same route, waiting for an unknown id.
     */
    RouteTable.Handler known(final RouteTable.Handler handler)
    {
        return (ex, r) ->
        {
            final long id = r.id(0);
            if (id <= 0 || knownHere(id) || !unknownIds.await(() -> knownHere(id), () -> handler.handle(ex, r)))
            {
                handler.handle(ex, r);
            }
        };
    }

    /** A webhook, an application or a bot (an interaction's follow-ups use the same paths, by application id). */
    private boolean knownHere(final long id)
    {
        return directory.guildOfWebhook(id) != 0 || directory.application(id) != null || accounts.get(id) != null;
    }

    /**
     * @param body a create or edit body.
     * @return the name's error, or null when the name is absent or fine (1-80 characters, not "clyde").
     */
    static String badName(final JsonNode body)
    {
        final JsonNode n = body == null ? null : body.get("name");
        if (n == null)
        {
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank() || n.asText().length() > 80)
        {
            return "Must be between 1 and 80 in length.";
        }
        return n.asText().toLowerCase(java.util.Locale.ROOT).contains("clyde")
            || n.asText().toLowerCase(java.util.Locale.ROOT).contains("discord")
            ? "Username cannot contain \"clyde\" or \"discord\"" : null;
    }

    private void create(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        final long guildId = channelId < 0 ? 0 : directory.guildOfChannel(channelId);
        if (guildId == 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_CHANNEL);
            return;
        }
        final JsonNode body = r.body();
        final String bad = body == null || !body.has("name") ? "This field is required" : badName(body);
        if (bad != null)
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", bad);
            return;
        }
        final byte[] secret = new byte[48];
        RANDOM.nextBytes(secret);
        final String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        final long webhookId = shard.ids().next();
        final String name = body.get("name").asText();
        final JsonNode avatar = body.get("avatar");
        final byte[] image = avatar == null || avatar.isNull() ? null : images.decode(ex, "avatar", avatar);
        if (image == null && avatar != null && !avatar.isNull())
        {
            return;
        }
        final long correlation = exchanges.register(ex);
        final ShardGroup group = shard.group();
        final int origin = shard.address();
        final long userId = ex.userId();
        final String reason = ex.auditReason();
        if (image == null)
        {
            sent(correlation, WebhookProxy.create(group, origin, correlation, userId, reason, guildId, channelId,
                webhookId, name, null, WebhookService.hash(token), token));
            return;
        }
        images.store(ex, correlation, "avatars", webhookId, image, hash -> WebhookProxy.create(group, origin,
            correlation, userId, reason, guildId, channelId, webhookId, name, hash, WebhookService.hash(token), token));
    }

    private void listChannel(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        final long guildId = channelId < 0 ? 0 : directory.guildOfChannel(channelId);
        if (guildId == 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_CHANNEL);
            return;
        }
        final long correlation = exchanges.register(ex);
        sent(correlation, WebhookProxy.list(shard.group(), shard.address(), correlation, ex.userId(), guildId,
            channelId));
    }

    private void listGuild(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId >= 0)
        {
            final long correlation = exchanges.register(ex);
            sent(correlation, WebhookProxy.list(shard.group(), shard.address(), correlation, ex.userId(), guildId, 0));
        }
    }

    private void get(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId > 0)
        {
            final long correlation = exchanges.register(ex);
            sent(correlation, WebhookProxy.get(shard.group(), shard.address(), correlation, ex.userId(), guildId,
                r.id(0),
                null));
        }
    }

    private void edit(final RestExchange ex, final Request r)
    {
        edit(ex, r, null);
    }

    /**
     * {@code PATCH /webhooks/{id}[/{token}] {name, avatar, channel_id}} (a token may not move the webhook).
     *
     * @param token the webhook's token, or null for a manager.
     */
    void edit(final RestExchange ex, final Request r, final String token)
    {
        final long guildId = guildOf(ex, r);
        if (guildId <= 0)
        {
            return;
        }
        final JsonNode body = r.body();
        final String bad = badName(body);
        if (bad != null)
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", bad);
            return;
        }
        final String name = body == null || !body.has("name") ? null : body.get("name").asText();
        long channelId = 0;
        if (token == null && body != null && body.hasNonNull("channel_id"))
        {
            channelId = dev.pinwheel.gateway.codec.Json.parseId(body.get("channel_id").asText());
            if (channelId <= 0 || directory.guildOfChannel(channelId) != guildId)
            {
                RouteChecks.error(shard, ex, DiscordError.UNKNOWN_CHANNEL);
                return;
            }
        }
        final JsonNode avatar = body == null ? null : body.get("avatar");
        final byte[] image = avatar == null || avatar.isNull() ? null : images.decode(ex, "avatar", avatar);
        if (image == null && avatar != null && !avatar.isNull())
        {
            return;
        }
        final long correlation = exchanges.register(ex);
        final ShardGroup group = shard.group();
        final int origin = shard.address();
        final long userId = ex.userId();
        final String reason = ex.auditReason();
        final long webhookId = r.id(0);
        final long channel = channelId;
        if (image == null)
        {
            sent(correlation, WebhookProxy.edit(group, origin, correlation, userId, reason, guildId, webhookId, token,
                name, avatar == null ? null : "", channel));
            return;
        }
        images.store(ex, correlation, "avatars", webhookId, image, hash -> WebhookProxy.edit(group, origin,
            correlation, userId, reason, guildId, webhookId, token, name, hash, channel));
    }

    private void delete(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId > 0)
        {
            final long correlation = exchanges.register(ex);
            sent(correlation, WebhookProxy.delete(shard.group(), shard.address(), correlation, ex.userId(),
                ex.auditReason(), guildId, r.id(0), null));
        }
    }

    /** @return the webhook's guild, or 0 after answering 404 (10015). */
    long guildOf(final RestExchange ex, final Request r)
    {
        final long webhookId = r.id(0);
        final long guildId = webhookId <= 0 ? 0 : directory.guildOfWebhook(webhookId);
        if (guildId == 0)
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_WEBHOOK);
        }
        return guildId;
    }

    private void sent(final long correlation, final boolean ok)
    {
        if (!ok)
        {
            exchanges.fail(shard, correlation, DiscordError.STORAGE_UNAVAILABLE);
        }
    }
}
