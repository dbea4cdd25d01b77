package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;

/**
 * Receives the owner commands sent to a shard ({@link OwnerCommands}, types 30 and up but the session requests of
 * {@link SessionRequestAdapter}) and runs each in its area's service, with a {@link CommandReply} to the request's
 * origin. A command whose handling fails (or that was dropped on its way) is answered with the failure
 * ({@link Reply#fail}). One per shard; shard thread only.
 */
public final class OwnerCommandAdapter
{
    private final MessageService messages;
    private final AvatarService avatars;
    private final WebhookService webhooks;
    private final ReactionService reactions;
    private final PinService pins;
    private final DmService dms;
    private final CommandService commands;
    private final AccountService accounts;
    private final GuildService guilds;
    private final ChannelService channels;
    private final InviteService invites;
    private final MemberService members;
    private final RoleService roles;
    private final ModerationService moderation;
    private final AuditLog audit;
    private final TemporaryMembers temporary;
    private final ReadStateService readStates;
    private final InteractionService interactions;
    private final ApplicationService applications;
    private final NameClaimService names;
    private final NameReleases releases;

    /**
     * @param node  the node's directories and accounts (DM channels, application commands too).
     * @param users sends an event to every session of a user (direct messages).
     * @param voice the voice of the node's guilds (member moves, deleted voice channels).
     * @param joins told when a user becomes a member of a guild (its sessions subscribe), or stops being one.
     */
    public OwnerCommandAdapter(final NodeState node, final UserEvents users, final GuildVoice voice,
        final MemberJoins joins)
    {
        this(node, users, voice, joins, FileReleases.NONE);
    }

    /**
     * @param node  the node's directories and accounts (DM channels, application commands too).
     * @param users sends an event to every session of a user (direct messages).
     * @param voice the voice of the node's guilds (member moves, deleted voice channels).
     * @param joins told when a user becomes a member of a guild (its sessions subscribe), or stops being one.
     * @param files told when attachments are no longer referenced.
     */
    public OwnerCommandAdapter(final NodeState node, final UserEvents users, final GuildVoice voice,
        final MemberJoins joins, final FileReleases files)
    {
        this.audit = new AuditLog(node);
        this.messages = new MessageService(node.accounts(), audit, files);
        this.avatars = new AvatarService(node);
        this.webhooks = new WebhookService(node, messages, files);
        this.reactions = new ReactionService(node.accounts());
        this.pins = new PinService(node.accounts(), messages);
        this.dms = new DmService(node, users).files(files);
        this.commands = new CommandService(node);
        this.accounts = new AccountService(node);
        this.channels = new ChannelService(node, voice, audit).files(files);
        this.members = new MemberService(node, voice, audit);
        this.roles = new RoleService(node, audit);
        this.moderation = new ModerationService(node, voice, joins, audit).files(files);
        this.temporary = new TemporaryMembers(node, moderation);
        this.invites = new InviteService(node, joins, audit);
        this.guilds = new GuildService(node, joins, voice, audit).files(files);
        this.readStates = new ReadStateService(node, users);
        this.interactions = new InteractionService(node, users, messages);
        this.applications = new ApplicationService(node, joins);
        this.names = new NameClaimService(node);
        this.releases = new NameReleases(node);
    }

    /**
     * @return the name releases this shard owes (its ticker sends them again until acknowledged).
     */
    public NameReleases nameReleases()
    {
        return releases;
    }

    /**
     * @return the read states of the users this shard owns (for its {@link SessionRequestAdapter}).
     */
    public ReadStateService readStates()
    {
        return readStates;
    }

    /**
     * @return the interactions whose guilds this shard owns.
     */
    public InteractionService interactions()
    {
        return interactions;
    }

    /**
     * @param lists this shard's lazy member lists: in a lazy guild, typing goes only to their subscribers.
     * @return this.
     */
    public OwnerCommandAdapter lazyGuilds(final MemberListUpdates lists)
    {
        channels.lazyGuilds(lists);
        members.lazyGuilds(lists);
        roles.lazyGuilds(lists);
        return this;
    }

    /**
     * @return what ends the temporary memberships of this shard's guilds (for its {@link SessionRequestAdapter}).
     */
    public TemporaryMembers temporaryMembers()
    {
        return temporary;
    }

    /** The refusal of a fenced node's owner commands: "moving" ({@code ShardRoute.MOVING}'s node). */
    private static final dev.pinwheel.core.shard.NodeUnavailableException FENCED =
        new dev.pinwheel.core.shard.NodeUnavailableException(dev.pinwheel.core.routing.ShardRoute.node(
            dev.pinwheel.core.routing.ShardRoute.MOVING));

    /**
     * @param type a command type.
     * @return whether it is an owner command this adapter runs.
     */
    public static boolean handles(final int type)
    {
        return type >= OwnerCommands.MESSAGE_POST && !SessionRequestAdapter.handles(type);
    }

    /**
     * Runs an owner command.
     *
     * @param owner   this shard.
     * @param command the command, at its first field (the header).
     */
    public void onCommand(final Shard owner, final CommandReader command)
    {
        if (owner.group().ownership() != dev.pinwheel.core.shard.ShardGroup.OWNER)
        {
            // not live in this node's epoch, or past its ownership lease (a stall, cut off) longer than the shard
            // holds commands for (Shard#pauseWhile): another node may hold these keys by now; refused as for a key
            // that moves (503, retry)
            failed(owner, command, FENCED);
            return;
        }
        final Reply reply = new CommandReply(owner, command.getInt(), command.getLong(), command.getLong(),
            command.getString());
        switch (command.type())
        {
            case OwnerCommands.MESSAGE_POST, OwnerCommands.MESSAGE_POST_AGAIN -> messages.post(owner, command, reply);
            case OwnerCommands.MESSAGE_EDIT -> messages.edit(owner, command, reply);
            case OwnerCommands.MESSAGE_DELETE -> messages.delete(owner, command, reply);
            case OwnerCommands.MESSAGE_DELETE_COPY ->
            {
                final long guildId = command.getLong();
                if (guildId == 0)
                {
                    dms.deleteCopy(owner, command, reply); // a DM's copy: routed by its channel
                }
                else
                {
                    messages.deleteCopy(owner, guildId, command, reply);
                }
            }
            case OwnerCommands.MESSAGE_BULK_DELETE -> messages.bulkDelete(owner, command, reply);
            case OwnerCommands.MESSAGE_GET -> messages.get(owner, command, reply);
            case OwnerCommands.MESSAGE_HISTORY -> messages.history(owner, command, reply);
            case OwnerCommands.READ_STATE_ACK -> readStates.ack(owner, command, reply);
            case OwnerCommands.READ_STATE_ACK_BULK -> readStates.ackBulk(owner, command, reply);
            case OwnerCommands.REACTION_ADD -> reactions.add(owner, command, reply);
            case OwnerCommands.REACTION_REMOVE -> reactions.remove(owner, command, reply);
            case OwnerCommands.REACTION_CLEAR -> reactions.clear(owner, command, reply);
            case OwnerCommands.REACTION_USERS -> reactions.users(owner, command, reply);
            case OwnerCommands.PIN_LIST -> pins.list(owner, command, reply);
            case OwnerCommands.PIN_ADD -> pins.pin(owner, command, true, reply);
            case OwnerCommands.PIN_REMOVE -> pins.pin(owner, command, false, reply);
            case OwnerCommands.DM_OPEN -> dms.open(owner, command, reply);
            case OwnerCommands.DM_CHANNEL_GET -> dms.channel(owner, command, reply);
            case OwnerCommands.DM_MESSAGE_POST, OwnerCommands.DM_MESSAGE_POST_FILES,
                OwnerCommands.DM_MESSAGE_POST_AGAIN ->
                dms.post(owner, command, reply);
            case OwnerCommands.DM_MESSAGE_EDIT -> dms.edit(owner, command, reply);
            case OwnerCommands.DM_MESSAGE_DELETE -> dms.delete(owner, command, reply);
            case OwnerCommands.DM_MESSAGE_GET -> dms.get(owner, command, reply);
            case OwnerCommands.DM_MESSAGE_HISTORY -> dms.history(owner, command, reply);
            case OwnerCommands.APP_COMMAND_LIST -> commands.list(owner, command, reply);
            case OwnerCommands.APP_COMMAND_GET -> commands.get(owner, command, reply);
            case OwnerCommands.APP_COMMAND_OVERWRITE -> commands.overwrite(owner, command, reply);
            case OwnerCommands.APP_COMMAND_UPSERT -> commands.upsert(owner, command, reply);
            case OwnerCommands.APP_COMMAND_EDIT -> commands.edit(owner, command, reply);
            case OwnerCommands.APP_COMMAND_DELETE -> commands.delete(owner, command, reply);
            case OwnerCommands.ACCOUNT_REGISTER -> accounts.register(owner, command, reply);
            case OwnerCommands.ACCOUNT_LOGIN -> accounts.login(owner, command, reply);
            case OwnerCommands.GUILD_CREATE -> guilds.create(owner, command, reply);
            case OwnerCommands.GUILD_GET -> guilds.get(owner, command, reply);
            case OwnerCommands.GUILD_EDIT -> guilds.edit(owner, command, reply);
            case OwnerCommands.USER_AVATAR_SET -> avatars.set(owner, command, reply);
            case OwnerCommands.WEBHOOK_CREATE -> webhooks.create(owner, command, reply);
            case OwnerCommands.WEBHOOK_LIST -> webhooks.list(owner, command, reply);
            case OwnerCommands.WEBHOOK_GET -> webhooks.get(owner, command, reply);
            case OwnerCommands.WEBHOOK_EDIT -> webhooks.edit(owner, command, reply);
            case OwnerCommands.WEBHOOK_DELETE -> webhooks.delete(owner, command, reply);
            case OwnerCommands.WEBHOOK_EXECUTE -> webhooks.execute(owner, command, reply);
            case OwnerCommands.WEBHOOK_MESSAGE -> webhooks.message(owner, command, reply);
            case OwnerCommands.GUILD_DELETE -> guilds.delete(owner, command, reply);
            case OwnerCommands.CHANNEL_LIST -> channels.list(owner, command, reply);
            case OwnerCommands.CHANNEL_CREATE -> channels.create(owner, command, reply);
            case OwnerCommands.CHANNEL_GET -> channels.get(owner, command, reply);
            case OwnerCommands.CHANNEL_EDIT -> channels.edit(owner, command, reply);
            case OwnerCommands.CHANNEL_DELETE -> channels.delete(owner, command, reply);
            case OwnerCommands.TYPING -> channels.typing(owner, command, reply);
            case OwnerCommands.CHANNEL_OVERWRITE_PUT, OwnerCommands.CHANNEL_OVERWRITE_DELETE ->
                channels.overwrite(owner, command, reply);
            case OwnerCommands.INVITE_CREATE -> invites.create(owner, command, reply);
            case OwnerCommands.INVITE_GET -> invites.get(owner, command, reply);
            case OwnerCommands.INVITE_JOIN -> invites.join(owner, command, reply);
            case OwnerCommands.INVITE_LIST -> invites.list(owner, command, reply);
            case OwnerCommands.INVITE_DELETE -> invites.revoke(owner, command, reply);
            case OwnerCommands.MEMBER_GET -> members.get(owner, command, reply);
            case OwnerCommands.MEMBER_LIST -> members.list(owner, command, reply);
            case OwnerCommands.MEMBER_SEARCH -> members.search(owner, command, reply);
            case OwnerCommands.MEMBER_EDIT -> members.edit(owner, command, reply);
            case OwnerCommands.MEMBER_ROLE_ADD, OwnerCommands.MEMBER_ROLE_REMOVE -> members.role(owner, command, reply);
            case OwnerCommands.ROLE_LIST -> roles.list(owner, command, reply);
            case OwnerCommands.ROLE_CREATE -> roles.create(owner, command, reply);
            case OwnerCommands.ROLE_EDIT -> roles.edit(owner, command, reply);
            case OwnerCommands.ROLE_DELETE -> roles.delete(owner, command, reply);
            case OwnerCommands.ROLE_POSITIONS -> roles.positions(owner, command, reply);
            case OwnerCommands.CHANNEL_POSITIONS -> channels.positions(owner, command, reply);
            case OwnerCommands.MEMBER_REMOVE -> moderation.remove(owner, command, reply);
            case OwnerCommands.BAN_LIST -> moderation.list(owner, command, reply);
            case OwnerCommands.BAN_GET -> moderation.get(owner, command, reply);
            case OwnerCommands.BAN_ADD, OwnerCommands.BAN_BULK -> moderation.ban(owner, command, reply);
            case OwnerCommands.BAN_REMOVE -> moderation.unban(owner, command, reply);
            case OwnerCommands.AUDIT_LOG -> audit.list(owner, command, reply);
            case OwnerCommands.INTERACTION_INVOKE -> interactions.invoke(owner, command, reply);
            case OwnerCommands.INTERACTION_CALLBACK -> interactions.callback(owner, command, reply);
            case OwnerCommands.INTERACTION_WEBHOOK -> interactions.webhook(owner, command, reply);
            case OwnerCommands.APPLICATION_CREATE -> applications.create(owner, command, reply);
            case OwnerCommands.APPLICATION_TOKEN_RESET -> applications.resetToken(owner, command, reply);
            case OwnerCommands.OAUTH2_BOT_ADD -> applications.addBot(owner, command, reply);
            case OwnerCommands.NAME_CLAIM -> names.claim(owner, command.rewind());
            case OwnerCommands.NAME_RELEASE -> names.release(owner, command.rewind());
            case OwnerCommands.ID_VOID -> names.voidId(owner, command.rewind());
            case OwnerCommands.NAME_RELEASE_DONE -> releases.done(owner, command, reply.userId());
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
        final Reply reply = new CommandReply(shard, command.getInt(), command.getLong(), command.getLong(),
            command.getString());
        if (command.type() == OwnerCommands.NAME_RELEASE || command.type() == OwnerCommands.ID_VOID)
        {
            NameClaimService.releaseLost(command.rewind(), cause); // no request waits for it
            return;
        }
        if (command.type() == OwnerCommands.NAME_RELEASE_DONE)
        {
            return; // no request waits for it: the release is sent again, and acknowledged again
        }
        if (command.type() == OwnerCommands.ACCOUNT_REGISTER)
        {
            accounts.registerFailed(shard, command, reply.userId()); // the reserved username is free again
        }
        else if (command.type() == OwnerCommands.APPLICATION_CREATE)
        {
            applications.createFailed(shard, command); // the bot's reserved username is free again
        }
        reply.fail(cause);
    }
}
