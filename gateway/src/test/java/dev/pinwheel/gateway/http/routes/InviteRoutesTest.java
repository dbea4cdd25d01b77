package dev.pinwheel.gateway.http.routes;

import static dev.pinwheel.gateway.http.routes.RouteFixture.assertError;
import static dev.pinwheel.gateway.http.routes.RouteFixture.assertFormError;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.gateway.http.routes.RouteFixture.Response;

/**
 * The invite routes ({@link InviteRoutes}) over the real owner ({@link RouteFixture}): an invite's age and uses, its
 * defaults, a code that names no invite, and accepting one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InviteRoutesTest
{
    private RouteFixture routes;
    private String invites;

    @BeforeEach
    void start() throws Exception
    {
        routes = new RouteFixture();
        invites = "channels/" + routes.fx.channel + "/invites";
    }

    @AfterEach
    void stop()
    {
        routes.close();
    }

    @Test
    void anInvitesAgeAndUsesAreBounded() throws Exception
    {
        assertFormError(routes.call("POST", invites, ALICE, "{\"max_age\":604801}"), "max_age");
        assertFormError(routes.call("POST", invites, ALICE, "{\"max_age\":-1,\"max_uses\":101}"), "max_age");
        assertFormError(routes.call("POST", invites, ALICE, "{\"max_uses\":101}"), "max_uses");
        final Response defaults = routes.call("POST", invites, ALICE, "{}");
        assertEquals(200, defaults.status(), String.valueOf(defaults.body()));
        assertEquals(86_400, defaults.body().path("max_age").asInt(), "a day unless said otherwise");
        assertEquals(0, defaults.body().path("max_uses").asInt());
        assertEquals(200, routes.call("POST", invites, ALICE, null).status(), "no body: the defaults");
        routes.call("POST", "channels/123456/invites", ALICE, "{}");
        assertEquals("POST /channels/123456/invites", routes.directMessages.poll(), "no guild: the DM routes");
    }

    @Test
    void anInviteIsReadAndAcceptedByItsCode() throws Exception
    {
        assertError(routes.call("GET", "invites/no-such-code", BOB, null), 404, 10006);
        assertError(routes.call("POST", "invites/no-such-code", BOB, "{}"), 404, 10006);
        final String code = routes.call("POST", invites, ALICE, "{\"max_uses\":3}").body().path("code").asText();
        assertEquals(3, routes.call("GET", "invites/" + code, BOB, null).body().path("max_uses").asInt());
        final Response joined = routes.call("POST", "invites/" + code, BOB, "{}");
        assertEquals(200, joined.status(), String.valueOf(joined.body()));
        assertEquals(Long.toString(BOB), joined.body().path("new_member").path("user").path("id").asText());
    }
}
