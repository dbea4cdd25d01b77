package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.shard.Shard;

/**
 * Sends the channel operations of a guild (list, create, read, edit, delete, typing) to the guild's owner as typed
 * commands ({@link OwnerCommands}), read back field by field, in this order, by {@link ChannelService}. Runs on the
 * shard holding the request; the answer comes back to {@code correlation} on this shard.
 */
public final class ChannelProxy
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public ChannelProxy(final Shard shard)
    {
        this.shard = shard;
    }

    private int owner(final long guildId)
    {
        return shard.group().ownerOf(guildId);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader.
     * @param guildId     the guild.
     */
    public void list(final long correlation, final long userId, final long guildId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.CHANNEL_LIST, correlation, userId)
            .putLong(guildId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who creates it (MANAGE_CHANNELS).
     * @param guildId     the guild.
     * @param name        the name, checked (a text channel's in Discord's lower-case-with-dashes form).
     * @param type        text, voice or category.
     * @param topic       the topic, or null.
     * @param bitrate     a voice channel's bitrate (0: the default).
     * @param userLimit   a voice channel's user limit (0: none).
     * @param parentId    the category, or 0.
     */
    public void create(final long correlation, final long userId, final long guildId, final String name,
        final int type, final String topic, final int bitrate, final int userLimit, final long parentId)
    {
        create(correlation, userId, null, guildId, name, type, topic, bitrate, userLimit, parentId, null);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the creator (MANAGE_CHANNELS; MANAGE_ROLES too for overwrites).
     * @param reason      the audit-log reason, or null.
     * @param guildId     the guild.
     * @param name        1-100 characters.
     * @param type        text, voice or category.
     * @param topic       the topic, or null.
     * @param bitrate     voice bitrate (0: the default).
     * @param userLimit   voice user limit (0: none).
     * @param parentId    the category (0: none).
     * @param overwrites  the permission overwrites as id, type, allow, deny for each, or null for none.
     */
    public void create(final long correlation, final long userId, final String reason, final long guildId,
        final String name, final int type, final String topic, final int bitrate, final int userLimit,
        final long parentId, final long[] overwrites)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.CHANNEL_CREATE, correlation, userId,
            reason).putLong(guildId).putString(name).putInt(type).putString(topic).putInt(bitrate).putInt(userLimit)
            .putLong(parentId).putLongs(overwrites));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the reader.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     */
    public void get(final long correlation, final long userId, final long guildId, final long channelId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.CHANNEL_GET, correlation, userId)
            .putLong(guildId).putLong(channelId));
    }

    /**
     * A channel edit: each field may be left as it is ({@code null}, or {@link OwnerCommands#KEEP} for numbers).
     *
     * @param correlation the waiting request.
     * @param userId      the editor (MANAGE_CHANNELS).
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param name        the new name, or null.
     * @param topic       the new topic ({@code ""} clears it), or null.
     * @param position    the new position, or KEEP.
     * @param bitrate     the new bitrate (voice), or KEEP.
     * @param userLimit   the new user limit (voice), or KEEP.
     * @param parentId    the new category (0: none), or KEEP.
     */
    public void edit(final long correlation, final long userId, final long guildId, final long channelId,
        final String name, final String topic, final int position, final int bitrate, final int userLimit,
        final long parentId)
    {
        edit(correlation, userId, null, guildId, channelId, name, topic, position, bitrate, userLimit, parentId, null);
    }

    /**
     * @param correlation the waiting request.
     * @param userId      the editor (MANAGE_CHANNELS; MANAGE_ROLES too for overwrites).
     * @param reason      the audit-log reason, or null.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param name        the new name, or null.
     * @param topic       the new topic ("" clears it), or null.
     * @param position    the new position, or KEEP.
     * @param bitrate     the new bitrate, or KEEP.
     * @param userLimit   the new user limit, or KEEP.
     * @param parentId    the new category (0: none), or KEEP.
     * @param overwrites  the whole set of overwrites (id, type, allow, deny for each), or null to keep them.
     */
    public void edit(final long correlation, final long userId, final String reason, final long guildId,
        final long channelId, final String name, final String topic, final int position, final int bitrate,
        final int userLimit, final long parentId, final long[] overwrites)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.CHANNEL_EDIT, correlation, userId,
            reason).putLong(guildId).putLong(channelId).putString(name).putString(topic).putInt(position)
            .putInt(bitrate).putInt(userLimit).putLong(parentId).putLongs(overwrites));
    }

    /**
     * {@code PUT /channels/{c}/permissions/{id}} or, with {@code remove}, {@code DELETE}.
     *
     * @param correlation the waiting request.
     * @param userId      the caller (MANAGE_ROLES in the channel).
     * @param reason      the audit-log reason, or null.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     * @param targetId    the role or member.
     * @param type        0 role, 1 member (ignored for a removal).
     * @param allow       bits allowed.
     * @param deny        bits denied.
     * @param remove      true to delete the overwrite.
     */
    public void overwrite(final long correlation, final long userId, final String reason, final long guildId,
        final long channelId, final long targetId, final int type, final long allow, final long deny,
        final boolean remove)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, remove ? OwnerCommands.CHANNEL_OVERWRITE_DELETE
            : OwnerCommands.CHANNEL_OVERWRITE_PUT, correlation, userId, reason).putLong(guildId).putLong(channelId)
            .putLong(targetId).putInt(type).putLong(allow).putLong(deny));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who deletes it (MANAGE_CHANNELS).
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     */
    public void delete(final long correlation, final long userId, final long guildId, final long channelId)
    {
        delete(correlation, userId, guildId, channelId, null);
    }

    /**
     * {@link #delete(long, long, long, long)} with the request's audit-log reason (or null).
     */
    public void delete(final long correlation, final long userId, final long guildId, final long channelId,
        final String reason)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.CHANNEL_DELETE, correlation, userId,
            reason).putLong(guildId).putLong(channelId));
    }

    /**
     * @param correlation the waiting request.
     * @param userId      who types.
     * @param guildId     the channel's guild.
     * @param channelId   the channel.
     */
    public void typing(final long correlation, final long userId, final long guildId, final long channelId)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.TYPING, correlation, userId)
            .putLong(guildId).putLong(channelId));
    }

    /**
     * {@code PATCH /guilds/{g}/channels}: moves channels (and may change their category).
     *
     * @param correlation the waiting request.
     * @param userId      who moves them (MANAGE_CHANNELS).
     * @param reason      the audit-log reason, or null.
     * @param guildId     the guild.
     * @param moves       per channel: id, position (or KEEP), parent (0: none, or KEEP), lock permissions (1 or 0)
     */
    public void positions(final long correlation, final long userId, final String reason, final long guildId,
        final long[] moves)
    {
        shard.send(owner(guildId), OwnerCommands.request(shard, OwnerCommands.CHANNEL_POSITIONS, correlation, userId,
            reason).putLong(guildId).putLongs(moves));
    }
}
