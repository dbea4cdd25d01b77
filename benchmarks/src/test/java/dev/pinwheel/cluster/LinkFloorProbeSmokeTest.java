package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code link-floor-probe} at a size a test can afford, so that it cannot rot: both channels carry round trips back to
 * back and paced, and the idle CPU is read. Counts only: the figures are the box's.
 */
class LinkFloorProbeSmokeTest
{
    @TempDir
    Path out;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void udpAndIpcRoundTrips() throws Exception
    {
        LinkFloorProbe.main(new String[] {"--count", "200", "--paced-count", "20", "--paced-us", "2000",
            "--idle-seconds", "1", "--ipc-parks-us", "1000", "--out", out.toString()});
        final Path json;
        try (Stream<Path> files = Files.list(out))
        {
            json = files.filter(p -> p.getFileName().toString().matches("link-floor-\\d+\\.json")).findFirst()
                .orElseThrow();
        }
        final JsonNode variants = new ObjectMapper().readTree(json.toFile()).path("variants");
        assertEquals(2, variants.size(), "udp and one ipc variant");
        for (final JsonNode v : variants)
        {
            // bounded by time on a loaded box: some round trips, never none
            assertTrue(v.path("b2b_n").asLong() > 0, "back-to-back round trips of " + v.path("variant"));
            assertTrue(v.path("paced_n").asLong() > 0, "paced round trips of " + v.path("variant"));
            assertTrue(v.path("paced_p50_us").asDouble() > 0, "a measured round trip of " + v.path("variant"));
            assertTrue(v.has("idle_cpu_percent_of_core"));
        }
        assertTrue(variants.get(0).path("variant").asText().startsWith("udp"));
        assertTrue(variants.get(1).path("variant").asText().startsWith("ipc"));
    }
}
