package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unmodified discord.js (a second real client library, from npm) against a Pinwheel node. The library is
 * installed into {@code target/js-clients} on first use; without node/npm this test fails and says so.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DiscordJsCompatibilityTest
{
    static final String DISCORD_JS = "discord.js@14.28.1";

    private static String run(final Path dir, final long timeoutSeconds, final String... command)
        throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final byte[][] out = new byte[1][];
        final Thread reader = Thread.ofPlatform().start(() ->
        {
            try
            {
                out[0] = p.getInputStream().readAllBytes();
            }
            catch (final IOException e)
            {
                out[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        final String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
        if (p.exitValue() != 0)
        {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    @Test
    void discordJsClientsLogInAndExchangeMessages() throws Exception
    {
        final Path dir = Path.of("target", "js-clients").toAbsolutePath();
        Files.createDirectories(dir);
        if (!Files.isDirectory(dir.resolve("node_modules/discord.js")))
        {
            try
            {
                Files.writeString(dir.resolve("package.json"), "{\"name\":\"pinwheel-js-clients\",\"private\":true}");
                run(dir, 180, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", DISCORD_JS);
            }
            catch (final IOException e)
            {
                throw new AssertionError("node and npm are needed for this test (apt-get install nodejs npm): " + e);
            }
        }
        Files.copy(Path.of("src/test/resources/discordjs/smoke.js"), dir.resolve("smoke.js"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (TestNode node = new TestNode(2))
        {
            final String out = run(dir, 120, "node", "smoke.js", Integer.toString(node.port()));
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK ready", "OK message", "OK edit", "OK delete", "OK history"), ok, out);
            assertTrue(!out.contains("FAIL"), out);
        }
    }
}
