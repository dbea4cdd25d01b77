package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;
import dev.pinwheel.storage.cassandra.LocalCassandra;

/**
 * Cassandra dies (SIGKILL, a real process) while a Pinwheel node on it serves, and comes back:
 * <ul>
 *   <li>writes answer 503 with Discord's {@code {code, message}} body and a Retry-After header (no hang, no 500);</li>
 *   <li>the latest page of a channel the owner holds in memory is still served; a read the owner must fetch (a channel
 *   whose window was evicted: one hot channel per shard here) is parked, then answered 503 the same way;</li>
 *   <li>once Cassandra is back the node accepts writes again by itself (no restart);</li>
 *   <li>nothing acknowledged is lost: every message answered 200 is there, also after a restart of the node (read
 *   from Cassandra).</li>
 * </ul>
 */
@Tag("cassandra")
@Tag("external")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CassandraOutageTest
{
    @Test
    void writesAnswer503WhileCassandraIsDownCachedReadsWorkAndItRecoversByItself() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-cassandra-outage");
        final LocalCassandra cassandra = LocalCassandra.start(dir.resolve("cassandra"));
        final List<String> options = new ArrayList<>(SharedCassandra.serverOptions(cassandra.contactPoint(),
            "outage"));
        options.add("-Dpinwheel.cassandra.ack-timeout-ms=3000");
        options.add("-Dpinwheel.cassandra.request-timeout-ms=1000");
        options.add("-Dpinwheel.cassandra.hot-channels=1");
        final Map<String, String> acked = new LinkedHashMap<>();
        try
        {
            final String channel;
            final RestClient.User user;
            try (ServerProcess node = ServerProcess.start(dir.resolve("data"), 2, "os", dir.resolve("node-1.log"), 180,
                options))
            {
                final RestClient rest = new RestClient(node.restBase());
                user = rest.register("outage");
                final JsonNode guild = rest.ok("POST", "guilds", user.token(), "{\"name\":\"outage\"}");
                channel = guild.get("channels").get(0).get("id").asText();
                // a second channel of the same guild (same owner shard), written first: its window is evicted once
                // the first channel's is loaded (one hot channel per shard)
                final String cold = rest.ok("POST", "guilds/" + guild.get("id").asText() + "/channels", user.token(),
                    "{\"name\":\"cold\"}").get("id").asText();
                post(rest, user, cold, "cold 0", new LinkedHashMap<>());
                for (int i = 0; i < 20; i++)
                {
                    post(rest, user, channel, "before " + i, acked);
                }
                assertEquals(20, latest(rest, user, channel).size());

                cassandra.kill();
                // writes: 503 with Discord's body, soon (the ones in flight time out at the ack deadline)
                RestClient.Response refused = null;
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int i = 0; refused == null && System.nanoTime() < until; i++)
                {
                    final RestClient.Response r = rest.call("POST", "channels/" + channel + "/messages", user.token(),
                        "{\"content\":\"during " + i + "\"}");
                    if (r.status() == 200)
                    {
                        acked.put(r.body().get("id").asText(), "during " + i);
                    }
                    else
                    {
                        refused = r;
                    }
                }
                assertTrue(refused != null, "a write was refused while Cassandra is down");
                assertEquals(503, refused.status(), refused.raw());
                assertEquals(0, refused.body().get("code").asInt(), refused.raw());
                // one in flight when Cassandra died may still land: "may or may not have been applied"
                final String why = refused.body().get("message").asText();
                assertTrue(why.contains("Storage is unreachable") || why.contains("may or may not have been applied"),
                    refused.raw());
                assertTrue(refused.retryAfter() != null && Integer.parseInt(refused.retryAfter()) > 0,
                    "Retry-After: " + refused.retryAfter());
                // an immediate second write is refused up front, quickly: certainly not applied
                final long t0 = System.nanoTime();
                final RestClient.Response again = rest.call("POST", "channels/" + channel + "/messages", user.token(),
                    "{\"content\":\"refused\"}");
                assertEquals(503, again.status(), again.raw());
                assertTrue(again.body().get("message").asText().contains("Storage is unreachable"), again.raw());
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "refused up front");
                // reads of the page the owner holds keep working
                final List<String> page = latest(rest, user, channel);
                assertTrue(page.containsAll(acked.keySet()), "cached latest page: " + page);
                // a read the owner must fetch: parked, then 503 once the fetch fails (within the request timeout)
                final long r0 = System.nanoTime();
                final RestClient.Response coldRead = rest.call("GET", "channels/" + cold + "/messages?limit=50",
                    user.token(), null);
                assertEquals(503, coldRead.status(), coldRead.raw());
                assertTrue(coldRead.body().get("message").asText().contains("Storage is unreachable"), coldRead.raw());
                assertTrue(coldRead.retryAfter() != null, "Retry-After on a refused read");
                assertTrue(System.nanoTime() - r0 < TimeUnit.SECONDS.toNanos(10), "answered within its deadline");
                assertTrue(latest(rest, user, channel).containsAll(acked.keySet()), "the hot page still served");

                cassandra.start(); // same data, same ports
                final long back = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                boolean accepted = false;
                for (int i = 0; !accepted && System.nanoTime() < back; i++)
                {
                    final RestClient.Response r = rest.call("POST", "channels/" + channel + "/messages", user.token(),
                        "{\"content\":\"after " + i + "\"}");
                    if (r.status() == 200)
                    {
                        acked.put(r.body().get("id").asText(), "after " + i);
                        accepted = true;
                    }
                    else
                    {
                        assertEquals(503, r.status(), r.raw());
                        TimeUnit.MILLISECONDS.sleep(250);
                    }
                }
                assertTrue(accepted, "writes accepted again after Cassandra came back:\n" + ServerProcess.tail(
                    node.log()));
                for (int i = 0; i < 5; i++)
                {
                    post(rest, user, channel, "later " + i, acked);
                }
                assertTrue(latest(rest, user, channel).containsAll(acked.keySet()));
                node.stop();
            }
            try (ServerProcess node = ServerProcess.start(dir.resolve("data"), 2, "os", dir.resolve("node-2.log"), 180,
                options))
            {
                final RestClient rest = new RestClient(node.restBase());
                final Map<String, String> found = new LinkedHashMap<>();
                for (final JsonNode m : rest.ok("GET", "channels/" + channel + "/messages?limit=100", user.token(),
                    null))
                {
                    found.put(m.get("id").asText(), m.get("content").asText());
                }
                for (final Map.Entry<String, String> a : acked.entrySet())
                {
                    assertEquals(a.getValue(), found.get(a.getKey()), "acknowledged message " + a.getKey());
                }
                node.stop();
            }
        }
        finally
        {
            cassandra.close();
            TestNode.deleteTree(dir);
        }
    }

    private static void post(final RestClient rest, final RestClient.User user, final String channel,
        final String content, final Map<String, String> acked) throws Exception
    {
        final JsonNode m = rest.ok("POST", "channels/" + channel + "/messages", user.token(),
            "{\"content\":\"" + content + "\"}");
        acked.put(m.get("id").asText(), content);
    }

    private static List<String> latest(final RestClient rest, final RestClient.User user, final String channel)
        throws Exception
    {
        final List<String> ids = new ArrayList<>();
        for (final JsonNode m : rest.ok("GET", "channels/" + channel + "/messages?limit=100", user.token(), null))
        {
            ids.add(m.get("id").asText());
        }
        return ids;
    }
}
