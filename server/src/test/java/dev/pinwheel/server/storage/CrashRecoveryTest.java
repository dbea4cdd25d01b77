package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pinwheel.server.TestNode;

/**
 * The real server in a child JVM, {@code SIGKILL}ed in the middle of a burst of messages from several clients, then
 * started again on the same data directory:
 * <ul>
 *   <li>every acknowledged message (HTTP 200) is there exactly once, with the id and content it was acknowledged
 *   with, in history pages and by id;</li>
 *   <li>nothing unacknowledged is half-visible: every message in the channel is one that a client sent, whole, and
 *   readable by id;</li>
 *   <li>ids are unique, and new messages still get larger ids;</li>
 *   <li>after a clean stop the index files are reused and serve the same history.</li>
 * </ul>
 * Runs for both durability levels. The restart's time to serve is printed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrashRecoveryTest
{
    static final int CLIENTS = 4;
    static final int ACKED_BEFORE_KILL = 300;

    /** A message as its client saw it acknowledged. */
    record Acked(String id, String content)
    {
    }

    @ParameterizedTest
    @ValueSource(strings = {"os", "sync"})
    void everyAcknowledgedMessageSurvivesSigkill(final String durability) throws Exception
    {
        final Path dir = Files.createTempDirectory("pinwheel-crash-" + durability);
        final Path data = dir.resolve("data");
        try
        {
            final String channelId;
            final List<RestClient.User> users = new ArrayList<>();
            final ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
            final Set<String> sent = ConcurrentHashMap.newKeySet();
            try (ServerProcess first = ServerProcess.start(data, 2, durability, dir.resolve("server-1.log"), 180))
            {
                final RestClient rest = new RestClient(first.restBase());
                for (int i = 0; i < CLIENTS; i++)
                {
                    users.add(rest.register("crash-" + durability + "-" + i));
                }
                final JsonNode guild = rest.ok("POST", "guilds", users.get(0).token(), "{\"name\":\"crash\"}");
                channelId = guild.get("channels").get(0).get("id").asText();
                for (int i = 1; i < CLIENTS; i++)
                {
                    rest.join(users.get(0), channelId, users.get(i));
                }
                burstThenKill(first, rest, channelId, users, durability, acked, sent);
            }
            assertTrue(acked.size() >= ACKED_BEFORE_KILL, "acknowledged before the kill: " + acked.size());

            final Map<String, String> contentById = new HashMap<>();
            try (ServerProcess second = ServerProcess.start(data, 2, durability, dir.resolve("server-2.log"), 180))
            {
                System.out.printf("CrashRecoveryTest[%s]: %d acknowledged, %d sent; restart served after %d ms%n",
                    durability, acked.size(), sent.size(), second.millisToServe());
                final RestClient rest = new RestClient(second.restBase());
                final RestClient.User reader = users.get(1);
                final List<JsonNode> history = fetchAll(rest, channelId, reader);
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
                for (final Acked a : acked)
                {
                    assertEquals(a.content(), contentById.get(a.id()), "acknowledged message " + a.id());
                }
                int checked = 0;
                for (final Map.Entry<String, String> e : contentById.entrySet())
                {
                    if (checked++ % 7 == 0) // by id too, a sample (acknowledged or not)
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
                contentById.put(after.get("id").asText(), "after the crash");
                second.stop(); // clean: the next start reuses the index files
            }
            try (ServerProcess third = ServerProcess.start(data, 2, durability, dir.resolve("server-3.log"), 180))
            {
                final List<JsonNode> history = fetchAll(new RestClient(third.restBase()), channelId, users.get(2));
                assertEquals(contentById.size(), history.size());
                for (final JsonNode m : history)
                {
                    assertEquals(contentById.get(m.get("id").asText()), m.get("content").asText());
                }
                assertTrue(Files.readString(third.log()).contains("reused clean indexes"),
                    "a clean stop lets the next start reuse the indexes:\n" + ServerProcess.tail(third.log()));
                third.stop();
            }
        }
        finally
        {
            TestNode.deleteTree(dir);
        }
    }

    static void burstThenKill(final ServerProcess server, final RestClient rest, final String channelId,
        final List<RestClient.User> users, final String durability, final ConcurrentLinkedQueue<Acked> acked,
        final Set<String> sent) throws InterruptedException
    {
        final AtomicBoolean killed = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(CLIENTS);
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int c = 0; c < CLIENTS; c++)
        {
            final RestClient.User user = users.get(c);
            final int client = c;
            final Thread t = new Thread(() ->
            {
                try
                {
                    for (int seq = 0; !killed.get(); seq++)
                    {
                        final String content = durability + " client " + client + " message " + seq;
                        sent.add(content);
                        final RestClient.Response r;
                        try
                        {
                            r = rest.call("POST", "channels/" + channelId + "/messages", user.token(),
                                "{\"content\":\"" + content + "\"}");
                        }
                        catch (final IOException ex)
                        {
                            if (!killed.get())
                            {
                                failures.add(ex);
                            }
                            return; // the server is gone
                        }
                        if (r.status() == 200)
                        {
                            assertEquals(content, r.body().get("content").asText());
                            acked.add(new Acked(r.body().get("id").asText(), content));
                        }
                        else if (!killed.get())
                        {
                            failures.add(new AssertionError("POST -> " + r.status() + " " + r.raw()));
                            return;
                        }
                    }
                }
                catch (final RuntimeException | Error ex)
                {
                    failures.add(ex);
                }
                finally
                {
                    done.countDown();
                }
            }, "crash-client-" + c);
            t.setDaemon(true);
            t.start();
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (acked.size() < ACKED_BEFORE_KILL && failures.isEmpty() && System.nanoTime() < deadline)
        {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        killed.set(true);
        server.kill(); // SIGKILL with requests in flight
        assertTrue(done.await(60, TimeUnit.SECONDS), "clients stopped");
        if (!failures.isEmpty())
        {
            fail("client failed before the kill: " + failures.peek() + "\n" + ServerProcess.tail(server.log()),
                failures.peek());
        }
    }

    static List<JsonNode> fetchAll(final RestClient rest, final String channelId, final RestClient.User user)
        throws IOException
    {
        final List<JsonNode> all = new ArrayList<>();
        String before = null;
        while (true)
        {
            final JsonNode page = rest.ok("GET", "channels/" + channelId + "/messages?limit=100"
                + (before == null ? "" : "&before=" + before), user.token(), null);
            assertNotNull(page);
            if (page.isEmpty())
            {
                return all;
            }
            for (final JsonNode m : page)
            {
                all.add(m);
            }
            before = page.get(page.size() - 1).get("id").asText();
        }
    }
}
