package dev.pinwheel.gateway.http.routes;

import static dev.pinwheel.gateway.http.routes.RouteFixture.assertError;
import static dev.pinwheel.gateway.http.routes.RouteFixture.assertFormError;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.gateway.http.routes.RouteFixture.Response;

/**
 * The channel routes ({@link ChannelRoutes}) over the real owner ({@link RouteFixture}): Discord's limits on a new
 * channel and on an edit, each answered on the route's shard with the field that is wrong; a channel of no guild goes
 * to the direct-message routes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelRoutesTest
{
    private RouteFixture routes;
    private String channels;
    private String general;

    @BeforeEach
    void start() throws Exception
    {
        routes = new RouteFixture();
        channels = "guilds/" + GUILD + "/channels";
        general = "channels/" + routes.fx.channel;
    }

    @AfterEach
    void stop()
    {
        routes.close();
    }

    private Response create(final String body) throws InterruptedException
    {
        return routes.call("POST", channels, ALICE, body);
    }

    @Test
    void aNewChannelIsCheckedAgainstDiscordsLimits() throws Exception
    {
        assertFormError(create("{\"name\":\"  \"}"), "name");
        assertFormError(create("{\"name\":\"" + "n".repeat(101) + "\"}"), "name");
        assertFormError(create("{\"name\":\"x\",\"type\":7}"), "type");
        assertFormError(create("{\"name\":\"x\",\"topic\":\"" + "t".repeat(1025) + "\"}"), "topic");
        assertFormError(create("{\"name\":\"x\",\"type\":2,\"bitrate\":100}"), "bitrate");
        assertFormError(create("{\"name\":\"x\",\"type\":2,\"user_limit\":100}"), "user_limit");
        assertFormError(create("{\"name\":\"x\",\"parent_id\":\"abc\"}"), "parent_id");
        assertError(routes.call("POST", "guilds/123456/channels", ALICE, "{\"name\":\"\"}"), 404, 10004);

        final Response text = create("{\"name\":\" My Room \",\"topic\":\"hi\"}");
        assertEquals(201, text.status(), String.valueOf(text.body()));
        assertEquals("my-room", text.body().path("name").asText(), "a text channel's name, Discord's way");
        final Response voice = create("{\"name\":\"Voice Room\",\"type\":2,\"bitrate\":96000,\"user_limit\":4}");
        assertEquals("Voice Room", voice.body().path("name").asText());
        assertEquals(96000, voice.body().path("bitrate").asInt());
        assertEquals(3, routes.call("GET", channels, ALICE, null).body().size());
    }

    @Test
    void anEditIsCheckedFieldByField() throws Exception
    {
        assertError(routes.call("PATCH", general, ALICE, "[]"), 400, 50035);
        assertError(routes.call("PATCH", general, ALICE, null), 400, 50035);
        assertFormError(routes.call("PATCH", general, ALICE, "{\"name\":\" \"}"), "name");
        assertFormError(routes.call("PATCH", general, ALICE, "{\"name\":5}"), "name");
        assertFormError(routes.call("PATCH", general, ALICE, "{\"topic\":5}"), "topic");
        assertFormError(routes.call("PATCH", general, ALICE, "{\"position\":-1,\"bitrate\":1}"), "position");
        assertFormError(routes.call("PATCH", general, ALICE, "{\"bitrate\":1,\"user_limit\":100}"), "bitrate");
        assertFormError(routes.call("PATCH", general, ALICE, "{\"user_limit\":\"many\"}"), "user_limit");
        assertFormError(routes.call("PATCH", general, ALICE, "{\"parent_id\":\"x\"}"), "parent_id");

        final Response topic = routes.call("PATCH", general, ALICE, "{\"topic\":\"t\",\"position\":3}");
        assertEquals(200, topic.status(), String.valueOf(topic.body()));
        assertEquals("t", topic.body().path("topic").asText());
        assertEquals(3, topic.body().path("position").asInt());
        final Response cleared = routes.call("PATCH", general, ALICE, "{\"topic\":null,\"parent_id\":null}");
        assertTrue(cleared.body().path("topic").isNull(), String.valueOf(cleared.body()));
        assertEquals("general", cleared.body().path("name").asText(), "what is not given stays");
        assertEquals(3, cleared.body().path("position").asInt());
    }

    @Test
    void aChannelIsReadDeletedAndTypedIn() throws Exception
    {
        assertEquals("general", routes.call("GET", general, ALICE, null).body().path("name").asText());
        assertEquals(204, routes.call("POST", general + "/typing", ALICE, null).status());
        assertEquals(200, routes.call("DELETE", general, ALICE, null).status());
        assertError(routes.call("GET", general, ALICE, null), 404, 10003);
    }

    @Test
    void aChannelOfNoGuildGoesToTheDirectMessageRoutes() throws Exception
    {
        assertNull(routes.directMessages.poll());
        assertError(routes.call("GET", "channels/abc", ALICE, null), 404, 10003);
        assertEquals("GET /channels/abc", routes.directMessages.poll());
        routes.call("POST", "channels/123456/typing", ALICE, null);
        assertEquals("POST /channels/123456/typing", routes.directMessages.poll());
        routes.call("PATCH", "channels/123456", ALICE, "{\"name\":5}");
        assertEquals("PATCH /channels/123456", routes.directMessages.poll(), "before the body is looked at");
    }
}
