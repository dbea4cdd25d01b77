package dev.pinwheel.server.storage;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.routing.RoutingRing;

/** What the cluster tests share: guilds created until one lands on the node a test needs. */
final class ClusterGuilds
{
    private ClusterGuilds()
    {
    }

    /**
     * Creates guilds named {@code prefix-0}, {@code prefix-1}… (at most 24) until one is owned by {@code node} on the
     * ring every node builds.
     *
     * @param rest   a node's REST client.
     * @param token  the creator's token.
     * @param ring   the ring the nodes route by.
     * @param node   the node that must own the guild.
     * @param prefix the guilds' name prefix.
     * @return the guild as created (its channels included).
     * @throws IOException if a request fails.
     */
    static JsonNode ownedBy(final RestClient rest, final String token, final RoutingRing ring, final int node,
        final String prefix) throws IOException
    {
        for (int i = 0; i < 24; i++)
        {
            final JsonNode g = rest.ok("POST", "guilds", token, "{\"name\":\"" + prefix + "-" + i + "\"}");
            if (ring.nodeOf(Long.parseLong(g.get("id").asText())) == node)
            {
                return g;
            }
        }
        throw new AssertionError("none of 24 guilds is owned by node " + node);
    }

    /**
     * Registers people ({@code prefix0}, {@code prefix1}… at most 24) through a node until one's user id is owned by
     * {@code node} on the ring every node builds.
     *
     * @param rest   a node's REST client.
     * @param ring   the ring the nodes route by.
     * @param node   the node that must own the user.
     * @param prefix the user names' prefix.
     * @return that user and its token.
     * @throws IOException if a request fails.
     */
    static RestClient.User personOwnedBy(final RestClient rest, final RoutingRing ring, final int node,
        final String prefix) throws IOException
    {
        for (int i = 0; i < 24; i++)
        {
            final JsonNode r = rest.ok("POST", "auth/register", null,
                "{\"username\":\"" + prefix + i + "\",\"password\":\"password-" + prefix + "\",\"bot\":false}");
            final RestClient.User user = new RestClient.User(r.get("user").get("id").asText(),
                r.get("token").asText());
            if (ring.nodeOf(Long.parseLong(user.id())) == node)
            {
                return user;
            }
        }
        throw new AssertionError("none of 24 people is owned by node " + node);
    }

    /**
     * @param rest      a node's REST client.
     * @param token     a member's token (who may create invites).
     * @param channelId a channel of the guild.
     * @return the code of a new invite to it.
     * @throws IOException if the request fails.
     */
    static String invite(final RestClient rest, final String token, final String channelId) throws IOException
    {
        return rest.ok("POST", "channels/" + channelId + "/invites", token, "{}").get("code").asText();
    }
}
