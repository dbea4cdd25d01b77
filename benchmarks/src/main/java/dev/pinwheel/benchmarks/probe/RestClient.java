package dev.pinwheel.benchmarks.probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The few REST v10 calls the probe needs to set a guild up and to post into it (HTTP/1.1, keep-alive).
 */
public final class RestClient implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    /** Inviter token and channel → the invite {@link #join} made for them. */
    private final java.util.concurrent.ConcurrentHashMap<String, String> invites =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final String base;

    /** A registered user. */
    public record User(String id, String name, String token)
    {
    }

    /**
     * An answer.
     *
     * @param status HTTP status, or -1 when the request failed (connection refused, reset, timed out).
     * @param body   the body ({@code ""} when none), or the failure's text.
     * @param nanos  time from sending to the answer (or the failure).
     */
    public record Response(int status, String body, long nanos)
    {
        /**
         * @return the body as JSON (an empty object when it is not JSON).
         */
        public JsonNode json()
        {
            try
            {
                return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
            }
            catch (final IOException ex)
            {
                return JSON.createObjectNode();
            }
        }
    }

    /**
     * @param host server host.
     * @param port server port.
     */
    public RestClient(final String host, final int port)
    {
        this(host, port, null);
    }

    /**
     * @param host  server host.
     * @param port  server port.
     * @param local source address of this client's connections (e.g. {@code 127.0.0.7}: on Linux every 127/8
     *              address is the loopback, so one box can act as many clients), or null for the default.
     */
    public RestClient(final String host, final int port, final java.net.InetAddress local)
    {
        this.base = "http://" + host + ":" + port + "/api/v10/";
        final HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10));
        if (local != null)
        {
            b.localAddress(local);
        }
        this.http = b.build();
    }

    /**
     * @param name a user name.
     * @return the password {@link #register} gives that user.
     */
    public static String passwordOf(final String name)
    {
        return "probe-" + name + "-pw";
    }

    /**
     * @param name user name.
     * @return the registered bot user.
     * @throws IOException on failure.
     */
    public User register(final String name) throws IOException
    {
        final ObjectNode body = JSON.createObjectNode().put("username", name).put("password", passwordOf(name))
            .put("bot", true);
        final JsonNode r = call("POST", "auth/register", null, body);
        return new User(r.path("user").path("id").asText(), name, r.path("token").asText());
    }

    /**
     * @param owner owner.
     * @param name  guild name.
     * @return the guild's first channel id.
     * @throws IOException on failure.
     */
    public String createGuild(final User owner, final String name) throws IOException
    {
        final JsonNode g = call("POST", "guilds", owner.token(), JSON.createObjectNode().put("name", name));
        final String channel = g.path("channels").path(0).path("id").asText();
        if (channel.isEmpty())
        {
            throw new IOException("guild has no channel: " + g);
        }
        return channel;
    }

    /**
     * Makes {@code joiner} a member through a new invite from {@code inviter}.
     *
     * @param inviter   a member.
     * @param channelId a channel of the guild.
     * @param joiner    the user who joins.
     * @throws IOException on failure.
     */
    public void join(final User inviter, final String channelId, final User joiner) throws IOException
    {
        // one invite per inviter and channel (no expiry, no use limit), as a community shares one: a guild holds at
        // most 1,000 invites
        String code = invites.get(inviter.token() + " " + channelId);
        if (code == null)
        {
            code = call("POST", "channels/" + channelId + "/invites", inviter.token(),
                JSON.createObjectNode().put("max_age", 0).put("max_uses", 0)).path("code").asText();
            invites.put(inviter.token() + " " + channelId, code);
        }
        call("POST", "invites/" + code, joiner.token(), JSON.createObjectNode());
    }

    /**
     * Posts a message without waiting for the reply.
     *
     * @param author    author.
     * @param channelId channel.
     * @param content   text.
     * @return the status code, when it comes.
     */
    public CompletableFuture<Integer> postAsync(final User author, final String channelId, final String content)
    {
        final String body = JSON.createObjectNode().put("content", content).toString();
        return http.sendAsync(request("POST", "channels/" + channelId + "/messages", author.token(), body),
            HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    /**
     * Logs in with a name and password.
     *
     * @param name     user name.
     * @param password password.
     * @return the answer (200 with a token, 400 wrong credentials, 429, 503...).
     */
    public Response login(final String name, final String password)
    {
        return send("POST", "auth/login", null,
            JSON.createObjectNode().put("login", name).put("password", password).toString());
    }

    /**
     * Sends a request and waits for the answer; never throws for a failed request (status -1).
     *
     * @param method HTTP method.
     * @param path   path under {@code /api/v10/}, or an absolute path starting with {@code /}.
     * @param token  bot token or null.
     * @param body   JSON body or null.
     * @return the answer.
     */
    public Response send(final String method, final String path, final String token, final String body)
    {
        final long t0 = System.nanoTime();
        try
        {
            final HttpResponse<String> res = http.send(request(method, path, token, body),
                HttpResponse.BodyHandlers.ofString());
            return new Response(res.statusCode(), res.body() == null ? "" : res.body(), System.nanoTime() - t0);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Response(-1, "interrupted", System.nanoTime() - t0);
        }
        catch (final IOException ex)
        {
            return new Response(-1, ex.getClass().getSimpleName() + ": " + ex.getMessage(), System.nanoTime() - t0);
        }
    }

    /**
     * Sends a request without waiting; the future completes with the answer, or status -1 if it failed.
     *
     * @param method HTTP method.
     * @param path   path under {@code /api/v10/}, or an absolute path starting with {@code /}.
     * @param token  bot token or null.
     * @param body   JSON body or null.
     * @return the answer, when it comes.
     */
    public CompletableFuture<Response> sendAsync(final String method, final String path, final String token,
        final String body)
    {
        final long t0 = System.nanoTime();
        return http.sendAsync(request(method, path, token, body), HttpResponse.BodyHandlers.ofString())
            .handle((res, ex) -> ex != null
                ? new Response(-1, ex.getClass().getSimpleName() + ": " + ex.getMessage(), System.nanoTime() - t0)
                : new Response(res.statusCode(), res.body() == null ? "" : res.body(), System.nanoTime() - t0));
    }

    /**
     * Aborts what is in flight and closes this client's connections.
     */
    @Override
    public void close()
    {
        http.shutdownNow();
    }

    private JsonNode call(final String method, final String path, final String token, final JsonNode body)
        throws IOException
    {
        final HttpResponse<String> res;
        try
        {
            res = http.send(request(method, path, token, body.toString()), HttpResponse.BodyHandlers.ofString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        if (res.statusCode() / 100 != 2)
        {
            throw new IOException(method + " " + path + " -> " + res.statusCode() + " " + res.body());
        }
        return res.body() == null || res.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(res.body());
    }

    private HttpRequest request(final String method, final String path, final String token, final String body)
    {
        final String url = path.startsWith("/") ? base.substring(0, base.indexOf("/api/v10/")) + path : base + path;
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            b.header("Authorization", "Bot " + token);
        }
        return b.build();
    }
}
