package dev.pinwheel.server.storage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small REST v10 client over {@link HttpClient} for tests against a server in another process.
 */
final class RestClient
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A response ({@code retryAfter}: its Retry-After header, or null). */
    record Response(int status, JsonNode body, String raw, String retryAfter)
    {
    }

    /** A registered user. */
    record User(String id, String token)
    {
    }

    /**
     * @param base {@code http://127.0.0.1:PORT/api/v10/}.
     */
    RestClient(final String base)
    {
        this.base = base;
    }

    /**
     * @param method HTTP method.
     * @param path   below /api/v10/.
     * @param token  bot token or null.
     * @param body   JSON or null.
     * @return the response.
     * @throws IOException if the exchange fails (the server died...).
     */
    Response call(final String method, final String path, final String token, final String body) throws IOException
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            b.header("Content-Type", "application/json");
        }
        if (token != null)
        {
            b.header("Authorization", "Bot " + token);
        }
        try
        {
            final HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            final String raw = res.body();
            return new Response(res.statusCode(), raw == null || raw.isEmpty() ? null : JSON.readTree(raw), raw,
                res.headers().firstValue("Retry-After").orElse(null));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }

    /**
     * @param token an admin's token (the first account registered on a node is its admin).
     * @return the node's Prometheus text from {@code /metrics}.
     */
    String metrics(final String token) throws IOException
    {
        final HttpRequest request = HttpRequest.newBuilder(URI.create(base.replaceFirst("/api/v10/$", "/metrics")))
            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bot " + token).GET().build();
        try
        {
            final HttpResponse<String> res = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200)
            {
                throw new AssertionError("GET /metrics -> " + res.statusCode() + " " + res.body());
            }
            return res.body();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }

    /**
     * Calls and requires a 2xx status. A 503 that carries {@code Retry-After} (a cluster's guild or user moving
     * between nodes in a ring epoch's handover, a node restarting) is retried after the time it names, for up to 30 s,
     * as JDA and discord.js retry it; each retry is printed, so that a test log shows the handover it met.
     */
    JsonNode ok(final String method, final String path, final String token, final String body) throws IOException
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        Response r = call(method, path, token, body);
        while (r.status() == 503 && r.retryAfter() != null && System.nanoTime() - deadline < 0)
        {
            System.out.println("RestClient: " + method + " " + path + " -> 503 " + r.raw() + "; retrying after "
                + r.retryAfter() + " s");
            try
            {
                Thread.sleep((long)(Double.parseDouble(r.retryAfter()) * 1000));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
            r = call(method, path, token, body);
        }
        if (r.status() / 100 != 2)
        {
            throw new AssertionError(method + " " + path + " -> " + r.status() + " " + r.raw());
        }
        return r.body();
    }

    /**
     * @param name a new user name.
     * @return the bot user and its token.
     */
    User register(final String name) throws IOException
    {
        return register(name, true);
    }

    /**
     * @param name a new user name.
     * @param bot  a bot account (else a person's).
     * @return the user and its token.
     */
    User register(final String name, final boolean bot) throws IOException
    {
        final JsonNode r = ok("POST", "auth/register", null,
            "{\"username\":\"" + name + "\",\"password\":\"password-" + name + "\",\"bot\":" + bot + "}");
        return new User(r.get("user").get("id").asText(), r.get("token").asText());
    }

    /**
     * Makes {@code joiner} a member of the guild of {@code channelId}.
     */
    void join(final User inviter, final String channelId, final User joiner) throws IOException
    {
        final String code = ok("POST", "channels/" + channelId + "/invites", inviter.token(), "{}").get("code")
            .asText();
        ok("POST", "invites/" + code, joiner.token(), "{}");
    }
}
