package dev.pinwheel.gateway.codec;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.GuildSettings;
import dev.pinwheel.core.guild.Overwrite;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.store.StoredMessage;

/**
 * Discord v10 JSON shapes of Pinwheel's entities, with every field JDA and discord.js read (see CLIENTS.md).
 */
public final class Entities
{
    private Entities()
    {
    }

    /**
     * @param a account (null: a deleted user placeholder).
     * @param userId the id, used when the account is unknown.
     * @return user object.
     */
    public static ObjectNode user(final Account a, final long userId)
    {
        final ObjectNode u = Json.object();
        u.put("id", Json.id(userId));
        u.put("username", a == null ? "Deleted User" : a.username());
        u.put("discriminator", "0");
        u.putNull("global_name");
        if (a == null || a.avatar() == null)
        {
            u.putNull("avatar");
        }
        else
        {
            u.put("avatar", a.avatar());
        }
        u.put("bot", a != null && a.bot());
        u.put("system", false);
        u.put("flags", 0);
        u.put("public_flags", 0);
        return u;
    }

    /**
     * @param a the caller's account.
     * @return the {@code /users/@me} object.
     */
    public static ObjectNode selfUser(final Account a)
    {
        final ObjectNode u = user(a, a.id());
        u.put("verified", true);
        u.put("mfa_enabled", false);
        u.putNull("email");
        u.put("locale", "en-US");
        u.put("premium_type", 0);
        return u;
    }

    /**
     * @param m        member.
     * @param accounts account directory.
     * @param withUser include the nested user.
     * @return member object.
     */
    public static ObjectNode member(final Member m, final Accounts accounts, final boolean withUser)
    {
        final ObjectNode o = Json.object();
        if (withUser)
        {
            o.set("user", user(accounts.get(m.userId()), m.userId()));
        }
        final ArrayNode roles = o.putArray("roles");
        for (final long r : m.roleIds())
        {
            roles.add(Json.id(r));
        }
        if (m.nick() == null)
        {
            o.putNull("nick");
        }
        else
        {
            o.put("nick", m.nick());
        }
        o.putNull("avatar");
        o.put("joined_at", Json.timestamp(m.joinedAtMillis()));
        o.putNull("premium_since");
        o.put("deaf", false);
        o.put("mute", false);
        o.put("flags", 0);
        o.put("pending", false);
        if (m.timedOut(System.currentTimeMillis()))
        {
            o.put("communication_disabled_until", Json.timestamp(m.timeoutUntilMillis()));
        }
        else
        {
            o.putNull("communication_disabled_until");
        }
        return o;
    }

    /**
     * @param r     role.
     * @param hoist whether it is hoisted (shown apart in the member list).
     * @return role object.
     */
    public static ObjectNode role(final Role r, final boolean hoist)
    {
        final ObjectNode o = role(r);
        o.put("hoist", hoist);
        return o;
    }

    /**
     * @param r role.
     * @return role object.
     */
    public static ObjectNode role(final Role r)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(r.id()));
        o.put("name", r.name());
        o.put("color", r.color());
        o.putObject("colors").put("primary_color", r.color()).putNull("secondary_color").putNull("tertiary_color");
        o.put("hoist", false);
        o.putNull("icon");
        o.putNull("unicode_emoji");
        o.put("position", r.position());
        o.put("permissions", Long.toString(r.permissions()));
        o.put("managed", r.managed());
        o.put("mentionable", false);
        o.put("flags", 0);
        if (r.managed())
        {
            o.putObject("tags").put("bot_id", Json.id(r.botId()));
        }
        return o;
    }

    /**
     * @param overwrites a channel's permission overwrites.
     * @return them as Discord's {@code permission_overwrites} (bits as strings).
     */
    public static ArrayNode overwrites(final Overwrite[] overwrites)
    {
        final ArrayNode arr = Json.array();
        for (final Overwrite ow : overwrites)
        {
            arr.addObject().put("id", Json.id(ow.id())).put("type", ow.type())
                .put("allow", Long.toString(ow.allow())).put("deny", Long.toString(ow.deny()));
        }
        return arr;
    }

    /**
     * @param c channel.
     * @param lastMessageId newest message id or 0.
     * @return channel object.
     */
    public static ObjectNode channel(final GuildChannel c, final long lastMessageId)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(c.id()));
        o.put("type", c.type());
        o.put("guild_id", Json.id(c.guildId()));
        o.put("name", c.name());
        o.put("position", c.position());
        o.set("permission_overwrites", overwrites(c.overwrites()));
        o.put("nsfw", false);
        o.put("flags", 0);
        if (c.parentId() == 0)
        {
            o.putNull("parent_id");
        }
        else
        {
            o.put("parent_id", Json.id(c.parentId()));
        }
        if (c.type() == GuildChannel.VOICE)
        {
            o.put("bitrate", c.bitrate() == 0 ? 64000 : c.bitrate());
            o.put("user_limit", c.userLimit());
            o.putNull("rtc_region");
        }
        else
        {
            if (c.topic() == null)
            {
                o.putNull("topic");
            }
            else
            {
                o.put("topic", c.topic());
            }
            o.put("rate_limit_per_user", 0);
            if (lastMessageId == 0)
            {
                o.putNull("last_message_id");
            }
            else
            {
                o.put("last_message_id", Json.id(lastMessageId));
            }
        }
        return o;
    }

    /**
     * The guild object of REST ({@code GET /guilds/{id}}, {@code POST /guilds}).
     *
     * @param g guild.
     * @return guild object without members/channels.
     */
    public static ObjectNode guild(final Guild g)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(g.id()));
        o.put("name", g.name());
        if (g.icon() == null)
        {
            o.putNull("icon");
        }
        else
        {
            o.put("icon", g.icon());
        }
        o.putNull("icon_hash");
        o.putNull("splash");
        o.putNull("discovery_splash");
        o.putNull("banner");
        final GuildSettings settings = g.settings();
        if (settings.description() == null)
        {
            o.putNull("description");
        }
        else
        {
            o.put("description", settings.description());
        }
        o.put("owner_id", Json.id(g.ownerId()));
        o.put("region", "deprecated");
        o.putNull("application_id");
        optionalId(o, "afk_channel_id", settings.afkChannelId());
        o.put("afk_timeout", settings.afkTimeoutSeconds());
        o.put("verification_level", settings.verificationLevel());
        o.put("default_message_notifications", settings.defaultNotifications());
        o.put("explicit_content_filter", settings.explicitContentFilter());
        o.put("mfa_level", 0);
        o.put("nsfw_level", 0);
        o.put("premium_tier", 0);
        o.put("premium_subscription_count", 0);
        o.put("preferred_locale", "en-US");
        optionalId(o, "system_channel_id", settings.systemChannelId());
        o.put("system_channel_flags", 0);
        o.putNull("rules_channel_id");
        o.putNull("public_updates_channel_id");
        o.putNull("safety_alerts_channel_id");
        o.putNull("vanity_url_code");
        o.put("max_members", 500_000);
        o.putNull("max_presences");
        o.put("premium_progress_bar_enabled", false);
        o.putArray("features");
        final ArrayNode roles = o.putArray("roles");
        g.roles().forEach(r -> roles.add(role(r, g.hoisted(r.id()))));
        o.putArray("emojis");
        o.putArray("stickers");
        return o;
    }

    private static void optionalId(final ObjectNode o, final String field, final long id)
    {
        if (id == 0)
        {
            o.putNull(field);
        }
        else
        {
            o.put(field, Json.id(id));
        }
    }

    /**
     * The GUILD_CREATE payload for one session: the full guild with the arrays JDA requires ({@link #guildCreateShared}
     * with {@link #guildCreateOwn}'s fields).
     *
     * @param g              guild.
     * @param accounts       accounts.
     * @param forUser        the receiving session's user (always included in members).
     * @param largeThreshold members above which the guild is "large" and only the caller is sent.
     * @param lastMessageIds lookup of each channel's newest message id.
     * @return GUILD_CREATE d.
     */
    public static ObjectNode guildCreate(final Guild g, final Accounts accounts, final long forUser,
        final int largeThreshold, final java.util.function.LongUnaryOperator lastMessageIds)
    {
        final boolean large = g.memberCount() > largeThreshold;
        final ObjectNode o = guildCreateShared(g, large, visibleChannels(g, forUser), lastMessageIds);
        o.setAll(guildCreateOwn(g, accounts, forUser, large));
        return o;
    }

    /**
     * @param g       guild.
     * @param forUser a member.
     * @return the channels the member may see, in the guild's order.
     */
    public static List<GuildChannel> visibleChannels(final Guild g, final long forUser)
    {
        final List<GuildChannel> visible = new ArrayList<>();
        for (final GuildChannel c : g.channels())
        {
            if (g.sees(forUser, c))
            {
                visible.add(c);
            }
        }
        return visible;
    }

    /**
     * The part of a GUILD_CREATE every session of the same visibility gets alike: the guild, its roles, the channels
     * given (with their newest message ids), the empty arrays JDA requires. Not the members, their count, the
     * session's join time, presences or voice states ({@link #guildCreateOwn}, and the owner's services).
     *
     * @param g              guild.
     * @param large          whether the guild is "large" for the session.
     * @param channels       the channels the session may see.
     * @param lastMessageIds lookup of each channel's newest message id.
     * @return the shared fields.
     */
    public static ObjectNode guildCreateShared(final Guild g, final boolean large, final List<GuildChannel> channels,
        final java.util.function.LongUnaryOperator lastMessageIds)
    {
        final ObjectNode o = guild(g);
        o.put("large", large);
        o.put("unavailable", false);
        final ArrayNode list = o.putArray("channels");
        for (final GuildChannel c : channels)
        {
            final ObjectNode co = channel(c, lastMessageIds.applyAsLong(c.id()));
            co.remove("guild_id");
            list.add(co);
        }
        o.putArray("threads");
        o.putArray("presences");
        o.putArray("voice_states");
        o.putArray("stage_instances");
        o.putArray("guild_scheduled_events");
        o.putArray("soundboard_sounds");
        return o;
    }

    /**
     * The part of a GUILD_CREATE that is the session's own: when its member joined, the member count, and the members
     * (in a large guild only its own).
     *
     * @param g        guild.
     * @param accounts accounts.
     * @param forUser  the session's user.
     * @param large    whether the guild is "large" for the session.
     * @return those fields.
     */
    public static ObjectNode guildCreateOwn(final Guild g, final Accounts accounts, final long forUser,
        final boolean large)
    {
        final ObjectNode o = Json.object();
        final Member self = g.member(forUser);
        o.put("joined_at", Json.timestamp(self == null ? SnowflakeIds.timestampMillis(g.id()) : self.joinedAtMillis()));
        o.put("member_count", g.memberCount());
        final ArrayNode members = o.putArray("members");
        if (large)
        {
            if (self != null)
            {
                members.add(member(self, accounts, true));
            }
        }
        else
        {
            g.members().forEach(m -> members.add(member(m, accounts, true)));
        }
        return o;
    }

    /**
     * @param m        message.
     * @param accounts accounts (for the author).
     * @param nonce    the nonce the client sent, or null.
     * @return message object (REST shape; dispatches add guild_id and member).
     */
    public static ObjectNode message(final StoredMessage m, final Accounts accounts, final String nonce)
    {
        return message(m, accounts, nonce, 0);
    }

    /**
     * @param m        stored message.
     * @param accounts accounts.
     * @param nonce    nonce to echo, or null.
     * @param viewerId the user it is for ({@code reactions[].me}), 0 for events shared by everyone.
     * @return message object.
     */
    public static ObjectNode message(final StoredMessage m, final Accounts accounts, final String nonce,
        final long viewerId)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(m.id()));
        o.put("type", 0);
        o.put("channel_id", Json.id(m.channelId()));
        o.set("author", user(accounts.get(m.authorId()), m.authorId()));
        o.put("content", m.content());
        o.put("timestamp", Json.timestamp(SnowflakeIds.timestampMillis(m.id())));
        if (m.editedTimestampMillis() == 0)
        {
            o.putNull("edited_timestamp");
        }
        else
        {
            o.put("edited_timestamp", Json.timestamp(m.editedTimestampMillis()));
        }
        o.put("tts", m.tts());
        o.put("mention_everyone", false);
        o.putArray("mentions");
        o.putArray("mention_roles");
        o.putArray("mention_channels");
        o.putArray("attachments");
        o.putArray("embeds");
        o.putArray("components");
        o.put("pinned", m.pinned());
        o.put("flags", m.flags());
        if (nonce != null)
        {
            o.put("nonce", nonce);
        }
        dev.pinwheel.gateway.codec.MessageExtras.render(m.extra(), o, viewerId);
        final com.fasterxml.jackson.databind.JsonNode mentioned = o.remove("mention_ids");
        if (mentioned != null)
        {
            // kept as ids with the message; shown as the users they are now
            final ArrayNode users = o.putArray("mentions");
            for (final com.fasterxml.jackson.databind.JsonNode id : mentioned)
            {
                final long u = Json.parseId(id.asText());
                users.add(user(accounts.get(u), u));
            }
        }
        return o;
    }

    /**
     * @param i invite.
     * @param g guild.
     * @param c channel.
     * @param accounts accounts.
     * @return invite object.
     */
    public static ObjectNode invite(final Invite i, final Guild g, final GuildChannel c, final Accounts accounts)
    {
        final ObjectNode o = Json.object();
        o.put("type", 0);
        o.put("code", i.code());
        final ObjectNode go = o.putObject("guild");
        go.put("id", Json.id(g.id()));
        go.put("name", g.name());
        if (g.icon() == null)
        {
            go.putNull("icon");
        }
        else
        {
            go.put("icon", g.icon());
        }
        go.putNull("splash");
        go.putNull("banner");
        go.putArray("features");
        go.put("verification_level", 0);
        go.put("nsfw_level", 0);
        final ObjectNode co = o.putObject("channel");
        co.put("id", Json.id(c.id()));
        co.put("name", c.name());
        co.put("type", c.type());
        o.set("inviter", user(accounts.get(i.inviterId()), i.inviterId()));
        o.put("approximate_member_count", g.memberCount());
        o.put("uses", g.inviteUses(i.code()));
        o.put("max_uses", i.maxUses());
        o.put("max_age", i.maxAgeSeconds());
        o.put("temporary", i.temporary());
        o.put("created_at", Json.timestamp(i.createdMillis()));
        if (i.maxAgeSeconds() > 0)
        {
            o.put("expires_at", Json.timestamp(i.createdMillis() + i.maxAgeSeconds() * 1000L));
        }
        else
        {
            o.putNull("expires_at");
        }
        return o;
    }

    /**
     * @param g      guild summary from the node directory.
     * @param icon   its icon's hash (the directory's), or null.
     * @param userId the caller.
     * @return partial guild of {@code GET /users/@me/guilds}.
     */
    public static ObjectNode partialGuild(final dev.pinwheel.core.directory.Directory.GuildSummary g,
        final String icon, final long userId)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(g.id()));
        o.put("name", g.name());
        o.put("icon", icon);
        o.putNull("banner");
        o.put("owner", g.ownerId() == userId);
        o.put("permissions", Long.toString(g.ownerId() == userId ? Permissions.ALL : Permissions.EVERYONE_DEFAULT));
        o.putArray("features");
        return o;
    }
}
