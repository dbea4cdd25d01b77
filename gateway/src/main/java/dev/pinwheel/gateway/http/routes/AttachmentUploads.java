package dev.pinwheel.gateway.http.routes;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.Upload;
import dev.pinwheel.gateway.node.FileStore;
import dev.pinwheel.gateway.node.GatewayContext;

/**
 * The files of a message create or edit ({@code files[n]} parts, described by {@code payload_json}'s
 * {@code attachments[]}: {@code id} = n, {@code filename}, {@code description}). On the request's shard: count and
 * size checks (413/40005 over the cap), ids; then the file store's thread writes the files durably
 * ({@link FileStore#storeAttachment}) and only then sends the message command to the guild's owner, which checks
 * ATTACH_FILES and journals the message: no shard thread waits on the disk, and no message names a file that a crash
 * could lose. Whatever goes wrong after the request left this shard is answered through {@link ControlReply}.
 * <pre>
 *   shard (route) ──files──▶ pinwheel-files: write tmp, fsync, rename, link, fsync dirs
 *                                  └──MESSAGE_POST / MESSAGE_EDIT (attachment objects)──▶ owner shard ──REPLY──▶ shard
 * </pre>
 */
final class AttachmentUploads
{
    private static final Logger LOG = LoggerFactory.getLogger(AttachmentUploads.class);

    private final GatewayContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;

    /** What the message command carries besides the files, sent once they are durable. */
    @FunctionalInterface
    interface Send
    {
        /**
         * @param attachmentsJson the new attachment objects as a JSON array.
         * @return false if the owner's inbox was full.
         */
        boolean send(String attachmentsJson);
    }

    AttachmentUploads(final GatewayContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
    }

    /**
     * @param r a request.
     * @return the file parts that are message files ({@code files[n]}), or an empty list.
     */
    static List<Upload> files(final Request r)
    {
        if (r.files() == null || r.files().isEmpty())
        {
            return List.of();
        }
        final List<Upload> out = new ArrayList<>(r.files().size());
        for (final Upload u : r.files())
        {
            if (u.index() >= 0)
            {
                out.add(u);
            }
        }
        return out;
    }

    /**
     * Checks the files against the limits; answers the request when they fail.
     *
     * @return whether the request may go on.
     */
    boolean check(final RestExchange ex, final List<Upload> files)
    {
        final FileStore store = ctx.files();
        if (store == null)
        {
            ex.reply(shard, DiscordError.ENTITY_TOO_LARGE.status(), DiscordError.ENTITY_TOO_LARGE.body());
            return false;
        }
        if (files.size() > store.config().maxFilesPerMessage())
        {
            ex.invalidField(shard, "files", "BASE_TYPE_MAX_LENGTH", "Must be " + store.config().maxFilesPerMessage()
                + " or fewer in length.");
            return false;
        }
        for (final Upload u : files)
        {
            if (u.data().length > store.config().maxFileBytes())
            {
                ex.reply(shard, DiscordError.ENTITY_TOO_LARGE.status(), DiscordError.ENTITY_TOO_LARGE.body());
                return false;
            }
        }
        return true;
    }

    /**
     * Stores the files off this thread, then sends the message command. The request must have passed
     * {@link #check}.
     *
     * @param ex          the request.
     * @param correlation its registered id.
     * @param body        its JSON ({@code attachments[]} describes the files).
     * @param channelId   the message's channel.
     * @param files       the files.
     * @param send        sends the command with the attachment objects (file store's thread).
     */
    void store(final RestExchange ex, final long correlation, final JsonNode body, final long channelId,
        final List<Upload> files, final Send send)
    {
        final FileStore store = ctx.files();
        final long[] ids = new long[files.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = shard.ids().next();
        }
        final String base = "http://" + (ex.host() != null ? ex.host()
            : ctx.config().host() + ":" + ctx.port());
        final ShardGroup group = shard.group();
        final int origin = shard.address();
        final long userId = ex.userId();
        final JsonNode described = body.path("attachments");
        final long guild = ctx.node().directory().guildOfChannel(channelId);
        // the key of the files' owner, which answers the file sweep: the guild, or a DM's own channel
        final long guildId = guild != 0 || ctx.node().directory().dmUsers(channelId) == null ? guild : channelId;
        final boolean queued = store.submit(() ->
        {
            final ControlReply reply = new ControlReply(group, origin, correlation, userId, ex);
            final ArrayNode objects = Json.array();
            int stored = 0;
            try
            {
                final long now = System.currentTimeMillis() / 1000;
                for (int i = 0; i < ids.length; i++)
                {
                    final Upload u = files.get(i);
                    final JsonNode meta = describe(described, u.index());
                    final String name = meta.path("filename").isTextual() ? meta.path("filename").asText()
                        : u.filename();
                    final FileStore.Attachment a = store.storeAttachment(ids[i], guildId, channelId, name,
                        u.contentType(), u.data());
                    stored++;
                    objects.add(object(a, meta, base, store.sign(channelId, a.id(), now)));
                }
            }
            catch (final IOException | RuntimeException e)
            {
                LOG.warn("could not store an upload: {}", e.toString());
                release(store, ids, stored);
                reply.error(DiscordError.STORAGE_UNAVAILABLE);
                return;
            }
            store.uploadWritten();
            if (!send.send(objects.toString()))
            {
                release(store, ids, stored);
                reply.error(DiscordError.STORAGE_UNAVAILABLE);
            }
        });
        if (!queued)
        {
            exchanges.fail(shard, correlation, DiscordError.STORAGE_UNAVAILABLE);
        }
    }

    private static void release(final FileStore store, final long[] ids, final int stored)
    {
        for (int i = 0; i < stored; i++)
        {
            store.release(ids[i]);
        }
    }

    /** The {@code attachments[]} entry whose id is the part's index, or an empty object. */
    private static JsonNode describe(final JsonNode described, final int index)
    {
        for (final JsonNode d : described)
        {
            if (d.path("id").asText("").equals(Integer.toString(index)))
            {
                return d;
            }
        }
        return Json.object();
    }

    /** Discord's attachment object. */
    static ObjectNode object(final FileStore.Attachment a, final JsonNode meta, final String base,
        final String signature)
    {
        final ObjectNode o = Json.object();
        o.put("id", Json.id(a.id()));
        o.put("filename", a.filename());
        if (meta.path("description").isTextual())
        {
            final String d = meta.path("description").asText();
            o.put("description", d.length() > 1024 ? d.substring(0, 1024) : d);
        }
        o.put("content_type", a.contentType());
        o.put("size", a.size());
        final String url = base + "/attachments/" + a.channelId() + "/" + a.id() + "/" + a.filename() + "?"
            + signature + "&";
        o.put("url", url);
        o.put("proxy_url", url);
        if (a.image())
        {
            o.put("width", a.width());
            o.put("height", a.height());
        }
        return o;
    }
}
