package dev.pinwheel.core.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.guild.AuditEntry;
import dev.pinwheel.core.guild.Ban;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.GuildSettings;
import dev.pinwheel.core.guild.GuildTable;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.guild.Overwrite;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.guild.Webhook;

/**
 * The journal's state records (everything but messages): a compact binary encoding per record type and
 * the one function that applies a record to the in-memory state. The live path and recovery both go
 * through {@link #apply}, so what a restart rebuilds is exactly what was served.
 * Layout: big-endian fields in declaration order, strings as modified UTF-8 ({@link DataOutputStream}).
 */
public final class StateRecords
{
    public static final int USER_REGISTERED = 1;
    public static final int TOKEN_ISSUED = 2;
    public static final int GUILD_CREATED = 3;
    public static final int CHANNEL_CREATED = 4;
    public static final int MEMBER_ADDED = 5;
    public static final int INVITE_CREATED = 6;
    /** A member's guild nickname set or cleared. */
    public static final int MEMBER_NICK_CHANGED = 7;
    /** A role created or changed (the whole role; its bot id last, absent from records older than managed roles). */
    public static final int ROLE_PUT = 8;
    /** A role deleted (and taken from every member). */
    public static final int ROLE_DELETED = 9;
    /** A member's roles replaced. */
    public static final int MEMBER_ROLES_SET = 10;
    /** An application's command list (global or for one guild) replaced. */
    public static final int COMMANDS_SET = 11;
    /** A direct-message channel between two users opened. */
    public static final int DM_CREATED = 12;
    /** A guild channel deleted (CHANNEL_CREATED again with the same id is an edit). */
    public static final int CHANNEL_DELETED = 13;
    /** A member left or was removed (kicked, banned). */
    public static final int MEMBER_REMOVED = 14;
    /** A user banned from a guild (with the reason). */
    public static final int BAN_ADDED = 15;
    /** A ban lifted. */
    public static final int BAN_REMOVED = 16;
    /** A member's timeout set (until when) or lifted (0). */
    public static final int MEMBER_TIMEOUT_SET = 17;
    /** An audit log entry. */
    public static final int AUDIT_ENTRY = 18;
    /** Someone joined through an invite (one more use). */
    public static final int INVITE_USED = 19;
    /** An invite deleted (revoked, or used up). */
    public static final int INVITE_DELETED = 20;
    /** A guild's name, owner and settings changed (the whole set). */
    public static final int GUILD_UPDATED = 21;
    /** A guild deleted, with everything in it. */
    public static final int GUILD_DELETED = 22;
    /** A user read a channel up to a message (their mention count there starts again). Types 30-39: read states. */
    public static final int READ_STATE_ACK = 30;
    /** A user was mentioned by a message of a channel (their mention count there grows). */
    public static final int READ_STATE_MENTION = 31;
    /** A role hoisted (shown apart in the member list) or lowered. Types 32-39: the member list. */
    public static final int ROLE_HOIST_SET = 32;
    /** An application created or changed (its owner, name, description); its bot is a USER_REGISTERED of its id. */
    public static final int APPLICATION_PUT = 60;
    /** Every token of a user revoked (a bot's token reset; the new one follows as TOKEN_ISSUED). */
    public static final int TOKENS_REVOKED = 61;
    /** A user's avatar set (its hash in the file store) or cleared (an empty hash). */
    public static final int USER_AVATAR_SET = 50;
    /** A guild's icon set (its hash in the file store) or cleared (an empty hash). */
    public static final int GUILD_ICON_SET = 51;
    /** A webhook created or changed (the whole webhook; its token only as a hash). */
    public static final int WEBHOOK_PUT = 52;
    /** A webhook deleted. */
    public static final int WEBHOOK_DELETED = 53;
    /** A message's new attachments (guild, channel, message, ids), journaled with the message. */
    public static final int ATTACHMENTS_BOUND = 54;
    /** Attachments no message names any more (guild, ids): their files may go. */
    public static final int ATTACHMENTS_UNBOUND = 55;
    /**
     * A username claimed for an account id by the owner of the name's key ({@code Usernames.key}) — types 80-84:
     * cluster-wide usernames. Name key, user id, username.
     */
    public static final int NAME_CLAIMED = 80;
    /** A claim given back (its registration failed before the account was journaled). Name key, user id, username. */
    public static final int NAME_RELEASED = 81;
    /**
     * A registration failed after its name was claimed: the shard owning the new id owes the name's owner a release
     * and sends it until that owner acknowledges (a restart of either side included). User id, username.
     */
    public static final int NAME_RELEASE_OWED = 82;
    /** The name's owner acknowledged an owed release: nothing more to send. User id, username. */
    public static final int NAME_RELEASE_SETTLED = 83;
    /**
     * An id whose registration (or bot creation) was given up by the request's origin, voided by the id's owner before
     * its name is given back: no account is registered for it any more, so a registration still on its way cannot
     * hold a name that was given back. User id.
     */
    public static final int ID_VOIDED = 84;

    private StateRecords()
    {
    }

    /**
     * @param userId the user.
     * @param hash   the avatar's hash, or null to clear it.
     * @return encoded {@link #USER_AVATAR_SET} record.
     */
    public static byte[] userAvatarSet(final long userId, final String hash)
    {
        return encode(out ->
        {
            out.writeLong(userId);
            out.writeUTF(hash == null ? "" : hash);
        });
    }

    /**
     * @param w the webhook (its token's hash only).
     * @return encoded {@link #WEBHOOK_PUT} record.
     */
    public static byte[] webhookPut(final Webhook w)
    {
        return encode(out ->
        {
            out.writeLong(w.guildId());
            out.writeLong(w.id());
            out.writeLong(w.channelId());
            out.writeUTF(w.name());
            out.writeUTF(w.avatar() == null ? "" : w.avatar());
            out.writeUTF(w.tokenHash());
            out.writeLong(w.creatorId());
        });
    }

    /**
     * @param guildId   the guild.
     * @param webhookId the webhook.
     * @return encoded {@link #WEBHOOK_DELETED} record.
     */
    public static byte[] webhookDeleted(final long guildId, final long webhookId)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(webhookId);
        });
    }

    /**
     * Whether a guild's node-wide record (its summary, icon, webhooks) goes into this node's directory: its state is
     * on this shard (the owner), or the directory lists it (another node's guild, not deleted meanwhile).
     */
    private static boolean known(final Guild g, final Directory directory, final long guildId)
    {
        return g != null || directory.guild(guildId) != null;
    }

    private static String emptyIsNull(final String s)
    {
        return s.isEmpty() ? null : s;
    }

    /**
     * @param username the name (any case; compared lowercased).
     * @param userId   the account it is claimed for.
     * @return encoded {@link #NAME_CLAIMED} or {@link #NAME_RELEASED} record (its scope is the name's key).
     */
    public static byte[] nameClaim(final String username, final long userId)
    {
        return encode(out ->
        {
            out.writeLong(dev.pinwheel.core.directory.Usernames.key(username));
            out.writeLong(userId);
            out.writeUTF(username);
        });
    }

    /**
     * @param userId the id no account may be registered for any more (the record's scope).
     * @return encoded {@link #ID_VOIDED} record.
     */
    public static byte[] idVoided(final long userId)
    {
        return encode(out -> out.writeLong(userId));
    }

    /**
     * @param username the name.
     * @param userId   the id it was claimed for (the record's scope: its owner sends the release).
     * @return encoded {@link #NAME_RELEASE_OWED} or {@link #NAME_RELEASE_SETTLED} record.
     */
    public static byte[] nameRelease(final String username, final long userId)
    {
        return encode(out ->
        {
            out.writeLong(userId);
            out.writeUTF(username);
        });
    }

    /**
     * @param guildId the guild.
     * @param hash    the icon's hash, or null to clear it.
     * @return encoded {@link #GUILD_ICON_SET} record.
     */
    public static byte[] guildIconSet(final long guildId, final String hash)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeUTF(hash == null ? "" : hash);
        });
    }

    /**
     * @param a account.
     * @return encoded record.
     */
    public static byte[] userRegistered(final Account a)
    {
        return encode(out ->
        {
            out.writeLong(a.id());
            out.writeUTF(a.username());
            out.writeUTF(a.passwordHash());
            out.writeBoolean(a.bot());
        });
    }

    /**
     * @param userId    user.
     * @param tokenHash hex SHA-256 of the token secret.
     * @return encoded record.
     */
    public static byte[] tokenIssued(final long userId, final String tokenHash)
    {
        return encode(out ->
        {
            out.writeLong(userId);
            out.writeUTF(tokenHash);
        });
    }

    /**
     * @param guildId        guild.
     * @param name           name.
     * @param ownerId        owner.
     * @param everyonePerms  @everyone permissions.
     * @return encoded record.
     */
    public static byte[] guildCreated(final long guildId, final String name, final long ownerId, final long everyonePerms)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeUTF(name);
            out.writeLong(ownerId);
            out.writeLong(everyonePerms);
        });
    }

    /**
     * @param c channel.
     * @return encoded record.
     */
    public static byte[] channelCreated(final GuildChannel c)
    {
        return encode(out ->
        {
            out.writeLong(c.id());
            out.writeLong(c.guildId());
            out.writeInt(c.type());
            out.writeUTF(c.name());
            out.writeInt(c.position());
            out.writeUTF(c.topic() == null ? "" : c.topic());
            out.writeInt(c.bitrate());
            out.writeInt(c.userLimit());
            out.writeLong(c.parentId());
            out.writeInt(c.overwrites().length);
            for (final Overwrite o : c.overwrites())
            {
                out.writeLong(o.id());
                out.writeInt(o.type());
                out.writeLong(o.allow());
                out.writeLong(o.deny());
            }
        });
    }

    /**
     * @param guildId        guild.
     * @param userId         user.
     * @param joinedAtMillis when.
     * @return encoded record.
     */
    public static byte[] memberAdded(final long guildId, final long userId, final long joinedAtMillis)
    {
        return memberAdded(guildId, userId, joinedAtMillis, false);
    }

    /**
     * @param guildId        guild.
     * @param userId         user.
     * @param joinedAtMillis when.
     * @param temporary      joined through a temporary invite (removed when their last session ends, unless given a
     *                       role first).
     * @return encoded record.
     */
    public static byte[] memberAdded(final long guildId, final long userId, final long joinedAtMillis,
        final boolean temporary)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(userId);
            out.writeLong(joinedAtMillis);
            out.writeBoolean(temporary);
        });
    }

    /**
     * @param guildId guild.
     * @param userId  member.
     * @param nick    new nickname, or null to clear it.
     * @return encoded record.
     */
    public static byte[] memberNickChanged(final long guildId, final long userId, final String nick)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(userId);
            out.writeUTF(nick == null ? "" : nick);
        });
    }

    /**
     * @param guildId guild.
     * @param r       the role as it now is.
     * @return encoded record.
     */
    public static byte[] rolePut(final long guildId, final Role r)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(r.id());
            out.writeUTF(r.name());
            out.writeLong(r.permissions());
            out.writeInt(r.position());
            out.writeInt(r.color());
            out.writeLong(r.botId()); // added later: records without it decode as a role people manage
        });
    }

    /**
     * @param guildId guild.
     * @param roleId  role.
     * @param hoist   whether it is hoisted.
     * @return encoded record.
     */
    public static byte[] roleHoistSet(final long guildId, final long roleId, final boolean hoist)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(roleId);
            out.writeBoolean(hoist);
        });
    }

    /**
     * @param guildId guild.
     * @param roleId  deleted role.
     * @return encoded record.
     */
    public static byte[] roleDeleted(final long guildId, final long roleId)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(roleId);
        });
    }

    /**
     * @param guildId guild.
     * @param userId  member.
     * @param roleIds the member's roles from now on.
     * @return encoded record.
     */
    public static byte[] memberRolesSet(final long guildId, final long userId, final long[] roleIds)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(userId);
            out.writeInt(roleIds.length);
            for (final long r : roleIds)
            {
                out.writeLong(r);
            }
        });
    }

    /**
     * @param applicationId application.
     * @param guildId       guild, or 0 for global.
     * @param json          the whole list as a JSON array text.
     * @return encoded record.
     */
    public static byte[] commandsSet(final long applicationId, final long guildId, final String json)
    {
        final byte[] text = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return encode(out ->
        {
            out.writeLong(applicationId);
            out.writeLong(guildId);
            out.writeInt(text.length);
            out.write(text);
        });
    }

    /**
     * @param channelId the direct-message channel.
     * @param a         one user.
     * @param b         the other.
     * @return encoded record.
     */
    public static byte[] dmCreated(final long channelId, final long a, final long b)
    {
        return encode(out ->
        {
            out.writeLong(channelId);
            out.writeLong(a);
            out.writeLong(b);
        });
    }

    /**
     * @param guildId   guild.
     * @param channelId deleted channel.
     * @return encoded record.
     */
    public static byte[] channelDeleted(final long guildId, final long channelId)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(channelId);
        });
    }

    /**
     * @param guildId guild.
     * @param userId  the member who left or was removed.
     * @return encoded record.
     */
    public static byte[] memberRemoved(final long guildId, final long userId)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(userId);
        });
    }

    /**
     * @param guildId guild.
     * @param userId  banned user.
     * @param reason  why, or null.
     * @return encoded record.
     */
    public static byte[] banAdded(final long guildId, final long userId, final String reason)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(userId);
            out.writeBoolean(reason != null);
            out.writeUTF(reason == null ? "" : reason);
        });
    }

    /**
     * @param guildId guild.
     * @param userId  the user whose ban is lifted.
     * @return encoded record.
     */
    public static byte[] banRemoved(final long guildId, final long userId)
    {
        return memberRemoved(guildId, userId);
    }

    /**
     * @param guildId     guild.
     * @param userId      member.
     * @param untilMillis end of the timeout, epoch millis (0: lifted).
     * @return encoded record.
     */
    public static byte[] memberTimeoutSet(final long guildId, final long userId, final long untilMillis)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(userId);
            out.writeLong(untilMillis);
        });
    }

    /**
     * @param guildId guild.
     * @param e       the entry.
     * @return encoded record.
     */
    public static byte[] auditEntry(final long guildId, final AuditEntry e)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(e.id());
            out.writeLong(e.userId());
            out.writeLong(e.targetId());
            out.writeInt(e.actionType());
            writeOptional(out, e.reason());
            writeOptional(out, e.changes());
            writeOptional(out, e.options());
        });
    }

    private static void writeOptional(final DataOutputStream out, final String text) throws IOException
    {
        out.writeBoolean(text != null);
        if (text != null)
        {
            final byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static Overwrite[] readOverwrites(final DataInputStream in, final int payloadLength) throws IOException
    {
        final int n = in.readInt();
        if (n < 0 || n > payloadLength / Long.BYTES)
        {
            throw new IOException("bad overwrite count " + n);
        }
        final Overwrite[] overwrites = new Overwrite[n];
        for (int i = 0; i < n; i++)
        {
            overwrites[i] = new Overwrite(in.readLong(), in.readInt(), in.readLong(), in.readLong());
        }
        return overwrites;
    }

    private static String readOptional(final DataInputStream in, final int limit) throws IOException
    {
        if (!in.readBoolean())
        {
            return null;
        }
        final int n = in.readInt();
        if (n < 0 || n > limit)
        {
            throw new IOException("bad length " + n);
        }
        final byte[] bytes = new byte[n];
        in.readFully(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @param guildId guild.
     * @param name    its name.
     * @param ownerId its owner.
     * @param s       its settings.
     * @return encoded record.
     */
    public static byte[] guildUpdated(final long guildId, final String name, final long ownerId, final GuildSettings s)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeUTF(name);
            out.writeLong(ownerId);
            writeOptional(out, s.description());
            out.writeLong(s.systemChannelId());
            out.writeLong(s.afkChannelId());
            out.writeInt(s.afkTimeoutSeconds());
            out.writeInt(s.verificationLevel());
            out.writeInt(s.defaultNotifications());
            out.writeInt(s.explicitContentFilter());
        });
    }

    /**
     * @param a the application.
     * @return encoded record.
     */
    public static byte[] applicationPut(final dev.pinwheel.core.directory.Application a)
    {
        return encode(out ->
        {
            out.writeLong(a.id());
            out.writeLong(a.ownerId());
            out.writeUTF(a.name());
            out.writeUTF(a.description());
        });
    }

    /**
     * @param userId the user whose tokens are revoked.
     * @return encoded record.
     */
    public static byte[] tokensRevoked(final long userId)
    {
        return encode(out -> out.writeLong(userId));
    }

    /**
     * @param guildId       guild.
     * @param channelId     channel.
     * @param messageId     the message naming the files.
     * @param attachmentIds its new attachments.
     * @return encoded {@link #ATTACHMENTS_BOUND} record.
     */
    public static byte[] attachmentsBound(final long guildId, final long channelId, final long messageId,
        final long[] attachmentIds)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeLong(channelId);
            out.writeLong(messageId);
            writeLongs(out, attachmentIds);
        });
    }

    /**
     * @param guildId       guild.
     * @param attachmentIds attachments no message names any more.
     * @return encoded {@link #ATTACHMENTS_UNBOUND} record.
     */
    public static byte[] attachmentsUnbound(final long guildId, final long[] attachmentIds)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            writeLongs(out, attachmentIds);
        });
    }

    private static void writeLongs(final DataOutputStream out, final long[] values) throws IOException
    {
        out.writeInt(values.length);
        for (final long v : values)
        {
            out.writeLong(v);
        }
    }

    private static long[] readLongs(final DataInputStream in, final int type, final int payloadLength)
        throws IOException
    {
        final int n = in.readInt();
        if (n < 0 || n > payloadLength / Long.BYTES)
        {
            throw new IllegalArgumentException("malformed state record type " + type + ": " + n + " ids");
        }
        final long[] out = new long[n];
        for (int i = 0; i < n; i++)
        {
            out[i] = in.readLong();
        }
        return out;
    }

    /**
     * @param guildId the deleted guild.
     * @return encoded record.
     */
    public static byte[] guildDeleted(final long guildId)
    {
        return encode(out -> out.writeLong(guildId));
    }

    /**
     * @param guildId the invite's guild.
     * @param code    the invite.
     * @return encoded record (INVITE_USED or INVITE_DELETED).
     */
    public static byte[] inviteCode(final long guildId, final String code)
    {
        return encode(out ->
        {
            out.writeLong(guildId);
            out.writeUTF(code);
        });
    }

    /**
     * @param userId    the user (the record's scope).
     * @param channelId the channel.
     * @param messageId the message read up to (READ_STATE_ACK) or the mentioning message (READ_STATE_MENTION).
     * @return encoded record.
     */
    public static byte[] readState(final long userId, final long channelId, final long messageId)
    {
        return encode(out ->
        {
            out.writeLong(userId);
            out.writeLong(channelId);
            out.writeLong(messageId);
        });
    }

    /**
     * @param i invite.
     * @return encoded record.
     */
    public static byte[] inviteCreated(final Invite i)
    {
        return encode(out ->
        {
            out.writeUTF(i.code());
            out.writeLong(i.guildId());
            out.writeLong(i.channelId());
            out.writeLong(i.inviterId());
            out.writeLong(i.createdMillis());
            out.writeInt(i.maxAgeSeconds());
            out.writeInt(i.maxUses());
            out.writeBoolean(i.temporary());
        });
    }

    /**
     * Applies one record to the state: the shard's guild table (for guild records it owns) and the node's
     * directories. Same as {@code decode(type, payload).applyTo(guilds, node)}.
     *
     * @param type    record type.
     * @param payload encoded record.
     * @param guilds  the applying shard's guilds.
     * @param node    node directories.
     * @throws IllegalArgumentException for an unknown type or a malformed payload (nothing applied).
     */
    public static void apply(final int type, final byte[] payload, final GuildTable guilds, final NodeState node)
    {
        decode(type, payload).applyTo(guilds, node);
    }

    /**
     * The scope of a record: the routing key whose owner writes it and must replay it ({@code ShardGroup#ownerOf}):
     * the user for accounts and tokens, the guild for guild, channel, member, role and invite records, the
     * application for command lists, the pair ({@link Directory#pairId}) for a DM channel. A store that keeps one log
     * per scope (Cassandra) lets whichever shard owns a key next rebuild exactly that key's state.
     *
     * @param type    record type.
     * @param payload encoded record (already validated by {@link #decode}).
     * @return the routing key.
     * @throws IllegalArgumentException for an unknown type or a payload too short.
     */
    public static long scopeOf(final int type, final byte[] payload)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload)))
        {
            return switch (type)
            {
                case USER_REGISTERED, TOKEN_ISSUED, GUILD_CREATED, MEMBER_ADDED, MEMBER_NICK_CHANGED, ROLE_PUT,
                    ROLE_DELETED, MEMBER_ROLES_SET, COMMANDS_SET, CHANNEL_DELETED, MEMBER_REMOVED, BAN_ADDED,
                    BAN_REMOVED, MEMBER_TIMEOUT_SET, AUDIT_ENTRY, INVITE_USED, INVITE_DELETED, GUILD_UPDATED,
                    GUILD_DELETED, APPLICATION_PUT, TOKENS_REVOKED, USER_AVATAR_SET, GUILD_ICON_SET, WEBHOOK_PUT,
                    WEBHOOK_DELETED, ATTACHMENTS_BOUND, ATTACHMENTS_UNBOUND,
                    ROLE_HOIST_SET, NAME_CLAIMED, NAME_RELEASED, NAME_RELEASE_OWED,
                    NAME_RELEASE_SETTLED, ID_VOIDED -> in.readLong(); // the guild (the user, the
                    // application, the name's key) comes first
                case READ_STATE_ACK, READ_STATE_MENTION -> in.readLong(); // the user whose read state it is
                case CHANNEL_CREATED ->
                {
                    in.readLong(); // channel id
                    yield in.readLong(); // its guild
                }
                case DM_CREATED ->
                {
                    in.readLong(); // channel id
                    yield Directory.pairId(in.readLong(), in.readLong());
                }
                case INVITE_CREATED ->
                {
                    in.readUTF(); // code
                    yield in.readLong(); // its guild
                }
                default -> throw new IllegalArgumentException("unknown state record type " + type);
            };
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("malformed state record type " + type, ex);
        }
    }

    /**
     * Decodes and validates one record completely, without touching any state. The change it returns only puts
     * already-built values into maps, so applying it cannot fail: {@link StateLog#commit} decodes <em>before</em>
     * it journals, and a record that cannot be applied never reaches the journal.
     *
     * @param type    record type.
     * @param payload encoded record.
     * @return the change, to apply on the owner shard.
     * @throws IllegalArgumentException for an unknown type or a malformed payload.
     */
    public static StateChange decode(final int type, final byte[] payload)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload)))
        {
            final StateChange change = switch (type)
            {
                case USER_REGISTERED ->
                {
                    final Account a = new Account(in.readLong(), in.readUTF(), in.readUTF(), in.readBoolean());
                    yield (guilds, node) -> node.accounts().put(a);
                }
                case TOKEN_ISSUED ->
                {
                    final long userId = in.readLong();
                    final String hash = in.readUTF();
                    yield (guilds, node) -> node.accounts().addToken(userId, hash);
                }
                case GUILD_CREATED ->
                {
                    final long id = in.readLong();
                    final String name = in.readUTF();
                    final long owner = in.readLong();
                    final long perms = in.readLong();
                    final Role everyone = new Role(id, "@everyone", perms, 0, 0);
                    final Directory.GuildSummary summary = new Directory.GuildSummary(id, name, owner);
                    yield (guilds, node) ->
                    {
                        final Guild g = new Guild(id, name, owner);
                        g.putRole(everyone);
                        guilds.put(g);
                        node.directory().putGuild(summary);
                    };
                }
                case CHANNEL_CREATED ->
                {
                    final long id = in.readLong();
                    final long guildId = in.readLong();
                    final int ctype = in.readInt();
                    final String name = in.readUTF();
                    final int pos = in.readInt();
                    final String topic = in.readUTF();
                    final GuildChannel plain = new GuildChannel(id, guildId, ctype, name, pos,
                        topic.isEmpty() ? null : topic, in.readInt(), in.readInt(), in.readLong());
                    // records written before overwrites existed end here: such an edit keeps the channel's own
                    final Overwrite[] overwrites = in.available() > 0 ? readOverwrites(in, payload.length) : null;
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            final GuildChannel was = g.channel(id);
                            g.putChannel(overwrites != null ? plain.withOverwrites(overwrites)
                                : was == null ? plain : plain.withOverwrites(was.overwrites()));
                        }
                        node.directory().putChannel(id, guildId);
                    };
                }
                case MEMBER_ADDED ->
                {
                    final long guildId = in.readLong();
                    final long userId = in.readLong();
                    final Member m = new Member(userId, in.readLong(), new long[0], null);
                    final boolean temporary = in.available() > 0 && in.readBoolean(); // older records: permanent
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.putMember(m);
                        }
                        node.accounts().addGuild(userId, guildId);
                        node.accounts().temporary(userId, guildId, temporary);
                    };
                }
                case MEMBER_NICK_CHANGED ->
                {
                    final long guildId = in.readLong();
                    final long userId = in.readLong();
                    final String nick = in.readUTF();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        final Member m = g == null ? null : g.member(userId);
                        if (m != null)
                        {
                            g.putMember(m.withNick(nick.isEmpty() ? null : nick));
                        }
                    };
                }
                case ROLE_PUT ->
                {
                    final long guildId = in.readLong();
                    final Role r = new Role(in.readLong(), in.readUTF(), in.readLong(), in.readInt(), in.readInt(),
                        in.available() >= Long.BYTES ? in.readLong() : 0);
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.putRole(r);
                        }
                    };
                }
                case ROLE_HOIST_SET ->
                {
                    final long guildId = in.readLong();
                    final long roleId = in.readLong();
                    final boolean hoist = in.readBoolean();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.hoist(roleId, hoist);
                        }
                    };
                }
                case ROLE_DELETED ->
                {
                    final long guildId = in.readLong();
                    final long roleId = in.readLong();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.removeRole(roleId);
                        }
                    };
                }
                case MEMBER_ROLES_SET ->
                {
                    final long guildId = in.readLong();
                    final long userId = in.readLong();
                    final int n = in.readInt();
                    if (n < 0 || n > payload.length / Long.BYTES)
                    {
                        throw new IllegalArgumentException("malformed state record type " + type + ": " + n
                            + " roles");
                    }
                    final long[] roleIds = new long[n];
                    for (int i = 0; i < roleIds.length; i++)
                    {
                        roleIds[i] = in.readLong();
                    }
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        final Member m = g == null ? null : g.member(userId);
                        if (m != null)
                        {
                            g.putMember(m.withRoles(roleIds));
                        }
                        if (roleIds.length > 0)
                        {
                            node.accounts().temporary(userId, guildId, false); // a role makes it permanent
                        }
                    };
                }
                case COMMANDS_SET ->
                {
                    final long app = in.readLong();
                    final long guildId = in.readLong();
                    final int n = in.readInt();
                    if (n < 0 || n > payload.length)
                    {
                        throw new IllegalArgumentException("malformed state record type " + type + ": " + n
                            + " bytes of commands");
                    }
                    final byte[] text = new byte[n];
                    in.readFully(text);
                    final String json = new String(text, java.nio.charset.StandardCharsets.UTF_8);
                    yield (guilds, node) -> node.directory().putCommands(app, guildId, json);
                }
                case DM_CREATED ->
                {
                    final long channelId = in.readLong();
                    final long a = in.readLong();
                    final long b = in.readLong();
                    yield (guilds, node) -> node.directory().putDm(channelId, a, b);
                }
                case CHANNEL_DELETED ->
                {
                    final long guildId = in.readLong();
                    final long channelId = in.readLong();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.removeChannel(channelId);
                        }
                        node.directory().removeChannel(channelId);
                    };
                }
                case MEMBER_REMOVED ->
                {
                    final long guildId = in.readLong();
                    final long userId = in.readLong();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.removeMember(userId);
                        }
                        node.accounts().removeGuild(userId, guildId);
                        node.accounts().temporary(userId, guildId, false);
                    };
                }
                case BAN_ADDED ->
                {
                    final long guildId = in.readLong();
                    final long userId = in.readLong();
                    final boolean withReason = in.readBoolean();
                    final String reason = in.readUTF();
                    final Ban ban = new Ban(userId, withReason ? reason : null);
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.putBan(ban);
                        }
                    };
                }
                case BAN_REMOVED ->
                {
                    final long guildId = in.readLong();
                    final long userId = in.readLong();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.removeBan(userId);
                        }
                    };
                }
                case MEMBER_TIMEOUT_SET ->
                {
                    final long guildId = in.readLong();
                    final long userId = in.readLong();
                    final long until = in.readLong();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        final Member m = g == null ? null : g.member(userId);
                        if (m != null)
                        {
                            g.putMember(m.withTimeout(until));
                        }
                    };
                }
                case GUILD_UPDATED ->
                {
                    final long guildId = in.readLong();
                    final String name = in.readUTF();
                    final long ownerId = in.readLong();
                    final GuildSettings settings = new GuildSettings(readOptional(in, payload.length), in.readLong(),
                        in.readLong(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
                    final Directory.GuildSummary summary = new Directory.GuildSummary(guildId, name, ownerId);
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.rename(name);
                            g.transferOwnership(ownerId);
                            g.settings(settings);
                        }
                        // the summary (name, owner) every node lists the guild with; not one deleted meanwhile
                        if (known(g, node.directory(), guildId))
                        {
                            node.directory().putGuild(summary);
                        }
                    };
                }
                case USER_AVATAR_SET ->
                {
                    final long userId = in.readLong();
                    final String hash = in.readUTF();
                    yield (guilds, node) ->
                    {
                        final Account a = node.accounts().get(userId);
                        if (a != null)
                        {
                            node.accounts().put(a.withAvatar(hash.isEmpty() ? null : hash));
                        }
                    };
                }
                case WEBHOOK_PUT ->
                {
                    final long guildId = in.readLong();
                    final Webhook w = new Webhook(in.readLong(), guildId, in.readLong(), in.readUTF(),
                        emptyIsNull(in.readUTF()), in.readUTF(), in.readLong());
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.putWebhook(w);
                        }
                        // every node routes the webhook's requests: the directory learns it from the owner's record
                        // (before, only the owner's node did, and the others answered 404 to its token for good)
                        if (known(g, node.directory(), guildId))
                        {
                            node.directory().webhookGuild(w.id(), guildId, w.channelId());
                        }
                    };
                }
                case WEBHOOK_DELETED ->
                {
                    final long guildId = in.readLong();
                    final long webhookId = in.readLong();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.removeWebhook(webhookId);
                        }
                        node.directory().webhookGuild(webhookId, 0, 0);
                    };
                }
                case GUILD_ICON_SET ->
                {
                    final long guildId = in.readLong();
                    final String hash = in.readUTF();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.icon(hash.isEmpty() ? null : hash);
                        }
                        // the icon every node lists the guild with (GET /users/@me/guilds)
                        if (known(g, node.directory(), guildId))
                        {
                            node.directory().guildIcon(guildId, emptyIsNull(hash));
                        }
                    };
                }
                case GUILD_DELETED ->
                {
                    final long guildId = in.readLong();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.remove(guildId);
                        if (g != null)
                        {
                            for (final Member m : g.members())
                            {
                                node.accounts().removeGuild(m.userId(), guildId);
                            }
                        }
                        else
                        {
                            // another node's guild (the record came over the link): its members are not known here,
                            // yet each one's node-wide guild list names it. Before, they kept it on the other nodes:
                            // a new session there was given it in READY, and DMs between its members stayed allowed
                            node.accounts().forgetGuild(guildId);
                        }
                        node.directory().removeGuild(guildId);
                    };
                }
                case INVITE_USED ->
                {
                    final long guildId = in.readLong();
                    final String code = in.readUTF();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.useInvite(code);
                        }
                    };
                }
                case INVITE_DELETED ->
                {
                    final long guildId = in.readLong();
                    final String code = in.readUTF();
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.forgetInvite(code);
                        }
                        node.directory().removeInvite(code);
                    };
                }
                case AUDIT_ENTRY ->
                {
                    final long guildId = in.readLong();
                    final AuditEntry e = new AuditEntry(in.readLong(), in.readLong(), in.readLong(), in.readInt(),
                        readOptional(in, payload.length), readOptional(in, payload.length),
                        readOptional(in, payload.length));
                    yield (guilds, node) ->
                    {
                        final Guild g = guilds.get(guildId);
                        if (g != null)
                        {
                            g.addAuditEntry(e);
                        }
                    };
                }
                case INVITE_CREATED ->
                {
                    final Invite i = new Invite(in.readUTF(), in.readLong(), in.readLong(), in.readLong(),
                        in.readLong(), in.readInt(), in.readInt(), in.available() > 0 && in.readBoolean());
                    yield (guilds, node) -> node.directory().putInvite(i);
                }
                case READ_STATE_ACK, READ_STATE_MENTION ->
                {
                    final long userId = in.readLong();
                    final long channelId = in.readLong();
                    final long messageId = in.readLong();
                    if (type == READ_STATE_ACK)
                    {
                        yield (guilds, node) -> guilds.readStates().ack(userId, channelId, messageId);
                    }
                    yield (guilds, node) -> guilds.readStates().mention(userId, channelId, messageId);
                }
                case APPLICATION_PUT ->
                {
                    final dev.pinwheel.core.directory.Application a = new dev.pinwheel.core.directory.Application(
                        in.readLong(), in.readLong(), in.readUTF(), in.readUTF());
                    yield (guilds, node) -> node.directory().putApplication(a);
                }
                case NAME_CLAIMED, NAME_RELEASED ->
                {
                    in.readLong(); // the name's key: the record's scope
                    final long userId = in.readLong();
                    final String username = in.readUTF();
                    if (type == NAME_CLAIMED)
                    {
                        yield (guilds, node) -> node.accounts().reserve(username, userId);
                    }
                    yield (guilds, node) -> node.accounts().release(username, userId);
                }
                case TOKENS_REVOKED ->
                {
                    final long userId = in.readLong();
                    yield (guilds, node) -> node.accounts().revokeTokens(userId);
                }
                case ID_VOIDED ->
                {
                    final long userId = in.readLong();
                    yield (guilds, node) -> node.accounts().voidId(userId);
                }
                case NAME_RELEASE_OWED, NAME_RELEASE_SETTLED ->
                {
                    final long userId = in.readLong();
                    final String username = in.readUTF();
                    if (type == NAME_RELEASE_OWED)
                    {
                        yield (guilds, node) -> node.accounts().oweRelease(userId, username);
                    }
                    yield (guilds, node) -> node.accounts().releaseSettled(userId, username);
                }
                case ATTACHMENTS_BOUND ->
                {
                    final long guildId = in.readLong();
                    final long channelId = in.readLong();
                    final long messageId = in.readLong();
                    final long[] ids = readLongs(in, type, payload.length);
                    yield (guilds, node) -> guilds.attachments().bind(guildId, channelId, messageId, ids);
                }
                case ATTACHMENTS_UNBOUND ->
                {
                    in.readLong(); // the guild: the record's scope
                    final long[] ids = readLongs(in, type, payload.length);
                    yield (guilds, node) -> guilds.attachments().unbind(ids);
                }
                default -> throw new IllegalArgumentException("unknown state record type " + type);
            };
            return change;
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("malformed state record type " + type, ex);
        }
    }

    @FunctionalInterface
    private interface Body
    {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] encode(final Body body)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            body.write(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }
}
