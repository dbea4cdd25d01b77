package dev.pinwheel.server;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unmodified Discord4J 3.2 against one Pinwheel node ({@link Discord4jClient}): two bots and a person — the member
 * list, messages, edits, reactions, history, pins, deletes, a DM, a role and a channel, the application, a slash
 * command, a file, a presence, a ban, one of each guild event, REST reads, and a resume after the connection is
 * dropped mid-stream. What Discord4J needed that the other libraries did not: API v8 (REST and gateway; Discord
 * still serves it, deprecated), {@code t} and {@code s} on every gateway payload (null outside dispatches, as
 * Discord sends them), an application's {@code summary}, and an {@code id} on every activity of a presence.
 * The same program on a cluster: {@code ClusterDiscord4jTest}.
 */
@Tag("external")
@Tag("maven")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Discord4jCompatibilityTest
{
    @Test
    void discord4jBotsChatReactModerateAndResume() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            Discord4jClient.runSmoke(node.port());
        }
    }
}
