package dev.pinwheel.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.node.AuthConfig;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.server.TestNode;

/**
 * {@code /auth/login} and {@code /auth/register} under attack. Every client here is 127.0.0.1, so the node trusts
 * 127.0.0.1 as a proxy and each test client names its address in {@code X-Forwarded-For}, as clients behind a real
 * reverse proxy are told apart. Refusals are Discord's: 429 with {@code {message, retry_after, global}} and the
 * rate-limit headers, 503 with a JSON body when the hashing queue is full.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoginLimitsTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();

    /** A node with the login limits back at their defaults (TestNode raises them), trusting 127.0.0.1. */
    private static TestNode node(final Consumer<GatewayConfig> more)
    {
        return new TestNode(1, null, cfg ->
        {
            cfg.edge().trustedProxies("127.0.0.1");
            cfg.auth().loginPerIpPerMinute(AuthConfig.LOGIN_PER_IP_DEFAULT)
                .registerPerIpPerMinute(AuthConfig.REGISTER_PER_IP_DEFAULT)
                .loginPerUsernamePerMinute(AuthConfig.LOGIN_PER_USERNAME_DEFAULT)
                .hashPerIp(AuthConfig.HASH_PER_IP_DEFAULT).hashQueue(AuthConfig.HASH_QUEUE_DEFAULT);
            more.accept(cfg);
        });
    }

    private static HttpRequest post(final TestNode n, final String path, final String from, final String body,
        final int timeoutSeconds)
    {
        return HttpRequest.newBuilder(URI.create(n.restBase() + path)).timeout(Duration.ofSeconds(timeoutSeconds))
            .header("Content-Type", "application/json").header("X-Forwarded-For", from)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> login(final TestNode n, final String from, final String username,
        final String password) throws IOException, InterruptedException
    {
        return HTTP.send(post(n, "auth/login", from, "{\"login\":\"" + username + "\",\"password\":\"" + password
            + "\"}", 30), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> register(final TestNode n, final String from, final String username)
        throws IOException, InterruptedException
    {
        return HTTP.send(post(n, "auth/register", from, "{\"username\":\"" + username + "\",\"password\":\"password-"
            + username + "\",\"bot\":true}", 30), HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts Discord's 429 and returns its {@code retry_after} in ms. */
    private static long assertRateLimited(final HttpResponse<String> r) throws IOException
    {
        assertEquals(429, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        final JsonNode body = JSON.readTree(r.body());
        assertEquals("You are being rate limited.", body.path("message").asText(), r.body());
        assertTrue(body.path("retry_after").isNumber() && body.path("retry_after").asDouble() > 0, r.body());
        assertTrue(body.path("global").isBoolean() && !body.path("global").asBoolean(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), "Retry-After header");
        assertTrue(r.headers().firstValue("X-RateLimit-Limit").isPresent(), "X-RateLimit-Limit header");
        assertEquals("0", r.headers().firstValue("X-RateLimit-Remaining").orElse(""));
        assertTrue(r.headers().firstValue("X-RateLimit-Reset-After").isPresent());
        return (long)Math.ceil(body.path("retry_after").asDouble() * 1000);
    }

    private static long counter(final TestNode n, final int id)
    {
        return n.server().gateway().shard(0).edgeCounters().get(id);
    }

    @Test
    void aFloodOfWrongLoginsFromOneClientDoesNotStopAnotherUsersLogin() throws Exception
    {
        // the real hash cost (the default; TestNode lowers it): one hash takes a core for a noticeable time
        try (TestNode n = node(cfg -> cfg.pbkdf2Iterations(210_000)))
        {
            assertEquals(201, register(n, "198.51.100.9", "victim").statusCode());
            final List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
            for (int i = 0; i < 200; i++)
            {
                flood.add(HTTP.sendAsync(post(n, "auth/login", "203.0.113.66", "{\"login\":\"nobody-" + i
                    + "\",\"password\":\"wrong-password\"}", 110), HttpResponse.BodyHandlers.ofString()));
            }
            // the server is working through the flood: now the victim logs in, from its own address
            CompletableFuture.anyOf(flood.toArray(CompletableFuture[]::new)).get(100, TimeUnit.SECONDS);
            final HttpResponse<String> mine = HTTP.send(post(n, "auth/login", "198.51.100.9",
                "{\"login\":\"victim\",\"password\":\"password-victim\"}", 20), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, mine.statusCode(), mine.body());
            assertTrue(JSON.readTree(mine.body()).path("token").isTextual());

            int refused = 0;
            for (final CompletableFuture<HttpResponse<String>> f : flood)
            {
                final HttpResponse<String> r = f.get(100, TimeUnit.SECONDS);
                assertTrue(r.statusCode() == 400 || r.statusCode() == 429, r.statusCode() + " " + r.body());
                if (r.statusCode() == 429)
                {
                    refused++;
                    assertRateLimited(r);
                }
            }
            assertTrue(refused >= 150, "most of the flood is refused before any hashing: " + refused);
            assertTrue(counter(n, EdgeCounters.AUTH_IP_IN_FLIGHT) + counter(n, EdgeCounters.AUTH_IP_RATE) >= refused);
            assertTrue(counter(n, EdgeCounters.AUTH_FAILED) > 0);
        }
    }

    @Test
    void perAddressAndPerUsernameWindowsAnswer429() throws Exception
    {
        try (TestNode n = node(cfg -> cfg.auth().loginPerIpPerMinute(3).registerPerIpPerMinute(2)
            .loginPerUsernamePerMinute(2)))
        {
            assertEquals(201, register(n, "203.0.113.11", "windowed").statusCode());
            assertEquals(201, register(n, "203.0.113.11", "windowed-2").statusCode());
            assertRateLimited(register(n, "203.0.113.11", "windowed-3"));
            assertEquals(201, register(n, "203.0.113.12", "windowed-3").statusCode(), "another address");

            for (int i = 0; i < 3; i++)
            {
                assertEquals(400, login(n, "203.0.113.10", "unknown-" + i, "wrong-password").statusCode());
            }
            final HttpResponse<String> fourth = login(n, "203.0.113.10", "unknown-4", "wrong-password");
            assertRateLimited(fourth);
            assertEquals("3", fourth.headers().firstValue("X-RateLimit-Limit").orElse(""));
            assertEquals(2, counter(n, EdgeCounters.AUTH_IP_RATE), "the registration refused above and this login");

            assertEquals(200, login(n, "203.0.113.20", "windowed", "password-windowed").statusCode());
            assertEquals(200, login(n, "203.0.113.21", "windowed", "password-windowed").statusCode());
            assertRateLimited(login(n, "203.0.113.22", "WINDOWED", "password-windowed"));
            assertEquals(1, counter(n, EdgeCounters.AUTH_USERNAME_RATE));
        }
    }

    @Test
    void failedLoginsMakeTheUsernameBackOffLongerEachTimeUntilASuccess() throws Exception
    {
        try (TestNode n = node(cfg -> cfg.auth().loginPerIpPerMinute(1000).loginPerUsernamePerMinute(1000)
            .backoffAfterFailures(2).backoffBaseMillis(300).backoffMaxMillis(10_000)))
        {
            assertEquals(201, register(n, "198.51.100.1", "guarded").statusCode());
            assertEquals(400, login(n, "203.0.113.1", "guarded", "wrong-password").statusCode());
            assertEquals(400, login(n, "203.0.113.2", "guarded", "wrong-password").statusCode());
            final long first = assertRateLimited(login(n, "198.51.100.1", "guarded", "password-guarded"));
            assertTrue(first > 0 && first <= 300, "the first backoff: " + first);
            // a client waits retry_after, as every Discord library does; the next failure doubles the backoff
            TimeUnit.MILLISECONDS.sleep(first + 50);
            assertEquals(400, login(n, "203.0.113.3", "guarded", "wrong-password").statusCode());
            final long second = assertRateLimited(login(n, "198.51.100.1", "guarded", "password-guarded"));
            assertTrue(second > 300 && second <= 600, "doubled: " + second);
            TimeUnit.MILLISECONDS.sleep(second + 50);
            assertEquals(200, login(n, "198.51.100.1", "guarded", "password-guarded").statusCode(),
                "the right password after the backoff");
            assertEquals(400, login(n, "203.0.113.4", "guarded", "wrong-password").statusCode());
            assertEquals(200, login(n, "198.51.100.1", "guarded", "password-guarded").statusCode(),
                "the success forgot the earlier failures: one failure does not back off");
            assertEquals(2, counter(n, EdgeCounters.AUTH_BACKOFF));
        }
    }

    @Test
    void aFullHashingQueueAnswers503AtOnce() throws Exception
    {
        try (TestNode n = node(cfg -> cfg.pbkdf2Iterations(210_000).auth().hashThreads(1).hashQueue(1)
            .hashPerIp(100).loginPerIpPerMinute(1000).loginPerUsernamePerMinute(1000)))
        {
            final List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 12; i++)
            {
                burst.add(HTTP.sendAsync(post(n, "auth/login", "203.0.113.5", "{\"login\":\"nobody-" + i
                    + "\",\"password\":\"wrong-password\"}", 100), HttpResponse.BodyHandlers.ofString()));
            }
            int busy = 0;
            for (final CompletableFuture<HttpResponse<String>> f : burst)
            {
                final HttpResponse<String> r = f.get(100, TimeUnit.SECONDS);
                assertTrue(r.statusCode() == 400 || r.statusCode() == 503, r.statusCode() + " " + r.body());
                if (r.statusCode() == 503)
                {
                    busy++;
                    final JsonNode body = JSON.readTree(r.body());
                    assertEquals(0, body.path("code").asInt());
                    assertTrue(body.path("message").isTextual(), r.body());
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
                }
            }
            assertTrue(busy >= 1, "one thread, one queue slot: most of 12 at once are turned away");
            assertEquals(busy, counter(n, EdgeCounters.AUTH_BUSY));
            assertFalse(busy == 12, "some are served");
        }
    }
}
