package dev.pinwheel.gateway.http.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.QueryStringDecoder;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.ResponseHeaders;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.OwnerFixture;

/**
 * The guild, channel, invite, member and role routes over the real owner services, without sockets: a request is
 * matched in a {@link RouteTable} and handled on the origin shard of an {@link OwnerFixture}, over a
 * {@link RestExchange} whose connection is a Netty {@link EmbeddedChannel}; the answer — from the route's own checks,
 * or from the owner through a REPLY and the origin's {@link ExchangeTable} — is the HTTP response written to it.
 * A direct-message channel's request is handed to a stand-in that records it and answers 404 (10003).
 */
final class RouteFixture implements AutoCloseable
{
    /**
     * An HTTP answer.
     *
     * @param status the status.
     * @param body   the JSON body, or null.
     */
    record Response(int status, JsonNode body)
    {
        int code()
        {
            return body == null ? -1 : body.path("code").asInt(-1);
        }
    }

    final ExchangeTable exchanges = new ExchangeTable();
    final OwnerFixture fx;
    final LinkedBlockingQueue<String> directMessages = new LinkedBlockingQueue<>();
    private final RouteTable table = new RouteTable();

    /**
     * @throws InterruptedException if interrupted while starting.
     */
    RouteFixture() throws InterruptedException
    {
        fx = new OwnerFixture(exchanges);
        fx.onShard(fx.origin, s ->
        {
            final Directory directory = fx.node.directory();
            final RouteTable.Handler dm = (ex, r) ->
            {
                directMessages.add(r.method() + " /" + String.join("/", r.path()));
                ex.reply(s, DiscordError.UNKNOWN_CHANNEL.status(), DiscordError.UNKNOWN_CHANNEL.body());
            };
            new GuildRoutes(directory, s, exchanges).register(table);
            new ChannelRoutes(directory, s, exchanges, dm).register(table);
            new InviteRoutes(directory, s, exchanges, dm).register(table);
            new MemberRoutes(directory, s, exchanges).register(table);
            new RoleRoutes(directory, s, exchanges).register(table);
            new ModerationRoutes(directory, s, exchanges).register(table);
        });
    }

    @Override
    public void close()
    {
        fx.close();
    }

    /**
     * @param method        HTTP method.
     * @param pathAndQuery  e.g. {@code guilds/77/members?limit=5}.
     * @param userId        the authenticated user.
     * @param body          the JSON body, or null.
     * @return the answer.
     * @throws InterruptedException if interrupted.
     */
    Response call(final String method, final String pathAndQuery, final long userId, final String body)
        throws InterruptedException
    {
        return call(method, pathAndQuery, userId, body, null);
    }

    /**
     * @param method        HTTP method.
     * @param pathAndQuery  e.g. {@code guilds/77/members?limit=5}.
     * @param userId        the authenticated user.
     * @param body          the JSON body, or null.
     * @param auditReason   the {@code X-Audit-Log-Reason} as sent (URL-encoded), or null.
     * @return the answer.
     * @throws InterruptedException if interrupted.
     */
    Response call(final String method, final String pathAndQuery, final long userId, final String body,
        final String auditReason) throws InterruptedException
    {
        final QueryStringDecoder uri = new QueryStringDecoder("/" + pathAndQuery);
        final String[] path = uri.path().substring(1).split("/");
        final JsonNode json = body == null ? null : Json.parse(body);
        final LinkedBlockingQueue<FullHttpResponse> written = new LinkedBlockingQueue<>();
        final EmbeddedChannel connection = new EmbeddedChannel(new ChannelOutboundHandlerAdapter()
        {
            @Override
            public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
            {
                written.add((FullHttpResponse)msg);
                promise.setSuccess();
            }
        }, new ChannelInboundHandlerAdapter());
        final ChannelHandlerContext ctx = connection.pipeline().lastContext();
        fx.onShard(fx.origin, s ->
        {
            final RestExchange ex = new RestExchange(ctx, fx.group, s.id(), true, userId, method, "localhost",
                "127.0.0.1", false, new ResponseHeaders());
            ex.auditReason(RestRouter.decodeReason(auditReason));
            final RouteTable.Match m = table.match(method, path);
            assertNotNull(m, "a route: " + method + " " + pathAndQuery);
            assertFalse(m.wrongMethod(), method + " " + pathAndQuery);
            m.handler().handle(ex, new Request(method, path, m.params(), uri.parameters(), json));
        });
        final FullHttpResponse res = written.poll(10, TimeUnit.SECONDS);
        assertNotNull(res, "no answer to " + method + " " + pathAndQuery);
        final String text = res.content().toString(StandardCharsets.UTF_8);
        res.release();
        return new Response(res.status().code(), text.isEmpty() ? null : Json.parse(text));
    }

    /**
     * Asserts Discord's form error (400, 50035) on one field.
     *
     * @param r     the answer.
     * @param field the field.
     */
    static void assertFormError(final Response r, final String field)
    {
        assertEquals(400, r.status(), String.valueOf(r.body()));
        assertEquals(50035, r.code());
        assertTrue(r.body().path("errors").path(field).path("_errors").isArray(), "errors." + field + ": " + r.body());
    }

    /**
     * Asserts one of Discord's errors.
     *
     * @param r      the answer.
     * @param status the HTTP status.
     * @param code   Discord's code.
     */
    static void assertError(final Response r, final int status, final int code)
    {
        assertEquals(status, r.status(), String.valueOf(r.body()));
        assertEquals(code, r.code(), String.valueOf(r.body()));
    }
}
