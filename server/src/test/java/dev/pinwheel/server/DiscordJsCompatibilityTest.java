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
 * Unmodified discord.js (a second real client library, from npm) against a Pinwheel node. The library is
 * installed into {@code target/js-clients} on first use ({@link JsClients}); without node/npm this test fails
 * and says so.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DiscordJsCompatibilityTest
{
    @Test
    void discordJsClientsLogInAndExchangeMessages() throws Exception
    {
        final Path dir = JsClients.prepare("smoke.js");
        try (TestNode node = new TestNode(2))
        {
            final String out = JsClients.run(dir, 120, Map.of(), "node", "smoke.js", Integer.toString(node.port()));
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK ready", "OK message", "OK edit", "OK delete", "OK history", "OK embed"), ok, out);
            assertTrue(!out.contains("FAIL"), out);
        }
    }

    /**
     * Buttons and slash commands with discord.js: a click answered with {@code interaction.update()} reaches every
     * client as MESSAGE_UPDATE; {@code deferReply()} + {@code editReply()} + an ephemeral {@code followUp()}
     * ({@code src/test/resources/discordjs/interactions.js}).
     */
    @Test
    void discordJsAnswersButtonClicksAndSlashCommands() throws Exception
    {
        final Path dir = JsClients.prepare("interactions.js");
        try (TestNode node = new TestNode(2))
        {
            final String out = JsClients.run(dir, 120, Map.of(), "node", "interactions.js",
                Integer.toString(node.port()));
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK buttons", "OK update", "OK deferred"), ok, out);
            assertTrue(!out.contains("FAIL"), out);
        }
    }
}
