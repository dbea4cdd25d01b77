package dev.pinwheel.gateway.owner;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.codec.Intents;

/**
 * Direct messages. A DM channel belongs to two users; it is opened on the shard that owns the user pair (one writer
 * per pair: opening twice gives the same channel) and journaled there ({@code DM_CREATED}, node directory). Its
 * messages live on the shard that owns the channel id, like a guild's on its owner: that shard journals them and
 * sends each event, over the ordered shard-to-shard path, to each user's owner shard, which hands it to the shards
 * holding that user's sessions only ({@link UserSessionProxy#sendToUser}); they deliver it (DIRECT_MESSAGES) in the
 * order the channel's shard produced it. Methods run on the shard named in each.
 */
public final class DmOps
{
    private DmOps()
    {
    }

    /**
     * {@code POST /users/@me/channels {recipient_id}} on the pair's owner shard: the existing channel or a new one.
     */
    public static void open(final Shard owner, final GatewayContext ctx, final long me, final long recipient,
        final RestExchange ex)
    {
        long channelId = ctx.node().directory().dmBetween(me, recipient);
        if (channelId == 0)
        {
            channelId = owner.ids().next();
            StateLog.commit(owner, ctx.node(), StateRecords.DM_CREATED, StateRecords.dmCreated(channelId, me,
                recipient));
        }
        final ObjectNode body = channel(ctx, channelId, me, 0);
        owner.afterCommit(() -> ex.reply(owner, 200, body));
    }

    /**
     * @param ctx       context.
     * @param channelId the DM channel.
     * @param viewer    who it is shown to (the other user is the recipient).
     * @param lastId    newest message id, 0 for none.
     * @return the DM channel object (type 1).
     */
    public static ObjectNode channel(final GatewayContext ctx, final long channelId, final long viewer,
        final long lastId)
    {
        final long[] users = ctx.node().directory().dmUsers(channelId);
        final long other = users[0] == viewer ? users[1] : users[0];
        final ObjectNode o = Json.object();
        o.put("id", Json.id(channelId));
        o.put("type", 1);
        if (lastId == 0)
        {
            o.putNull("last_message_id");
        }
        else
        {
            o.put("last_message_id", Json.id(lastId));
        }
        o.put("flags", 0);
        o.putArray("recipients").add(Entities.user(ctx.node().accounts().get(other), other));
        return o;
    }

    /** {@code GET /channels/{dm}} on the channel's shard. */
    public static void get(final Shard owner, final GatewayContext ctx, final long channelId, final RestExchange ex)
    {
        ex.reply(owner, 200, channel(ctx, channelId, ex.userId(), owner.store().lastMessageId(channelId)));
    }

    /** {@code POST /channels/{dm}/messages} on the channel's shard. */
    public static void post(final Shard owner, final GatewayContext ctx, final long channelId, final String content,
        final boolean tts, final String extra, final String nonce, final RestExchange ex)
    {
        final StoredMessage m = new StoredMessage(owner.ids().next(), channelId, 0, ex.userId(), content, 0, 0, tts,
            false, extra);
        owner.store().appendMessage(m);
        final ObjectNode body = Entities.message(m, ctx.node().accounts(), nonce);
        final Dispatch event = new Dispatch("MESSAGE_CREATE", Json.bytes(body), null, Intents.DIRECT_MESSAGES, 0,
            m.authorId(), 0);
        owner.afterCommit(() ->
        {
            ex.reply(owner, 200, body);
            deliver(owner, ctx, channelId, event);
        });
    }

    /** {@code GET /channels/{dm}/messages} on the channel's shard. */
    public static void history(final Shard owner, final GatewayContext ctx, final long channelId,
        final HistoryQuery query, final long anchor, final int limit, final RestExchange ex)
    {
        final List<StoredMessage> page = owner.store().history(channelId, query, anchor, limit);
        final ArrayNode arr = Json.array();
        for (final StoredMessage m : page)
        {
            arr.add(Entities.message(m, ctx.node().accounts(), null, ex.userId()));
        }
        ex.reply(owner, 200, arr);
    }

    /** {@code GET|PATCH|DELETE /channels/{dm}/messages/{id}} on the channel's shard. */
    public static void message(final Shard owner, final GatewayContext ctx, final long channelId,
        final long messageId, final String method, final String newContent, final RestExchange ex)
    {
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m == null)
        {
            ex.error(owner, 404, 10008, "Unknown Message");
            return;
        }
        if ("GET".equals(method))
        {
            ex.reply(owner, 200, Entities.message(m, ctx.node().accounts(), null, ex.userId()));
            return;
        }
        if (m.authorId() != ex.userId())
        {
            ex.error(owner, 403, "PATCH".equals(method) ? 50005 : 50003, "PATCH".equals(method)
                ? "Cannot edit a message authored by another user" : "Cannot execute action on a DM channel");
            return;
        }
        final Dispatch event;
        final JsonNode reply;
        if ("PATCH".equals(method))
        {
            final StoredMessage edited = newContent == null ? m : m.withEdit(newContent, System.currentTimeMillis());
            owner.store().appendMessage(edited);
            final ObjectNode body = Entities.message(edited, ctx.node().accounts(), null);
            event = new Dispatch("MESSAGE_UPDATE", Json.bytes(body), null, Intents.DIRECT_MESSAGES, 0, m.authorId(),
                0);
            reply = body;
        }
        else
        {
            owner.store().deleteMessage(channelId, messageId);
            final ObjectNode d = Json.object();
            d.put("id", Json.id(messageId));
            d.put("channel_id", Json.id(channelId));
            event = new Dispatch("MESSAGE_DELETE", Json.bytes(d), null, Intents.DIRECT_MESSAGES, 0, 0, 0);
            reply = null;
        }
        owner.afterCommit(() ->
        {
            ex.reply(owner, reply == null ? 204 : 200, reply);
            deliver(owner, ctx, channelId, event);
        });
    }

    /** Each of the channel's two users gets the event on every session, in the channel's order. */
    private static void deliver(final Shard owner, final GatewayContext ctx, final long channelId, final Dispatch d)
    {
        final long[] users = ctx.node().directory().dmUsers(channelId);
        final UserSessionProxy sessions = new UserSessionProxy(owner);
        for (final long user : users)
        {
            sessions.sendToUser(user, d);
        }
    }
}
