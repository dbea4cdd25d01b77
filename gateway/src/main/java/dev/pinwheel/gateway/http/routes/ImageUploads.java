package dev.pinwheel.gateway.http.routes;

import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.node.FileStore;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.node.ImageInfo;

/**
 * Avatars and guild icons as Discord's API takes them: a data URI ({@code data:image/png;base64,…}) in a JSON field.
 * On the request's shard: decode and check that the bytes are a PNG, JPEG, GIF or WebP with a size (400 otherwise)
 * and under the cap (413/40005); then the file store's thread writes the image durably and sends the owner command
 * that journals its hash. A JSON body is at most 256 KiB at the edge, so an image is at most ~190 KiB here.
 */
final class ImageUploads
{
    private static final Logger LOG = LoggerFactory.getLogger(ImageUploads.class);
    private final GatewayContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;

    /** Sends the owner command once the image is durable (file store's thread). */
    @FunctionalInterface
    interface Send
    {
        /**
         * @param hash the image's hash.
         * @return false if the owner's inbox was full.
         */
        boolean send(String hash);
    }

    ImageUploads(final GatewayContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
    }

    /**
     * @param ex    the request (answered when the field is wrong).
     * @param field the field's name.
     * @param value its value: a data URI.
     * @return the image's bytes, or null after answering.
     */
    byte[] decode(final RestExchange ex, final String field, final JsonNode value)
    {
        final String text = value == null || !value.isTextual() ? "" : value.asText();
        final int comma = text.indexOf(',');
        if (!text.startsWith("data:image/") || comma < 0 || !text.substring(0, comma).endsWith(";base64"))
        {
            ex.invalidField(shard, field, "IMAGE_INVALID", "Invalid image data");
            return null;
        }
        final byte[] bytes;
        try
        {
            bytes = Base64.getDecoder().decode(text.substring(comma + 1).trim());
        }
        catch (final IllegalArgumentException e)
        {
            ex.invalidField(shard, field, "IMAGE_INVALID", "Invalid image data");
            return null;
        }
        if (ctx.files() == null || bytes.length > ctx.files().config().maxFileBytes())
        {
            ex.reply(shard, DiscordError.ENTITY_TOO_LARGE.status(), DiscordError.ENTITY_TOO_LARGE.body());
            return null;
        }
        if (!ImageInfo.of(bytes, bytes.length).isImage())
        {
            ex.invalidField(shard, field, "IMAGE_INVALID", "Invalid image data");
            return null;
        }
        return bytes;
    }

    /**
     * Stores the image off this thread, then sends the owner command.
     *
     * @param ex          the request.
     * @param correlation its registered id.
     * @param kind        {@code avatars} or {@code icons}.
     * @param ownerId     the user or guild.
     * @param image       the checked bytes.
     * @param send        sends the command with the image's hash.
     */
    void store(final RestExchange ex, final long correlation, final String kind, final long ownerId,
        final byte[] image, final Send send)
    {
        final FileStore files = ctx.files();
        final ShardGroup group = shard.group();
        final int origin = shard.address();
        final long userId = ex.userId();
        final boolean queued = files.submit(() ->
        {
            final ControlReply reply = new ControlReply(group, origin, correlation, userId, ex);
            try
            {
                if (!send.send(files.storeImage(kind, ownerId, image)))
                {
                    reply.error(DiscordError.STORAGE_UNAVAILABLE);
                }
            }
            catch (final java.io.IOException | RuntimeException e)
            {
                LOG.warn("could not store an image: {}", e.toString());
                reply.error(DiscordError.STORAGE_UNAVAILABLE);
            }
        });
        if (!queued)
        {
            exchanges.fail(shard, correlation, DiscordError.STORAGE_UNAVAILABLE);
        }
    }
}
