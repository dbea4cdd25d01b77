package dev.pinwheel.gateway.owner;

import java.security.SecureRandom;
import java.util.Comparator;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.MessageExtras;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.codec.Intents;

/**
 * Everything that runs on a guild's <b>owner shard</b>: validation against the guild's state, the journal
 * append (durable before any acknowledgement), the one encoding of the event, the fanout, the reply.
 * Every method MUST run on the owner shard's thread (they are sent there as tasks).
 */
public final class GuildOps
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CODE_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private GuildOps()
    {
    }

    private static Guild guildOrError(final Shard owner, final long guildId, final long userId, final RestExchange ex)
    {
        final Guild g = owner.guilds().get(guildId);
        if (g == null)
        {
            ex.error(owner, 404, 10004, "Unknown Guild");
            return null;
        }
        if (g.member(userId) == null)
        {
            ex.error(owner, 403, 50001, "Missing Access");
            return null;
        }
        return g;
    }

    private static GuildChannel channelOrError(final Shard owner, final Guild g, final long channelId,
        final RestExchange ex)
    {
        final GuildChannel c = g.channel(channelId);
        if (c == null)
        {
            ex.error(owner, 404, 10003, "Unknown Channel");
        }
        return c;
    }

    /**
     * Resolves a channel of a guild this shard owns for a caller who must hold {@code needed} there, answering
     * the error itself (unknown guild/channel, missing access or permissions).
     *
     * @return the channel, or null when an error was sent.
     */
    static GuildChannel channelWith(final Shard owner, final long guildId, final long channelId,
        final long needed, final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        final GuildChannel c = g == null ? null : channelOrError(owner, g, channelId, ex);
        if (c != null && !Permissions.has(Permissions.of(g, ex.userId()), needed))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return null;
        }
        return c;
    }

    /**
     * Creates a guild owned by {@code userId} with a text channel {@code general}.
     */
    public static void createGuild(final Shard owner, final GatewayContext ctx, final long guildId, final String name,
        final long userId, final RestExchange ex)
    {
        StateLog.commit(owner, ctx.node(), StateRecords.GUILD_CREATED,
            StateRecords.guildCreated(guildId, name, userId, Permissions.EVERYONE_DEFAULT));
        final GuildChannel general = new GuildChannel(owner.ids().next(), guildId, GuildChannel.TEXT, "general", 0,
            null, 0, 0, 0);
        StateLog.commit(owner, ctx.node(), StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(general));
        StateLog.commit(owner, ctx.node(), StateRecords.MEMBER_ADDED,
            StateRecords.memberAdded(guildId, userId, System.currentTimeMillis()));
        final Guild g = owner.guilds().get(guildId);
        final ObjectNode body = Entities.guild(g);
        final ArrayNode channels = body.putArray("channels");
        channels.add(Entities.channel(general, 0));
        owner.afterCommit(() ->
        {
            ex.reply(owner, 201, body);
            announceJoin(owner, userId, guildId);
        });
    }

    private static void announceJoin(final Shard owner, final long userId, final long guildId)
    {
        new SessionProxy(owner).userJoined(userId, guildId);
    }

    public static void getGuild(final Shard owner, final long guildId, final RestExchange ex, final boolean withCounts)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        if (g != null)
        {
            final ObjectNode body = Entities.guild(g);
            if (withCounts)
            {
                body.put("approximate_member_count", g.memberCount());
                body.put("approximate_presence_count", 0);
            }
            ex.reply(owner, 200, body);
        }
    }

    public static void listChannels(final Shard owner, final long guildId, final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        if (g != null)
        {
            final ArrayNode arr = Json.array();
            for (final GuildChannel c : g.channels())
            {
                arr.add(Entities.channel(c, owner.store().lastMessageId(c.id())));
            }
            ex.reply(owner, 200, arr);
        }
    }

    public static void getChannel(final Shard owner, final long guildId, final long channelId, final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        final GuildChannel c = g == null ? null : channelOrError(owner, g, channelId, ex);
        if (c != null)
        {
            ex.reply(owner, 200, Entities.channel(c, owner.store().lastMessageId(c.id())));
        }
    }

    public static void createChannel(final Shard owner, final GatewayContext ctx, final long guildId,
        final String name, final int type, final String topic, final int bitrate, final int userLimit,
        final long parentId, final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        if (g == null)
        {
            return;
        }
        if (!Permissions.has(Permissions.of(g, ex.userId()), Permissions.MANAGE_CHANNELS))
        {
            ex.error(owner, 403, 50013, "Missing Permissions");
            return;
        }
        if (parentId != 0 && (g.channel(parentId) == null || g.channel(parentId).type() != GuildChannel.CATEGORY))
        {
            ex.invalidField(owner, "parent_id", "CHANNEL_PARENT_INVALID", "Not a category in this guild.");
            return;
        }
        final GuildChannel c = new GuildChannel(owner.ids().next(), guildId, type, name, g.channels().size(), topic,
            type == GuildChannel.VOICE ? (bitrate == 0 ? 64000 : bitrate) : 0, userLimit, parentId);
        StateLog.commit(owner, ctx.node(), StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(c));
        final byte[] d = Json.bytes(Entities.channel(c, 0));
        owner.afterCommit(() ->
        {
            ex.reply(owner, 201, d);
            owner.publish(g, new Dispatch("CHANNEL_CREATE", d, null, Intents.GUILDS, guildId, 0, 0));
        });
    }

    /**
     * A channel edit ({@code null}: unchanged; {@code parentId} 0 takes it out of its category).
     *
     * @param name      new name.
     * @param topic     new topic ("" clears).
     * @param position  new position.
     * @param bitrate   new bitrate (voice).
     * @param userLimit new user limit (voice).
     * @param parentId  new category.
     */
    public record ChannelEdit(String name, String topic, Integer position, Integer bitrate, Integer userLimit,
        Long parentId)
    {
    }

    /** {@code PATCH /channels/{id}} (MANAGE_CHANNELS): journaled as the whole channel, CHANNEL_UPDATE. */
    public static void modifyChannel(final Shard owner, final GatewayContext ctx, final long guildId,
        final long channelId, final ChannelEdit e, final RestExchange ex)
    {
        final GuildChannel c = channelWith(owner, guildId, channelId, Permissions.MANAGE_CHANNELS, ex);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        if (e.parentId() != null && e.parentId() != 0 && (g.channel(e.parentId()) == null
            || g.channel(e.parentId()).type() != GuildChannel.CATEGORY || e.parentId() == channelId))
        {
            ex.invalidField(owner, "parent_id", "CHANNEL_PARENT_INVALID", "Not a category in this guild.");
            return;
        }
        final GuildChannel changed = new GuildChannel(c.id(), guildId, c.type(),
            e.name() == null ? c.name() : e.name(), e.position() == null ? c.position() : e.position(),
            e.topic() == null ? c.topic() : e.topic().isEmpty() ? null : e.topic(),
            e.bitrate() == null || c.type() != GuildChannel.VOICE ? c.bitrate() : e.bitrate(),
            e.userLimit() == null || c.type() != GuildChannel.VOICE ? c.userLimit() : e.userLimit(),
            e.parentId() == null ? c.parentId() : e.parentId());
        StateLog.commit(owner, ctx.node(), StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(changed));
        final ObjectNode body = Entities.channel(changed, owner.store().lastMessageId(channelId));
        final byte[] d = Json.bytes(body);
        owner.afterCommit(() ->
        {
            ex.reply(owner, 200, d);
            owner.publish(g, new Dispatch("CHANNEL_UPDATE", d, null, Intents.GUILDS, guildId, 0, 0));
        });
    }

    /** {@code DELETE /channels/{id}} (MANAGE_CHANNELS): CHANNEL_DELETE; the reply is the deleted channel. */
    public static void deleteChannel(final Shard owner, final GatewayContext ctx, final VoiceService voice,
        final long guildId, final long channelId, final RestExchange ex)
    {
        final GuildChannel c = channelWith(owner, guildId, channelId, Permissions.MANAGE_CHANNELS, ex);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        if (c.type() == GuildChannel.VOICE)
        {
            // whoever is in a deleted voice channel leaves it (VOICE_STATE_UPDATE with channel_id null)
            voice.channelDeleted(owner, guildId, channelId);
        }
        StateLog.commit(owner, ctx.node(), StateRecords.CHANNEL_DELETED,
            StateRecords.channelDeleted(guildId, channelId));
        final byte[] d = Json.bytes(Entities.channel(c, owner.store().lastMessageId(channelId)));
        owner.afterCommit(() ->
        {
            ex.reply(owner, 200, d);
            owner.publish(g, new Dispatch("CHANNEL_DELETE", d, null, Intents.GUILDS, guildId, 0, 0));
        });
    }

    public static void createInvite(final Shard owner, final GatewayContext ctx, final long guildId,
        final long channelId, final int maxAge, final int maxUses, final RestExchange ex)
    {
        final GuildChannel c = channelWith(owner, guildId, channelId, Permissions.CREATE_INSTANT_INVITE, ex);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        String code;
        do
        {
            final StringBuilder sb = new StringBuilder(10);
            for (int i = 0; i < 10; i++)
            {
                sb.append(CODE_CHARS.charAt(RANDOM.nextInt(CODE_CHARS.length())));
            }
            code = sb.toString();
        }
        while (ctx.node().directory().invite(code) != null);
        final Invite invite = new Invite(code, guildId, channelId, ex.userId(), System.currentTimeMillis(), maxAge,
            maxUses);
        StateLog.commit(owner, ctx.node(), StateRecords.INVITE_CREATED, StateRecords.inviteCreated(invite));
        final ObjectNode body = Entities.invite(invite, g, c, ctx.node().accounts());
        owner.afterCommit(() -> ex.reply(owner, 200, body));
    }

    public static void getInvite(final Shard owner, final GatewayContext ctx, final Invite invite,
        final RestExchange ex)
    {
        final Guild g = owner.guilds().get(invite.guildId());
        final GuildChannel c = g == null ? null : g.channel(invite.channelId());
        if (c == null || invite.expired(System.currentTimeMillis()))
        {
            ex.error(owner, 404, 10006, "Unknown Invite");
            return;
        }
        ex.reply(owner, 200, Entities.invite(invite, g, c, ctx.node().accounts()));
    }

    /**
     * Joins the caller to the invite's guild: journal, GUILD_MEMBER_ADD to members, GUILD_CREATE to the
     * joiner's sessions (through the normal subscription path).
     */
    public static void join(final Shard owner, final GatewayContext ctx, final Invite invite, final RestExchange ex)
    {
        final Guild g = owner.guilds().get(invite.guildId());
        final GuildChannel c = g == null ? null : g.channel(invite.channelId());
        if (c == null || invite.expired(System.currentTimeMillis()))
        {
            ex.error(owner, 404, 10006, "Unknown Invite");
            return;
        }
        final long userId = ex.userId();
        final Accounts accounts = ctx.node().accounts();
        if (g.member(userId) == null)
        {
            StateLog.commit(owner, ctx.node(), StateRecords.MEMBER_ADDED,
                StateRecords.memberAdded(g.id(), userId, System.currentTimeMillis()));
            final ObjectNode d = Entities.member(g.member(userId), accounts, true);
            d.put("guild_id", Json.id(g.id()));
            final Dispatch memberAdd = new Dispatch("GUILD_MEMBER_ADD", Json.bytes(d), null, Intents.GUILD_MEMBERS,
                g.id(), 0, 0);
            owner.afterCommit(() ->
            {
                owner.publish(g, memberAdd);
                announceJoin(owner, userId, g.id());
            });
        }
        final ObjectNode body = Entities.invite(invite, g, c, accounts);
        body.set("new_member", Entities.member(g.member(userId), accounts, true));
        owner.afterCommit(() -> ex.reply(owner, 200, body));
    }

    public static void getMember(final Shard owner, final GatewayContext ctx, final long guildId, final long userId,
        final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        if (g == null)
        {
            return;
        }
        final Member m = g.member(userId);
        if (m == null)
        {
            ex.error(owner, 404, 10007, "Unknown Member");
            return;
        }
        ex.reply(owner, 200, Entities.member(m, ctx.node().accounts(), true));
    }

    public static void listMembers(final Shard owner, final GatewayContext ctx, final long guildId, final int limit,
        final long after, final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        if (g == null)
        {
            return;
        }
        final ArrayNode arr = Json.array();
        g.members().stream().filter(m -> m.userId() > after).sorted((a, b) -> Long.compare(a.userId(), b.userId()))
            .limit(limit).forEach(m -> arr.add(Entities.member(m, ctx.node().accounts(), true)));
        ex.reply(owner, 200, arr);
    }

    /** Whether the member's username or nickname starts with {@code lowerPrefix} (lower case), ignoring case. */
    private static boolean matches(final Accounts accounts, final Member m, final String lowerPrefix)
    {
        final dev.pinwheel.core.directory.Account a = accounts.get(m.userId());
        return (a != null && a.username().toLowerCase(Locale.ROOT).startsWith(lowerPrefix))
            || (m.nick() != null && m.nick().toLowerCase(Locale.ROOT).startsWith(lowerPrefix));
    }

    /**
     * {@code GET /guilds/{id}/members/search}: members whose username or nickname starts with {@code query}
     * (case-insensitive), by user id, at most {@code limit}.
     */
    public static void searchMembers(final Shard owner, final GatewayContext ctx, final long guildId,
        final String query, final int limit, final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        if (g == null)
        {
            return;
        }
        final Accounts accounts = ctx.node().accounts();
        final String prefix = query.toLowerCase(Locale.ROOT);
        final ArrayNode arr = Json.array();
        g.members().stream().filter(m -> matches(accounts, m, prefix))
            .sorted(Comparator.comparingLong(Member::userId)).limit(limit)
            .forEach(m -> arr.add(Entities.member(m, accounts, true)));
        ex.reply(owner, 200, arr);
    }

    /**
     * {@code GET /guilds/{id}/roles}: the guild's roles by position.
     */
    public static void listRoles(final Shard owner, final long guildId, final RestExchange ex)
    {
        final Guild g = guildOrError(owner, guildId, ex.userId(), ex);
        if (g != null)
        {
            final ArrayNode arr = Json.array();
            g.roles().stream().sorted(Comparator.comparingInt(Role::position).thenComparingLong(Role::id))
                .forEach(role -> arr.add(Entities.role(role)));
            ex.reply(owner, 200, arr);
        }
    }

    /**
     * Posts a message: permission check, durable append, one encoding (plus one without content for
     * sessions lacking MESSAGE_CONTENT), fanout, reply with the same bytes.
     */
    /**
     * Pins or unpins a message (MANAGE_MESSAGES): a new version with the pinned flag, MESSAGE_UPDATE and
     * CHANNEL_PINS_UPDATE to the guild, 204 to the caller.
     */
    public static void pin(final Shard owner, final GatewayContext ctx, final long guildId, final long channelId,
        final long messageId, final boolean pin, final RestExchange ex)
    {
        final GuildChannel c = channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL | Permissions.MANAGE_MESSAGES, ex);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m == null)
        {
            ex.error(owner, 404, 10008, "Unknown Message");
            return;
        }
        if (pin && !m.pinned() && owner.store().pinned(channelId).size() >= 250)
        {
            ex.error(owner, 400, 30003, "Maximum number of pins reached (250)");
            return;
        }
        if (m.pinned() == pin)
        {
            ex.reply(owner, 204, (byte[])null);
            return;
        }
        final StoredMessage changed = m.withPinned(pin);
        owner.store().appendMessage(changed);
        final ObjectNode update = Entities.message(changed, ctx.node().accounts(), null);
        update.put("guild_id", Json.id(guildId));
        final byte[] full = Json.bytes(update);
        update.put("content", "");
        final Dispatch messageUpdate = new Dispatch("MESSAGE_UPDATE", full, Json.bytes(update), Intents.GUILD_MESSAGES,
            guildId, m.authorId(), 0);
        final ObjectNode pins = Json.object();
        pins.put("guild_id", Json.id(guildId));
        pins.put("channel_id", Json.id(channelId));
        pins.put("last_pin_timestamp", Json.timestamp(System.currentTimeMillis()));
        final Dispatch pinsUpdate = new Dispatch("CHANNEL_PINS_UPDATE", Json.bytes(pins), null, Intents.GUILDS,
            guildId, 0, 0);
        owner.afterCommit(() ->
        {
            ex.reply(owner, 204, (byte[])null);
            owner.publish(g, messageUpdate);
            owner.publish(g, pinsUpdate);
        });
    }

    /**
     * Lists the channel's pinned messages, most recently pinned first.
     *
     * @param itemsShape true for the current route's {@code {items: [{pinned_at, message}], has_more}}.
     */
    public static void listPins(final Shard owner, final GatewayContext ctx, final long guildId, final long channelId,
        final boolean itemsShape, final RestExchange ex)
    {
        final GuildChannel c = channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
            | Permissions.READ_MESSAGE_HISTORY, ex);
        if (c == null)
        {
            return;
        }
        final ArrayNode arr = Json.array();
        for (final StoredMessage m : owner.store().pinned(channelId))
        {
            final ObjectNode message = Entities.message(m, ctx.node().accounts(), null);
            if (itemsShape)
            {
                // The store keeps no pin time: the message's last change stands in for it.
                final long at = m.editedTimestampMillis() != 0 ? m.editedTimestampMillis()
                    : dev.pinwheel.core.ids.SnowflakeIds.timestampMillis(m.id());
                arr.addObject().put("pinned_at", Json.timestamp(at)).set("message", message);
            }
            else
            {
                arr.add(message);
            }
        }
        if (itemsShape)
        {
            final ObjectNode o = Json.object();
            o.set("items", arr);
            o.put("has_more", false);
            ex.reply(owner, 200, o);
        }
        else
        {
            ex.reply(owner, 200, arr);
        }
    }

    public static void typing(final Shard owner, final GatewayContext ctx, final long guildId, final long channelId,
        final RestExchange ex)
    {
        final GuildChannel c = channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES, ex);
        if (c == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        final ObjectNode d = Json.object();
        d.put("channel_id", Json.id(channelId));
        d.put("guild_id", Json.id(guildId));
        d.put("user_id", Json.id(ex.userId()));
        d.put("timestamp", System.currentTimeMillis() / 1000);
        d.set("member", Entities.member(g.member(ex.userId()), ctx.node().accounts(), true));
        ex.reply(owner, 204, (byte[])null);
        owner.publish(g, new Dispatch("TYPING_START", Json.bytes(d), null, Intents.GUILD_MESSAGE_TYPING, guildId, 0,
            0));
    }
}
