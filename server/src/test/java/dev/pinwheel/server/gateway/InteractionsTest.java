package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Interactions end to end over real sockets: a person invokes a registered slash command ({@code POST
 * /interactions}), the bot's session gets INTERACTION_CREATE with the checked options, resolved users and the
 * invoker's permissions; the bot answers once (a second answer is 40060), follows up and edits the original through
 * {@code /webhooks/{app}/{token}}; ephemeral replies reach only the invoker and are not in history; an unanswered
 * interaction fails after 3 s; buttons are validated and kept, a click is a type 3 interaction and an update edits
 * the message for everyone; autocomplete and modals round-trip.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InteractionsTest
{
    private static final long INTENTS = GatewayTestClient.ALL_MESSAGES;

    @Test
    void aPersonInvokesACommandAndTheBotAnswers()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User alice = node.register("ix-alice", false);
            final TestNode.User carol = node.register("ix-carol", false);
            final TestNode.User bot = node.register("ix-bot");
            final JsonNode guild = node.createGuild(alice, "ix-guild");
            final String guildId = guild.path("id").asText();
            final String channel = guild.path("channels").get(0).path("id").asText();
            node.join(alice, channel, bot);
            node.join(alice, channel, carol);
            final JsonNode commands = node.ok("PUT", "applications/" + bot.id() + "/guilds/" + guildId + "/commands",
                bot.token(), "[{\"name\":\"greet\",\"description\":\"Greets\",\"options\":["
                    + "{\"name\":\"who\",\"description\":\"whom\",\"type\":6,\"required\":true},"
                    + "{\"name\":\"times\",\"description\":\"n\",\"type\":4,\"min_value\":1,\"max_value\":3},"
                    + "{\"name\":\"word\",\"description\":\"w\",\"type\":3,\"autocomplete\":true}]},"
                    + "{\"name\":\"purge\",\"description\":\"admins\",\"default_member_permissions\":\"8\"}]");
            final String greet = commands.get(0).path("id").asText();

            try (GatewayTestClient b = GatewayTestClient.connect(node.gatewayUrl());
                 GatewayTestClient a = GatewayTestClient.connect(node.gatewayUrl());
                 GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl()))
            {
                b.identifyAndAwait(bot.token(), INTENTS, 1);
                a.identifyAndAwait(alice.token(), INTENTS, 1);
                c.identifyAndAwait(carol.token(), INTENTS, 1);

                // bad options: 50035 at the option, nothing reaches the bot
                final TestNode.Response bad = node.call("POST", "interactions", alice.token(),
                    invoke(bot, guildId, channel, greet, "greet", "[{\"name\":\"times\",\"type\":4,\"value\":9},"
                        + "{\"name\":\"who\",\"type\":6,\"value\":\"" + carol.id() + "\"}]", "n0"));
                assertEquals(400, bad.status(), bad.raw().body());
                assertEquals(50035, bad.body().path("code").asInt());
                assertTrue(bad.body().path("errors").path("data").path("options").path("0").has("value"),
                    bad.raw().body());
                assertEquals(400, node.call("POST", "interactions", alice.token(), invoke(bot, guildId, channel,
                    greet, "greet", "[]", "n0")).status(), "a required option is missing");
                assertEquals(10063, node.call("POST", "interactions", alice.token(), invoke(bot, guildId, channel,
                    "123", "greet", "[]", "n0")).body().path("code").asInt(), "no such command");
                final TestNode.Response notAdmin = node.call("POST", "interactions", carol.token(), invoke(bot,
                    guildId, channel, commands.get(1).path("id").asText(), "purge", "[]", "n0"));
                assertEquals(50013, notAdmin.body().path("code").asInt(), "default_member_permissions");
                assertEquals(20001, node.call("POST", "interactions", bot.token(), invoke(bot, guildId, channel,
                    greet, "greet", "[]", "n0")).body().path("code").asInt(), "bots do not invoke");

                // a good one: INTERACTION_CREATE to the bot with resolved users and permissions
                assertEquals(204, node.call("POST", "interactions", alice.token(), invoke(bot, guildId, channel,
                    greet, "greet", "[{\"name\":\"who\",\"type\":6,\"value\":\"" + carol.id() + "\"},"
                        + "{\"name\":\"times\",\"type\":4,\"value\":2}]", "n1")).status());
                final JsonNode ix = b.nextDispatch("INTERACTION_CREATE").path("d");
                assertEquals(2, ix.path("type").asInt());
                assertEquals(bot.id(), ix.path("application_id").asText());
                assertEquals("greet", ix.path("data").path("name").asText());
                assertEquals(guildId, ix.path("data").path("guild_id").asText());
                assertEquals(2, ix.path("data").path("options").get(1).path("value").asInt());
                assertEquals("ix-carol", ix.path("data").path("resolved").path("users").path(carol.id())
                    .path("username").asText());
                assertTrue(ix.path("data").path("resolved").path("members").has(carol.id()));
                assertEquals(alice.id(), ix.path("member").path("user").path("id").asText());
                assertFalse(ix.path("member").path("permissions").asText("").isEmpty());
                assertFalse(ix.path("app_permissions").asText("").isEmpty());
                assertEquals(1, ix.path("version").asInt());
                assertTrue(ix.path("entitlements").isArray());
                assertEquals(guildId, ix.path("authorizing_integration_owners").path("0").asText());

                final String id = ix.path("id").asText();
                final String token = ix.path("token").asText();
                final String callback = "interactions/" + id + "/" + token + "/callback";
                assertEquals(204, node.call("POST", callback, null,
                    "{\"type\":4,\"data\":{\"content\":\"hello carol\"}}").status());
                assertEquals("n1", a.nextDispatch("INTERACTION_SUCCESS").path("d").path("nonce").asText());
                final JsonNode reply = c.nextDispatch("MESSAGE_CREATE").path("d");
                assertEquals("hello carol", reply.path("content").asText());
                assertEquals(20, reply.path("type").asInt());
                assertEquals(bot.id(), reply.path("author").path("id").asText());
                assertEquals(id, reply.path("interaction_metadata").path("id").asText());
                assertEquals(alice.id(), reply.path("interaction_metadata").path("user").path("id").asText());
                assertEquals("greet", reply.path("interaction").path("name").asText());
                final TestNode.Response twice = node.call("POST", callback, null,
                    "{\"type\":4,\"data\":{\"content\":\"again\"}}");
                assertEquals(400, twice.status());
                assertEquals(40060, twice.body().path("code").asInt());

                // follow-up, edit and read of the original through the interaction's webhook
                final String hook = "webhooks/" + bot.id() + "/" + token;
                final JsonNode follow = node.ok("POST", hook + "?wait=true", null, "{\"content\":\"and more\"}");
                assertEquals("and more", c.nextDispatch("MESSAGE_CREATE").path("d").path("content").asText());
                assertEquals(reply.path("id").asText(), follow.path("interaction_metadata")
                    .path("original_response_message_id").asText());
                assertEquals("edited", node.ok("PATCH", hook + "/messages/@original", null,
                    "{\"content\":\"edited\"}").path("content").asText());
                assertEquals("edited", c.nextDispatch("MESSAGE_UPDATE").path("d").path("content").asText());
                assertEquals("edited", node.ok("GET", hook + "/messages/@original", null, null).path("content")
                    .asText());
                assertEquals(204, node.call("DELETE", hook + "/messages/" + follow.path("id").asText(), null, null)
                    .status());
                assertEquals(follow.path("id").asText(), c.nextDispatch("MESSAGE_DELETE").path("d").path("id")
                    .asText());
                assertEquals(10015, node.call("POST", "webhooks/" + bot.id() + "/not-a-token", null,
                    "{\"content\":\"x\"}").body().path("code").asInt());
                // no Authorization on these routes: one interaction's requests are limited (5 per 2 s), with
                // Discord's 429 body and headers
                TestNode.Response limited = null;
                for (int i = 0; i < 12 && limited == null; i++)
                {
                    final TestNode.Response got = node.call("GET", hook + "/messages/@original", null, null);
                    if (got.status() == 429)
                    {
                        limited = got;
                    }
                }
                assertTrue(limited != null, "no 429 after 12 requests on one interaction's webhook");
                assertEquals("You are being rate limited.", limited.body().path("message").asText());
                assertTrue(limited.body().path("retry_after").asDouble() > 0);
                assertTrue(limited.raw().headers().firstValue("retry-after").isPresent());

                // ephemeral: only the invoker, never in history
                node.ok("POST", "interactions", alice.token(), invoke(bot, guildId, channel, greet, "greet",
                    "[{\"name\":\"who\",\"type\":6,\"value\":\"" + alice.id() + "\"}]", "n2"));
                final JsonNode ix2 = b.nextDispatch("INTERACTION_CREATE").path("d");
                assertEquals(204, node.call("POST", "interactions/" + ix2.path("id").asText() + "/"
                    + ix2.path("token").asText() + "/callback", null,
                    "{\"type\":4,\"data\":{\"content\":\"psst\",\"flags\":64}}").status());
                final JsonNode eph = a.next(n -> "MESSAGE_CREATE".equals(n.path("t").asText())
                    && "psst".equals(n.path("d").path("content").asText()), "the ephemeral reply").path("d");
                assertEquals(64, eph.path("flags").asInt() & 64);
                node.ok("POST", "channels/" + channel + "/messages", alice.token(), "{\"content\":\"marker\"}");
                assertEquals("marker", c.nextDispatch("MESSAGE_CREATE").path("d").path("content").asText(),
                    "carol never saw the ephemeral reply");
                final JsonNode history = node.ok("GET", "channels/" + channel + "/messages", carol.token(), null);
                for (final JsonNode m : history)
                {
                    assertFalse("psst".equals(m.path("content").asText()), "ephemeral messages are not kept");
                }

                // unanswered: the invoker hears INTERACTION_FAILURE, the token is dead
                node.ok("POST", "interactions", alice.token(), invoke(bot, guildId, channel, greet, "greet",
                    "[{\"name\":\"who\",\"type\":6,\"value\":\"" + alice.id() + "\"}]", "n3"));
                final JsonNode ix3 = b.nextDispatch("INTERACTION_CREATE").path("d");
                assertEquals("n3", a.nextDispatch("INTERACTION_FAILURE").path("d").path("nonce").asText());
                assertEquals(10062, node.call("POST", "interactions/" + ix3.path("id").asText() + "/"
                    + ix3.path("token").asText() + "/callback", null, "{\"type\":4,\"data\":{\"content\":\"late\"}}")
                    .body().path("code").asInt());

                // autocomplete: the focused option's partial value; choices back to the invoker
                node.ok("POST", "interactions", alice.token(), "{\"type\":4,\"application_id\":\"" + bot.id()
                    + "\",\"guild_id\":\"" + guildId + "\",\"channel_id\":\"" + channel + "\",\"nonce\":\"n4\","
                    + "\"data\":{\"id\":\"" + greet + "\",\"name\":\"greet\",\"type\":1,\"options\":["
                    + "{\"name\":\"word\",\"type\":3,\"value\":\"he\",\"focused\":true}]}}");
                final JsonNode ac = b.nextDispatch("INTERACTION_CREATE").path("d");
                assertEquals(4, ac.path("type").asInt());
                assertTrue(ac.path("data").path("options").get(0).path("focused").asBoolean());
                assertEquals(204, node.call("POST", "interactions/" + ac.path("id").asText() + "/"
                    + ac.path("token").asText() + "/callback", null,
                    "{\"type\":8,\"data\":{\"choices\":[{\"name\":\"hello\",\"value\":\"hello\"}]}}").status());
                final JsonNode choices = a.nextDispatch("APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE").path("d");
                assertEquals("n4", choices.path("nonce").asText());
                assertEquals("hello", choices.path("choices").get(0).path("value").asText());
            }
        }
    }

    @Test
    void buttonsAreKeptClickedAndUpdated()
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User alice = node.register("btn-alice", false);
            final TestNode.User carol = node.register("btn-carol", false);
            final TestNode.User bot = node.register("btn-bot");
            final JsonNode guild = node.createGuild(alice, "btn-guild");
            final String guildId = guild.path("id").asText();
            final String channel = guild.path("channels").get(0).path("id").asText();
            node.join(alice, channel, bot);
            node.join(alice, channel, carol);
            final String messages = "channels/" + channel + "/messages";

            final TestNode.Response noStyle = node.call("POST", messages, bot.token(), "{\"content\":\"x\","
                + "\"components\":[{\"type\":1,\"components\":[{\"type\":2,\"label\":\"a\",\"custom_id\":\"a\"}]}]}");
            assertEquals(400, noStyle.status());
            assertTrue(noStyle.body().path("errors").path("components").path("0").path("components").path("0")
                .has("style"), noStyle.raw().body());
            final TestNode.Response linkWithId = node.call("POST", messages, bot.token(), "{\"content\":\"x\","
                + "\"components\":[{\"type\":1,\"components\":[{\"type\":2,\"style\":5,\"label\":\"a\","
                + "\"custom_id\":\"a\",\"url\":\"https://example.com\"}]}]}");
            assertEquals(50035, linkWithId.body().path("code").asInt());

            final JsonNode posted = node.ok("POST", messages, bot.token(), "{\"content\":\"vote\",\"components\":"
                + "[{\"type\":1,\"components\":[{\"type\":2,\"style\":1,\"label\":\"Yes\",\"custom_id\":\"yes\"},"
                + "{\"type\":2,\"style\":5,\"label\":\"Docs\",\"url\":\"https://example.com\"}]},"
                + "{\"type\":1,\"components\":[{\"type\":3,\"custom_id\":\"pick\",\"options\":["
                + "{\"label\":\"A\",\"value\":\"a\"},{\"label\":\"B\",\"value\":\"b\"}]}]}]}");
            final String messageId = posted.path("id").asText();
            assertEquals("yes", posted.path("components").get(0).path("components").get(0).path("custom_id")
                .asText());
            assertEquals("pick", node.ok("GET", messages, carol.token(), null).get(0).path("components").get(1)
                .path("components").get(0).path("custom_id").asText(), "kept, and in history");

            try (GatewayTestClient b = GatewayTestClient.connect(node.gatewayUrl());
                 GatewayTestClient a = GatewayTestClient.connect(node.gatewayUrl());
                 GatewayTestClient c = GatewayTestClient.connect(node.gatewayUrl()))
            {
                b.identifyAndAwait(bot.token(), INTENTS, 1);
                a.identifyAndAwait(alice.token(), INTENTS, 1);
                c.identifyAndAwait(carol.token(), INTENTS, 1);
                assertEquals(400, node.call("POST", "interactions", alice.token(), click(bot, guildId, channel,
                    messageId, "nope", 2, null)).status(), "no such component");
                assertEquals(400, node.call("POST", "interactions", alice.token(), click(bot, guildId, channel,
                    messageId, "pick", 3, "[\"z\"]")).status(), "not an option of the select");
                assertEquals(204, node.call("POST", "interactions", alice.token(), click(bot, guildId, channel,
                    messageId, "yes", 2, null)).status());
                final JsonNode ix = b.nextDispatch("INTERACTION_CREATE").path("d");
                assertEquals(3, ix.path("type").asInt());
                assertEquals("yes", ix.path("data").path("custom_id").asText());
                assertEquals(messageId, ix.path("message").path("id").asText());
                assertEquals(204, node.call("POST", "interactions/" + ix.path("id").asText() + "/"
                    + ix.path("token").asText() + "/callback", null, "{\"type\":7,\"data\":{\"content\":\"1 vote\","
                    + "\"components\":[]}}").status());
                final JsonNode updated = c.nextDispatch("MESSAGE_UPDATE").path("d");
                assertEquals(messageId, updated.path("id").asText());
                assertEquals("1 vote", updated.path("content").asText());
                assertEquals(0, updated.path("components").size());

                // a modal in answer to a select, then its submission (type 5)
                final JsonNode reposted = node.ok("POST", messages, bot.token(), "{\"content\":\"pick\","
                    + "\"components\":[{\"type\":1,\"components\":[{\"type\":3,\"custom_id\":\"pick\",\"options\":["
                    + "{\"label\":\"A\",\"value\":\"a\"}]}]}]}");
                node.ok("POST", "interactions", alice.token(), click(bot, guildId, channel,
                    reposted.path("id").asText(), "pick", 3, "[\"a\"]"));
                final JsonNode sel = b.nextDispatch("INTERACTION_CREATE").path("d");
                assertEquals("a", sel.path("data").path("values").get(0).asText());
                assertEquals(204, node.call("POST", "interactions/" + sel.path("id").asText() + "/"
                    + sel.path("token").asText() + "/callback", null, "{\"type\":9,\"data\":{\"custom_id\":\"why\","
                    + "\"title\":\"Why?\",\"components\":[{\"type\":1,\"components\":[{\"type\":4,"
                    + "\"custom_id\":\"reason\",\"style\":1,\"label\":\"Reason\"}]}]}}").status());
                assertEquals("why", a.nextDispatch("INTERACTION_MODAL_CREATE").path("d").path("custom_id").asText());
                assertEquals(204, node.call("POST", "interactions", alice.token(), "{\"type\":5,\"application_id\":\""
                    + bot.id() + "\",\"guild_id\":\"" + guildId + "\",\"channel_id\":\"" + channel + "\","
                    + "\"data\":{\"custom_id\":\"why\",\"components\":[{\"type\":1,\"components\":[{\"type\":4,"
                    + "\"custom_id\":\"reason\",\"value\":\"because\"}]}]}}").status());
                final JsonNode submit = b.nextDispatch("INTERACTION_CREATE").path("d");
                assertEquals(5, submit.path("type").asInt());
                assertEquals("because", submit.path("data").path("components").get(0).path("components").get(0)
                    .path("value").asText());
                assertEquals(reposted.path("id").asText(), submit.path("message").path("id").asText());
            }
        }
    }

    private static String invoke(final TestNode.User bot, final String guildId, final String channel,
        final String commandId, final String name, final String options, final String nonce)
    {
        return "{\"type\":2,\"application_id\":\"" + bot.id() + "\",\"guild_id\":\"" + guildId + "\",\"channel_id\":\""
            + channel + "\",\"session_id\":\"s\",\"nonce\":\"" + nonce + "\",\"data\":{\"id\":\"" + commandId
            + "\",\"name\":\"" + name + "\",\"type\":1,\"options\":" + options + "}}";
    }

    private static String click(final TestNode.User bot, final String guildId, final String channel,
        final String messageId, final String customId, final int componentType, final String values)
    {
        return "{\"type\":3,\"application_id\":\"" + bot.id() + "\",\"guild_id\":\"" + guildId + "\",\"channel_id\":\""
            + channel + "\",\"message_id\":\"" + messageId + "\",\"nonce\":\"c\",\"data\":{\"custom_id\":\""
            + customId + "\",\"component_type\":" + componentType + (values == null ? "" : ",\"values\":" + values)
            + "}}";
    }
}
