package dev.pinwheel.gateway.codec;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.store.StoredMessage;

/**
 * Encodes a plain message event — no embeds, reply or reactions, which is most chat — once, straight to bytes, in
 * the three forms an owner needs: the REST body, the dispatch for sessions with MESSAGE_CONTENT ({@code guild_id},
 * {@code member}) and the same without the text. The bytes are what {@link Entities#message} gives through Jackson
 * (same fields, same order), at a fraction of the allocation: one pass into a reused buffer, then the three copies.
 * A message with extras returns false and is encoded by {@link Entities}.
 * <pre>
 *   full:     {"id":"…",…,"content":"hi",…,"flags":0[,"nonce":"…"],"guild_id":"…","member":{…}}
 *   rest:     the same up to "flags"/"nonce", then }
 *   redacted: the same as full with "content":""
 * </pre>
 * <b>Not thread-safe</b>: one per owner shard.
 */
public final class MessageJson
{
    private final JsonWriter w = new JsonWriter();
    private byte[] rest;
    private byte[] full;
    private byte[] redacted;

    /**
     * @param m       the message version.
     * @param author  its author's account (null: a deleted user).
     * @param nonce   the nonce to echo, or null.
     * @param guildId its guild.
     * @param member  the author's membership (null: not a member any more).
     * @return false if the message has extras (embeds, a reply, reactions): use {@link Entities}.
     */
    public boolean encode(final StoredMessage m, final Account author, final String nonce, final long guildId,
        final Member member)
    {
        if (!MessageExtras.nothingShown(m.extra()))
        {
            return false;
        }
        w.reset().beginObject()
            .idField("id", m.id())
            .field("type", 0)
            .idField("channel_id", m.channelId());
        w.name("author").beginObject()
            .idField("id", m.authorId())
            .field("username", author == null ? "Deleted User" : author.username())
            .field("discriminator", "0")
            .nullField("global_name");
        if (author == null || author.avatar() == null)
        {
            w.nullField("avatar");
        }
        else
        {
            w.field("avatar", author.avatar());
        }
        w.field("bot", author != null && author.bot())
            .field("system", false)
            .field("flags", 0)
            .field("public_flags", 0)
            .endObject();
        w.name("content");
        final int contentStart = w.length();
        w.string(m.content() == null ? "" : m.content());
        final int contentEnd = w.length();
        w.timestampField("timestamp", SnowflakeIds.timestampMillis(m.id()));
        if (m.editedTimestampMillis() == 0)
        {
            w.nullField("edited_timestamp");
        }
        else
        {
            w.timestampField("edited_timestamp", m.editedTimestampMillis());
        }
        w.field("tts", m.tts())
            .field("mention_everyone", false)
            .emptyArray("mentions")
            .emptyArray("mention_roles")
            .emptyArray("mention_channels")
            .emptyArray("attachments")
            .emptyArray("embeds")
            .emptyArray("components")
            .field("pinned", m.pinned())
            .field("flags", m.flags());
        if (nonce != null)
        {
            w.field("nonce", nonce);
        }
        final int restEnd = w.length();
        w.idField("guild_id", guildId);
        if (member != null)
        {
            w.name("member").beginObject().name("roles").beginArray();
            for (final long role : member.roleIds())
            {
                w.string(Long.toUnsignedString(role));
            }
            w.endArray();
            if (member.nick() == null)
            {
                w.nullField("nick");
            }
            else
            {
                w.field("nick", member.nick());
            }
            w.nullField("avatar")
                .timestampField("joined_at", member.joinedAtMillis())
                .nullField("premium_since")
                .field("deaf", false)
                .field("mute", false)
                .field("flags", 0)
                .field("pending", false);
            if (member.timedOut(System.currentTimeMillis()))
            {
                w.timestampField("communication_disabled_until", member.timeoutUntilMillis());
            }
            else
            {
                w.nullField("communication_disabled_until");
            }
            w.endObject();
        }
        w.endObject();
        full = w.toBytes();
        rest = new byte[restEnd + 1];
        System.arraycopy(full, 0, rest, 0, restEnd);
        rest[restEnd] = '}';
        redacted = new byte[full.length - (contentEnd - contentStart) + 2];
        System.arraycopy(full, 0, redacted, 0, contentStart);
        redacted[contentStart] = '"';
        redacted[contentStart + 1] = '"';
        System.arraycopy(full, contentEnd, redacted, contentStart + 2, full.length - contentEnd);
        return true;
    }

    /**
     * @return the REST body of the last {@link #encode} (a new array, the caller's to keep).
     */
    public byte[] rest()
    {
        return rest;
    }

    /**
     * @return the dispatch with content and member.
     */
    public byte[] full()
    {
        return full;
    }

    /**
     * @return the dispatch without the text (sessions without MESSAGE_CONTENT).
     */
    public byte[] redacted()
    {
        return redacted;
    }
}
