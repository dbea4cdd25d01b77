package dev.pinwheel.gateway.http.routes;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.GuildProxy;

/**
 * {@code POST /guilds} and {@code GET /guilds/{guild}}: parse and check the request, then hand it to the guild's
 * owner as a typed command ({@link GuildProxy}). A new guild's id is made here, on the shard holding the request: it
 * decides which shard owns the guild. Runs on the shard that holds the request.
 */
public final class GuildRoutes
{
    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final GuildProxy guilds;

    /**
     * @param directory the node's directory (guilds, channels, invites).
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public GuildRoutes(final Directory directory, final Shard shard, final ExchangeTable exchanges)
    {
        this.directory = directory;
        this.shard = shard;
        this.exchanges = exchanges;
        this.guilds = new GuildProxy(shard);
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("POST", "/guilds", this::create)
            .add("GET", "/guilds/{guild}", this::get);
    }

    /** {@code POST /guilds {name}}: a name of 2-100 characters (trimmed). */
    private void create(final RestExchange ex, final Request r)
    {
        final String name = RouteChecks.text(r.body(), "name");
        if (name == null || name.trim().length() < 2 || name.length() > 100)
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.");
            return;
        }
        guilds.create(exchanges.register(ex), ex.userId(), shard.ids().next(), name.trim());
    }

    /** {@code GET /guilds/{guild}[?with_counts=true]}. */
    private void get(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId >= 0)
        {
            guilds.get(exchanges.register(ex), ex.userId(), guildId, "true".equalsIgnoreCase(r.q("with_counts")));
        }
    }
}
