package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adversarial run's scenario on the real server: acknowledged messages, SIGKILL, bytes flipped in the middle of
 * the real message journal, restart. A flipped "not complete" bit loses nothing and hides nothing after it; a flipped
 * content byte loses that one message (never served), which is reported by id on stderr and counted in /metrics once
 * the background verification of the records before the index's recovery point has run; messages acknowledged after
 * the damage survive the next SIGKILL and restart.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JournalDamageRecoveryTest
{
    private static final int MESSAGES = 600;

    @TempDir
    Path dir;

    @Test
    void damagedJournalBytesCostOnlyTheirOwnRecordAndAreReported() throws Exception
    {
        final Path data = dir.resolve("data");
        final Map<String, String> acked = new LinkedHashMap<>(); // id -> content
        final RestClient.User user;
        final String channelId;
        try (ServerProcess first = ServerProcess.start(data, 1, "os", dir.resolve("first.log"), 180))
        {
            final RestClient rest = new RestClient(first.restBase());
            user = rest.register("damaged");
            channelId = rest.ok("POST", "guilds", user.token(), "{\"name\":\"damaged\"}")
                .get("channels").get(0).get("id").asText();
            for (int i = 0; i < MESSAGES; i++)
            {
                final String content = String.format("acknowledged-%04d", i);
                acked.put(post(rest, user, channelId, content), content);
            }
            first.kill();
        }
        final Path journal = journalFile(data);
        flip(journal, headerOf(journal, "acknowledged-0200") + 3, 0x80); // "not complete" bit of a header
        final long lostAt = contentOf(journal, "acknowledged-0400");
        flip(journal, lostAt + 5, 0x01); // a content byte
        final String lostId = idOf(acked, "acknowledged-0400");

        try (ServerProcess second = ServerProcess.start(data, 1, "os", dir.resolve("second.log"), 180))
        {
            final RestClient rest = new RestClient(second.restBase());
            assertServed(rest, user, channelId, acked, lostId);
            // Mostly the index files are reused at their recovery point (same boot): the records before it are
            // verified in the background after the node serves, and reported the way recovery reports them. When the
            // kill caught the first process inside a map access (it reads them while idle too), the restart rebuilds
            // them instead, and recovery reads and checks every record itself before serving: either way the damage
            // is reported. (A CI run caught the kill there; the test had asserted the reuse.)
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String log = Files.readString(second.log());
            while (!verified(log) && !rebuilt(log) && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
                log = Files.readString(second.log());
            }
            System.out.println("JournalDamageRecoveryTest: the restart " + (rebuilt(log)
                ? "rebuilt the indexes (the kill caught the first process inside a map access)"
                : "reused the indexes at their recovery point"));
            assertTrue(rebuilt(log) || log.contains("reused at recovery point") && verified(log), log);
            assertTrue(log.contains("LOST") && log.contains("message " + lostId), log);
            final String metrics = rest.metrics(user.token());
            assertEquals(1, metric(metrics, "pinwheel_store_damaged_records_total"), metrics);
            assertEquals(1, metric(metrics, "pinwheel_store_repaired_headers_total"), metrics);
            assertServed(rest, user, channelId, acked, lostId);
            for (int i = 0; i < 5; i++)
            {
                final String content = "after the damage " + i;
                acked.put(post(rest, user, channelId, content), content);
            }
            second.kill();
        }
        try (ServerProcess third = ServerProcess.start(data, 1, "os", dir.resolve("third.log"), 180))
        {
            assertServed(new RestClient(third.restBase()), user, channelId, acked, lostId);
        }
    }

    private static boolean rebuilt(final String log)
    {
        return log.contains("died inside an index update");
    }

    private static boolean verified(final String log)
    {
        return log.contains("background verification of the message journal before the recovery point");
    }

    private static String post(final RestClient rest, final RestClient.User user, final String channelId,
        final String content) throws IOException
    {
        return rest.ok("POST", "channels/" + channelId + "/messages", user.token(),
            "{\"content\":\"" + content + "\"}").get("id").asText();
    }

    private static void assertServed(final RestClient rest, final RestClient.User user, final String channelId,
        final Map<String, String> acked, final String lostId) throws IOException
    {
        final Map<String, String> seen = new LinkedHashMap<>();
        String before = null;
        while (true)
        {
            final JsonNode page = rest.ok("GET", "channels/" + channelId + "/messages?limit=100"
                + (before == null ? "" : "&before=" + before), user.token(), null);
            if (page.isEmpty())
            {
                break;
            }
            for (final JsonNode m : page)
            {
                seen.put(m.get("id").asText(), m.get("content").asText());
                before = m.get("id").asText();
            }
        }
        for (final Map.Entry<String, String> e : acked.entrySet())
        {
            if (e.getKey().equals(lostId))
            {
                assertTrue(!seen.containsKey(lostId), "the damaged message is not served");
                continue;
            }
            assertEquals(e.getValue(), seen.get(e.getKey()), "acknowledged message " + e.getKey());
        }
        assertEquals(acked.size() - 1, seen.size(), "nothing else appears");
        assertEquals(404, rest.call("GET", "channels/" + channelId + "/messages/" + lostId, user.token(), null)
            .status());
    }

    private static String idOf(final Map<String, String> acked, final String content)
    {
        return acked.entrySet().stream().filter(e -> e.getValue().equals(content)).findFirst().orElseThrow().getKey();
    }

    private static double metric(final String text, final String name)
    {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{shard=\"0\"\\} (\\S+)$").matcher(text);
        assertTrue(m.find(), name + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    private static Path journalFile(final Path data) throws IOException
    {
        try (Stream<Path> files = Files.list(data.resolve("shard-0").resolve("messages")))
        {
            final List<Path> cycles = new ArrayList<>(files.filter(f -> f.toString().endsWith(".cq4")).toList());
            assertEquals(1, cycles.size(), cycles.toString());
            return cycles.get(0);
        }
    }

    /** @return the file position of a message's content. */
    private static long contentOf(final Path journal, final String content) throws IOException
    {
        final byte[] needle = content.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile file = new RandomAccessFile(journal.toFile(), "r"))
        {
            final byte[] head = new byte[(int)Math.min(file.length(), 16 << 20)];
            file.readFully(head);
            outer:
            for (int i = 0; i + needle.length <= head.length; i++)
            {
                for (int j = 0; j < needle.length; j++)
                {
                    if (head[i + j] != needle[j])
                    {
                        continue outer;
                    }
                }
                return i;
            }
        }
        throw new AssertionError(content + " not in " + journal);
    }

    /**
     * @return the file position of the Chronicle header of the message's document: the content follows the checked
     *         record's 9-byte header and the message's 49 bytes of fixed fields.
     */
    private static long headerOf(final Path journal, final String content) throws IOException
    {
        return contentOf(journal, content) - 49 - 9 - 4;
    }

    private static void flip(final Path file, final long position, final int mask) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ mask);
        }
    }
}
