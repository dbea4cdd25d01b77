package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * The smaller REST faults of the adversarial run, each answered as Discord answers it: a DM needs a guild in common
 * (50007), an edit may not empty a message (50006), application command options within Discord's limits (50035
 * with the field's path), embed links http(s) only (50035), bulk delete in a DM (50003), a wrong method on a known
 * route is 405 before the token is looked at, and HEAD is GET without a body.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestProtocolFaultsTest
{
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    private static TestNode node;
    private static TestNode.Pair pair;
    /** A person in the pair's guild (two bots cannot DM each other). */
    private static TestNode.User human;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1);
        pair = node.pair("faults");
        human = node.register("faults-human", false);
        node.join(pair.owner(), pair.channelId(), human);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static JsonNode assertError(final TestNode.Response r, final int status, final int code)
    {
        assertEquals(status, r.status(), r.raw().body());
        assertEquals(code, r.body().path("code").asInt(), r.raw().body());
        assertTrue(r.body().path("message").isTextual(), r.raw().body());
        return r.body();
    }

    private static void assertFormError(final TestNode.Response r, final String... path)
    {
        JsonNode at = assertError(r, 400, 50035).path("errors");
        for (final String key : path)
        {
            at = at.path(key);
        }
        assertTrue(at.path("_errors").isArray() && at.path("_errors").size() == 1, "errors." + String.join(".", path)
            + "._errors in " + r.raw().body());
    }

    private static String dm(final TestNode.User from, final TestNode.User to)
    {
        return node.ok("POST", "users/@me/channels", from.token(), "{\"recipient_id\":\"" + to.id() + "\"}")
            .path("id").asText();
    }

    @Test
    void aDirectMessageNeedsAGuildInCommon()
    {
        final TestNode.User stranger = node.register("faults-stranger", false);
        final TestNode.Response refused = node.call("POST", "users/@me/channels", stranger.token(),
            "{\"recipient_id\":\"" + pair.owner().id() + "\"}");
        assertError(refused, 403, 50007);
        assertEquals("Cannot send messages to this user", refused.body().path("message").asText());
        node.join(pair.owner(), pair.channelId(), stranger);
        assertEquals(1, node.ok("POST", "users/@me/channels", stranger.token(), "{\"recipient_id\":\""
            + pair.owner().id() + "\"}").path("type").asInt(), "with a guild in common");
    }

    @Test
    void anEditMayNotLeaveAMessageEmpty()
    {
        final String messages = "channels/" + pair.channelId() + "/messages";
        final String plain = node.ok("POST", messages, pair.owner().token(), "{\"content\":\"words\"}").path("id")
            .asText();
        assertError(node.call("PATCH", messages + "/" + plain, pair.owner().token(), "{\"content\":\"\"}"), 400,
            50006);
        assertError(node.call("PATCH", messages + "/" + plain, pair.owner().token(), "{\"content\":\"  \"}"), 400,
            50006);
        assertEquals("words", node.ok("GET", messages + "/" + plain, pair.owner().token(), null).path("content")
            .asText(), "unchanged");
        final String embedded = node.ok("POST", messages, pair.owner().token(), "{\"content\":\"text\",\"embeds\":"
            + "[{\"title\":\"kept\"}]}").path("id").asText();
        assertEquals("", node.ok("PATCH", messages + "/" + embedded, pair.owner().token(), "{\"content\":\"\"}")
            .path("content").asText(), "an embed is enough to keep");
        assertError(node.call("PATCH", messages + "/" + plain, pair.owner().token(),
            "{\"content\":\"\",\"embeds\":[]}"), 400, 50006);

        final String channel = dm(pair.owner(), human);
        final String dmMessage = node.ok("POST", "channels/" + channel + "/messages", pair.owner().token(),
            "{\"content\":\"hello\"}").path("id").asText();
        assertError(node.call("PATCH", "channels/" + channel + "/messages/" + dmMessage, pair.owner().token(),
            "{\"content\":\"\"}"), 400, 50006);
        assertEquals("hi", node.ok("PATCH", "channels/" + channel + "/messages/" + dmMessage, pair.owner().token(),
            "{\"content\":\"hi\"}").path("content").asText());
    }

    @Test
    void commandOptionsOutsideDiscordsLimitsAre50035WithTheirPath()
    {
        final String base = "applications/" + pair.member().id() + "/commands";
        final String bot = pair.member().token();
        final StringBuilder choices = new StringBuilder();
        for (int i = 0; i < 1000; i++)
        {
            choices.append(i == 0 ? "" : ",").append("{\"name\":\"c").append(i).append("\",\"value\":\"v\"}");
        }
        assertFormError(node.call("POST", base, bot, "{\"name\":\"pick\",\"description\":\"d\",\"options\":["
            + "{\"type\":3,\"name\":\"what\",\"description\":\"d\",\"choices\":[" + choices + "]}]}"), "options", "0", "choices");
        final StringBuilder options = new StringBuilder();
        for (int i = 0; i < 26; i++)
        {
            options.append(i == 0 ? "" : ",").append("{\"type\":3,\"name\":\"o").append(i)
                .append("\",\"description\":\"d\"}");
        }
        assertFormError(node.call("POST", base, bot, "{\"name\":\"many\",\"description\":\"d\",\"options\":[" + options
            + "]}"), "options");
        assertFormError(node.call("POST", base, bot, "{\"name\":\"order\",\"description\":\"d\",\"options\":["
            + "{\"type\":3,\"name\":\"a\",\"description\":\"d\"},{\"type\":3,\"name\":\"b\",\"description\":\"d\","
            + "\"required\":true}]}"), "options", "1");
        assertFormError(node.call("POST", base, bot, "{\"name\":\"named\",\"description\":\"d\",\"options\":["
            + "{\"type\":3,\"name\":\"Not Valid\",\"description\":\"d\"}]}"), "options", "0", "name");
        assertFormError(node.call("POST", base, bot, "{\"name\":\"typed\",\"description\":\"d\",\"options\":["
            + "{\"type\":42,\"name\":\"x\",\"description\":\"d\"}]}"), "options", "0", "type");
        assertFormError(node.call("PUT", base, bot, "[{\"name\":\"fine\",\"description\":\"d\"},{\"name\":\"bad\","
            + "\"description\":\"d\",\"options\":[{\"type\":5,\"name\":\"flag\",\"description\":\"\"}]}]"),
            "1", "options", "0", "description");
        final String ok = node.ok("POST", base, bot, "{\"name\":\"admin\",\"description\":\"d\",\"options\":["
            + "{\"type\":2,\"name\":\"user\",\"description\":\"d\",\"options\":[{\"type\":1,\"name\":\"add\","
            + "\"description\":\"d\",\"options\":[{\"type\":6,\"name\":\"who\",\"description\":\"d\",\"required\":true}"
            + "]}]}]}").path("id").asText();
        assertFormError(node.call("PATCH", base + "/" + ok, bot, "{\"options\":[{\"type\":3,\"name\":\"x\","
            + "\"description\":\"d\",\"choices\":[{\"name\":\"n\",\"value\":5}]}]}"), "options", "0", "choices", "0",
            "value");
        assertEquals(0, node.ok("GET", base, bot, null).findValues("name").stream().filter(n -> "pick".equals(
            n.asText())).count(), "nothing refused was stored");
    }

    @Test
    void embedLinksMustBeHttpOrAttachments()
    {
        final String messages = "channels/" + pair.channelId() + "/messages";
        final String owner = pair.owner().token();
        assertFormError(node.call("POST", messages, owner,
            "{\"embeds\":[{\"title\":\"x\",\"url\":\"javascript:alert(1)\"}]}"), "embeds");
        assertFormError(node.call("POST", messages, owner, "{\"embeds\":[{\"title\":\"x\",\"image\":{\"url\":"
            + "\"data:image/png;base64,AAAA\"}}]}"), "embeds");
        assertFormError(node.call("POST", messages, owner, "{\"embeds\":[{\"title\":\"x\",\"author\":{\"name\":\"a\","
            + "\"url\":\"JavaScript:alert(1)\"}}]}"), "embeds");
        assertFormError(node.call("POST", messages, owner, "{\"embeds\":[{\"title\":\"x\",\"url\":\"/relative\"}]}"),
            "embeds");
        final String id = node.ok("POST", messages, owner, "{\"content\":\"c\"}").path("id").asText();
        assertFormError(node.call("PATCH", messages + "/" + id, owner, "{\"embeds\":[{\"title\":\"x\",\"footer\":"
            + "{\"text\":\"t\",\"icon_url\":\"file:///etc/passwd\"}}]}"), "embeds");
        final JsonNode fine = node.ok("POST", messages, owner, "{\"embeds\":[{\"title\":\"x\",\"url\":"
            + "\"https://example.com/a?b=c\",\"thumbnail\":{\"url\":\"attachment://pic.png\"}}]}");
        assertEquals("https://example.com/a?b=c", fine.path("embeds").get(0).path("url").asText());
    }

    @Test
    void bulkDeleteInADirectMessageIs50003()
    {
        final String channel = dm(human, pair.member());
        final String a = node.ok("POST", "channels/" + channel + "/messages", human.token(),
            "{\"content\":\"a\"}").path("id").asText();
        final String b = node.ok("POST", "channels/" + channel + "/messages", human.token(),
            "{\"content\":\"b\"}").path("id").asText();
        assertError(node.call("POST", "channels/" + channel + "/messages/bulk-delete", human.token(),
            "{\"messages\":[\"" + a + "\",\"" + b + "\"]}"), 403, 50003);
    }

    @Test
    void aWrongMethodOnAKnownRouteIs405BeforeTheToken() throws Exception
    {
        final TestNode.Response put = node.call("PUT", "users/@me", null, "{}");
        assertError(put, 405, 0);
        assertEquals("GET, HEAD, PATCH", put.raw().headers().firstValue("Allow").orElse(""));
        assertError(node.call("DELETE", "channels/" + pair.channelId() + "/typing", "not-a-token", null), 405, 0);
        assertError(node.call("GET", "users/@me", null, null), 401, 0);
        assertError(node.call("GET", "no/such/route/here", null, null), 401, 0);
    }

    @Test
    void headIsGetWithoutABody() throws Exception
    {
        for (final String path : new String[] {"gateway", "users/@me", "channels/" + pair.channelId() + "/messages"})
        {
            final HttpResponse<String> get = send("GET", path);
            final HttpResponse<String> head = send("HEAD", path);
            assertEquals(200, get.statusCode(), path);
            assertEquals(200, head.statusCode(), path);
            assertEquals("", head.body(), path);
            assertEquals(Integer.toString(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                head.headers().firstValue("Content-Length").orElse(""), "HEAD's Content-Length is GET's: " + path);
            assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        }
        assertEquals(405, send("HEAD", "auth/login").statusCode(), "HEAD only where GET is");
    }

    private static HttpResponse<String> send(final String method, final String path) throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.restBase() + path)).timeout(Duration.ofSeconds(15))
            .method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bot " + pair.owner().token())
            .build(), HttpResponse.BodyHandlers.ofString());
    }
}
