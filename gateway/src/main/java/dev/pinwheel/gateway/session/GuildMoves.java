package dev.pinwheel.gateway.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToIntFunction;

import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.owner.SubscriptionProxy;

/**
 * What a shard's gateway sessions see when a cluster's ring epoch moves guilds they follow to another owner: the guild
 * becomes unavailable ({@code GUILD_DELETE {unavailable: true}}, as Discord sends during an outage), and once the new
 * owner holds it each session subscribes there again, which answers {@code GUILD_CREATE} (the snapshot-then-stream
 * path of any subscription: every later event follows it in order). No event of the guild can be produced in between
 * (its commands are refused while it moves), so a session loses none and sees none twice.
 * <pre>
 *   epoch applied ─▶ {@link #unavailable}: each moved guild: local sessions unsubscribed, GUILD_DELETE unavailable
 *   new owners loaded ─▶ {@link #resubscribe}: SUBSCRIBE at the new owner's route ─▶ GUILD_SNAPSHOT ─▶ GUILD_CREATE
 * </pre>
 * Shard thread only (the shard's {@link ShardSessions}).
 */
public final class GuildMoves
{
    private GuildMoves()
    {
    }

    /**
     * @param sessions  the shard's sessions (its thread).
     * @param shard     the shard.
     * @param movedTo   a followed guild's new owner route, or -1 if it does not move.
     * @return the (session id, guild) pairs to subscribe again once the new owners hold their guilds.
     */
    public static List<Pending> unavailable(final ShardSessions sessions, final Shard shard,
        final LongToIntFunction movedTo)
    {
        final List<Pending> pending = new ArrayList<>();
        for (final long guildId : shard.sessions().followedGuilds())
        {
            final int route = movedTo.applyAsInt(guildId);
            if (route == -1)
            {
                continue;
            }
            final Dispatch gone = Dispatch.of("GUILD_DELETE", ("{\"id\":\"" + Json.id(guildId)
                + "\",\"unavailable\":true}").getBytes(StandardCharsets.US_ASCII));
            for (final SessionEndpoint e : shard.sessions().subscribersOf(guildId))
            {
                shard.sessions().unsubscribe(guildId, e);
                if (e instanceof GatewaySession s && !s.destroyed())
                {
                    shard.sessions().deliverTo(s, gone);
                    pending.add(new Pending(s.id(), guildId, route));
                }
            }
        }
        return pending;
    }

    /**
     * Subscribes each session again, at its guild's new owner.
     *
     * @param sessions the shard's sessions (its thread).
     * @param shard    the shard.
     * @param pending  what {@link #unavailable} returned.
     * @return subscriptions sent.
     */
    public static int resubscribe(final ShardSessions sessions, final Shard shard, final List<Pending> pending)
    {
        final SubscriptionProxy proxy = new SubscriptionProxy(shard);
        int n = 0;
        for (final Pending p : pending)
        {
            final GatewaySession s = sessions.session(p.sessionId());
            if (s == null || s.destroyed() || s.subscribedTo(p.guildId()) || !s.awaitGuild(p.guildId()))
            {
                continue;
            }
            proxy.subscribeAt(p.route(), s.id(), s.userId(), p.guildId(), s.largeThreshold(),
                (s.intents() & Intents.GUILD_PRESENCES) != 0, sessions.shown(s.id()));
            n++;
        }
        return n;
    }

    /**
     * A session to subscribe again.
     *
     * @param sessionId the session.
     * @param guildId   the guild.
     * @param route     its new owner.
     */
    public record Pending(String sessionId, long guildId, int route)
    {
    }
}
