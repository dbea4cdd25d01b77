package dev.pinwheel.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * The HTTP paths outside {@code /api}: the web client's files, the dashboard page, and {@code /metrics} in
 * the Prometheus text format for admins only (the first account, or {@code pinwheel.admin.users}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WebEdgeTest
{
    private static TestNode node;
    private static TestNode.User admin;
    private static TestNode.User user;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start()
    {
        node = new TestNode(2);
        admin = node.register("first");
        user = node.register("second");
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static HttpResponse<String> get(final String path, final String... headers)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
            .timeout(Duration.ofSeconds(10));
        if (headers.length > 0)
        {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(final String method, final String path)
        throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheClientAndTheDashboardWithCachingAndAPolicy() throws Exception
    {
        final HttpResponse<String> index = get("/");
        assertEquals(200, index.statusCode());
        assertTrue(index.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        assertTrue(index.body().contains("/assets/app.js"), index.body());
        assertTrue(index.headers().firstValue("content-security-policy").orElse("").contains("script-src 'self'"));
        final String etag = index.headers().firstValue("etag").orElseThrow();
        assertEquals(304, get("/", "If-None-Match", etag).statusCode());

        final HttpResponse<String> dash = get("/dashboard");
        assertEquals(200, dash.statusCode());
        assertTrue(dash.body().contains("/assets/dashboard.js"), dash.body());

        for (final String asset : new String[] {"app.js", "chat.js", "gateway.js", "api.js", "dom.js", "ui.js",
            "moderation.js", "prom.js", "dashboard.js"})
        {
            final HttpResponse<String> js = get("/assets/" + asset);
            assertEquals(200, js.statusCode(), asset);
            assertTrue(js.headers().firstValue("content-type").orElse("").startsWith("text/javascript"), asset);
        }
        assertTrue(get("/assets/style.css").headers().firstValue("content-type").orElse("").startsWith("text/css"));
        assertEquals("image/svg+xml", get("/assets/icon.svg").headers().firstValue("content-type").orElse(""));
    }

    @Test
    void unknownPathsAndMethodsAreJsonErrors() throws Exception
    {
        for (final String path : new String[] {"/nope", "/assets/missing.js", "/assets/..%2fweb%2findex.html",
            "/assets/sub/dir.js", "/assets/app.exe", "/index.htm"})
        {
            final HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path);
            assertTrue(r.body().contains("\"code\":0"), path + " " + r.body());
        }
        assertEquals(405, send("POST", "/").statusCode());
        assertEquals(405, send("DELETE", "/metrics").statusCode());
        assertEquals(200, send("HEAD", "/").statusCode());
        // REST is unchanged.
        assertEquals(401, get("/api/v10/users/@me").statusCode());
    }

    @Test
    void metricsNeedTheAdminsToken() throws Exception
    {
        final HttpResponse<String> anonymous = get("/metrics");
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.body().contains("401"), anonymous.body());
        assertEquals(401, get("/metrics?token=bogus.token").statusCode());
        final HttpResponse<String> notAdmin = get("/metrics", "Authorization", "Bot " + user.token());
        assertEquals(403, notAdmin.statusCode());
        assertTrue(notAdmin.body().contains("pinwheel.admin.users"), notAdmin.body());

        for (final HttpResponse<String> ok : java.util.List.of(
            get("/metrics", "Authorization", "Bot " + admin.token()),
            get("/metrics", "Authorization", admin.token()),
            get("/metrics?token=" + admin.token())))
        {
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", ok.headers().firstValue("content-type").orElse(""));
            final String text = ok.body();
            for (final String name : new String[] {"pinwheel_shard_sessions{shard=\"1\"}",
                "pinwheel_shard_ring_capacity{shard=\"0\"} 1024", "pinwheel_shard_inbox_events_total{shard=\"0\"}",
                "pinwheel_shard_rate_limited_total{shard=\"1\"}", "pinwheel_node_accounts 2",
                "# TYPE pinwheel_shard_handoff_latency_seconds histogram", "jvm_memory_used_bytes{area=\"heap\"}",
                "jvm_gc_collection_seconds_count{gc="})
            {
                assertTrue(text.contains(name), name + " missing in\n" + text);
            }
        }
    }

    @Test
    void adminUsersPropertyOverridesTheFirstAccount() throws Exception
    {
        System.setProperty("pinwheel.admin.users", "1, " + user.id());
        try
        {
            assertEquals(200, get("/metrics", "Authorization", user.token()).statusCode());
            assertEquals(403, get("/metrics", "Authorization", admin.token()).statusCode());
        }
        finally
        {
            System.clearProperty("pinwheel.admin.users");
        }
        assertEquals(200, get("/metrics", "Authorization", admin.token()).statusCode());
    }

    @Test
    void metricsCountGatewaySessionsAndProbeLatency() throws Exception
    {
        final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final WebSocket ws = HTTP.newWebSocketBuilder()
            .buildAsync(URI.create(node.gatewayUrl() + "/?v=10&encoding=json"), new WebSocket.Listener()
            {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(final WebSocket w, final CharSequence data, final boolean last)
                {
                    text.append(data);
                    if (last)
                    {
                        frames.add(text.toString());
                        text.setLength(0);
                    }
                    w.request(1);
                    return CompletableFuture.completedFuture(null);
                }
            }).get(10, TimeUnit.SECONDS);
        try
        {
            assertNotNull(frames.poll(10, TimeUnit.SECONDS), "HELLO");
            ws.sendText("{\"op\":2,\"d\":{\"token\":\"" + user.token() + "\",\"intents\":513,\"properties\":{}}}", true)
                .get(10, TimeUnit.SECONDS);
            String ready = null;
            for (int i = 0; i < 5 && (ready == null || !ready.contains("\"READY\"")); i++)
            {
                ready = frames.poll(10, TimeUnit.SECONDS);
            }
            assertTrue(ready != null && ready.contains("\"READY\""), String.valueOf(ready));

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long sessions = 0;
            long probes = 0;
            String text = "";
            while (System.nanoTime() < deadline && (sessions < 1 || probes < 1))
            {
                text = get("/metrics", "Authorization", admin.token()).body();
                sessions = number(text, "^pinwheel_node_sessions (\\d+)");
                probes = number(text, "^pinwheel_shard_handoff_latency_seconds_count\\{shard=\"0\"} (\\d+)");
                Thread.sleep(100);
            }
            assertTrue(sessions >= 1, "no session counted:\n" + text);
            assertTrue(probes >= 1, "no probe recorded:\n" + text);
            assertTrue(number(text, "^pinwheel_node_connections (\\d+)") >= 1, text);
        }
        finally
        {
            ws.abort();
        }
    }

    private static long number(final String text, final String regex)
    {
        final Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
