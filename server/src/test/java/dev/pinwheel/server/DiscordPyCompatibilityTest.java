package dev.pinwheel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unmodified discord.py (Debian's {@code python3-discord}, a third real client library and the first not on the
 * JVM or node) against a Pinwheel node: two bots log in, exchange, edit and delete a message and read history
 * ({@code src/test/resources/discordpy/smoke.py}). Debian installs the library for {@code /usr/bin/python3};
 * without it this test fails and says how to install it ({@code .ci/install-python-discord.sh} does in CI).
 */
@Tag("external")
@Tag("python")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DiscordPyCompatibilityTest
{
    /** The interpreter Debian's package installs for first, then whatever {@code python3} is on the PATH. */
    private static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");

    @Test
    void discordPyClientsLogInAndExchangeMessages() throws Exception
    {
        final String python = pythonWithDiscord();
        final Path dir = Path.of("src/test/resources/discordpy").toAbsolutePath();
        try (TestNode node = new TestNode(2))
        {
            final String out = JsClients.run(dir, 120, Map.of("PYTHONDONTWRITEBYTECODE", "1"), python, "smoke.py",
                Integer.toString(node.port()));
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK ready", "OK message", "OK edit", "OK delete", "OK history", "OK members",
                "OK purge", "OK embed", "OK reaction", "OK commands"), ok, out);
            assertTrue(!out.contains("FAIL"), out);
        }
    }

    /**
     * A person invokes a bot's slash commands as Discord's client does ({@code POST /interactions}); the
     * {@code @app_commands.command} callbacks run and answer; an ephemeral answer reaches only the invoker
     * ({@code src/test/resources/discordpy/interactions.py}).
     */
    @Test
    void appCommandCallbacksRunWhenAPersonInvokesThem() throws Exception
    {
        final String python = pythonWithDiscord();
        final Path dir = Path.of("src/test/resources/discordpy").toAbsolutePath();
        try (TestNode node = new TestNode(2))
        {
            final String out = JsClients.run(dir, 120, Map.of("PYTHONDONTWRITEBYTECODE", "1"), python,
                "interactions.py", Integer.toString(node.port()));
            final List<String> ok = out.lines().filter(l -> l.startsWith("OK ")).toList();
            assertEquals(List.of("OK sync", "OK invoke", "OK ephemeral"), ok, out);
            assertTrue(!out.contains("FAIL"), out);
        }
    }

    /**
     * @return the first interpreter that imports {@code discord}.
     * @throws AssertionError naming the package to install when none does.
     */
    private static String pythonWithDiscord() throws InterruptedException
    {
        final List<String> tried = new ArrayList<>();
        for (final String python : PYTHONS)
        {
            if (python.startsWith("/") && !Files.isExecutable(Path.of(python)))
            {
                tried.add(python + ": not installed");
                continue;
            }
            try
            {
                final String out = JsClients.run(Path.of(".").toAbsolutePath(), 60, Map.of(), python, "-c",
                    "import discord; print('discord.py', discord.__version__)");
                if (out.contains("discord.py 2."))
                {
                    return python;
                }
                tried.add(python + ": " + out.strip());
            }
            catch (final AssertionError e)
            {
                tried.add(python + ": " + e.getMessage().strip().lines().reduce((a, b) -> b).orElse(""));
            }
        }
        throw new AssertionError("python3 with discord.py 2.x is needed for this test (apt-get install "
            + "python3-discord, or run .ci/install-python-discord.sh); tried " + tried);
    }
}
