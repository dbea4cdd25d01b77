package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.PresenceFields;

/**
 * Which shards follow the guilds a shard owns (Discord's Manifold: the owner keeps a bitmask of interested shards,
 * each shard its local sessions): a session's {@link OwnerCommands#SUBSCRIBE} marks its shard interested and answers
 * the session's GUILD_CREATE, as bytes, on the same ordered path as the guild's later events — so the session sees
 * the snapshot first, then every event after it; {@link OwnerCommands#UNSUBSCRIBE} clears the shard's bit.
 * <pre>
 *   session's shard ──SUBSCRIBE──▶ owner: interest |= shard, encode GUILD_CREATE ──GUILD_SNAPSHOT──▶ session's shard
 *                                         (same FIFO as Shard#publish's hand-offs to that shard)
 * </pre>
 * A session that may not see the guild (unknown guild, not a member), or whose request failed on its way or here,
 * is answered "unavailable": its shard keeps its pending count right and the client gets
 * {@code GUILD_DELETE {unavailable: true}} instead of waiting for that guild forever. Shard thread only.
 */
public final class SubscriptionService
{
    private final Accounts accounts;
    private final VoiceService voice;
    private final SessionProxy sessions;
    private PresenceService presences;
    private final GuildCreateCache guildCreates = new GuildCreateCache();

    /**
     * @param accounts the node's accounts (members in GUILD_CREATE).
     * @param voice    this shard's voice states (in GUILD_CREATE).
     * @param sessions this shard's way to the sessions of every shard.
     */
    public SubscriptionService(final Accounts accounts, final VoiceService voice, final SessionProxy sessions)
    {
        this.accounts = accounts;
        this.voice = voice;
        this.sessions = sessions;
    }

    /**
     * @param service this shard's presences (the {@code presences} of GUILD_CREATE).
     * @return this.
     */
    public SubscriptionService presences(final PresenceService service)
    {
        this.presences = service;
        return this;
    }

    /**
     * {@link OwnerCommands#SUBSCRIBE}: origin shard, session id, guild, user, large threshold,
     * presences (the session holds GUILD_PRESENCES), the session's own presence (status, since, afk, activities).
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void subscribe(final Shard owner, final CommandReader command)
    {
        final int from = command.getInt();
        final String sessionId = command.getString();
        final long guildId = command.getLong();
        final long userId = command.getLong();
        final int largeThreshold = command.getInt();
        final boolean withPresences = command.getBoolean();
        final PresenceFields own = new PresenceFields(command.getInt(), command.getLong(), command.getBoolean(),
            command.getString());
        final Guild g = owner.guilds().get(guildId);
        if (g == null || g.member(userId) == null)
        {
            sessions.guildSnapshot(from, sessionId, guildId, null);
            return;
        }
        g.addInterest(from);
        final byte[] d;
        if (g.memberCount() >= GuildCreateCache.FROM_MEMBERS)
        {
            final boolean large = g.memberCount() > largeThreshold;
            final ObjectNode mine = Entities.guildCreateOwn(g, accounts, userId, large);
            mine.set("presences", withPresences && presences != null && !large
                ? presences.guildPresences(g, userId, own) : Json.array());
            mine.set("voice_states", voice.guildCreateStates(guildId));
            d = guildCreates.encode(g, large, Entities.visibleChannels(g, userId), owner.store()::lastMessageId, mine);
        }
        else
        {
            final ObjectNode o = Entities.guildCreate(g, accounts, userId, largeThreshold,
                owner.store()::lastMessageId);
            o.set("voice_states", voice.guildCreateStates(guildId));
            if (withPresences && presences != null && g.memberCount() <= largeThreshold)
            {
                o.set("presences", presences.guildPresences(g, userId, own));
            }
            d = Json.bytes(o);
        }
        sessions.guildSnapshot(from, sessionId, guildId, new Dispatch("GUILD_CREATE", d, null, Intents.GUILDS,
            guildId, 0, userId));
    }

    /**
     * {@link OwnerCommands#UNSUBSCRIBE}: origin shard, guild.
     *
     * @param owner   this shard.
     * @param command the command, at its first field.
     */
    void unsubscribe(final Shard owner, final CommandReader command)
    {
        final int from = command.getInt();
        final long guildId = command.getLong();
        final Guild g = owner.guilds().get(guildId);
        if (g != null)
        {
            g.removeInterest(from);
        }
    }

    /**
     * A {@link OwnerCommands#SUBSCRIBE} that failed here or was dropped on its way (then this runs on the session's
     * shard). A failure that may heal — one Discord would answer 503: the owner's node unreachable, the guild moving
     * between nodes, a dropped hand-off, the store briefly unavailable — is answered
     * {@link OwnerCommands#GUILD_DEFERRED}: the session is told the guild is unavailable and subscribes again later;
     * any other is answered as for a guild the session may not see.
     *
     * @param command the command, rewound to its first field.
     * @param cause   why it failed.
     */
    void failed(final CommandReader command, final Throwable cause)
    {
        final int from = command.getInt();
        final String sessionId = command.getString();
        final long guildId = command.getLong();
        if (mayHeal(cause))
        {
            sessions.guildDeferred(from, sessionId, guildId);
        }
        else
        {
            sessions.guildSnapshot(from, sessionId, guildId, null);
        }
    }

    /**
     * @param cause why a subscription failed.
     * @return whether asking again later may succeed (what a REST request would be answered 503 for).
     */
    static boolean mayHeal(final Throwable cause)
    {
        return OwnerErrors.of(cause).status() == 503;
    }
}
