package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;

/**
 * The guilds a shard owns: create one, read one. Runs on the owner shard (single writer of the guild and its
 * journal); each operation reads its command's fields in the order {@link GuildProxy} wrote them and answers only
 * through its {@link Reply}, once the change is durable.
 */
public final class GuildService
{
    private final NodeState node;
    private final MemberJoins joins;

    /**
     * @param node  the node's directories (state records apply to them).
     * @param joins told when a user becomes a member.
     */
    public GuildService(final NodeState node, final MemberJoins joins)
    {
        this.node = node;
        this.joins = joins;
    }

    /**
     * {@link OwnerCommands#GUILD_CREATE}: guild id, name. The caller owns the new guild, which has a text channel
     * {@code general}; 201 with the guild and its channels, then the caller's sessions subscribe to it.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void create(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final String name = command.getString();
        final long userId = reply.userId();
        StateLog.commit(owner, node, StateRecords.GUILD_CREATED,
            StateRecords.guildCreated(guildId, name, userId, Permissions.EVERYONE_DEFAULT));
        final GuildChannel general = new GuildChannel(owner.ids().next(), guildId, GuildChannel.TEXT, "general", 0,
            null, 0, 0, 0);
        StateLog.commit(owner, node, StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(general));
        StateLog.commit(owner, node, StateRecords.MEMBER_ADDED,
            StateRecords.memberAdded(guildId, userId, System.currentTimeMillis()));
        final ObjectNode body = Entities.guild(owner.guilds().get(guildId));
        body.putArray("channels").add(Entities.channel(general, 0));
        final byte[] created = Json.bytes(body);
        owner.afterCommit(() ->
        {
            reply.ok(201, created);
            joins.joined(owner, userId, guildId);
        });
    }

    /**
     * {@link OwnerCommands#GUILD_GET}: guild, with counts. Members only.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void get(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final boolean withCounts = command.getBoolean();
        final Guild g = GuildAccess.guild(owner, guildId, reply);
        if (g == null)
        {
            return;
        }
        final ObjectNode body = Entities.guild(g);
        if (withCounts)
        {
            body.put("approximate_member_count", g.memberCount());
            body.put("approximate_presence_count", 0);
        }
        reply.ok(200, body);
    }
}
