package dev.pinwheel.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unmodified Eris 0.18 (pinned in {@link JsClients#ERIS}: the library Oceanic.js was forked from, with its own REST
 * client and gateway) against a Pinwheel node: {@code src/test/resources/eris/smoke.js} — two bots: READY and the
 * guild cache, messages, edits, reactions and reactors, history, pins, typing, a role given to a member, a channel
 * created and renamed, a delete. Its REST speaks HTTPS to a host name only, so the script hands it a plain-TCP agent
 * (its documented {@code rest.agent} option) and the node names its gateway host ({@code public-host}). It needed
 * nothing else.
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ErisCompatibilityTest
{
    @Test
    void erisBotsChatReactAndManageTheGuild() throws Exception
    {
        final Path dir = JsClients.prepare("eris", "smoke.js");
        try (TestNode node = new TestNode(2, null, g -> g.publicHost("127.0.0.1")))
        {
            final String out = JsClients.run(dir, 200, Map.of(), "node", "eris/smoke.js",
                Integer.toString(node.port()));
            JsClients.assertSteps(out, List.of("OK ready", "OK message", "OK edit", "OK reaction", "OK history",
                "OK pins", "OK typing", "OK roles", "OK channels", "OK delete", "OK done"), "eris error", "Eris");
        }
    }
}
