package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory belongs to one process: a second server on a directory in use refuses to start at once and names
 * the holder's pid; after the holder is killed with SIGKILL (its lock file left behind), a restart is not blocked
 * and serves every message the first one acknowledged.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DataDirectoryLockTest
{
    @TempDir
    Path dir;

    @Test
    void aSecondServerOnADirectoryInUseRefusesAndAKilledHoldersLockDoesNotBlockARestart() throws Exception
    {
        final Path data = dir.resolve("data");
        final List<String> acked = new ArrayList<>();
        final String channelId;
        final RestClient.User user;
        try (ServerProcess first = ServerProcess.start(data, 1, "os", dir.resolve("first.log"), 180))
        {
            final RestClient rest = new RestClient(first.restBase());
            user = rest.register("holder");
            channelId = rest.ok("POST", "guilds", user.token(), "{\"name\":\"locked\"}")
                .get("channels").get(0).get("id").asText();
            for (int i = 0; i < 20; i++)
            {
                acked.add(rest.ok("POST", "channels/" + channelId + "/messages", user.token(),
                    "{\"content\":\"before " + i + "\"}").get("id").asText());
            }

            final Path secondLog = dir.resolve("second.log");
            final int exit = ServerProcess.runExpectingRefusal(data, secondLog, 120);
            final String output = Files.readString(secondLog);
            assertNotEquals(0, exit, output);
            assertTrue(output.contains("is in use by process " + first.pid()), output);
            assertTrue(!output.contains("Pinwheel is serving"), output);

            // the holder is untouched by the attempt
            acked.add(rest.ok("POST", "channels/" + channelId + "/messages", user.token(),
                "{\"content\":\"after the refused start\"}").get("id").asText());
            first.kill();
        }
        assertTrue(Files.exists(data.resolve("pinwheel.lock")), "a killed holder leaves its lock file");
        try (ServerProcess again = ServerProcess.start(data, 1, "os", dir.resolve("again.log"), 180))
        {
            final RestClient rest = new RestClient(again.restBase());
            final JsonNode page = rest.ok("GET", "channels/" + channelId + "/messages?limit=100", user.token(), null);
            final List<String> ids = new ArrayList<>();
            page.forEach(m -> ids.add(m.get("id").asText()));
            assertEquals(acked.size(), ids.size(), page.toString());
            assertTrue(ids.containsAll(acked), page.toString());
            assertEquals(Long.toString(again.pid()), Files.readString(data.resolve("pinwheel.lock")).trim());
        }
    }
}
