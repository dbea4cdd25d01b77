package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.InviteProxy;

/**
 * Invites — {@code POST|GET /channels/{channel}/invites}, {@code GET /guilds/{guild}/invites}, {@code GET|POST|DELETE
 * /invites/{code}} — checked here, then handed
 * to the owner of the invite's guild as typed commands ({@link InviteProxy}); an invite's guild is found by its code
 * in the node's directory. A direct-message channel has no invites (the DM routes answer). Runs on the shard that
 * holds the request.
 */
public final class InviteRoutes
{
    /** Discord's longest invite: 7 days. */
    private static final int MAX_AGE_SECONDS = 604_800;
    private static final int DEFAULT_AGE_SECONDS = 86_400;
    private static final int MAX_USES = 100;

    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final InviteProxy invites;
    private final RouteTable.Handler directMessages;
    private final NodeRecordWait unknownCodes;

    /**
     * @param directory      the node's directory (guilds, channels, invites).
     * @param shard          this shard.
     * @param exchanges      this shard's requests waiting for an answer.
     * @param directMessages handles the channel routes for a direct-message channel.
     */
    public InviteRoutes(final Directory directory, final Shard shard, final ExchangeTable exchanges,
        final RouteTable.Handler directMessages)
    {
        this.directory = directory;
        this.shard = shard;
        this.exchanges = exchanges;
        this.invites = new InviteProxy(shard);
        this.directMessages = directMessages;
        this.unknownCodes = new NodeRecordWait(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("POST", "/channels/{channel}/invites", this::create)
            .add("GET", "/channels/{channel}/invites", this::channelInvites)
            .add("GET", "/guilds/{guild}/invites", this::guildInvites)
            .add("GET", "/invites/{code}", this::get, false) // as on Discord: an invite's preview needs no login
            .add("POST", "/invites/{code}", this::join)
            .add("DELETE", "/invites/{code}", this::delete);
    }

    /** {@code POST /channels/{channel}/invites {max_age, max_uses}}: 0-604,800 s (default a day), 0-100 uses. */
    private void create(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        final long guildId = channelId < 0 ? 0 : directory.guildOfChannel(channelId);
        if (guildId == 0)
        {
            directMessages.handle(ex, r);
            return;
        }
        final JsonNode body = r.body() == null ? Json.object() : r.body();
        final int maxAge = body.path("max_age").asInt(DEFAULT_AGE_SECONDS);
        final int maxUses = body.path("max_uses").asInt(0);
        final boolean temporary = body.path("temporary").asBoolean(false);
        if (maxAge < 0 || maxAge > MAX_AGE_SECONDS || maxUses < 0 || maxUses > MAX_USES)
        {
            ex.invalidField(shard, maxAge < 0 || maxAge > MAX_AGE_SECONDS ? "max_age" : "max_uses",
                "NUMBER_TYPE_MAX", "Out of range.");
            return;
        }
        invites.create(exchanges.register(ex), ex.userId(), guildId, channelId, maxAge, maxUses, temporary,
            ex.auditReason());
    }

    private void channelInvites(final RestExchange ex, final Request r)
    {
        final long channelId = r.id(0);
        final long guildId = channelId < 0 ? 0 : directory.guildOfChannel(channelId);
        if (guildId == 0)
        {
            directMessages.handle(ex, r);
            return;
        }
        invites.list(exchanges.register(ex), ex.userId(), guildId, channelId);
    }

    private void guildInvites(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId >= 0)
        {
            invites.list(exchanges.register(ex), ex.userId(), guildId, 0);
        }
    }

    private void delete(final RestExchange ex, final Request r)
    {
        withInvite(ex, r, invite -> invites.delete(exchanges.register(ex), ex.userId(), ex.auditReason(),
            invite.guildId(), invite.code()));
    }

    private void get(final RestExchange ex, final Request r)
    {
        withInvite(ex, r, invite -> invites.get(exchanges.register(ex), ex.userId(), invite.guildId(),
            invite.code()));
    }

    private void join(final RestExchange ex, final Request r)
    {
        withInvite(ex, r, invite -> invites.join(exchanges.register(ex), ex.userId(), invite.guildId(),
            invite.code()));
    }

    /**
     * Runs {@code then} with the path's invite. A code this node does not know answers 10006 — in a cluster only after
     * up to {@value NodeRecordWait#WAIT_MILLIS} ms: an invite made through another node moments ago reaches this node's
     * directory over the link (a node-wide record) and may trail the creator's own answer, which a client can pass
     * to someone on another node at once. Rechecked every shard tick; at most {@value NodeRecordWait#MAX_WAITING} wait at a time.
     */
    private void withInvite(final RestExchange ex, final Request r, final java.util.function.Consumer<Invite> then)
    {
        final String code = r.param(0);
        final Invite invite = directory.invite(code);
        if (invite != null)
        {
            then.accept(invite);
        }
        else if (!unknownCodes.await(() -> directory.invite(code) != null, () -> answer(ex, code, then)))
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_INVITE);
        }
    }

    /** After the wait: the invite if it arrived, else 10006. */
    private void answer(final RestExchange ex, final String code, final java.util.function.Consumer<Invite> then)
    {
        final Invite invite = directory.invite(code);
        if (invite != null)
        {
            then.accept(invite);
        }
        else
        {
            RouteChecks.error(shard, ex, DiscordError.UNKNOWN_INVITE);
        }
    }
}
