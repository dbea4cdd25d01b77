package dev.pinwheel.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unmodified Detritus ({@code detritus-client} 0.16, pinned in {@link JsClients#DETRITUS}: REST on API v9 and a
 * gateway of its own) against a Pinwheel node, pointed there only through its documented {@code rest.baseUrl}:
 * {@code src/test/resources/detritus/smoke.js} — two bots: READY and the guild cache, messages, edits, reactions and
 * reactors, history, typing, a role given to a member, a channel made and renamed, a delete; the run also fails on
 * any warning Detritus printed. What it needed: {@code GET /applications/detectable} (it loads the list at every
 * READY; Pinwheel took "detectable" for an application id and answered 404, which Detritus warned about).
 */
@Tag("external")
@Tag("node")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DetritusCompatibilityTest
{
    @Test
    void detritusBotsChatReactAndManageTheGuild() throws Exception
    {
        final Path dir = JsClients.prepare("detritus", "smoke.js");
        try (TestNode node = new TestNode(2))
        {
            final String out = JsClients.run(dir, 200, Map.of(), "node", "detritus/smoke.js",
                Integer.toString(node.port()));
            JsClients.assertSteps(out, List.of("OK ready", "OK message", "OK edit", "OK reaction", "OK history",
                "OK typing", "OK roles", "OK channels", "OK delete", "OK done"), "detritus warn", "Detritus");
        }
    }
}
