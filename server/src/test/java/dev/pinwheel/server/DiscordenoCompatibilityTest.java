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
 * Unmodified Discordeno 21 ({@code @discordeno/bot}, pinned in {@link JsClients#DISCORDENO}: its own REST manager
 * and gateway, every payload run through its transformers) against a Pinwheel node, pointed there only through its
 * documented option ({@code rest.proxy.baseUrl}; the gateway URL comes from {@code GET /gateway/bot}):
 * {@code src/test/resources/discordeno/smoke.js} — two bots and a person: messages, edits, reactions and reactors,
 * history and pins, deletes, a DM, a role, a channel and a nickname, the application, a slash command, a file, a
 * presence, one of each guild event, REST reads and a ban; the test also fails if Discordeno logged an error. What it
 * needed that the other libraries did not: {@code guild_id} on every presence of GUILD_CREATE (its transformer reads
 * it and threw, so the bot never saw its guild).
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DiscordenoCompatibilityTest
{
    @Test
    void discordenoBotsChatReactAndModerate() throws Exception
    {
        final Path dir = JsClients.prepare("discordeno", "smoke.js");
        try (TestNode node = new TestNode(2))
        {
            final String out = JsClients.run(dir, 200, Map.of(), "node", "discordeno/smoke.js",
                Integer.toString(node.port()));
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK ready", "OK message", "OK edit", "OK reaction", "OK history", "OK delete",
                "OK dm", "OK guild", "OK application", "OK command", "OK file", "OK presence", "OK events", "OK rest",
                "OK ban"), ok, out);
            assertTrue(!out.contains("FAIL"), out);
        }
    }
}
