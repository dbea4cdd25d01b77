package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authority for the usernames whose key ({@link Usernames#key}) this shard owns, in a cluster: the first claim
 * of a free name is journaled ({@link StateRecords#NAME_CLAIMED}, scope: the name's key — replayed at restart, sent
 * to every node like other node-wide records, read by the key's next owner on a handover), and only once it is
 * durable does the registration go on to the new account's owner; a later claim for another id is answered 400
 * {@code USERNAME_ALREADY_TAKEN} (after that same commit, so no refusal is seen for a claim that could still be lost).
 * Which names are taken is read from the node's {@code Accounts}: the claims journaled here and every account this
 * node has learnt (those registered before claims existed too). Reads each command in the order
 * {@link NameClaimProxy} wrote it. Owner shard only.
 */
public final class NameClaimService
{
    private static final Logger LOG = LoggerFactory.getLogger(NameClaimService.class);

    private final NodeState node;

    /**
     * @param node the node's accounts.
     */
    public NameClaimService(final NodeState node)
    {
        this.node = node;
    }

    /**
     * {@link OwnerCommands#NAME_CLAIM}.
     *
     * @param owner   this shard.
     * @param command the command, at its first field (the request header is read here again).
     */
    public void claim(final Shard owner, final CommandReader command)
    {
        final Claim c = new Claim(command);
        final Reply reply = new CommandReply(owner, c.origin, c.correlation, c.user, c.reason);
        final long holder = node.accounts().holderOf(c.name);
        if (holder != -1 && holder != c.claimant)
        {
            if (c.fallback != null)
            {
                c.name = c.fallback; // a bot's second choice: its own key, likely another owner
                c.fallback = null;
                owner.send(owner.group().ownerOf(Usernames.key(c.name)), c.write(owner, OwnerCommands.NAME_CLAIM));
                return;
            }
            owner.afterCommit(() -> reply.invalidField(c.field, "USERNAME_ALREADY_TAKEN", c.message));
            return;
        }
        if (holder == -1)
        {
            StateLog.commit(owner, node, StateRecords.NAME_CLAIMED, StateRecords.nameClaim(c.name, c.claimant));
        }
        // durable: the registration goes on at the new id's owner, which answers the request
        owner.afterCommit(() -> owner.send(owner.group().ownerOf(c.claimant), c.write(owner, c.then)));
    }

    /**
     * {@link OwnerCommands#NAME_RELEASE}: username (the header's user is the id it was claimed for). Gives the name
     * back while that id holds it without an account, then acknowledges to the sender once durable
     * ({@link OwnerCommands#NAME_RELEASE_DONE}): a retried release (see {@link NameReleases}) changes nothing twice.
     *
     * @param owner   this shard.
     * @param command the command, rewound to its header.
     */
    public void release(final Shard owner, final CommandReader command)
    {
        final NameRelease r = NameRelease.read(command);
        if (node.accounts().holderOf(r.username) == r.userId && node.accounts().get(r.userId) == null)
        {
            StateLog.commit(owner, node, StateRecords.NAME_RELEASED, StateRecords.nameClaim(r.username, r.userId));
        }
        owner.afterCommit(() -> r.settled(owner));
    }

    /**
     * {@link OwnerCommands#ID_VOID}, at the owner of the id: the one place that decides whether an account exists for
     * it. Registered: the name stays, and the origin is told the release is settled. Not registered: the id is voided
     * first (journaled; a registration for it arriving later is refused), and once that is durable the release goes on
     * to the name's owner — which may not have learnt the account's record yet, so without this step a registration
     * journaled here could lose its name to a release that overtook its record, and one still on its way could be
     * journaled after its name was given back.
     *
     * @param owner   this shard (the id's owner).
     * @param command the command, rewound to its header.
     */
    public void voidId(final Shard owner, final CommandReader command)
    {
        final NameRelease r = NameRelease.read(command);
        if (node.accounts().get(r.userId) != null)
        {
            r.settled(owner);
            return;
        }
        if (!node.accounts().isVoided(r.userId))
        {
            StateLog.commit(owner, node, StateRecords.ID_VOIDED, StateRecords.idVoided(r.userId));
        }
        owner.afterCommit(() -> owner.send(owner.group().ownerOf(Usernames.key(r.username)),
            r.write(owner, OwnerCommands.NAME_RELEASE)));
    }

    /**
     * A name release could not reach the name's owner (its node down): logged; {@link NameReleases} sends it again
     * until the owner acknowledges. The registration's client got its error already.
     *
     * @param command the command, rewound.
     * @param cause   why.
     */
    public static void releaseLost(final CommandReader command, final Throwable cause)
    {
        LOG.warn("a username claimed for {} could not be given back yet ({}): sent again until its owner "
            + "acknowledges", NameRelease.read(command).userId, cause.toString());
    }

    /**
     * The fields of a {@link OwnerCommands#NAME_RELEASE} or {@link OwnerCommands#ID_VOID}: the request header (origin,
     * no correlation, the id the name was claimed for, no reason), then the username.
     */
    private record NameRelease(int origin, long userId, String username)
    {
        static NameRelease read(final CommandReader command)
        {
            final int origin = command.getInt();
            command.getLong(); // correlation: none
            final long userId = command.getLong();
            command.getString(); // reason
            return new NameRelease(origin, userId, command.getString());
        }

        /** The same release as {@code type}, for the same origin, on the shard's writer. */
        CommandWriter write(final Shard shard, final int type)
        {
            return shard.commandWriter().begin(type).putInt(origin).putLong(0).putLong(userId).putString(null)
                .putString(username);
        }

        /** Tells the origin the release is settled ({@link OwnerCommands#NAME_RELEASE_DONE}). */
        void settled(final Shard shard)
        {
            shard.send(origin, OwnerCommands.request(shard, OwnerCommands.NAME_RELEASE_DONE, 0, userId)
                .putString(username));
        }
    }

    /** A claim's fields, read off its command (the command's bytes do not outlive the handler). */
    private static final class Claim
    {
        final int origin;
        final long correlation;
        final long user;
        final String reason;
        final int then;
        final long claimant;
        String name;
        String fallback;
        final String field;
        final String message;
        final String s1;
        final String s2;
        final boolean bot;
        final String token;
        final String tokenHash;

        Claim(final CommandReader command)
        {
            origin = command.getInt();
            correlation = command.getLong();
            user = command.getLong();
            reason = command.getString();
            then = command.getInt();
            claimant = command.getLong();
            name = command.getString();
            fallback = command.getString();
            field = command.getString();
            message = command.getString();
            if (then == OwnerCommands.ACCOUNT_REGISTER)
            {
                s1 = command.getString(); // password hash
                s2 = null;
                bot = command.getBoolean();
            }
            else if (then == OwnerCommands.APPLICATION_CREATE)
            {
                s1 = command.getString(); // the application's name
                s2 = command.getString(); // its description
                bot = true;
            }
            else
            {
                throw new IllegalArgumentException("a name claim cannot go on to command type " + then);
            }
            token = command.getString();
            tokenHash = command.getString();
        }

        /** Writes the claim again ({@code NAME_CLAIM}) or what it goes on to, on the shard's writer. */
        CommandWriter write(final Shard shard, final int type)
        {
            final CommandWriter w = shard.commandWriter().begin(type).putInt(origin).putLong(correlation)
                .putLong(user).putString(reason);
            if (type == OwnerCommands.NAME_CLAIM)
            {
                w.putInt(then).putLong(claimant).putString(name).putString(fallback).putString(field)
                    .putString(message);
                return then == OwnerCommands.ACCOUNT_REGISTER
                    ? w.putString(s1).putBoolean(bot).putString(token).putString(tokenHash)
                    : w.putString(s1).putString(s2).putString(token).putString(tokenHash);
            }
            if (type == OwnerCommands.ACCOUNT_REGISTER)
            {
                return w.putString(name).putString(s1).putBoolean(bot).putString(token).putString(tokenHash);
            }
            return w.putLong(claimant).putString(name).putString(s1).putString(s2).putString(token)
                .putString(tokenHash);
        }
    }
}
