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
public final class RestClient
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    /** A registered user. */
    public record User(String id, String name, String token)
    {
    }

    /**
     * @param host server host.
     * @param port server port.
     */
    public RestClient(final String host, final int port)
    {
        this.base = "http://" + host + ":" + port + "/api/v10/";
    }

    /**
     * @param name user name.
     * @return the registered bot user.
     * @throws IOException on failure.
     */
    public User register(final String name) throws IOException
    {
        final ObjectNode body = JSON.createObjectNode().put("username", name).put("password", "probe-" + name + "-pw")
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
        final String code = call("POST", "channels/" + channelId + "/invites", inviter.token(),
            JSON.createObjectNode()).path("code").asText();
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
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            b.header("Authorization", "Bot " + token);
        }
        return b.build();
    }
}
