package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Message history and get-by-id with bad input: ids that are not numbers or do not fit a snowflake, limits out of
 * 1..100, unknown channels and messages. Every answer is a Discord error body ({@code code}, {@code message}) with
 * 400 or 404, never a 500; and the edges that are valid (limit 1 and 100, anchors 0 and the largest snowflake,
 * empty channel) answer 200.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HistoryBadInputTest
{
    private static TestNode node;
    private static TestNode.User user;
    private static String channelId;
    private static String emptyChannelId;
    private static final List<String> ids = new ArrayList<>();

    @BeforeAll
    static void start()
    {
        node = new TestNode(2, null, cfg -> cfg.messagesPer5Seconds(1000).restRequestsPerSecond(10_000));
        user = node.register("history-bad-input");
        final JsonNode guild = node.createGuild(user, "bad input");
        channelId = guild.get("channels").get(0).get("id").asText();
        emptyChannelId = node.ok("POST", "guilds/" + guild.get("id").asText() + "/channels", user.token(),
            "{\"name\":\"empty\",\"type\":0}").get("id").asText();
        for (int i = 0; i < 5; i++)
        {
            ids.add(node.ok("POST", "channels/" + channelId + "/messages", user.token(),
                "{\"content\":\"m" + i + "\"}").get("id").asText());
        }
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static void assertError(final int status, final String path)
    {
        final TestNode.Response r = node.call("GET", path, user.token(), null);
        assertEquals(status, r.status(), path + " -> " + r.raw().body());
        assertNotNull(r.body(), path + ": a JSON body");
        assertTrue(r.body().has("code") && r.body().has("message"), path + ": Discord error body " + r.raw().body());
    }

    private static JsonNode ok(final String path)
    {
        return node.ok("GET", path, user.token(), null);
    }

    @Test
    void badLimitsAre400()
    {
        for (final String limit : new String[] {"0", "101", "-1", "abc", "", "1.5", "99999999999", "%20"})
        {
            assertError(400, "channels/" + channelId + "/messages?limit=" + limit);
        }
        assertEquals(1, ok("channels/" + channelId + "/messages?limit=1").size());
        assertEquals(5, ok("channels/" + channelId + "/messages?limit=100").size());
    }

    @Test
    void badAnchorsAre400()
    {
        for (final String q : new String[] {"before", "after", "around"})
        {
            for (final String v : new String[] {"abc", "99999999999999999999", "18446744073709551616", "-1", "",
                "1e5", "0x10", "9223372036854775808"})
            {
                assertError(400, "channels/" + channelId + "/messages?" + q + "=" + v);
            }
        }
        assertError(400, "channels/" + channelId + "/messages?before=" + ids.get(1) + "&after=" + ids.get(0));
    }

    @Test
    void validEdgesAre200()
    {
        assertEquals(5, ok("channels/" + channelId + "/messages?before=9223372036854775807").size());
        assertEquals(0, ok("channels/" + channelId + "/messages?before=0").size());
        assertEquals(5, ok("channels/" + channelId + "/messages?after=0").size());
        assertEquals(0, ok("channels/" + channelId + "/messages?after=9223372036854775807").size());
        assertEquals(3, ok("channels/" + channelId + "/messages?around=" + ids.get(0) + "&limit=6").size());
        assertEquals(ids.get(4), ok("channels/" + channelId + "/messages?around=" + ids.get(4) + "&limit=1")
            .get(0).get("id").asText());
        assertEquals(0, ok("channels/" + emptyChannelId + "/messages").size());
        assertEquals(0, ok("channels/" + emptyChannelId + "/messages?around=" + ids.get(2)).size());
    }

    @Test
    void unknownChannelsAndMessagesAre404()
    {
        for (final String channel : new String[] {"1", "123456789012345678", "abc", "99999999999999999999", "-5",
            "9223372036854775807"})
        {
            assertError(404, "channels/" + channel + "/messages");
            assertError(404, "channels/" + channel + "/messages/" + ids.get(0));
        }
        for (final String message : new String[] {"1", "abc", "99999999999999999999", "-1", ids.get(0) + "0"})
        {
            assertError(404, "channels/" + channelId + "/messages/" + message);
        }
        assertError(404, "channels/" + emptyChannelId + "/messages/" + ids.get(0)); // exists, in another channel
    }
}
