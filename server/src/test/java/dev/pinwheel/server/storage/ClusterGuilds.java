package dev.pinwheel.server.storage;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.routing.RoutingRing;

/** What the cluster tests share: guilds created until one lands on the node a test needs. */
final class ClusterGuilds
{
    /**
     * Tries before a search gives up. A node's share of a three-node ring is 29–41 % (128 points per shard), so 24
     * tries missed the smallest share one time in ≈ 3,500 — and the cluster tests search dozens of times a run: a
     * fresh-clone CI failed so ("none of 24 people is owned by node 2"). 96 misses it one time in ≈ 10^14; a search
     * takes 3–4 tries on average either way.
     */
    static final int ATTEMPTS = 96;

    private ClusterGuilds()
    {
    }

    /**
     * Creates guilds named {@code prefix-0}, {@code prefix-1}… (at most {@link #ATTEMPTS}) until one is owned by
     * {@code node} on the ring every node builds.
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
        for (int i = 0; i < ATTEMPTS; i++)
        {
            final JsonNode g = rest.ok("POST", "guilds", token, "{\"name\":\"" + prefix + "-" + i + "\"}");
            if (ring.nodeOf(Long.parseLong(g.get("id").asText())) == node)
            {
                return g;
            }
        }
        throw new AssertionError("none of " + ATTEMPTS + " guilds is owned by node " + node);
    }

    /**
     * Registers people ({@code prefix0}, {@code prefix1}… at most {@link #ATTEMPTS}) through a node until one's user
     * id is owned by {@code node} on the ring every node builds.
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
        for (int i = 0; i < ATTEMPTS; i++)
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
        throw new AssertionError("none of " + ATTEMPTS + " people is owned by node " + node);
    }

    /** A person and the DM channel {@link #dmPartner} opened with them. */
    record DmPartner(RestClient.User user, String channel)
    {
    }

    /**
     * Registers people owned by {@code owner} through {@code via}, each joining by {@code code}, and opens a DM to
     * each from {@code from} until the DM channel's owner node is one {@code channelNode} accepts (DM channels are
     * routed by their own id).
     *
     * @param via         where the people register and join.
     * @param ring        the ring the nodes route by.
     * @param owner       the node that must own each person.
     * @param prefix      the people's names' prefix.
     * @param code        an invite to the guild they join.
     * @param dmRest      where the DM channels are opened.
     * @param from        who opens them.
     * @param channelNode which owner nodes of the DM channel will do.
     * @return the person and the channel; an assertion error if none of {@link #ATTEMPTS} will do.
     * @throws IOException if a request fails.
     */
    static DmPartner dmPartner(final RestClient via, final RoutingRing ring, final int owner, final String prefix,
        final String code, final RestClient dmRest, final RestClient.User from,
        final java.util.function.IntPredicate channelNode) throws IOException
    {
        for (int i = 0; i < ATTEMPTS; i++)
        {
            final RestClient.User user = personOwnedBy(via, ring, owner, prefix + i + "x");
            via.ok("POST", "invites/" + code, user.token(), "{}");
            final String channel = dmRest.ok("POST", "users/@me/channels", from.token(),
                "{\"recipient_id\":\"" + user.id() + "\"}").get("id").asText();
            if (channelNode.test(ring.nodeOf(Long.parseLong(channel))))
            {
                return new DmPartner(user, channel);
            }
        }
        throw new AssertionError("none of " + ATTEMPTS + " DM channels is owned by a node that will do");
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

    /**
     * What the client-library programs take when run against a cluster: {@code PREFIX_alice} (a bot) makes a guild
     * that {@code node} owns (one shard per node), {@code PREFIX_bob} (a bot) and {@code PREFIX_carol} (a person)
     * join it.
     *
     * @param rest   a node's REST client.
     * @param nodes  the cluster's nodes.
     * @param node   the node that must own the guild.
     * @param prefix the users' and the guilds' name prefix.
     * @return ALICE_TOKEN BOB_TOKEN CAROL_TOKEN GUILD_ID CHANNEL_ID.
     * @throws IOException if a request fails.
     */
    static String[] threeMembers(final RestClient rest, final int nodes, final int node, final String prefix)
        throws IOException
    {
        final RoutingRing ring = RoutingRing.build(1, nodes, 1, RoutingRing.DEFAULT_VIRTUAL_NODES);
        final String alice = rest.register(prefix + "_alice").token();
        final String bob = rest.register(prefix + "_bob").token();
        final String carol = rest.register(prefix + "_carol", false).token();
        final JsonNode guild = ownedBy(rest, alice, ring, node, prefix);
        final String channelId = guild.get("channels").get(0).get("id").asText();
        final String code = invite(rest, alice, channelId);
        rest.ok("POST", "invites/" + code, bob, "{}");
        rest.ok("POST", "invites/" + code, carol, "{}");
        return new String[] {alice, bob, carol, guild.get("id").asText(), channelId};
    }
}
