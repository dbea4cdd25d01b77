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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Read-your-writes with the embedded store's index writes deferred past the acknowledgement
 * ({@code pinwheel.storage.deferred-index-writes}): the real server in a child JVM, {@code os} durability, two shards.
 * <ul>
 *   <li>a GET sent the moment a POST's 200 arrives finds the message: by id, as the newest, after the previous
 *   message, before a later id, around itself — from another member's connection (often another shard);</li>
 *   <li>a DELETE's 204 is followed by a 404 for the id;</li>
 *   <li>messages acknowledged just before a SIGKILL (the last one killed right after its reply, while its index writes
 *   may still wait) are all served after the restart, by id and in history.</li>
 * </ul>
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PostThenReadTest
{
    private static final int ROUNDS = 60;
    private static final int BEFORE_KILL = 8;

    @Test
    void aReadRightAfterTheReplySeesTheWriteAlsoAcrossAKill() throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-post-then-read");
        final Path data = dir.resolve("data");
        try
        {
            final List<RestClient.User> users = new ArrayList<>();
            final String channelId;
            final Map<String, String> acked = new LinkedHashMap<>();
            try (ServerProcess first = ServerProcess.start(data, 2, "os", dir.resolve("server-1.log"), 180))
            {
                final RestClient rest = new RestClient(first.restBase());
                for (int i = 0; i < 3; i++)
                {
                    users.add(rest.register("ryw-" + i));
                }
                final JsonNode guild = rest.ok("POST", "guilds", users.get(0).token(), "{\"name\":\"ryw\"}");
                channelId = guild.get("channels").get(0).get("id").asText();
                rest.join(users.get(0), channelId, users.get(1));
                rest.join(users.get(0), channelId, users.get(2));
                final String messages = "channels/" + channelId + "/messages";
                String previous = null;
                for (int round = 0; round < ROUNDS; round++)
                {
                    final RestClient.User writer = users.get(round % 3);
                    final String reader = users.get((round + 1) % 3).token();
                    final String content = "ryw " + round;
                    final String id = rest.ok("POST", messages, writer.token(), "{\"content\":\"" + content + "\"}")
                        .get("id").asText();
                    final String what = "round " + round + ", message " + id;
                    switch (round % 5)
                    {
                        case 0 -> assertEquals(content, rest.ok("GET", messages + "/" + id, reader, null)
                            .get("content").asText(), what + " by id");
                        case 1 -> assertEquals(id, rest.ok("GET", messages + "?limit=1", reader, null).get(0)
                            .get("id").asText(), what + " newest");
                        case 2 -> assertEquals(id, rest.ok("GET", messages + "?limit=5&after=" + previous, reader,
                            null).get(0).get("id").asText(), what + " after the previous one");
                        case 3 -> assertEquals(id, rest.ok("GET", messages + "?limit=2&before="
                            + (Long.parseLong(id) + 1), reader, null).get(0).get("id").asText(), what + " before");
                        default ->
                        {
                            final JsonNode around = rest.ok("GET", messages + "?limit=3&around=" + id, reader, null);
                            assertTrue(around.toString().contains("\"" + id + "\""), what + " around: " + around);
                        }
                    }
                    if (round % 10 == 9)
                    {
                        final RestClient.Response deleted = rest.call("DELETE", messages + "/" + id, writer.token(),
                            null);
                        assertEquals(204, deleted.status(), deleted.raw());
                        assertEquals(404, rest.call("GET", messages + "/" + id, reader, null).status(),
                            what + " deleted");
                    }
                    else
                    {
                        acked.put(id, content);
                        previous = id;
                    }
                }
                for (int i = 0; i < BEFORE_KILL; i++)
                {
                    final String content = "before the kill " + i;
                    acked.put(rest.ok("POST", messages, users.get(i % 3).token(), "{\"content\":\"" + content
                        + "\"}").get("id").asText(), content);
                }
                first.kill(); // right after the last 200: its index writes may not have run
            }
            try (ServerProcess second = ServerProcess.start(data, 2, "os", dir.resolve("server-2.log"), 180))
            {
                final RestClient rest = new RestClient(second.restBase());
                final String reader = users.get(1).token();
                for (final Map.Entry<String, String> e : acked.entrySet())
                {
                    assertEquals(e.getValue(), rest.ok("GET", "channels/" + channelId + "/messages/" + e.getKey(),
                        reader, null).get("content").asText(), "message " + e.getKey() + " after the kill");
                }
                final List<JsonNode> history = CrashRecoveryTest.fetchAll(rest, channelId, users.get(2));
                final Map<String, String> served = new LinkedHashMap<>();
                for (int i = history.size() - 1; i >= 0; i--)
                {
                    if (history.get(i).get("type").asInt() == 0) // not the members' join messages
                    {
                        served.put(history.get(i).get("id").asText(), history.get(i).get("content").asText());
                    }
                }
                assertEquals(acked, served, "history after the kill: every acknowledged message, in order");
                second.stop();
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }
}
