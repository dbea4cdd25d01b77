package dev.pinwheel.gateway.owner;

import java.util.Arrays;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Reactions;
import dev.pinwheel.gateway.codec.Intents;

/**
 * Reactions on the messages of the guild channels a shard owns: add, remove one's own or (MANAGE_MESSAGES) someone
 * else's, clear one emoji or all (MANAGE_MESSAGES), list who reacted. A message's reactions live in its stored extras
 * ({@link Reactions}); every change appends a new version of the message to the journal (not an edit: content and
 * edited timestamp stay), so reactions survive restarts like the message itself. Events (intent
 * GUILD_MESSAGE_REACTIONS) go out once durable; the answer is 204. Each operation reads its command's fields in the
 * order {@link ReactionProxy} wrote them. Owner shard only.
 */
public final class ReactionService
{
    /** Most distinct emojis on one message (Discord's limit). */
    public static final int MAX_EMOJIS = 20;

    private final Accounts accounts;

    /**
     * @param accounts the node's accounts (users in lists and events).
     */
    public ReactionService(final Accounts accounts)
    {
        this.accounts = accounts;
    }

    /**
     * {@link OwnerCommands#REACTION_ADD}: guild, channel, message, emoji. A new emoji needs ADD_REACTIONS and room
     * (at most {@value #MAX_EMOJIS}); reacting twice changes nothing.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void add(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        final String emoji = command.getString();

        final StoredMessage m = target(owner, guildId, channelId, messageId, reply);
        if (m == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        final Reactions reactions = Reactions.of(m.extra());
        final dev.pinwheel.core.guild.Member me = g.member(reply.userId());
        if (me != null && me.timedOut(System.currentTimeMillis()) && g.ownerId() != reply.userId()
            && !Permissions.has(Permissions.of(g, reply.userId()), Permissions.ADMINISTRATOR))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS); // a timed-out member adds no reaction, not even a known one
            return;
        }
        if (reactions.indexOf(emoji) < 0)
        {
            if (!Permissions.has(Permissions.in(g, reply.userId(), g.channel(channelId)), Permissions.ADD_REACTIONS))
            {
                reply.error(DiscordError.MISSING_PERMISSIONS);
                return;
            }
            if (reactions.size() >= MAX_EMOJIS)
            {
                reply.error(DiscordError.MAX_REACTIONS);
                return;
            }
        }
        if (!reactions.add(emoji, reply.userId()))
        {
            reply.ok(204, (byte[])null); // already there: nothing changes
            return;
        }
        final ObjectNode d = event(g, m, reply.userId(), emoji);
        d.put("message_author_id", Json.id(m.authorId()));
        final Member member = g.member(reply.userId());
        if (member != null)
        {
            d.set("member", Entities.member(member, accounts, true));
        }
        commit(owner, g, m, reactions, new Dispatch("MESSAGE_REACTION_ADD", Json.bytes(d), null,
            Intents.GUILD_MESSAGE_REACTIONS, guildId, 0, 0), reply);
    }

    /**
     * {@link OwnerCommands#REACTION_REMOVE}: guild, channel, message, emoji, whose reaction. Removing a reaction that
     * is not there is 204, as on Discord.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void remove(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        final String emoji = command.getString();
        final long reactor = command.getLong();

        final StoredMessage m = target(owner, guildId, channelId, messageId, reply);
        if (m == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        if (reactor != reply.userId() && !Permissions.has(Permissions.in(g, reply.userId(), g.channel(channelId)),
            Permissions.MANAGE_MESSAGES))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return;
        }
        final Reactions reactions = Reactions.of(m.extra());
        if (!reactions.remove(emoji, reactor))
        {
            reply.ok(204, (byte[])null);
            return;
        }
        commit(owner, g, m, reactions, new Dispatch("MESSAGE_REACTION_REMOVE", Json.bytes(event(g, m, reactor, emoji)),
            null, Intents.GUILD_MESSAGE_REACTIONS, guildId, 0, 0), reply);
    }

    /**
     * {@link OwnerCommands#REACTION_CLEAR}: guild, channel, message, emoji (null: all). MANAGE_MESSAGES.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void clear(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        final String emoji = command.getString();

        final StoredMessage m = target(owner, guildId, channelId, messageId, reply);
        if (m == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        if (!Permissions.has(Permissions.in(g, reply.userId(), g.channel(channelId)), Permissions.MANAGE_MESSAGES))
        {
            reply.error(DiscordError.MISSING_PERMISSIONS);
            return;
        }
        final Reactions reactions = Reactions.of(m.extra());
        reactions.clear(emoji);
        final ObjectNode d = Json.object();
        d.put("channel_id", Json.id(channelId));
        d.put("message_id", Json.id(messageId));
        d.put("guild_id", Json.id(guildId));
        if (emoji != null)
        {
            d.set("emoji", emoji(emoji));
        }
        commit(owner, g, m, reactions, new Dispatch(emoji == null ? "MESSAGE_REACTION_REMOVE_ALL"
            : "MESSAGE_REACTION_REMOVE_EMOJI", Json.bytes(d), null, Intents.GUILD_MESSAGE_REACTIONS, guildId, 0, 0),
            reply);
    }

    /**
     * {@link OwnerCommands#REACTION_USERS}: guild, channel, message, emoji, after, limit. The users who reacted, by
     * ascending id, at most {@code limit}.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void users(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long messageId = command.getLong();
        final String emoji = command.getString();
        final long after = command.getLong();
        final int limit = command.getInt();

        final StoredMessage m = target(owner, guildId, channelId, messageId, reply);
        if (m == null)
        {
            return;
        }
        final Reactions reactions = Reactions.of(m.extra());
        final int i = reactions.indexOf(emoji);
        final ArrayNode out = Json.array();
        if (i >= 0)
        {
            final long[] ids = reactions.users(i);
            final int at = Arrays.binarySearch(ids, after);
            for (int u = at >= 0 ? at + 1 : -at - 1; u < ids.length && out.size() < limit; u++)
            {
                out.add(Entities.user(accounts.get(ids[u]), ids[u]));
            }
        }
        reply.ok(200, out);
    }

    /** The message a reaction operation acts on, in a channel the user sees and may read the history of. */
    private static StoredMessage target(final Shard owner, final long guildId, final long channelId,
        final long messageId, final Reply reply)
    {
        if (GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
            | Permissions.READ_MESSAGE_HISTORY, reply) == null)
        {
            return null;
        }
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m == null)
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
        }
        return m;
    }

    private static void commit(final Shard owner, final Guild g, final StoredMessage m, final Reactions reactions,
        final Dispatch event, final Reply reply)
    {
        owner.store().appendMessage(m.withExtra(reactions.writeTo()));
        owner.afterCommit(() ->
        {
            ChannelEvents.publish(owner, g, m.channelId(), event);
            reply.ok(204, (byte[])null);
        });
    }

    private static ObjectNode event(final Guild g, final StoredMessage m, final long userId, final String emoji)
    {
        final ObjectNode d = Json.object();
        d.put("user_id", Json.id(userId));
        d.put("channel_id", Json.id(m.channelId()));
        d.put("message_id", Json.id(m.id()));
        d.put("guild_id", Json.id(g.id()));
        d.set("emoji", emoji(emoji));
        d.put("burst", false);
        d.put("type", 0);
        return d;
    }

    private static ObjectNode emoji(final String name)
    {
        final ObjectNode o = Json.object();
        o.putNull("id");
        o.put("name", name);
        return o;
    }
}
