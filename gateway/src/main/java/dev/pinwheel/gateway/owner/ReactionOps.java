package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.codec.Intents;

/**
 * Reactions on the guild's <b>owner shard</b>. A message's reactions live in its stored extras as
 * {@code reactions: [{emoji, users: [ids]}]} in the order they were first added; every change appends a new version
 * of the message to the journal (not an edit: content and edited timestamp stay), so reactions survive restarts
 * like the message itself. Events (intent GUILD_MESSAGE_REACTIONS) go out after the commit, replies are 204.
 * Every method MUST run on the owner shard's thread.
 */
public final class ReactionOps
{
    /** Most distinct emojis on one message (Discord's limit). */
    public static final int MAX_EMOJIS = 20;

    private ReactionOps()
    {
    }

    /**
     * {@code PUT /channels/{c}/messages/{m}/reactions/{emoji}/@me}.
     */
    public static void add(final Shard owner, final GatewayContext ctx, final long guildId, final long channelId,
        final long messageId, final ObjectNode emoji, final RestExchange ex)
    {
        final Guild g = owner.guilds().get(guildId);
        final StoredMessage m = target(owner, guildId, channelId, messageId, ex);
        if (m == null)
        {
            return;
        }
        final ObjectNode extra = MessageExtras.parseExtra(m.extra());
        final ArrayNode reactions = extra.withArray("reactions");
        ObjectNode r = find(reactions, emoji);
        final String me = Json.id(ex.userId());
        if (r == null)
        {
            if (!Permissions.has(Permissions.of(g, ex.userId()), Permissions.ADD_REACTIONS))
            {
                ex.error(owner, 403, 50013, "Missing Permissions");
                return;
            }
            if (reactions.size() >= MAX_EMOJIS)
            {
                ex.error(owner, 400, 30010, "Maximum number of reactions reached (20)");
                return;
            }
            r = reactions.addObject();
            r.set("emoji", emoji);
            r.putArray("users");
        }
        for (final JsonNode u : r.path("users"))
        {
            if (me.equals(u.asText()))
            {
                ex.reply(owner, 204, (JsonNode)null); // already there: nothing changes
                return;
            }
        }
        ((ArrayNode)r.get("users")).add(me);
        final ObjectNode d = event(g, m, ex.userId(), emoji);
        d.put("message_author_id", Json.id(m.authorId()));
        final Member member = g.member(ex.userId());
        if (member != null)
        {
            d.set("member", Entities.member(member, ctx.node().accounts(), true));
        }
        commit(owner, g, m, extra, new Dispatch("MESSAGE_REACTION_ADD", Json.bytes(d), null,
            Intents.GUILD_MESSAGE_REACTIONS, guildId, 0, 0), ex);
    }

    /**
     * {@code DELETE …/reactions/{emoji}/@me} and {@code …/reactions/{emoji}/{user}} (the latter needs
     * MANAGE_MESSAGES).
     */
    public static void remove(final Shard owner, final long guildId, final long channelId, final long messageId,
        final ObjectNode emoji, final long userId, final RestExchange ex)
    {
        final Guild g = owner.guilds().get(guildId);
        final StoredMessage m = target(owner, guildId, channelId, messageId, ex);
        if (m == null)
        {
            return;
        }
        if (userId != ex.userId() && !Permissions.has(Permissions.of(g, ex.userId()), Permissions.MANAGE_MESSAGES))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return;
        }
        final ObjectNode extra = MessageExtras.parseExtra(m.extra());
        final ArrayNode reactions = extra.withArray("reactions");
        final ObjectNode r = find(reactions, emoji);
        final ArrayNode users = r == null ? null : (ArrayNode)r.get("users");
        final int at = users == null ? -1 : indexOf(users, Json.id(userId));
        if (at < 0)
        {
            ex.reply(owner, 204, (JsonNode)null); // Discord answers 204 for a reaction that is not there
            return;
        }
        users.remove(at);
        if (users.isEmpty())
        {
            reactions.remove(indexOf(reactions, r));
        }
        commit(owner, g, m, extra, new Dispatch("MESSAGE_REACTION_REMOVE", Json.bytes(event(g, m, userId, emoji)),
            null, Intents.GUILD_MESSAGE_REACTIONS, guildId, 0, 0), ex);
    }

    /**
     * {@code DELETE …/reactions} ({@code emoji} null: all) and {@code DELETE …/reactions/{emoji}}; MANAGE_MESSAGES.
     */
    public static void clear(final Shard owner, final long guildId, final long channelId, final long messageId,
        final ObjectNode emoji, final RestExchange ex)
    {
        final Guild g = owner.guilds().get(guildId);
        final StoredMessage m = target(owner, guildId, channelId, messageId, ex);
        if (m == null)
        {
            return;
        }
        if (!Permissions.has(Permissions.of(g, ex.userId()), Permissions.MANAGE_MESSAGES))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return;
        }
        final ObjectNode extra = MessageExtras.parseExtra(m.extra());
        final ArrayNode reactions = extra.withArray("reactions");
        final ObjectNode d = Json.object();
        d.put("channel_id", Json.id(channelId));
        d.put("message_id", Json.id(messageId));
        d.put("guild_id", Json.id(guildId));
        final String type;
        if (emoji == null)
        {
            reactions.removeAll();
            type = "MESSAGE_REACTION_REMOVE_ALL";
        }
        else
        {
            final ObjectNode r = find(reactions, emoji);
            if (r != null)
            {
                reactions.remove(indexOf(reactions, r));
            }
            d.set("emoji", emoji);
            type = "MESSAGE_REACTION_REMOVE_EMOJI";
        }
        commit(owner, g, m, extra, new Dispatch(type, Json.bytes(d), null, Intents.GUILD_MESSAGE_REACTIONS, guildId,
            0, 0), ex);
    }

    /**
     * {@code GET …/reactions/{emoji}?after=&limit=}: the users who reacted, by id, at most {@code limit}.
     */
    public static void users(final Shard owner, final GatewayContext ctx, final long guildId, final long channelId,
        final long messageId, final ObjectNode emoji, final long after, final int limit, final RestExchange ex)
    {
        final StoredMessage m = target(owner, guildId, channelId, messageId, ex);
        if (m == null)
        {
            return;
        }
        final ObjectNode r = find(MessageExtras.parseExtra(m.extra()).withArray("reactions"), emoji);
        final java.util.List<Long> ids = new java.util.ArrayList<>();
        if (r != null)
        {
            for (final JsonNode u : r.path("users"))
            {
                final long id = Json.parseId(u.asText());
                if (Long.compareUnsigned(id, after) > 0)
                {
                    ids.add(id);
                }
            }
        }
        ids.sort(Long::compareUnsigned);
        final ArrayNode out = Json.array();
        for (final long id : ids.subList(0, Math.min(limit, ids.size())))
        {
            out.add(Entities.user(ctx.node().accounts().get(id), id));
        }
        ex.reply(owner, 200, out);
    }

    private static StoredMessage target(final Shard owner, final long guildId, final long channelId,
        final long messageId, final RestExchange ex)
    {
        final GuildChannel c = GuildOps.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
            | Permissions.READ_MESSAGE_HISTORY, ex);
        if (c == null)
        {
            return null;
        }
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m == null)
        {
            ex.error(owner, 404, 10008, "Unknown Message");
        }
        return m;
    }

    private static void commit(final Shard owner, final Guild g, final StoredMessage m, final ObjectNode extra,
        final Dispatch event, final RestExchange ex)
    {
        if (extra.path("reactions").isEmpty())
        {
            extra.remove("reactions");
        }
        owner.store().appendMessage(m.withExtra(MessageExtras.toExtra(extra)));
        owner.afterCommit(() ->
        {
            owner.publish(g, event);
            ex.reply(owner, 204, (JsonNode)null);
        });
    }

    private static ObjectNode event(final Guild g, final StoredMessage m, final long userId, final ObjectNode emoji)
    {
        final ObjectNode d = Json.object();
        d.put("user_id", Json.id(userId));
        d.put("channel_id", Json.id(m.channelId()));
        d.put("message_id", Json.id(m.id()));
        d.put("guild_id", Json.id(g.id()));
        d.set("emoji", emoji);
        d.put("burst", false);
        d.put("type", 0);
        return d;
    }

    private static ObjectNode find(final ArrayNode reactions, final ObjectNode emoji)
    {
        for (final JsonNode r : reactions)
        {
            if (r.path("emoji").equals(emoji))
            {
                return (ObjectNode)r;
            }
        }
        return null;
    }

    private static int indexOf(final ArrayNode a, final Object item)
    {
        for (int i = 0; i < a.size(); i++)
        {
            final JsonNode n = a.get(i);
            if (item instanceof String s ? s.equals(n.asText()) : n == item)
            {
                return i;
            }
        }
        return -1;
    }
}
