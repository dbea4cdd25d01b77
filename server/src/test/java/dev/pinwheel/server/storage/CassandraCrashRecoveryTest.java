package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * {@link CrashRecoveryTest} on the Cassandra store: a node in a child JVM is {@code SIGKILL}ed in the middle of a burst
 * of messages from several clients, and a new node on the same keyspace (a fresh data directory: nothing of the dead
 * node's disk is needed) serves every acknowledged message exactly once, whole, in history pages and by id; nothing
 * half-written is visible; new messages still get larger ids. An acknowledgement (HTTP 200) is sent only after
 * Cassandra acknowledged every write up to it.
 */
@Tag("cassandra")
@Tag("external")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CassandraCrashRecoveryTest
{
    @Test
    void everyAcknowledgedMessageSurvivesSigkillOfTheNode() throws Exception
    {
        final String durability = "cassandra";
        final Path dir = Files.createTempDirectory("pinwheel-crash-cassandra");
        final List<String> options = SharedCassandra.serverOptions(SharedCassandra.contactPoint(),
            SharedCassandra.keyspace("crash"));
        try
        {
            final String channelId;
            final List<RestClient.User> users = new ArrayList<>();
            final ConcurrentLinkedQueue<CrashRecoveryTest.Acked> acked = new ConcurrentLinkedQueue<>();
            final Set<String> sent = ConcurrentHashMap.newKeySet();
            try (ServerProcess first = ServerProcess.start(dir.resolve("data-1"), 2, "os", dir.resolve("server-1.log"),
                180, options))
            {
                final RestClient rest = new RestClient(first.restBase());
                for (int i = 0; i < CrashRecoveryTest.CLIENTS; i++)
                {
                    users.add(rest.register("crash-cassandra-" + i));
                }
                final JsonNode guild = rest.ok("POST", "guilds", users.get(0).token(), "{\"name\":\"crash\"}");
                channelId = guild.get("channels").get(0).get("id").asText();
                for (int i = 1; i < CrashRecoveryTest.CLIENTS; i++)
                {
                    rest.join(users.get(0), channelId, users.get(i));
                }
                CrashRecoveryTest.burstThenKill(first, rest, channelId, users, durability, acked, sent);
            }
            assertTrue(acked.size() >= CrashRecoveryTest.ACKED_BEFORE_KILL,
                "acknowledged before the kill: " + acked.size());
            try (ServerProcess second = ServerProcess.start(dir.resolve("data-2"), 2, "os", dir.resolve("server-2.log"),
                180, options))
            {
                System.out.printf("CassandraCrashRecoveryTest: %d acknowledged, %d sent; restart served after %d ms%n",
                    acked.size(), sent.size(), second.millisToServe());
                final RestClient rest = new RestClient(second.restBase());
                final RestClient.User reader = users.get(1);
                final List<JsonNode> history = CrashRecoveryTest.fetchAll(rest, channelId, reader);
                final Map<String, String> contentById = new HashMap<>();
                final Set<String> contents = new HashSet<>();
                for (final JsonNode m : history)
                {
                    final String id = m.get("id").asText();
                    final String content = m.get("content").asText();
                    assertTrue(contentById.put(id, content) == null, "id " + id + " appears twice");
                    assertTrue(contents.add(content), "content " + content + " appears twice");
                    assertTrue(sent.contains(content), "message " + id + " holds \"" + content
                        + "\", which no client sent whole");
                }
                for (final CrashRecoveryTest.Acked a : acked)
                {
                    assertEquals(a.content(), contentById.get(a.id()), "acknowledged message " + a.id());
                }
                int checked = 0;
                for (final Map.Entry<String, String> e : contentById.entrySet())
                {
                    if (checked++ % 7 == 0)
                    {
                        final JsonNode one = rest.ok("GET", "channels/" + channelId + "/messages/" + e.getKey(),
                            reader.token(), null);
                        assertEquals(e.getValue(), one.get("content").asText());
                    }
                }
                final JsonNode after = rest.ok("POST", "channels/" + channelId + "/messages", reader.token(),
                    "{\"content\":\"after the crash\"}");
                final long newest = history.isEmpty() ? 0 : Long.parseLong(history.get(0).get("id").asText());
                assertTrue(Long.parseLong(after.get("id").asText()) > newest, "ids keep growing");
                second.stop();
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }
}
