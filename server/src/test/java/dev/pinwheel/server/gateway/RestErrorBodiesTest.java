package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * REST v10 error replies: Discord's {@code {code, message}} JSON bodies with the right status, form errors
 * (50035), and the 429 reply with {@code retry_after} and the {@code X-RateLimit-*} headers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestErrorBodiesTest
{
    private static final int MESSAGES_PER_5S = 5;
    private static final AtomicInteger USERS = new AtomicInteger();
    private static TestNode node;
    private static TestNode.User owner;
    private static String guildId;
    private static String channelId;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1, null, cfg -> cfg.messagesPer5Seconds(MESSAGES_PER_5S).restRequestsPerSecond(1000));
        owner = node.register("rest-owner");
        final JsonNode g = node.createGuild(owner, "rest guild");
        guildId = g.path("id").asText();
        channelId = g.path("channels").get(0).path("id").asText();
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    /** A fresh member of the guild: its own message rate-limit bucket. */
    private static TestNode.User freshMember()
    {
        final TestNode.User u = node.register("rest-user-" + USERS.incrementAndGet());
        node.join(owner, channelId, u);
        return u;
    }

    private static JsonNode assertError(final TestNode.Response r, final int status, final int code)
    {
        assertEquals(status, r.status(), "status of " + r.raw().request().method() + " " + r.raw().uri() + ": "
            + r.raw().body());
        assertJsonBody(r.raw());
        assertNotNull(r.body(), "error body");
        assertTrue(r.body().path("code").isIntegralNumber(), "code must be a number: " + r.body());
        assertTrue(r.body().path("message").isTextual(), "message must be a string: " + r.body());
        assertEquals(code, r.body().path("code").asInt(), "code in " + r.body());
        return r.body();
    }

    private static void assertJsonBody(final HttpResponse<String> raw)
    {
        final Optional<String> type = raw.headers().firstValue("Content-Type");
        assertTrue(type.isPresent() && type.get().startsWith("application/json"),
            "Content-Type must be application/json (discord.js needs it): " + type);
    }

    private static void assertFormError(final TestNode.Response r, final String field)
    {
        final JsonNode body = assertError(r, 400, 50035);
        assertTrue(body.path("errors").path(field).path("_errors").isArray(),
            "errors." + field + "._errors expected: " + body);
    }

    private static String messages()
    {
        return "channels/" + channelId + "/messages";
    }

    private static HttpResponse<String> raw(final String method, final String pathAndQuery) throws Exception
    {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + pathAndQuery))
            .timeout(Duration.ofSeconds(15)).method(method, HttpRequest.BodyPublishers.noBody())
            .header("Authorization", "Bot " + owner.token()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unknownRoutesAre404WithJsonBody() throws Exception
    {
        assertError(node.call("GET", "no-such-route", owner.token(), null), 404, 0);
        assertError(node.call("GET", "channels", owner.token(), null), 404, 0);
        assertError(node.call("GET", "users/@me/nothing/here", owner.token(), null), 404, 0);
        assertError(node.call("GET", messages() + "/1/2/3", owner.token(), null), 404, 0);
        for (final String path : List.of("/api/v7/users/@me", "/api/v10"))
        {
            final HttpResponse<String> r = raw("GET", path);
            assertEquals(404, r.statusCode(), path);
            assertJsonBody(r);
            final JsonNode body = GatewayTestClient.JSON.readTree(r.body());
            assertTrue(body.path("code").isIntegralNumber() && body.path("message").isTextual(), path + " " + body);
        }
    }

    @Test
    void wrongMethodIs405()
    {
        assertError(node.call("DELETE", "gateway", null, null), 405, 0);
        assertError(node.call("PUT", "users/@me", owner.token(), "{}"), 405, 0);
        assertError(node.call("DELETE", "guilds", owner.token(), null), 405, 0);
        assertError(node.call("PUT", messages(), owner.token(), "{}"), 405, 0);
        assertError(node.call("GET", "auth/register", null, null), 405, 0);
    }

    @Test
    void missingOrBadTokenIs401()
    {
        assertError(node.call("GET", "users/@me", null, null), 401, 0);
        assertError(node.call("GET", "users/@me", "not-a-token", null), 401, 0);
        assertError(node.call("POST", messages(), null, "{\"content\":\"hi\"}"), 401, 0);
        // GET /gateway needs no token
        assertEquals(200, node.call("GET", "gateway", null, null).status());
    }

    @Test
    void invalidSnowflakesInPathsAreClientErrors()
    {
        // Discord answers 400/50035 NUMBER_TYPE_COERCE here; Pinwheel answers "Unknown <thing>" (404).
        // Either is a JSON client error that libraries surface; the shape is what matters.
        for (final String path : List.of("channels/abc", "channels/abc/messages", "channels/-1/messages",
            "channels/99999999999999999999999/messages", "guilds/abc", "guilds/1.5/channels", "users/xyz",
            messages() + "/not-an-id", "guilds/" + guildId + "/members/nope"))
        {
            final TestNode.Response r = node.call("GET", path, owner.token(), null);
            assertTrue(r.status() == 400 || r.status() == 404, path + " -> " + r.status() + " " + r.raw().body());
            assertJsonBody(r.raw());
            assertTrue(r.body().path("code").isIntegralNumber() && r.body().path("message").isTextual(),
                path + " -> " + r.body());
        }
        assertError(node.call("GET", "channels/abc", owner.token(), null), 404, 10003);
        assertError(node.call("GET", "guilds/abc", owner.token(), null), 404, 10004);
        assertError(node.call("GET", "users/xyz", owner.token(), null), 404, 10013);
        assertError(node.call("GET", messages() + "/not-an-id", owner.token(), null), 404, 10008);
        // a message id of 0: before, neither answered nor sent to the owner (the request hung until the client gave
        // up); found by a fuzz of every route
        for (final String method : List.of("GET", "PATCH", "DELETE"))
        {
            assertError(node.call(method, messages() + "/0", owner.token(), "PATCH".equals(method)
                ? "{\"content\":\"x\"}" : null), 404, 10008);
        }
        assertError(node.call("GET", "channels/123456789012345678/messages", owner.token(), null), 404, 10003);
        assertFormError(node.call("GET", messages() + "?before=abc", owner.token(), null), "before");
    }

    @Test
    void outOfRangeLimitsAre400Code50035()
    {
        for (final String limit : List.of("0", "101", "-1", "abc", ""))
        {
            assertFormError(node.call("GET", messages() + "?limit=" + limit, owner.token(), null), "limit");
        }
        assertEquals(200, node.call("GET", messages() + "?limit=1", owner.token(), null).status());
        assertEquals(200, node.call("GET", messages() + "?limit=100", owner.token(), null).status());
        for (final String limit : List.of("0", "1001", "-5"))
        {
            assertFormError(node.call("GET", "guilds/" + guildId + "/members?limit=" + limit, owner.token(), null),
                "limit");
        }
    }

    @Test
    void nonMemberIsForbidden()
    {
        final TestNode.User stranger = node.register("rest-stranger");
        final TestNode.Response r = node.call("POST", messages(), stranger.token(), "{\"content\":\"let me in\"}");
        assertEquals(403, r.status(), r.raw().body());
        final int code = assertError(r, 403, r.body().path("code").asInt()).path("code").asInt();
        assertTrue(code == 50001 || code == 50013, "Missing Access or Missing Permissions: " + r.body());
        assertError(node.call("GET", messages(), stranger.token(), null), 403, code);
        assertError(node.call("GET", "guilds/" + guildId, stranger.token(), null), 403, 50001);
    }

    @Test
    void emptyMessageIs400Code50006()
    {
        final TestNode.User u = freshMember();
        assertError(node.call("POST", messages(), u.token(), "{\"content\":\"\"}"), 400, 50006);
        assertError(node.call("POST", messages(), u.token(), "{\"content\":\"   \"}"), 400, 50006);
        assertError(node.call("POST", messages(), u.token(), "{}"), 400, 50006);
    }

    @Test
    void tooLongContentIs400Code50035()
    {
        final TestNode.User u = freshMember();
        assertFormError(node.call("POST", messages(), u.token(), "{\"content\":\"" + "x".repeat(2001) + "\"}"),
            "content");
        assertEquals(200, node.call("POST", messages(), u.token(), "{\"content\":\"" + "x".repeat(2000) + "\"}")
            .status(), "2000 characters is the maximum, allowed");
        assertFormError(node.call("POST", messages(), u.token(), "{\"content\":42}"), "content");
    }

    @Test
    void invalidJsonIs400Code50109()
    {
        final TestNode.User u = freshMember();
        assertError(node.call("POST", messages(), u.token(), "{\"content\":"), 400, 50109);
        assertError(node.call("POST", "guilds", u.token(), "not json"), 400, 50109);
        assertError(node.call("POST", "auth/login", null, "{"), 400, 50109);
    }

    @Test
    void unknownInviteIs404Code10006()
    {
        assertError(node.call("GET", "invites/no-such-code", owner.token(), null), 404, 10006);
        assertError(node.call("POST", "invites/no-such-code", owner.token(), "{}"), 404, 10006);
        assertError(node.call("GET", "invites/no-such-code", null, null), 404, 10006);
    }

    /** As on Discord, an invite's preview needs no login (a page shows it before the visitor signs in); joining does. */
    @Test
    void anInviteIsReadWithoutATokenAndJoinedWithOne()
    {
        final String code = node.ok("POST", "channels/" + channelId + "/invites", owner.token(), "{}").path("code")
            .asText();
        final TestNode.Response preview = node.call("GET", "invites/" + code, null, null);
        assertEquals(200, preview.status(), preview.raw().body());
        assertEquals("rest guild", preview.body().path("guild").path("name").asText(), preview.raw().body());
        assertEquals(channelId, preview.body().path("channel").path("id").asText());
        assertError(node.call("POST", "invites/" + code, null, "{}"), 401, 0);
        assertError(node.call("DELETE", "invites/" + code, null, null), 401, 0);
    }

    @Test
    void messageRouteErrors()
    {
        final TestNode.User u = freshMember();
        final String category = node.ok("POST", "guilds/" + guildId + "/channels", owner.token(),
            "{\"name\":\"a category\",\"type\":4}").path("id").asText();
        assertError(node.call("POST", "channels/" + category + "/messages", u.token(), "{\"content\":\"hi\"}"),
            400, 50008);
        final String mine = node.ok("POST", messages(), owner.token(), "{\"content\":\"owner's\"}").path("id")
            .asText();
        assertError(node.call("PATCH", messages() + "/" + mine, u.token(), "{\"content\":\"hijack\"}"), 403,
            50005);
        assertError(node.call("DELETE", messages() + "/" + mine, u.token(), null), 403, 50013);
        assertError(node.call("GET", messages() + "/123456789012345678", u.token(), null), 404, 10008);
        assertError(node.call("DELETE", messages() + "/123456789012345678", owner.token(), null), 404, 10008);
        assertError(node.call("GET", messages() + "?before=1&after=2", u.token(), null), 400, 50035);
        assertFormError(node.call("POST", "guilds/" + guildId + "/channels", owner.token(), "{\"name\":\"x\",\"type\":7}"),
            "type");
        assertFormError(node.call("POST", "guilds", u.token(), "{\"name\":\"x\"}"), "name");
    }

    @Test
    void messageBurstIs429WithRetryAfterAndRateLimitHeaders()
    {
        final TestNode.User u = freshMember();
        for (int i = 0; i < MESSAGES_PER_5S; i++)
        {
            final TestNode.Response r = node.call("POST", messages(), u.token(), "{\"content\":\"burst " + i + "\"}");
            assertEquals(200, r.status(), r.raw().body());
            assertEquals(String.valueOf(MESSAGES_PER_5S), header(r, "X-RateLimit-Limit"));
            assertEquals(String.valueOf(MESSAGES_PER_5S - 1 - i), header(r, "X-RateLimit-Remaining"));
            assertNotNull(header(r, "X-RateLimit-Reset"));
            assertNotNull(header(r, "X-RateLimit-Reset-After"));
            assertNotNull(header(r, "X-RateLimit-Bucket"));
        }
        final TestNode.Response r = node.call("POST", messages(), u.token(), "{\"content\":\"one too many\"}");
        final JsonNode body = assertError(r, 429, 0);
        assertTrue(body.path("retry_after").isNumber(), "retry_after must be a number: " + body);
        final double retryAfter = body.path("retry_after").asDouble();
        assertTrue(retryAfter > 0 && retryAfter <= 5.0, "retry_after in (0, 5] s: " + retryAfter);
        assertTrue(body.path("global").isBoolean(), "global: " + body);
        assertEquals(String.valueOf(MESSAGES_PER_5S), header(r, "X-RateLimit-Limit"));
        assertEquals("0", header(r, "X-RateLimit-Remaining"));
        final double resetAfter = Double.parseDouble(header(r, "X-RateLimit-Reset-After"));
        assertTrue(resetAfter > 0 && resetAfter <= 5.0, "X-RateLimit-Reset-After " + resetAfter);
        final double reset = Double.parseDouble(header(r, "X-RateLimit-Reset"));
        assertTrue(Math.abs(reset - System.currentTimeMillis() / 1000.0) < 10, "X-RateLimit-Reset is epoch seconds");
        assertNotNull(header(r, "X-RateLimit-Bucket"));
        assertNotNull(header(r, "Retry-After"), "Retry-After header");

        // another user is not limited by this user's bucket
        final TestNode.User other = freshMember();
        assertEquals(200, node.call("POST", messages(), other.token(), "{\"content\":\"not limited\"}").status());
    }

    private static String header(final TestNode.Response r, final String name)
    {
        return r.raw().headers().firstValue(name).orElse(null);
    }
}
