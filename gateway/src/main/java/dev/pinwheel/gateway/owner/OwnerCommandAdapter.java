package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;

/**
 * Receives the owner commands sent to a shard ({@link OwnerCommands}, types 30 and up) and runs each in its area's
 * service, with a {@link CommandReply} to the request's origin. A command whose handling fails (or that was dropped
 * on its way) is answered with the failure ({@link Reply#fail}). One per shard; shard thread only.
 */
public final class OwnerCommandAdapter
{
    private final MessageService messages;
    private final GuildService guilds;
    private final ChannelService channels;
    private final InviteService invites;
    private final MemberService members;
    private final RoleService roles;

    /**
     * @param node  the node's directories and accounts.
     * @param voice the voice of the node's guilds (member moves, deleted voice channels).
     * @param joins told when a user becomes a member of a guild (its sessions subscribe).
     */
    public OwnerCommandAdapter(final NodeState node, final GuildVoice voice, final MemberJoins joins)
    {
        this.messages = new MessageService(node.accounts());
        this.guilds = new GuildService(node, joins);
        this.channels = new ChannelService(node, voice);
        this.invites = new InviteService(node, joins);
        this.members = new MemberService(node, voice);
        this.roles = new RoleService(node);
    }

    /**
     * @return the message service (shared with operations that make message versions).
     */
    public MessageService messages()
    {
        return messages;
    }

    /**
     * @param type a command type.
     * @return whether it is an owner command this adapter runs.
     */
    public static boolean handles(final int type)
    {
        return type >= OwnerCommands.MESSAGE_POST;
    }

    /**
     * Runs an owner command.
     *
     * @param owner   this shard.
     * @param command the command, at its first field (the header).
     */
    public void onCommand(final Shard owner, final CommandReader command)
    {
        final Reply reply = new CommandReply(owner, command.getInt(), command.getLong(), command.getLong());
        switch (command.type())
        {
            case OwnerCommands.MESSAGE_POST -> messages.post(owner, command, reply);
            case OwnerCommands.MESSAGE_EDIT -> messages.edit(owner, command, reply);
            case OwnerCommands.MESSAGE_DELETE -> messages.delete(owner, command, reply);
            case OwnerCommands.MESSAGE_BULK_DELETE -> messages.bulkDelete(owner, command, reply);
            case OwnerCommands.MESSAGE_GET -> messages.get(owner, command, reply);
            case OwnerCommands.MESSAGE_HISTORY -> messages.history(owner, command, reply);
            case OwnerCommands.GUILD_CREATE -> guilds.create(owner, command, reply);
            case OwnerCommands.GUILD_GET -> guilds.get(owner, command, reply);
            case OwnerCommands.CHANNEL_LIST -> channels.list(owner, command, reply);
            case OwnerCommands.CHANNEL_CREATE -> channels.create(owner, command, reply);
            case OwnerCommands.CHANNEL_GET -> channels.get(owner, command, reply);
            case OwnerCommands.CHANNEL_EDIT -> channels.edit(owner, command, reply);
            case OwnerCommands.CHANNEL_DELETE -> channels.delete(owner, command, reply);
            case OwnerCommands.TYPING -> channels.typing(owner, command, reply);
            case OwnerCommands.INVITE_CREATE -> invites.create(owner, command, reply);
            case OwnerCommands.INVITE_GET -> invites.get(owner, command, reply);
            case OwnerCommands.INVITE_JOIN -> invites.join(owner, command, reply);
            case OwnerCommands.MEMBER_GET -> members.get(owner, command, reply);
            case OwnerCommands.MEMBER_LIST -> members.list(owner, command, reply);
            case OwnerCommands.MEMBER_SEARCH -> members.search(owner, command, reply);
            case OwnerCommands.MEMBER_EDIT -> members.edit(owner, command, reply);
            case OwnerCommands.MEMBER_ROLE_ADD, OwnerCommands.MEMBER_ROLE_REMOVE -> members.role(owner, command, reply);
            case OwnerCommands.ROLE_LIST -> roles.list(owner, command, reply);
            case OwnerCommands.ROLE_CREATE -> roles.create(owner, command, reply);
            case OwnerCommands.ROLE_EDIT -> roles.edit(owner, command, reply);
            case OwnerCommands.ROLE_DELETE -> roles.delete(owner, command, reply);
            default -> throw new IllegalArgumentException("unknown owner command type " + command.type());
        }
    }

    /**
     * Answers the request of a command that failed on this shard, or was dropped on its way from this shard.
     *
     * @param shard   this shard.
     * @param command the command, rewound.
     * @param cause   why.
     */
    public void failed(final Shard shard, final CommandReader command, final Throwable cause)
    {
        new CommandReply(shard, command.getInt(), command.getLong(), command.getLong()).fail(cause);
    }
}
