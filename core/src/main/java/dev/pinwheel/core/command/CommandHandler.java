package dev.pinwheel.core.command;

import dev.pinwheel.core.shard.Shard;

/**
 * Receives the typed commands sent to a shard ({@code Shard#send(int, CommandWriter)}): the transport that defines
 * the command types (the gateway's owner services) registers one per shard ({@code Shard#commandHandler}). Runs on
 * the shard's thread.
 */
public interface CommandHandler
{
    /**
     * @param shard   the shard whose thread runs it.
     * @param command the command, valid during the call.
     */
    void onCommand(Shard shard, CommandReader command);

    /**
     * A command failed: its handling threw (survivably: see {@code ShardFaults}), or it was dropped on its way
     * (then this runs on the sending shard). The handler answers whoever waits for the command (its reply-to).
     *
     * @param shard   the shard whose thread runs it.
     * @param command the command, rewound to its first field.
     * @param cause   why.
     */
    void failed(Shard shard, CommandReader command, Throwable cause);

    /**
     * A command this shard sent went onto the link to another node (sent, or held in order behind earlier sends): the
     * handler may note which node a request of this shard now waits on, so that it can answer it at once when that
     * node is found to have restarted without answering (the request would otherwise wait for its timeout).
     *
     * @param shard  the sending shard (its thread).
     * @param node   the node it went to.
     * @param bytes  the command (valid during the call).
     * @param length its length.
     */
    default void sentToNode(final Shard shard, final int node, final org.agrona.DirectBuffer bytes, final int length)
    {
    }

    /**
     * The name of a command type, for its counter ({@code pinwheel_shard_commands_total{shard,type}}): the shard
     * registers a counter for every named type when the handler is set, and one for any other type the first time
     * it runs one (named by its number).
     *
     * @param type a command type, 0..{@value CommandReader#MAX_TYPE}.
     * @return its name, or null if the handler does not know it.
     */
    default String commandName(final int type)
    {
        return null;
    }
}
