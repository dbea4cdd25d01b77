package dev.pinwheel.gateway.http.routes;

import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.owner.OwnerCommands;
import dev.pinwheel.gateway.owner.Reply;

/**
 * The answer to a request from the control plane (a password-hashing thread, no shard): a {@link OwnerCommands#REPLY}
 * command to the request's origin shard, like an owner's answer, so the origin's table of waiting requests forgets
 * it. If the origin's inbox is full, the exchange answers through its connection's own queue instead (the waiting
 * entry then times out unanswered, harmlessly). The first answer counts. One per request; the thread that made it.
 */
final class ControlReply implements Reply
{
    private final ShardGroup shards;
    private final int origin;
    private final long correlation;
    private final long userId;
    private final RestExchange fallback;
    private boolean answered;

    /**
     * @param shards      the node's shards.
     * @param origin      the shard holding the request.
     * @param correlation its id there.
     * @param userId      the user it acts for (-1 before login).
     * @param fallback    the request itself, answered directly only if the origin's inbox is full.
     */
    ControlReply(final ShardGroup shards, final int origin, final long correlation, final long userId,
        final RestExchange fallback)
    {
        this.shards = shards;
        this.origin = origin;
        this.correlation = correlation;
        this.userId = userId;
        this.fallback = fallback;
    }

    @Override
    public long userId()
    {
        return userId;
    }

    @Override
    public void ok(final int status, final byte[] body)
    {
        answer(status, body, 0);
    }

    @Override
    public void error(final DiscordError error)
    {
        answer(error.status(), error.body(), error.retryAfter());
    }

    /**
     * Passes on another node's answer as it is.
     *
     * @param status     its status.
     * @param body       its JSON body, or null.
     * @param retryAfter its Retry-After in seconds, or 0.
     */
    void relay(final int status, final byte[] body, final int retryAfter)
    {
        answer(status, body, retryAfter);
    }

    private void answer(final int status, final byte[] body, final int retryAfter)
    {
        if (answered)
        {
            return;
        }
        answered = true;
        if (!shards.send(origin, OwnerCommands.reply(OwnerCommands.offShardWriter(), correlation, status, retryAfter,
            body)))
        {
            if (retryAfter > 0)
            {
                fallback.retryAfterOnly(retryAfter);
            }
            fallback.reply(null, status, body);
        }
    }
}
