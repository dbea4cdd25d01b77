package dev.pinwheel.server.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Avatars ({@code PATCH /users/@me {avatar}}) and guild icons (on create and PATCH) as data URIs, kept in the file
 * store, journaled, served at {@code /avatars/…} and {@code /icons/…}, and still there after a restart.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AvatarsAndIconsTest
{
    private static String dataUri(final byte[] image)
    {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(image);
    }

    @Test
    void avatarsAndIconsAreStoredServedAndSurviveARestart() throws Exception
    {
        final Path data = Files.createTempDirectory("pinwheel-avatars");
        try
        {
            final byte[] avatar = Multipart.png(128, 128, 2000);
            final byte[] icon = Multipart.png(64, 64, 1000);
            final byte[] icon2 = Multipart.png(96, 96, 1500);
            final TestNode.User user;
            final String guildId;
            final String avatarHash;
            final String iconHash;
            try (TestNode node = new TestNode(2, data, g -> { }))
            {
                user = node.register("avatar-user");
                final JsonNode me = node.ok("PATCH", "users/@me", user.token(),
                    "{\"avatar\":\"" + dataUri(avatar) + "\"}");
                avatarHash = me.path("avatar").asText();
                assertEquals(32, avatarHash.length(), me.toString());
                assertEquals(avatarHash, node.ok("GET", "users/@me", user.token(), null).path("avatar").asText());
                final String root = "http://127.0.0.1:" + node.port();
                final HttpResponse<byte[]> served = Multipart.get(root + "/avatars/" + user.id() + "/" + avatarHash
                    + ".png", null);
                assertEquals(200, served.statusCode());
                assertArrayEquals(avatar, served.body());
                assertEquals("image/png", served.headers().firstValue("content-type").orElse(""));

                final JsonNode g = node.ok("POST", "guilds", user.token(),
                    "{\"name\":\"with icon\",\"icon\":\"" + dataUri(icon) + "\"}");
                guildId = g.path("id").asText();
                assertEquals(32, g.path("icon").asText().length(), g.toString());
                assertArrayEquals(icon, Multipart.get(root + "/icons/" + guildId + "/" + g.path("icon").asText()
                    + ".png", null).body());
                final JsonNode patched = node.ok("PATCH", "guilds/" + guildId, user.token(),
                    "{\"name\":\"renamed\",\"icon\":\"" + dataUri(icon2) + "\"}");
                iconHash = patched.path("icon").asText();
                assertEquals("renamed", patched.path("name").asText());
                assertTrue(!iconHash.equals(g.path("icon").asText()), patched.toString());
                assertArrayEquals(icon2, Multipart.get(root + "/icons/" + guildId + "/" + iconHash + ".png", null)
                    .body());

                // bad input: not an image, not a data URI, someone without MANAGE_GUILD
                final TestNode.Response notImage = node.call("PATCH", "users/@me", user.token(),
                    "{\"avatar\":\"data:image/png;base64," + Base64.getEncoder().encodeToString(new byte[64]) + "\"}");
                assertEquals(400, notImage.status());
                assertEquals(50035, notImage.body().path("code").asInt());
                assertEquals(400, node.call("PATCH", "users/@me", user.token(), "{\"avatar\":\"http://x/y.png\"}")
                    .status());
                final TestNode.User other = node.register("avatar-other");
                node.join(user, g.path("channels").get(0).path("id").asText(), other);
                final TestNode.Response refused = node.call("PATCH", "guilds/" + guildId, other.token(),
                    "{\"icon\":\"" + dataUri(icon) + "\"}");
                assertEquals(403, refused.status(), refused.raw().body());
                assertEquals(404, Multipart.get(root + "/avatars/" + user.id() + "/" + "0".repeat(32) + ".png", null)
                    .statusCode());
                assertEquals(404, Multipart.get(root + "/avatars/" + user.id() + "/..%2F..%2Fsecret.png", null)
                    .statusCode());
            }
            try (TestNode node = new TestNode(2, data, g -> { }))
            {
                assertEquals(avatarHash, node.ok("GET", "users/@me", user.token(), null).path("avatar").asText());
                assertEquals(iconHash, node.ok("GET", "guilds/" + guildId, user.token(), null).path("icon")
                    .asText());
                // the user's guild list shows it too (it listed every guild with "icon": null), after a restart
                assertEquals(iconHash, node.ok("GET", "users/@me/guilds", user.token(), null).get(0).path("icon")
                    .asText());
                final JsonNode cleared = node.ok("PATCH", "users/@me", user.token(), "{\"avatar\":null}");
                assertTrue(cleared.path("avatar").isNull(), cleared.toString());
                assertArrayEquals(avatar, Multipart.get("http://127.0.0.1:" + node.port() + "/avatars/" + user.id()
                    + "/" + avatarHash + ".png", null).body(), "old avatar URLs keep working, as on Discord's CDN");
            }
        }
        finally
        {
            TestNode.deleteTree(data);
        }
    }
}
