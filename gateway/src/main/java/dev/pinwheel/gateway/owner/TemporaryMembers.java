package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;

/**
 * Temporary membership, as Discord's {@code temporary} invites grant it: a member who joined through one is removed
 * when their last gateway session ends, unless given a role meanwhile. The user's owner shard notices the last session
 * ending ({@link UserSessionService}) and sends {@link OwnerCommands#USER_OFFLINE} to the owner of each guild the user
 * joined temporarily (the node's accounts know them); here the membership is checked again and ended as a kick
 * would end it, without an audit entry. Owner shard only.
 */
public final class TemporaryMembers
{
    private final NodeState node;
    private final ModerationService moderation;

    TemporaryMembers(final NodeState node, final ModerationService moderation)
    {
        this.node = node;
        this.moderation = moderation;
    }

    /**
     * {@link OwnerCommands#USER_OFFLINE}: guild, user.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void offline(final Shard owner, final CommandReader command)
    {
        final long guildId = command.getLong();
        final long userId = command.getLong();
        final Guild g = owner.guilds().get(guildId);
        final Member m = g == null ? null : g.member(userId);
        if (m != null && m.roleIds().length == 0 && g.ownerId() != userId
            && node.accounts().temporaryGuildsOf(userId).contains(guildId))
        {
            moderation.removeMember(owner, g, userId);
        }
    }
}
