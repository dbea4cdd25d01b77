package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The adversarial run's disk-full scenario on the real server, on a real small filesystem (a tmpfs the test mounts;
 * it needs root, as CI has) filled by another file: message posts are answered 507 with Discord's error body and
 * nothing half-written, reads and the gateway keep working, posts are accepted again once space is freed, and
 * after a SIGKILL every acknowledged message is there. (The old server lost a shard thread to a SIGBUS here and
 * hung its clients.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DiskFullServerTest
{
    private Path mount;

    @BeforeEach
    void mountSmallFilesystem() throws Exception
    {
        mount = Files.createTempDirectory("pinwheel-server-diskfull");
        final Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
            "this test mounts a 200 MiB tmpfs and needs root (CI runs as root): " + out);
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (mount != null)
        {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(mount);
            // the servers' logs lie beside the small filesystem (so that they are written when it is full)
            Files.deleteIfExists(mount.resolveSibling(mount.getFileName() + "-server.log"));
            Files.deleteIfExists(mount.resolveSibling(mount.getFileName() + "-again.log"));
        }
    }

    @Test
    void aFullDiskRefusesPostsWith507ServesReadsAndRecoversByItself() throws Exception
    {
        final Path data = mount.resolve("data");
        final String[] small = {"-Dpinwheel.storage.min-free-bytes=8388608",
            "-Dpinwheel.storage.preallocate-bytes=1048576", "-Dpinwheel.storage.index-entries=16384"};
        final List<String> acked = new ArrayList<>();
        final RestClient.User user;
        final String channelId;
        try (ServerProcess server = ServerProcess.start(data, 2, "os", mount.getParent().resolve(
            mount.getFileName() + "-server.log"), 180, small))
        {
            final RestClient rest = new RestClient(server.restBase());
            user = rest.register("diskfull");
            channelId = rest.ok("POST", "guilds", user.token(), "{\"name\":\"full\"}")
                .get("channels").get(0).get("id").asText();
            for (int i = 0; i < 50; i++)
            {
                acked.add(post(rest, user, channelId, "before " + i).body().get("id").asText());
            }
            final Path filler = fill();

            RestClient.Response refused = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (refused == null)
            {
                assertTrue(System.nanoTime() < deadline, "posts were never refused on a full disk");
                final RestClient.Response r = post(rest, user, channelId, "while full");
                if (r.status() == 200)
                {
                    acked.add(r.body().get("id").asText()); // inside the reserve that was left: acknowledged, kept
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                else
                {
                    refused = r;
                }
            }
            assertEquals(507, refused.status(), refused.raw());
            assertEquals(0, refused.body().get("code").asInt(), refused.raw());
            assertTrue(refused.body().get("message").asText().contains("free"), refused.raw());

            final JsonNode page = rest.ok("GET", "channels/" + channelId + "/messages?limit=100", user.token(), null);
            assertEquals(Math.min(100, acked.size()), page.size(), "reads are served on a full disk");
            assertEquals(200, rest.call("GET", "gateway/bot", user.token(), null).status());
            assertTrue(rest.metrics(user.token()).matches("(?s).*pinwheel_store_refused_writes_total\\{shard=\"\\d\"\\} "
                + "[1-9].*"), "refusals are counted");

            Files.delete(filler);
            final long again = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true)
            {
                assertTrue(System.nanoTime() < again, "posts were never accepted again after space was freed");
                final RestClient.Response r = post(rest, user, channelId, "after");
                if (r.status() == 200)
                {
                    acked.add(r.body().get("id").asText());
                    break;
                }
                assertEquals(507, r.status(), r.raw());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            server.kill();
        }
        try (ServerProcess again = ServerProcess.start(data, 2, "os", mount.getParent().resolve(
            mount.getFileName() + "-again.log"), 180, small))
        {
            final RestClient rest = new RestClient(again.restBase());
            final List<String> ids = new ArrayList<>();
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
                    ids.add(m.get("id").asText());
                    before = m.get("id").asText();
                }
            }
            assertTrue(ids.containsAll(acked), "every acknowledged message survives");
            assertEquals(acked.size(), ids.size(), "and nothing refused appears");
        }
    }

    private static RestClient.Response post(final RestClient rest, final RestClient.User user,
        final String channelId, final String content) throws IOException
    {
        return rest.call("POST", "channels/" + channelId + "/messages", user.token(),
            "{\"content\":\"" + content + "\"}");
    }

    private Path fill() throws IOException
    {
        final Path filler = mount.resolve("filler");
        final byte[] chunk = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(filler))
        {
            while (true)
            {
                out.write(chunk);
            }
        }
        catch (final IOException full)
        {
            if (!String.valueOf(full.getMessage()).contains("No space left"))
            {
                throw full;
            }
        }
        return filler;
    }
}
