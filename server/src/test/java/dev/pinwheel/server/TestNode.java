package dev.pinwheel.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.session.SessionStartLimits;
import dev.pinwheel.tuning.TuningProfile;

/**
 * A real Pinwheel node for tests: ephemeral port on 127.0.0.1, its own temporary data directory, cheap
 * password hashing, plus a small REST client for setting up users, guilds and invites.
 */
public final class TestNode implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final PinwheelServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A registered user. */
    public record User(String id, String username, String token)
    {
    }

    /**
     * @param shards shard count.
     */
    public TestNode(final int shards)
    {
        this(shards, null, g -> { });
    }

    /**
     * @param shards  shard count.
     * @param dataDir data directory (null: a new temporary one, deleted on close).
     * @param tweak   adjusts the gateway settings.
     */
    public TestNode(final int shards, final Path dataDir, final Consumer<GatewayConfig> tweak)
    {
        this(shards, dataDir, tweak, b -> { });
    }

    /**
     * @param shards  shard count.
     * @param dataDir data directory (null: a new temporary one, deleted on close).
     * @param tweak   adjusts the gateway settings.
     * @param builder adjusts the server builder (e.g. turns voice on).
     */
    public TestNode(final int shards, final Path dataDir, final Consumer<GatewayConfig> tweak,
        final Consumer<PinwheelServer.Builder> builder)
    {
        try
        {
            this.ownsDataDir = dataDir == null;
            this.dataDir = dataDir != null ? dataDir : Files.createTempDirectory("pinwheel-test");
        }
        catch (final IOException e)
        {
            throw new IllegalStateException(e);
        }
        final GatewayConfig config = new GatewayConfig().host("127.0.0.1").port(0).pbkdf2Iterations(1000);
        // Every test client is 127.0.0.1 and many reuse one token: the per-address, per-username and session start
        // limits are raised here; the tests of those limits set them back in their tweak.
        config.identifyWindowMillis(0).sessionStartTotal(SessionStartLimits.MAX_TOTAL);
        config.edge().maxConnectionsPerIp(100_000);
        config.auth().loginPerIpPerMinute(1_000_000).registerPerIpPerMinute(1_000_000)
            .loginPerUsernamePerMinute(1_000_000).hashPerIp(1024).hashQueue(1024);
        tweak.accept(config);
        final PinwheelServer.Builder b = PinwheelServer.builder().dataDir(this.dataDir).shards(shards).ringSize(1024)
            .profile(TuningProfile.CI).gateway(config);
        builder.accept(b);
        this.server = b.start();
    }

    public PinwheelServer server()
    {
        return server;
    }

    public int port()
    {
        return server.port();
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @return {@code http://127.0.0.1:PORT/api/v10/}.
     */
    public String restBase()
    {
        return "http://127.0.0.1:" + port() + "/api/v10/";
    }

    /**
     * @return {@code ws://127.0.0.1:PORT}.
     */
    public String gatewayUrl()
    {
        return "ws://127.0.0.1:" + port();
    }

    /**
     * @param shard a shard.
     * @return the URL of that shard's own listener.
     */
    public String shardUrl(final int shard)
    {
        return "ws://127.0.0.1:" + server.gateway().context().resumePort(shard);
    }

    /** A REST response. */
    public record Response(int status, JsonNode body, HttpResponse<String> raw)
    {
    }

    /**
     * @param method HTTP method.
     * @param path   path below /api/v10/.
     * @param token  bot token or null.
     * @param body   JSON body or null.
     * @return the response.
     */
    public Response call(final String method, final String path, final String token, final String body)
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(restBase() + path))
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
            final JsonNode json = res.body() == null || res.body().isEmpty() ? null : JSON.readTree(res.body());
            return new Response(res.statusCode(), json, res);
        }
        catch (final IOException e)
        {
            throw new IllegalStateException(e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Calls and requires a 2xx status.
     */
    public JsonNode ok(final String method, final String path, final String token, final String body)
    {
        final Response r = call(method, path, token, body);
        if (r.status() / 100 != 2)
        {
            throw new AssertionError(method + " " + path + " -> " + r.status() + " " + r.raw().body());
        }
        return r.body();
    }

    /**
     * @param username name.
     * @return a registered bot user with a token.
     */
    public User register(final String username)
    {
        return register(username, true);
    }

    /**
     * @param username a new username.
     * @param bot      a bot account (else a person's).
     * @return the account and its token.
     */
    public User register(final String username, final boolean bot)
    {
        final JsonNode r = ok("POST", "auth/register", null,
            "{\"username\":\"" + username + "\",\"password\":\"password-" + username + "\",\"bot\":" + bot + "}");
        return new User(r.get("user").get("id").asText(), username, r.get("token").asText());
    }

    /**
     * @param owner owner.
     * @param name  guild name.
     * @return the created guild (REST object, with {@code channels}).
     */
    public JsonNode createGuild(final User owner, final String name)
    {
        return ok("POST", "guilds", owner.token(), "{\"name\":\"" + name + "\"}");
    }

    /**
     * Makes {@code joiner} a member of the guild of {@code channelId} through an invite from {@code inviter}.
     */
    /**
     * Two new users in a new guild: the owner and a member who joined by invite.
     *
     * @param owner     owner of the guild.
     * @param member    the member.
     * @param guildId   the guild.
     * @param channelId its first text channel.
     */
    public record Pair(User owner, User member, String guildId, String channelId)
    {
    }

    /**
     * @param prefix username prefix (usernames are {@code prefix-owner}, {@code prefix-member}).
     * @return a guild named {@code prefix} owned by one new user with another new user in it.
     */
    public Pair pair(final String prefix)
    {
        final User owner = register(prefix + "-owner");
        final User member = register(prefix + "-member");
        final JsonNode g = createGuild(owner, prefix);
        final String channelId = g.path("channels").get(0).path("id").asText();
        join(owner, channelId, member);
        return new Pair(owner, member, g.path("id").asText(), channelId);
    }

    public void join(final User inviter, final String channelId, final User joiner)
    {
        final String code = ok("POST", "channels/" + channelId + "/invites", inviter.token(), "{}").get("code")
            .asText();
        ok("POST", "invites/" + code, joiner.token(), "{}");
    }

    @Override
    public void close()
    {
        server.close();
        if (ownsDataDir)
        {
            deleteTree(dataDir);
        }
    }

    /**
     * @param dir directory to delete recursively (best effort).
     */
    public static void deleteTree(final Path dir)
    {
        try (Stream<Path> s = Files.walk(dir))
        {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // best effort: temp files
        }
    }
}
