package dev.pinwheel.gateway.http;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardTask;

/**
 * A lambda's work for a REST request, answering the request if it fails ({@link RestCommand}).
 *
 * @param exchange the request.
 * @param body     the work.
 */
record RestTask(RestExchange exchange, ShardTask body) implements RestCommand
{
    @Override
    public void run(final Shard shard)
    {
        body.run(shard);
    }
}
