package dev.pinwheel.gateway.http.routes;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.gateway.codec.Components;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Mentions;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.http.Upload;
import dev.pinwheel.gateway.owner.MessageProxy;

/**
 * {@code /channels/{channel}/messages[/{message}|/bulk-delete]} of guild channels: parse and check the request
 * against Discord's limits, then hand it to the guild's owner as a typed command ({@link MessageProxy}). A direct
 * message channel (no guild) goes to the DM routes. Runs on the shard that holds the request.
 */
public final class MessageRoutes
{
    /** Bulk delete takes messages under 14 days old only. */
    private static final long BULK_DELETE_MAX_AGE_MILLIS = 14L * 24 * 3600 * 1000;
    private static final HistoryQuery[] ANCHORS = {HistoryQuery.BEFORE, HistoryQuery.AFTER, HistoryQuery.AROUND};
    private static final String[] ANCHOR_NAMES = {"before", "after", "around"};

    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final MessageProxy messages;
    private final RouteTable.Handler directMessages;
    private final AttachmentUploads uploads;

    /**
     * @param ctx            the node.
     * @param shard          this shard.
     * @param exchanges      this shard's requests waiting for an answer.
     * @param directMessages handles the same routes for a direct-message channel.
     */
    public MessageRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges,
        final RouteTable.Handler directMessages)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.messages = new MessageProxy(shard);
        this.directMessages = directMessages;
        this.uploads = new AttachmentUploads(ctx.gateway(), shard, exchanges);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("GET", "/channels/{channel}/messages", this::history)
            .add("POST", "/channels/{channel}/messages", this::post)
            .add("POST", "/channels/{channel}/messages/bulk-delete", this::bulkDelete)
            .add("GET", "/channels/{channel}/messages/{message}", this::get)
            .add("PATCH", "/channels/{channel}/messages/{message}", this::edit)
            .add("DELETE", "/channels/{channel}/messages/{message}", this::delete);
    }

    /** @return the channel's guild, or 0 after answering (unknown channel) or handing a DM channel over. */
    private long guildOf(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        final long guildId = channelId < 0 ? 0 : ctx.node().directory().guildOfChannel(channelId);
        if (guildId == 0)
        {
            directMessages.handle(ex, r);
        }
        return guildId;
    }

    private void history(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId == 0)
        {
            return;
        }
        final int limit = r.intQuery("limit", 50);
        if (limit < 1 || limit > 100)
        {
            ex.invalidField(shard, "limit", "NUMBER_TYPE_MAX", "Must be between 1 and 100.");
            return;
        }
        HistoryQuery query = HistoryQuery.LATEST;
        long anchor = 0;
        for (int i = 0; i < ANCHORS.length; i++)
        {
            final String v = r.q(ANCHOR_NAMES[i]);
            if (v == null)
            {
                continue;
            }
            if (query != HistoryQuery.LATEST)
            {
                error(ex, DiscordError.ONE_HISTORY_ANCHOR);
                return;
            }
            anchor = Json.parseId(v);
            if (anchor < 0)
            {
                ex.invalidField(shard, ANCHOR_NAMES[i], "NUMBER_TYPE_COERCE", "Value \"" + v + "\" is not snowflake.");
                return;
            }
            query = ANCHORS[i];
        }
        messages.history(exchanges.register(ex), ex.userId(), guildId, r.id(0), query, anchor, limit);
    }

    private void post(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        if (guildId == 0)
        {
            return;
        }
        final long channelId = r.id(0);
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
        if (content.length() > 2000)
        {
            ex.invalidField(shard, "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
            return;
        }
        final MessageExtras.Parsed extras = MessageExtras.parse(body);
        if (!extras.valid())
        {
            ex.invalidField(shard, extras.errorField(), extras.errorCode(), extras.errorMessage());
            return;
        }
        final Mentions.Allowed allowed = Mentions.allowed(body);
        if (!allowed.valid())
        {
            ex.invalidPath(shard, allowed.errorPath(), allowed.errorCode(), allowed.errorMessage());
            return;
        }
        final List<Upload> files = AttachmentUploads.files(r);
        if (content.isBlank() && (extras.embeds() == null || extras.embeds().isEmpty()) && files.isEmpty())
        {
            error(ex, DiscordError.EMPTY_MESSAGE);
            return;
        }
        if (!files.isEmpty() && !uploads.check(ex, files))
        {
            return;
        }
        final JsonNode n = body.get("nonce");
        String nonce = null;
        if (n != null && !n.isNull())
        {
            nonce = n.asText();
            if (nonce.length() > 25 || !(n.isTextual() || n.isIntegralNumber()))
            {
                ex.invalidField(shard, "nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
                return;
            }
        }
        final Components.Result components = Components.message(body.get("components"));
        if (!components.valid())
        {
            ex.invalidPath(shard, components.path(), components.code(), components.message());
            return;
        }
        final boolean tts = body.path("tts").asBoolean(false);
        final int flags = body.path("flags").asInt(0) & (1 << 2 | 1 << 12);
        final String embeds = extras.embeds() == null ? null : extras.embeds().toString();
        final String componentsJson = components.components().isEmpty() ? null : components.components().toString();
        final long correlation = exchanges.register(ex);
        if (files.isEmpty())
        {
            messages.post(correlation, ex.userId(), guildId, channelId, content, tts, flags, nonce, embeds,
                extras.replyTo(), extras.replyChannel(), extras.failIfNotExists(), allowed, componentsJson);
            return;
        }
        final ShardGroup group = shard.group();
        final int origin = shard.address();
        final long userId = ex.userId();
        final String nonceText = nonce;
        uploads.store(ex, correlation, r, body, channelId, files, attachments -> MessageProxy.postWithFiles(group,
            origin, correlation, userId, guildId, channelId, content, tts, flags, nonceText, embeds, extras.replyTo(),
            extras.replyChannel(), extras.failIfNotExists(), allowed, componentsJson, attachments));
    }

    private void get(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        final long messageId = guildId == 0 ? 0 : messageId(ex, r);
        if (messageId > 0)
        {
            messages.get(exchanges.register(ex), ex.userId(), guildId, r.id(0), messageId);
        }
    }

    private void delete(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        final long messageId = guildId == 0 ? 0 : messageId(ex, r);
        if (messageId > 0)
        {
            messages.delete(exchanges.register(ex), ex.userId(), guildId, r.id(0), messageId, ex.auditReason());
        }
    }

    private void edit(final RestExchange ex, final Request r)
    {
        final long guildId = guildOf(ex, r);
        final long messageId = guildId == 0 ? 0 : messageId(ex, r);
        if (messageId <= 0)
        {
            return;
        }
        final JsonNode body = r.body() == null ? Json.object() : r.body();
        final JsonNode c = body.get("content");
        if (c != null && !c.isNull() && (!c.isTextual() || c.asText().length() > 2000))
        {
            ex.invalidField(shard, "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
            return;
        }
        final MessageExtras.Parsed extras = MessageExtras.parse(body);
        if (!extras.valid())
        {
            ex.invalidField(shard, extras.errorField(), extras.errorCode(), extras.errorMessage());
            return;
        }
        final Mentions.Allowed allowed = Mentions.allowed(body);
        if (!allowed.valid())
        {
            ex.invalidPath(shard, allowed.errorPath(), allowed.errorCode(), allowed.errorMessage());
            return;
        }
        final Components.Result components = Components.message(body.get("components"));
        if (!components.valid())
        {
            ex.invalidPath(shard, components.path(), components.code(), components.message());
            return;
        }
        final String componentsJson = body.has("components") ? components.components().toString() : null;
        final String content = c == null || c.isNull() ? null : c.asText();
        final String embeds = extras.embeds() == null ? null : extras.embeds().toString();
        final List<Upload> files = AttachmentUploads.files(r);
        final JsonNode listed = body.get("attachments");
        if (listed != null && !listed.isNull() && !listed.isArray())
        {
            ex.invalidField(shard, "attachments", "BASE_TYPE_ARRAY", "Must be an array.");
            return;
        }
        if (!files.isEmpty() && !uploads.check(ex, files))
        {
            return;
        }
        // the old attachments to keep: those listed by a snowflake that is not a new file's index
        final ObjectNode edit = Json.object();
        if (listed == null || listed.isNull())
        {
            edit.put("all", true);
        }
        else
        {
            final ArrayNode keep = edit.putArray("keep");
            for (final JsonNode a : listed)
            {
                final String id = a.path("id").asText("");
                if (!isNewFile(files, id) && Json.parseId(id) > 0)
                {
                    keep.add(id);
                }
            }
        }
        final long correlation = exchanges.register(ex);
        final long channelId = r.id(0);
        if (files.isEmpty())
        {
            messages.edit(correlation, ex.userId(), guildId, channelId, messageId, content, embeds, allowed,
                componentsJson, listed == null || listed.isNull() ? null : edit.toString());
            return;
        }
        final ShardGroup group = shard.group();
        final int origin = shard.address();
        final long userId = ex.userId();
        uploads.store(ex, correlation, r, body, channelId, files, attachments ->
        {
            edit.set("add", Json.parse(attachments));
            return MessageProxy.editWithFiles(group, origin, correlation, userId, guildId, channelId, messageId,
                content, embeds, allowed, componentsJson, edit.toString());
        });
    }

    /**
     * {@code POST /channels/{id}/messages/bulk-delete {messages: [ids]}}: 2 to 100 distinct ids of messages under
     * 14 days old (older: 400/50034); ids of messages that do not exist count but are skipped.
     */
    private void bulkDelete(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        final long guildId = channelId < 0 ? 0 : ctx.node().directory().guildOfChannel(channelId);
        if (guildId == 0)
        {
            error(ex, channelId > 0 && ctx.node().directory().dmUsers(channelId) != null ? DiscordError.DM_ACTION
                : DiscordError.UNKNOWN_CHANNEL);
            return;
        }
        final JsonNode list = r.body() == null ? null : r.body().get("messages");
        if (list == null || !list.isArray() || list.size() < 2 || list.size() > 100)
        {
            ex.invalidField(shard, "messages", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.");
            return;
        }
        final long[] ids = new long[list.size()];
        final long oldest = System.currentTimeMillis() - BULK_DELETE_MAX_AGE_MILLIS;
        boolean tooOld = false;
        for (int i = 0; i < ids.length; i++)
        {
            final JsonNode n = list.get(i);
            ids[i] = n.isTextual() ? Json.parseId(n.asText()) : n.canConvertToLong() ? n.asLong() : -1;
            if (ids[i] <= 0)
            {
                ex.invalidField(shard, "messages", "NUMBER_TYPE_COERCE", "Value \"" + n.asText()
                    + "\" is not snowflake.");
                return;
            }
            tooOld |= SnowflakeIds.timestampMillis(ids[i]) < oldest;
        }
        if (java.util.Arrays.stream(ids).distinct().count() != ids.length)
        {
            ex.invalidField(shard, "messages", "BASE_TYPE_DUPLICATES", "Must not contain duplicates.");
            return;
        }
        if (tooOld)
        {
            error(ex, DiscordError.BULK_DELETE_TOO_OLD);
            return;
        }
        messages.bulkDelete(exchanges.register(ex), ex.userId(), guildId, channelId, ids, ex.auditReason());
    }

    private static boolean isNewFile(final List<Upload> files, final String id)
    {
        for (final Upload u : files)
        {
            if (Integer.toString(u.index()).equals(id))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the path's message id, or -1 when it names none (not a number, or 0): then answered 10008. Before, an id
     *         of 0 was neither answered nor sent to the owner (its callers take 0 for "answered already", the DM
     *         path's sign), and the request hung until its client gave up.
     */
    private long messageId(final RestExchange ex, final Request r)
    {
        final long messageId = r.id(1);
        if (messageId <= 0)
        {
            error(ex, DiscordError.UNKNOWN_MESSAGE);
            return -1;
        }
        return messageId;
    }

    private void error(final RestExchange ex, final DiscordError error)
    {
        ex.reply(shard, error.status(), error.body());
    }
}
