package dev.pinwheel.gateway.http;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.channel.ChannelHandlerContext;

import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.http.routes.RestApi;

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
     *
     * @param api         the shard's REST routes.
     * @param c           the connection's context.
     * @param group       the node's shards.
     * @param originShard the shard that owns the connection.
     * @param keepAlive   whether the connection stays open after the answer.
     * @param userId      the authenticated user, or -1.
     * @param method      the HTTP method; HEAD is routed as GET and answered without a body.
     * @param host        the Host header.
     * @param client      the client's address key (per-address limits).
     * @param path        path segments below the API version.
     * @param query       query parameters.
     * @param body        the parsed JSON body.
     * @param bodyInvalid whether the body was not valid JSON.
     */
    public static void handle(final RestApi api, final ChannelHandlerContext c, final ShardGroup group,
        final int originShard, final boolean keepAlive, final long userId, final String method, final String host,
        final String client, final String[] path, final Map<String, List<String>> query, final JsonNode body,
        final boolean bodyInvalid)
    {
        final boolean head = "HEAD".equals(method);
        final String routed = head ? "GET" : method;
        final RestExchange ex = new RestExchange(c, group, originShard, keepAlive, userId, routed, host, client, head);
        final RestApi.Request request = new RestApi.Request(routed, path, query, body, bodyInvalid);
        // Routing runs inline (the target is this very shard) but as a task: a throw answers the request.
        group.shard(originShard).send(originShard, ex.task(s -> api.handle(ex, request)));
    }
}
