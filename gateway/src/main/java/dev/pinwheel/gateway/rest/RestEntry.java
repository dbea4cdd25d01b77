package dev.pinwheel.gateway.rest;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.channel.ChannelHandlerContext;

import dev.pinwheel.core.shard.ShardGroup;

/**
 * Entry from the HTTP edge into the REST layer (keeps the exchange's constructor package-private). Runs on the
 * shard that accepted the connection.
 */
public final class RestEntry
{
    private RestEntry()
    {
    }

    /**
     * Builds the exchange and routes the request.
     */
    public static void handle(final RestApi api, final ChannelHandlerContext c, final ShardGroup group,
        final int originShard, final boolean keepAlive, final long userId, final String method, final String host,
        final String[] path, final Map<String, List<String>> query, final JsonNode body, final boolean bodyInvalid)
    {
        final RestExchange ex = new RestExchange(c, group, originShard, keepAlive, userId, method, host);
        final RestApi.Request request = new RestApi.Request(method, path, query, body, bodyInvalid);
        // Routing runs inline (the target is this very shard) but as a task: a throw answers the request.
        group.shard(originShard).send(originShard, ex.task(s -> api.handle(ex, request)));
    }
}
