package dev.pinwheel.server.jda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.JsClients;
import dev.pinwheel.server.TestNode;

/**
 * discord.js {@code WebhookClient.send({username: 'CI'})} (unauthenticated, by the webhook's token) arrives at an
 * unmodified JDA bot as a webhook message: {@code isWebhookMessage()}, the override name, a bot author.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WebhookAcrossLibrariesTest
{
    @Test
    void discordJsWebhookClientReachesJdaAsAWebhookMessage() throws Exception
    {
        final Path dir = JsClients.prepare("webhook.js");
        try (TestNode node = new TestNode(2))
        {
            final TestNode.Pair pair = node.pair("xhook");
            final JsonNode hook = node.ok("POST", "channels/" + pair.channelId() + "/webhooks", pair.owner().token(),
                "{\"name\":\"Builder\"}");
            final JdaEndToEndTest.Recorder events = new JdaEndToEndTest.Recorder();
            final JDA jda = JdaBots.start(pair.member().token(), node.restBase(), node.gatewayUrl(), events);
            try
            {
                final String out = JsClients.run(dir, 120, Map.of(), "node", "webhook.js",
                    Integer.toString(node.port()), hook.path("id").asText(), hook.path("token").asText());
                assertTrue(out.contains("SENT "), out);
                final String[] sent = out.substring(out.indexOf("SENT ") + 5).trim().split("\\s+");
                assertEquals(hook.path("id").asText(), sent[1], out);
                assertEquals("CI", sent[2], out);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                MessageReceivedEvent got = null;
                while (got == null && System.nanoTime() < deadline)
                {
                    final GenericEvent e = events.events.poll(500, TimeUnit.MILLISECONDS);
                    if (e instanceof MessageReceivedEvent m && m.getMessageId().equals(sent[0]))
                    {
                        got = m;
                    }
                }
                assertTrue(got != null, "JDA received the webhook's message");
                assertTrue(got.isWebhookMessage());
                assertTrue(got.getMessage().isWebhookMessage());
                assertEquals("CI", got.getAuthor().getName());
                assertTrue(got.getAuthor().isBot());
                assertEquals("built by CI", got.getMessage().getContentRaw());
            }
            finally
            {
                JdaBots.stop(jda);
            }
        }
    }
}
