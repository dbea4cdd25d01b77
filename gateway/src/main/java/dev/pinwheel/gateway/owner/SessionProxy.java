package dev.pinwheel.gateway.owner;

import java.util.List;

import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.shard.Shard;

/**
 * Sends what an owner has for the gateway sessions of a shard as typed commands (types 10-29 of
 * {@link OwnerCommands}), read back in this order by {@code session.SessionCommandAdapter}: a session's GUILD_CREATE,
 * its member chunks, a user's joins and the events addressed to a user. Each goes on the ordered shard-to-shard path,
 * the same as the guild's fanout hand-offs ({@code Shard#publish}), so a session gets its snapshot before the guild's
 * later events; to the sending shard itself, the command runs at once. Runs on the sending shard's thread (its command
 * writer). As the node's {@link MemberJoins}, it tells every shard of a guild's new and former members.
 */
public final class SessionProxy implements MemberJoins
{
    private final Shard shard;

    /**
     * @param shard the sending shard (this thread).
     */
    public SessionProxy(final Shard shard)
    {
        this.shard = shard;
    }

    /**
     * @param target    the session's shard.
     * @param sessionId the session.
     * @param guildId   the guild it asked for.
     * @param snapshot  its GUILD_CREATE, or null if it may not see the guild (the client is told it is unavailable).
     */
    public void guildSnapshot(final int target, final String sessionId, final long guildId, final Dispatch snapshot)
    {
        final CommandWriter w = shard.commandWriter().begin(OwnerCommands.GUILD_SNAPSHOT).putString(sessionId)
            .putLong(guildId).putBoolean(snapshot != null);
        if (snapshot != null)
        {
            DispatchFields.put(w, snapshot);
        }
        shard.send(target, w);
    }

    /**
     * A subscription that failed for a reason that may heal ({@link OwnerCommands#GUILD_DEFERRED}): the session is
     * told the guild is unavailable and asks again later. On the same ordered path as {@link #guildSnapshot}.
     *
     * @param target    the session's shard.
     * @param sessionId the session.
     * @param guildId   the guild it asked for.
     */
    public void guildDeferred(final int target, final String sessionId, final long guildId)
    {
        shard.send(target, shard.commandWriter().begin(OwnerCommands.GUILD_DEFERRED).putString(sessionId)
            .putLong(guildId));
    }

    /**
     * @param target    the session's shard.
     * @param sessionId the session.
     * @param chunks    its GUILD_MEMBERS_CHUNK dispatches, in order.
     */
    public void memberChunks(final int target, final String sessionId, final List<Dispatch> chunks)
    {
        final CommandWriter w = shard.commandWriter().begin(OwnerCommands.MEMBER_CHUNKS).putString(sessionId)
            .putInt(chunks.size());
        for (int i = 0; i < chunks.size(); i++)
        {
            DispatchFields.put(w, chunks.get(i));
        }
        shard.send(target, w);
    }

    /**
     * Tells every shard that a user joined a guild: the user's sessions there subscribe to it.
     *
     * @param userId  the user.
     * @param guildId the guild.
     */
    public void userJoined(final long userId, final long guildId)
    {
        toEveryShard(OwnerCommands.USER_JOINED, userId, guildId);
    }

    /**
     * Sends a command about a user to every shard of this node and, in a cluster, of every other node whose link is
     * connected: the user's sessions may be on any of them. Each goes on the ordered path to its shard, behind the
     * guild events this shard sent there before. Before, only this node's shards were told: a member's sessions on
     * other nodes never got the GUILD_CREATE of a guild they joined, kept getting the events of one they were kicked
     * or banned from, and kept working after their token was reset. A node not connected is skipped: its sessions
     * are gone, or subscribe again from the node-wide membership when it is back.
     *
     * @param type    the command.
     * @param userId  the user.
     * @param guildId the guild, or 0: none (not written).
     */
    private void toEveryShard(final int type, final long userId, final long guildId)
    {
        everyShard(target ->
        {
            final CommandWriter w = shard.commandWriter().begin(type).putLong(userId);
            shard.send(target, guildId == 0 ? w : w.putLong(guildId));
        });
    }

    /** Runs {@code send} for the route of every shard of this node, then of every other connected node. */
    private void everyShard(final java.util.function.IntConsumer send)
    {
        final int shards = shard.group().shardCount();
        for (int t = 0; t < shards; t++)
        {
            send.accept(t);
        }
        final dev.pinwheel.core.shard.ClusterLink link = shard.group().clusterLink();
        if (link == null)
        {
            return;
        }
        final int self = shard.group().nodeId();
        for (int node = 0; node < link.nodes(); node++)
        {
            if (node != self && link.connected(node))
            {
                for (int t = 0; t < shards; t++)
                {
                    send.accept(dev.pinwheel.core.routing.ShardRoute.of(node, t));
                }
            }
        }
    }

    @Override
    public void joined(final Shard owner, final long userId, final long guildId)
    {
        userJoined(userId, guildId);
    }

    @Override
    public void left(final Shard owner, final long userId, final long guildId)
    {
        userLeft(userId, guildId);
    }

    /**
     * Tells every shard that a user is no member of a guild any more: the user's sessions there unsubscribe from it
     * and get GUILD_DELETE. On the same ordered path as the guild's fanout, so nothing the owner publishes after this
     * reaches them.
     *
     * @param userId  the user.
     * @param guildId the guild.
     */
    public void userLeft(final long userId, final long guildId)
    {
        toEveryShard(OwnerCommands.USER_LEFT, userId, guildId);
    }

    /**
     * A guild was deleted: every shard of every connected node lets its members' sessions go (GUILD_DELETE), with one
     * command per batch of {@value #MEMBERS_PER_COMMAND} members — a guild of 30,000 members on three nodes of two
     * shards is 180 commands, not 180,000 (the link holds at most {@code maxPending} per node behind back-pressure).
     *
     * @param owner   the guild's owner shard (this thread).
     * @param guildId the guild.
     * @param members its members.
     */
    @Override
    public void guildDeleted(final Shard owner, final long guildId, final long[] members)
    {
        for (int from = 0; from < members.length; from += MEMBERS_PER_COMMAND)
        {
            final long[] part = java.util.Arrays.copyOfRange(members, from,
                Math.min(members.length, from + MEMBERS_PER_COMMAND));
            everyShard(target -> shard.send(target, shard.commandWriter().begin(OwnerCommands.GUILD_MEMBERS_LEFT)
                .putLong(guildId).putLongs(part)));
        }
    }

    /** Members per {@link OwnerCommands#GUILD_MEMBERS_LEFT}: 8 KiB of ids, far below the link's largest message. */
    static final int MEMBERS_PER_COMMAND = 1024;

    @Override
    public void tokensRevoked(final Shard owner, final long userId)
    {
        toEveryShard(OwnerCommands.USER_TOKEN_RESET, userId, 0);
    }

    /**
     * An event for a user whose owner cannot be reached (its node is down, or the key is moving): every shard of
     * this node and of every other connected node gets it, and those holding sessions of the user deliver it — the
     * owner alone knows which do. Costs one command per shard of the cluster, only while the owner is away.
     *
     * @param userId the user.
     * @param event  the event for every session of theirs.
     */
    public void userDispatchEverywhere(final long userId, final Dispatch event)
    {
        everyShard(target -> userDispatch(target, userId, event));
    }

    /**
     * @param target a shard holding sessions of the user.
     * @param userId the user.
     * @param event  the event for every session of theirs there.
     */
    public void userDispatch(final int target, final long userId, final Dispatch event)
    {
        shard.send(target, DispatchFields.put(shard.commandWriter().begin(OwnerCommands.USER_DISPATCH)
            .putLong(userId), event));
    }
}
