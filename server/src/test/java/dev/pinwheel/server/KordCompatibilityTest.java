package dev.pinwheel.server;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unmodified Kord 0.15 (Kotlin) against one Pinwheel node ({@link KordClient}): two bots and a person — the guild
 * through the gateway, messages, edits, reactions and reactors, history, pins, deletes and a bulk delete, a DM, a
 * role, a channel and a nickname, the application, a slash command, a file, a presence, one of each guild event,
 * REST reads, components (a button, a select, a modal, a deferred answer and a followup), reactions taken back, a
 * category, the member list, a timeout, a kick, commands and webhooks listed and edited, a ban, and a resume after
 * the connection is dropped mid-stream. What Kord needed that the other five libraries did not: {@code intents} as a
 * string of digits (Kord sends every bit set so, and Discord takes it), READY's and RESUMED's {@code _trace}, a
 * guild's {@code region} ("deprecated") and {@code application_id}; and it found that a deleted channel's webhooks
 * outlived it and that a numeric {@code parent_id} was ignored. The same program on a cluster: {@code ClusterKordTest}.
 */
@Tag("external")
@Tag("maven")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KordCompatibilityTest
{
    @Test
    void kordBotsChatReactModerateAndResume() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            KordClient.runSmoke(node.port());
        }
    }
}
