package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;

/**
 * The owner step of register and login, on the account's owner shard, after the control plane did the password
 * work: journal the account ({@code USER_REGISTERED}) and the token's hash ({@code TOKEN_ISSUED}), then, once
 * durable, answer with the token. A registration that fails here gives its reserved username back
 * ({@link #registerFailed}; in a cluster to the name's owner, {@link NameClaimProxy#release}), unless the account was journaled before the failure. Reads each command in the order
 * {@link AccountProxy} wrote it. Owner shard only.
 */
public final class AccountService
{
    private final NodeState node;

    /**
     * @param node the node's directories (accounts).
     */
    public AccountService(final NodeState node)
    {
        this.node = node;
    }

    /**
     * {@link OwnerCommands#ACCOUNT_REGISTER}: username, password hash, bot, token, token hash (the header's user is
     * the new id).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (201 with the token and the user, once durable).
     */
    public void register(final Shard owner, final CommandReader command, final Reply reply)
    {
        final String username = command.getString();
        final String passwordHash = command.getString();
        final boolean bot = command.getBoolean();
        final String token = command.getString();
        final String tokenHash = command.getString();
        if (node.accounts().isVoided(reply.userId()))
        {
            // its origin gave it up and its name was given back (NameClaimService#voidId): too late to register
            reply.error(DiscordError.NODE_UNAVAILABLE);
            return;
        }
        final Account account = new Account(reply.userId(), username, passwordHash, bot);
        StateLog.commit(owner, node, StateRecords.USER_REGISTERED, StateRecords.userRegistered(account));
        StateLog.commit(owner, node, StateRecords.TOKEN_ISSUED, StateRecords.tokenIssued(account.id(), tokenHash));
        final ObjectNode o = Json.object();
        o.put("token", token);
        o.set("user", Entities.selfUser(account));
        final byte[] body = Json.bytes(o);
        owner.afterCommit(() -> reply.ok(201, body));
    }

    /**
     * A registration failed (on this shard): its username is free again unless the account was journaled.
     *
     * @param shard   this shard.
     * @param command the command, after its header.
     * @param userId  the id the name was reserved for.
     */
    public void registerFailed(final Shard shard, final CommandReader command, final long userId)
    {
        final String username = command.getString();
        if (node.accounts().get(userId) == null)
        {
            if (shard.group().clusterLink() != null)
            {
                // in a cluster the name's owner holds the claim: it journals the release (replayed at restart)
                NameReleases.owe(shard, node, username, userId);
            }
            else
            {
                node.accounts().release(username, userId);
            }
        }
    }

    /**
     * {@link OwnerCommands#ACCOUNT_LOGIN}: token, token hash (the header's user is the account).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer (200 with the token and the user, once durable).
     */
    public void login(final Shard owner, final CommandReader command, final Reply reply)
    {
        final String token = command.getString();
        final String tokenHash = command.getString();
        final Account a = node.accounts().get(reply.userId());
        StateLog.commit(owner, node, StateRecords.TOKEN_ISSUED, StateRecords.tokenIssued(a.id(), tokenHash));
        final ObjectNode o = Json.object();
        o.put("token", token);
        o.put("user_id", Json.id(a.id()));
        o.set("user", Entities.selfUser(a));
        final byte[] body = Json.bytes(o);
        owner.afterCommit(() -> reply.ok(200, body));
    }
}
