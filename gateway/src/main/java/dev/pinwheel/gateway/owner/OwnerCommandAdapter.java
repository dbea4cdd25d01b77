package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.shard.Shard;

/**
 * Receives the owner commands sent to a shard ({@link OwnerCommands}, types 30 and up but the session requests of
 * {@link SessionRequestAdapter}) and runs each in its area's service, with a {@link CommandReply} to the request's
 * origin. A command whose handling fails (or that was dropped on its way) is answered with the failure
 * ({@link Reply#fail}). One per shard; shard thread only.
 */
public final class OwnerCommandAdapter
{
    private final MessageService messages;

    /**
     * @param accounts the node's accounts.
     */
    public OwnerCommandAdapter(final Accounts accounts)
    {
        this.messages = new MessageService(accounts);
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
        final Reply reply = new CommandReply(owner, command.getInt(), command.getLong(), command.getLong());
        switch (command.type())
        {
            case OwnerCommands.MESSAGE_POST -> messages.post(owner, command, reply);
            case OwnerCommands.MESSAGE_EDIT -> messages.edit(owner, command, reply);
            case OwnerCommands.MESSAGE_DELETE -> messages.delete(owner, command, reply);
            case OwnerCommands.MESSAGE_BULK_DELETE -> messages.bulkDelete(owner, command, reply);
            case OwnerCommands.MESSAGE_GET -> messages.get(owner, command, reply);
            case OwnerCommands.MESSAGE_HISTORY -> messages.history(owner, command, reply);
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
