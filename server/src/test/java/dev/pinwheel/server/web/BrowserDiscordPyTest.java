package dev.pinwheel.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * The proof end to end: an unmodified discord.py bot ({@code src/test/resources/discordpy/web_bot.py}) runs in
 * a guild; a person in the web client (Chromium driven by Playwright, {@code web-tests/dpy/invoke.test.js}) picks its
 * {@code /hello} command in the {@code /} picker and runs it; the {@code @app_commands.command} callback runs (the
 * bot prints who invoked it) and its answer appears in the page. Needs what {@link BrowserTest} and
 * {@code DiscordPyCompatibilityTest} need (Chromium, node, Debian's python3-discord).
 */
@Tag("external")
@Tag("browser")
@Tag("python")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BrowserDiscordPyTest
{
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void theWebClientInvokesADiscordPyCommand() throws Exception
    {
        BrowserTest.requireTools();
        BrowserTest.installPlaywright();
        if (!Files.isExecutable(PYTHON))
        {
            fail("python3 with discord.py is needed (apt-get install python3-discord, .ci/install-python-discord.sh)");
        }
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User dana = node.register("dpyweb-dana", false);
            final TestNode.User bot = node.register("dpyweb-bot");
            final JsonNode guild = node.createGuild(dana, "dpy-web");
            final String channel = guild.path("channels").get(0).path("id").asText();
            node.join(dana, channel, bot);
            final Process py = new ProcessBuilder(PYTHON.toString(), "web_bot.py", Integer.toString(node.port()),
                bot.token(), guild.path("id").asText()).directory(Path.of("src/test/resources/discordpy").toFile())
                .redirectErrorStream(true).start();
            final StringBuilder out = new StringBuilder();
            final CompletableFuture<Void> synced = new CompletableFuture<>();
            final CompletableFuture<String> callback = new CompletableFuture<>();
            final Thread reader = Thread.ofPlatform().name("web-bot-output").start(() ->
            {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(py.getInputStream(),
                    StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = in.readLine()) != null)
                    {
                        synchronized (out)
                        {
                            out.append(line).append('\n');
                        }
                        if (line.equals("OK synced"))
                        {
                            synced.complete(null);
                        }
                        else if (line.startsWith("OK callback "))
                        {
                            callback.complete(line.substring("OK callback ".length()));
                        }
                    }
                }
                catch (final java.io.IOException e)
                {
                    synced.completeExceptionally(e);
                }
            });
            try
            {
                try
                {
                    synced.get(60, TimeUnit.SECONDS);
                }
                catch (final java.util.concurrent.TimeoutException e)
                {
                    synchronized (out)
                    {
                        fail("the discord.py bot did not sync its command:\n" + out);
                    }
                }
                final BrowserTest.Run r = BrowserTest.run(BrowserTest.WEB_TESTS, Map.of(
                        "PINWHEEL_URL", "http://127.0.0.1:" + node.port(),
                        "CHROMIUM_PATH", BrowserTest.CHROMIUM.toString(),
                        "USER_TOKEN", dana.token(), "USERNAME", dana.username(),
                        "GUILD_ID", guild.path("id").asText(), "CHANNEL_ID", channel),
                    180, List.of("node", "--test", "--test-reporter=spec", "dpy/"));
                assertEquals(0, r.exit(), "the browser scenario failed:\n" + r.output());
                assertEquals(dana.username(), callback.get(10, TimeUnit.SECONDS), "the callback ran for dana");
                synchronized (out)
                {
                    assertTrue(!out.toString().contains("Traceback"), out.toString());
                }
            }
            finally
            {
                py.descendants().forEach(ProcessHandle::destroyForcibly);
                py.destroyForcibly();
                py.waitFor(10, TimeUnit.SECONDS);
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
