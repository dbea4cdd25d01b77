package dev.pinwheel.gateway.session;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.gateway.GatewayContext;
import dev.pinwheel.gateway.owner.GuildOps;

/**
 * A session's request, sent to a guild's owner shard, for the guild's events and its GUILD_CREATE
 * ({@link GuildOps#subscribe}). If the owner cannot do it (the work throws, or the hand-off is dropped), the
 * session's shard is answered as for a guild the session may not see: its pending-subscription count stays right,
 * and the client gets {@code GUILD_DELETE {unavailable: true}} instead of waiting for that guild forever.
 */
final class GuildSubscribe implements ShardTask
{
    private final GatewayContext ctx;
    private final long guildId;
    private final int from;
    private final String sessionId;
    private final long userId;
    private final int largeThreshold;

    GuildSubscribe(final GatewayContext ctx, final long guildId, final int from, final String sessionId,
        final long userId, final int largeThreshold)
    {
        this.ctx = ctx;
        this.guildId = guildId;
        this.from = from;
        this.sessionId = sessionId;
        this.userId = userId;
        this.largeThreshold = largeThreshold;
    }

    @Override
    public void run(final Shard owner)
    {
        GuildOps.subscribe(owner, ctx, guildId, from, sessionId, userId, largeThreshold);
    }

    @Override
    public void failed(final Shard shard, final Throwable cause)
    {
        final long guild = guildId;
        final String session = sessionId;
        shard.send(from, s -> ShardGateway.of(s).onSnapshot(session, guild, null));
    }
}
