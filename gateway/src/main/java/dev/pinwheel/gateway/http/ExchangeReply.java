package dev.pinwheel.gateway.http;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.owner.Reply;

/**
 * A {@link Reply} straight onto a request's exchange, for work that runs where the request is (the route's own
 * shard) rather than behind a command.
 *
 * @param shard    the shard the work runs on.
 * @param exchange the request.
 */
public record ExchangeReply(Shard shard, RestExchange exchange) implements Reply
{
    @Override
    public long userId()
    {
        return exchange.userId();
    }

    @Override
    public void ok(final int status, final byte[] body)
    {
        exchange.reply(shard, status, body);
    }

    @Override
    public void error(final DiscordError error)
    {
        exchange.reply(shard, error.status(), error.body());
    }
}
