package dev.pinwheel.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.server.PinwheelServer;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.tuning.TuningProfile;

/**
 * Heap allocated by the server per message post, measured on the shard threads themselves: a real node in this JVM
 * (one shard, the embedded store, voice off), a keep-alive HTTP client on another thread posting messages to one
 * channel, and {@code ThreadMXBean.getThreadAllocatedBytes} of every {@code pinwheel-shard-*} thread before and
 * after. Everything a post costs the server's shard — HTTP decode, route, owner operation, journal append, event
 * encoding, the answer — is in the figure; the client's allocation is not. Uses public APIs only, so the same source
 * measures older and newer versions of the server (same JVM flags, same run).
 * <p>
 * With {@code shards=2} the request usually arrives on one shard and the guild is owned by the other: the owner's
 * figure is then the owner path alone (command in, permissions, journal, event encoding, answer out).
 * <p>
 * Usage: {@code PostAllocationProbe [warmup=20000] [measured=50000] [shards=1]}.
 */
public final class PostAllocationProbe
{
    private PostAllocationProbe()
    {
    }

    /**
     * @param args warm-up posts and measured posts.
     * @throws Exception if the node or a request fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        final int measured = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        final int shards = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        final Path dir = Files.createTempDirectory("pinwheel-post-alloc");
        final GatewayConfig config = new GatewayConfig().host("127.0.0.1").port(0).pbkdf2Iterations(1000)
            .restRequestsPerSecond(10_000_000).messagesPer5Seconds(10_000_000);
        try (PinwheelServer server = PinwheelServer.builder().dataDir(dir).shards(shards).durability(Durability.OS)
            .profile(TuningProfile.CI).gateway(config).start())
        {
            final String base = "http://127.0.0.1:" + server.port() + "/api/v10/";
            final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            final ObjectMapper json = new ObjectMapper();
            final JsonNode user = json.readTree(send(http, base + "auth/register", null,
                "{\"username\":\"alloc\",\"password\":\"password-alloc\",\"bot\":true}"));
            final String token = user.get("token").asText();
            final String body = "{\"content\":\"a message of about a hundred bytes, as a chat line would be, for the "
                + "allocation probe\",\"nonce\":\"12345\"}";
            // one guild owned by each shard: for one of them the request's shard is not the owner
            final String[] channelOfShard = new String[shards];
            for (int tries = 0; tries < 64 && java.util.Arrays.asList(channelOfShard).contains(null); tries++)
            {
                final JsonNode guild = json.readTree(send(http, base + "guilds", token, "{\"name\":\"alloc\"}"));
                final int owner = server.gateway().shards().ownerOf(Long.parseLong(guild.get("id").asText()));
                if (channelOfShard[owner] == null)
                {
                    channelOfShard[owner] = guild.get("channels").get(0).get("id").asText();
                }
            }
            for (int owner = 0; owner < shards; owner++)
            {
                final String post = base + "channels/" + channelOfShard[owner] + "/messages";
                for (int i = 0; i < warmup; i++)
                {
                    send(http, post, token, body);
                }
                final java.util.Map<String, Long> before = shardAllocated();
                final long start = System.nanoTime();
                for (int i = 0; i < measured; i++)
                {
                    send(http, post, token, body);
                }
                final long elapsed = System.nanoTime() - start;
                final java.util.Map<String, Long> after = shardAllocated();
                long total = 0;
                final StringBuilder perShard = new StringBuilder();
                for (final String name : after.keySet())
                {
                    final long bytes = after.get(name) - before.getOrDefault(name, 0L);
                    total += bytes;
                    perShard.append(String.format(Locale.ROOT, " %s %.1f B;", name, bytes / (double)measured));
                }
                System.out.printf(Locale.ROOT, "RESULT guild owned by shard %d: per post%s all shards %.1f B (%d posts,"
                    + " %.1f µs per round trip, JDK %s)%n", owner, perShard, total / (double)measured, measured,
                    elapsed / 1e3 / measured, Runtime.version());
            }
        }
        finally
        {
            try (var files = Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String send(final HttpClient http, final String url, final String token, final String body)
        throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            b.header("Authorization", "Bot " + token);
        }
        final HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 != 2)
        {
            throw new IllegalStateException(url + " -> " + res.statusCode() + " " + res.body());
        }
        return res.body();
    }

    private static java.util.Map<String, Long> shardAllocated()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final java.util.Map<String, Long> bytes = new java.util.TreeMap<>();
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().startsWith("pinwheel-shard-"))
            {
                bytes.put(t.getName(), threads.getThreadAllocatedBytes(t.threadId()));
            }
        }
        return bytes;
    }
}
