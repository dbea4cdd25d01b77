package dev.pinwheel.gateway.owner;

import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Mentions;

/**
 * Who a guild message mentions, decided once by the guild's owner when the message is created or its text edited,
 * and kept with the message (its extra JSON: {@code mention_ids}, {@code mention_roles}, {@code mention_everyone}),
 * so history and a restart show exactly what the events showed:
 * <pre>
 *   users     &lt;@id&gt; / &lt;@!id&gt; of existing accounts that allowed_mentions allows, + the replied-to author
 *             (replied_user)
 *   roles     &lt;@&amp;id&gt; of the guild's roles that allowed_mentions allows; only with MENTION_EVERYONE
 *             (Pinwheel has no "mentionable" role flag: every role is unmentionable, as Discord's default)
 *   everyone  @everyone / @here with MENTION_EVERYONE in the channel and "everyone" allowed; else plain text
 * </pre>
 * {@link #notified} gives the members whose mention count grows: the users mentioned, the holders of the roles
 * mentioned, everyone for @everyone — among those who see the channel, never the author. Owner shard only.
 */
final class MessageMentions
{
    /** Nobody mentioned. */
    static final Resolved NONE = new Resolved(new long[0], new long[0], false);

    /**
     * @param users    users mentioned, in order of appearance.
     * @param roles    roles mentioned.
     * @param everyone whether @everyone/@here pings.
     */
    record Resolved(long[] users, long[] roles, boolean everyone)
    {
        boolean any()
        {
            return users.length > 0 || roles.length > 0 || everyone;
        }
    }

    private MessageMentions()
    {
    }

    /**
     * @param g          the guild.
     * @param granted    the author's permissions in the channel.
     * @param authorId   the author.
     * @param content    the text.
     * @param allowed    the request's allowed_mentions.
     * @param referenced the message replied to, or null.
     * @param accounts   the node's accounts.
     * @return what the message mentions.
     */
    static Resolved resolve(final Guild g, final long granted, final long authorId, final String content,
        final Mentions.Allowed allowed, final StoredMessage referenced, final Accounts accounts)
    {
        final LongArrayList users = new LongArrayList();
        for (final long u : Mentions.ids(content, false))
        {
            if (allowed.allowsUser(u) && accounts.get(u) != null)
            {
                users.addLong(u);
            }
        }
        if (referenced != null && (allowed.mask() & Mentions.REPLIED_USER) != 0 && referenced.authorId() != authorId
            && !users.containsLong(referenced.authorId()) && accounts.get(referenced.authorId()) != null)
        {
            users.addLong(referenced.authorId());
        }
        final boolean mayPingAll = g != null && Permissions.has(granted, Permissions.MENTION_EVERYONE);
        final LongArrayList roles = new LongArrayList();
        if (mayPingAll)
        {
            for (final long r : Mentions.ids(content, true))
            {
                if (r != g.id() && g.role(r) != null && allowed.allowsRole(r))
                {
                    roles.addLong(r);
                }
            }
        }
        final boolean everyone = mayPingAll && (allowed.mask() & Mentions.PARSE_EVERYONE) != 0
            && Mentions.everyone(content);
        if (users.isEmpty() && roles.isEmpty() && !everyone)
        {
            return NONE;
        }
        return new Resolved(users.toLongArray(), roles.toLongArray(), everyone);
    }

    /**
     * @param extra the message's extra JSON text (or null), without mentions.
     * @param r     its mentions.
     * @return the extra text with them (null when there is nothing to keep).
     */
    static String withMentions(final String extra, final Resolved r)
    {
        if (!r.any())
        {
            return extra;
        }
        final StringBuilder b = new StringBuilder(64);
        if (r.users().length > 0)
        {
            ids(b.append("\"mention_ids\":"), r.users());
        }
        if (r.roles().length > 0)
        {
            ids(b.append(b.isEmpty() ? "" : ",").append("\"mention_roles\":"), r.roles());
        }
        if (r.everyone())
        {
            b.append(b.isEmpty() ? "" : ",").append("\"mention_everyone\":true");
        }
        if (extra == null || extra.length() <= 2)
        {
            return "{" + b + "}";
        }
        // extra is an object text written by us: "{...}"
        return extra.substring(0, extra.length() - 1) + "," + b + "}";
    }

    /**
     * @param extra an extra object.
     * @return it without mentions (the text was edited: they are decided again).
     */
    static ObjectNode withoutMentions(final ObjectNode extra)
    {
        extra.remove("mention_ids");
        extra.remove("mention_roles");
        extra.remove("mention_everyone");
        return extra;
    }

    private static void ids(final StringBuilder b, final long[] ids)
    {
        b.append('[');
        for (int i = 0; i < ids.length; i++)
        {
            b.append(i == 0 ? "\"" : ",\"").append(Long.toUnsignedString(ids[i])).append('"');
        }
        b.append(']');
    }

    /**
     * Adds Discord's partial {@code member} to each mentioned user of a dispatch's message object (guild messages).
     *
     * @param body     the message object (its {@code mentions} already user objects).
     * @param g        the guild.
     * @param accounts the accounts.
     */
    static void addMembers(final ObjectNode body, final Guild g, final Accounts accounts)
    {
        final JsonNode mentions = body.get("mentions");
        if (!(mentions instanceof ArrayNode arr))
        {
            return;
        }
        for (final JsonNode u : arr)
        {
            final long id = Json.parseId(u.path("id").asText());
            final Member m = id > 0 ? g.member(id) : null;
            if (m != null && u instanceof ObjectNode o)
            {
                o.set("member", Entities.member(m, accounts, false));
            }
        }
    }

    /**
     * @param r        what a new message mentions.
     * @return the users whose sessions get its content without MESSAGE_CONTENT (sorted), or null for none.
     */
    static long[] contentReaders(final Resolved r)
    {
        return r.users().length == 0 ? null : Mentions.sorted(r.users());
    }

    /**
     * @param g        the guild.
     * @param c        the channel.
     * @param r        what the message mentions.
     * @param authorId its author (never notified).
     * @return the members whose mention count in the channel grows (they see the channel).
     */
    static long[] notified(final Guild g, final GuildChannel c, final Resolved r, final long authorId)
    {
        if (!r.any())
        {
            return new long[0];
        }
        final LongHashSet out = new LongHashSet();
        if (r.everyone())
        {
            for (final Member m : g.members())
            {
                out.add(m.userId());
            }
        }
        else
        {
            for (final long u : r.users())
            {
                if (g.member(u) != null)
                {
                    out.add(u);
                }
            }
            for (final long role : r.roles())
            {
                // the guild keeps each mentioned role's members: a mention of a few costs a few, not every member
                out.addAll(g.roleMembers(role));
            }
        }
        out.remove(authorId);
        final LongArrayList seen = new LongArrayList();
        final LongHashSet.LongIterator it = out.iterator();
        while (it.hasNext())
        {
            final long u = it.nextValue();
            if (g.sees(u, c))
            {
                seen.addLong(u);
            }
        }
        return seen.toLongArray();
    }
}
