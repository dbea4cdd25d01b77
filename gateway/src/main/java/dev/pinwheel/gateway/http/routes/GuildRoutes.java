package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.owner.GuildProxy;
import dev.pinwheel.gateway.owner.OwnerCommands;

/**
 * {@code POST /guilds} and {@code GET /guilds/{guild}}: parse and check the request, then hand it to the guild's
 * owner as a typed command ({@link GuildProxy}). A new guild's id is made here, on the shard holding the request: it
 * decides which shard owns the guild. Runs on the shard that holds the request.
 */
public final class GuildRoutes
{
    private static final int MAX_DESCRIPTION = 120;
    private static final int[] AFK_TIMEOUTS = {60, 300, 900, 1800, 3600};
    /** A field that did not validate (after the answer). */
    private static final long BAD = -2;
    private final Directory directory;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final GuildProxy guilds;
    private final ImageUploads icons;

    /**
     * @param directory the node's directory (guilds, channels, invites).
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public GuildRoutes(final Directory directory, final Shard shard, final ExchangeTable exchanges)
    {
        this(directory, shard, exchanges, null);
    }

    /**
     * @param icons stores guild icons given as data URIs (null: icons are refused).
     */
    GuildRoutes(final Directory directory, final Shard shard, final ExchangeTable exchanges, final ImageUploads icons)
    {
        this.directory = directory;
        this.shard = shard;
        this.exchanges = exchanges;
        this.guilds = new GuildProxy(shard);
        this.icons = icons;
    }

    /**
     * @param table where the routes go.
     */
    public void register(final RouteTable table)
    {
        table.add("POST", "/guilds", this::create)
            .add("GET", "/guilds/{guild}", this::get)
            .add("PATCH", "/guilds/{guild}", this::edit)
            .add("DELETE", "/guilds/{guild}", this::delete);
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
        final JsonNode icon = r.body().get("icon");
        if (icon == null || icon.isNull())
        {
            guilds.create(exchanges.register(ex), ex.userId(), shard.ids().next(), name.trim());
            return;
        }
        final byte[] image = icons == null ? null : icons.decode(ex, "icon", icon);
        if (image == null)
        {
            if (icons == null)
            {
                ex.invalidField(shard, "icon", "IMAGE_INVALID", "Invalid image data");
            }
            return;
        }
        final long correlation = exchanges.register(ex);
        final long guildId = shard.ids().next();
        final long userId = ex.userId();
        final int origin = shard.address();
        final ShardGroup group = shard.group();
        final String trimmed = name.trim();
        icons.store(ex, correlation, "icons", guildId, image,
            hash -> GuildProxy.createWithIcon(group, origin, correlation, userId, guildId, trimmed, hash));
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

    /**
     * {@code PATCH /guilds/{guild} {name, description, owner_id, system_channel_id, afk_channel_id, afk_timeout,
     * verification_level, default_message_notifications, explicit_content_filter}}, each optional.
     */
    private void edit(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId < 0)
        {
            return;
        }
        final JsonNode b = r.body();
        if (b == null || !b.isObject())
        {
            RouteChecks.error(shard, ex, DiscordError.INVALID_FORM_BODY);
            return;
        }
        final JsonNode name = b.get("name");
        if (name != null && (!name.isTextual() || name.asText().trim().length() < 2 || name.asText().length() > 100))
        {
            ex.invalidField(shard, "name", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.");
            return;
        }
        final JsonNode description = b.get("description");
        if (description != null && !description.isNull() && (!description.isTextual()
            || description.asText().length() > MAX_DESCRIPTION))
        {
            ex.invalidField(shard, "description", "BASE_TYPE_MAX_LENGTH", "Must be 120 or fewer in length.");
            return;
        }
        final long ownerId = id(ex, b, "owner_id", false);
        final long system = ownerId == BAD ? BAD : id(ex, b, "system_channel_id", true);
        final long afk = system == BAD ? BAD : id(ex, b, "afk_channel_id", true);
        if (afk == BAD)
        {
            return;
        }
        final int[] levels = {
            level(b, "afk_timeout", AFK_TIMEOUTS),
            level(b, "verification_level", new int[] {0, 1, 2, 3, 4}),
            level(b, "default_message_notifications", new int[] {0, 1}),
            level(b, "explicit_content_filter", new int[] {0, 1, 2}),
        };
        final String[] names = {"afk_timeout", "verification_level", "default_message_notifications",
            "explicit_content_filter"};
        for (int i = 0; i < levels.length; i++)
        {
            if (levels[i] == BAD)
            {
                ex.invalidField(shard, names[i], "BASE_TYPE_CHOICES", "Value must be one of the allowed values.");
                return;
            }
        }
        final String newName = name == null ? null : name.asText().trim();
        final String text = description == null || description.isNull() ? null : description.asText();
        final JsonNode icon = b.get("icon");
        if (icon == null)
        {
            guilds.edit(exchanges.register(ex), ex.userId(), ex.auditReason(), guildId, newName, description != null,
                text, ownerId, system, afk, levels);
            return;
        }
        final byte[] image = icon.isNull() || icons == null ? null : icons.decode(ex, "icon", icon);
        if (image == null && !icon.isNull())
        {
            if (icons == null)
            {
                ex.invalidField(shard, "icon", "IMAGE_INVALID", "Invalid image data");
            }
            return;
        }
        final long correlation = exchanges.register(ex);
        final long userId = ex.userId();
        final int origin = shard.address();
        final ShardGroup group = shard.group();
        final String reason = ex.auditReason();
        final boolean descriptionGiven = description != null;
        if (image == null)
        {
            if (!GuildProxy.editWithIcon(group, origin, correlation, userId, reason, guildId, newName,
                descriptionGiven, text, ownerId, system, afk, levels, ""))
            {
                exchanges.fail(shard, correlation, DiscordError.STORAGE_UNAVAILABLE);
            }
            return;
        }
        icons.store(ex, correlation, "icons", guildId, image, hash -> GuildProxy.editWithIcon(group, origin,
            correlation, userId, reason, guildId, newName, descriptionGiven, text, ownerId, system, afk, levels, hash));
    }

    /** {@code DELETE /guilds/{guild}}: the owner only. */
    private void delete(final RestExchange ex, final Request r)
    {
        final long guildId = RouteChecks.knownGuild(directory, shard, ex, r);
        if (guildId >= 0)
        {
            guilds.delete(exchanges.register(ex), ex.userId(), guildId);
        }
    }

    /** @return the field's snowflake, KEEP if absent, 0 if null (and allowed), or BAD after answering 50035. */
    private long id(final RestExchange ex, final JsonNode b, final String field, final boolean nullable)
    {
        final JsonNode n = b.get(field);
        if (n == null)
        {
            return OwnerCommands.KEEP;
        }
        if (n.isNull() && nullable)
        {
            return 0;
        }
        final long id = RouteChecks.snowflake(n);
        if (id <= 0)
        {
            ex.invalidField(shard, field, "NUMBER_TYPE_COERCE", "Value \"" + n + "\" is not snowflake.");
            return BAD;
        }
        return id;
    }

    /** @return the field's value if it is one of {@code allowed}, KEEP if absent, BAD otherwise. */
    private static int level(final JsonNode b, final String field, final int[] allowed)
    {
        final JsonNode n = b.get(field);
        if (n == null)
        {
            return OwnerCommands.KEEP;
        }
        for (final int a : allowed)
        {
            if (n.isIntegralNumber() && n.asInt() == a)
            {
                return a;
            }
        }
        return (int)BAD;
    }
}
