package dev.pinwheel.gateway.http.routes;

import static dev.pinwheel.gateway.http.routes.RouteFixture.assertError;
import static dev.pinwheel.gateway.http.routes.RouteFixture.assertFormError;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.gateway.http.routes.RouteFixture.Response;

/**
 * The moderation routes ({@link ModerationRoutes}) over the real owner ({@link RouteFixture}): each field checked and
 * named, the audit-log reason decoded from its header, and the paths' ids.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModerationRoutesTest
{
    private RouteFixture routes;
    private String guild;

    @BeforeEach
    void start() throws Exception
    {
        routes = new RouteFixture();
        routes.fx.member(BOB);
        routes.fx.member(CAROL);
        guild = "guilds/" + GUILD;
    }

    @AfterEach
    void stop()
    {
        routes.close();
    }

    @Test
    void banFieldsAreCheckedAndTheReasonComesFromTheHeader() throws Exception
    {
        assertFormError(routes.call("PUT", guild + "/bans/" + BOB, ALICE, "{\"delete_message_seconds\":604801}"),
            "delete_message_seconds");
        assertFormError(routes.call("PUT", guild + "/bans/" + BOB, ALICE, "{\"delete_message_days\":8}"),
            "delete_message_days");
        assertError(routes.call("PUT", guild + "/bans/abc", ALICE, "{}"), 404, 10013);
        assertEquals(204, routes.call("PUT", guild + "/bans/" + BOB, ALICE, "{\"delete_message_days\":1}",
            "too%20many%20links%20%F0%9F%94%97").status());
        final Response ban = routes.call("GET", guild + "/bans/" + BOB, ALICE, null);
        assertEquals("too many links \uD83D\uDD17", ban.body().path("reason").asText(), "URL-decoded");
        assertFormError(routes.call("GET", guild + "/bans?limit=1001", ALICE, null), "limit");
        assertEquals(1, routes.call("GET", guild + "/bans", ALICE, null).body().size());
    }

    @Test
    void bulkBanAndAuditLogBounds() throws Exception
    {
        assertFormError(routes.call("POST", guild + "/bulk-ban", ALICE, "{}"), "user_ids");
        assertFormError(routes.call("POST", guild + "/bulk-ban", ALICE, "{\"user_ids\":[]}"), "user_ids");
        final StringBuilder many = new StringBuilder("{\"user_ids\":[");
        for (int i = 0; i < 201; i++)
        {
            many.append(i == 0 ? "" : ",").append('"').append(5000 + i).append('"');
        }
        assertFormError(routes.call("POST", guild + "/bulk-ban", ALICE, many.append("]}").toString()), "user_ids");
        assertFormError(routes.call("POST", guild + "/bulk-ban", ALICE, "{\"user_ids\":[\"x\"]}"), "user_ids");
        final Response bulk = routes.call("POST", guild + "/bulk-ban", ALICE, "{\"user_ids\":[\"" + BOB + "\"]}");
        assertEquals(200, bulk.status());
        for (final String bad : new String[] {"limit=0", "limit=101", "before=x", "user_id=x", "action_type=-1"})
        {
            assertEquals(400, routes.call("GET", guild + "/audit-logs?" + bad, ALICE, null).status(), bad);
        }
        final Response log = routes.call("GET", guild + "/audit-logs?action_type=22&limit=1", ALICE, null);
        assertEquals(1, log.body().path("audit_log_entries").size());
        assertEquals(2, log.body().path("users").size(), "the moderator and the banned user");
    }

    @Test
    void kickAndLeavePaths() throws Exception
    {
        assertError(routes.call("DELETE", guild + "/members/" + ALICE, CAROL, null), 403, 50013);
        assertEquals(204, routes.call("DELETE", guild + "/members/" + BOB, ALICE, null).status());
        assertError(routes.call("DELETE", "users/@me/guilds/" + GUILD, ALICE, null), 400, 50055);
        assertEquals(204, routes.call("DELETE", "users/@me/guilds/" + GUILD, CAROL, null).status());
        assertError(routes.call("DELETE", "users/@me/guilds/424242", CAROL, null), 404, 10004);
    }
}
