package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unmodified Oceanic.js (npm, pinned in {@link JsClients#OCEANIC}: a node library with its own REST client and
 * gateway, not built on discord.js) against a Pinwheel node, pointed there only through its documented options
 * ({@code rest.baseURL}; the gateway URL comes from {@code GET /gateway/bot}). Same flow as the discord.js test:
 * {@code src/test/resources/oceanic/smoke.js}. Without node/npm this test fails and says so.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OceanicCompatibilityTest
{
    @Test
    void oceanicClientsLogInAndExchangeMessages() throws Exception
    {
        final Path dir = JsClients.prepare("oceanic", "smoke.js");
        try (TestNode node = new TestNode(2))
        {
            final String out = JsClients.run(dir, 120, Map.of(), "node", "oceanic/smoke.js",
                Integer.toString(node.port()));
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK ready", "OK message", "OK edit", "OK delete", "OK history", "OK members",
                "OK purge"), ok, out);
            assertTrue(!out.contains("FAIL"), out);
        }
    }
}
