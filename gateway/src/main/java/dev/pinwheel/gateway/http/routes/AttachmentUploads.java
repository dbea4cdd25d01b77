package dev.pinwheel.gateway.http.routes;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pinwheel.core.routing.ShardRoute;
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
import dev.pinwheel.gateway.node.PeerHttp;

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

    private static final byte[] CRLF = {'\r', '\n'};

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
     * In a cluster, a message's files live on the node that owns its channel's key (its guild, or the DM channel):
     * a request for a channel owned by another node is handed to that node as it came ({@link PeerHttp}), and its
     * answer is relayed. Only when that node's address is not known yet are the files stored here, as before.
     *
     * @param ex          the request.
     * @param correlation its registered id.
     * @param r           the request as routed (handed on as it came when another node owns the channel).
     * @param body        its JSON ({@code attachments[]} describes the files).
     * @param channelId   the message's channel.
     * @param files       the files.
     * @param send        sends the command with the attachment objects (file store's thread).
     */
    void store(final RestExchange ex, final long correlation, final Request r, final JsonNode body,
        final long channelId, final List<Upload> files, final Send send)
    {
        if (forwardToOwner(ex, correlation, r, body, channelId, files))
        {
            return;
        }
        final FileStore store = ctx.files();
        final long[] ids = new long[files.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = shard.ids().next();
        }
        final String base = ctx.config().publicUrl() != null ? ctx.config().publicUrl()
            : "http://" + (ex.host() != null ? ex.host() : ctx.config().host() + ":" + ctx.port());
        final ShardGroup group = shard.group();
        final int origin = shard.address();
        final long userId = ex.userId();
        final JsonNode described = body.path("attachments");
        final long guildId = filesKey(channelId);
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

    /**
     * @param channelId a message's channel.
     * @return the key of its files' owner (which answers the file sweep, and whose node keeps them): the guild, or a
     *         DM's own channel.
     */
    private long filesKey(final long channelId)
    {
        final long guild = ctx.node().directory().guildOfChannel(channelId);
        return guild != 0 || ctx.node().directory().dmUsers(channelId) == null ? guild : channelId;
    }

    /**
     * Hands the request to the node that owns the channel's files, if that is another node whose address is known.
     *
     * @return whether it was handed on (its answer is relayed to the client later).
     */
    private boolean forwardToOwner(final RestExchange ex, final long correlation, final Request r,
        final JsonNode body, final long channelId, final List<Upload> files)
    {
        final PeerHttp peers = ctx.peers();
        if (peers == null || ex.forwarded())
        {
            return false;
        }
        final int route = shard.group().ownerOf(filesKey(channelId));
        if (route == ShardRoute.MOVING || !ShardRoute.remote(route, shard.group().nodeId()))
        {
            return false;
        }
        final int node = ShardRoute.node(route);
        if (peers.address(node) == null)
        {
            return false; // not told yet (that node never connected since this one started): stored here, as before
        }
        final String boundary = "pinwheel-" + Long.toHexString(shard.ids().next());
        final List<byte[]> parts = multipart(boundary, body, files);
        long length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofByteArrays(parts), length);
        final HttpRequest.Builder request = HttpRequest.newBuilder().method(r.method(), publisher)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary);
        if (ex.authorizationHeader() != null)
        {
            request.header("Authorization", ex.authorizationHeader());
        }
        if (ex.host() != null)
        {
            request.header(PeerHttp.FORWARDED_HOST, ex.host());
        }
        if (ex.auditReason() != null)
        {
            request.header("X-Audit-Log-Reason", URLEncoder.encode(ex.auditReason(), StandardCharsets.UTF_8)
                .replace("+", "%20"));
        }
        final CompletableFuture<HttpResponse<byte[]>> answer = peers.send(node, pathAndQuery(r), request);
        if (answer == null)
        {
            exchanges.fail(shard, correlation, DiscordError.BUSY); // as many uploads under way as it forwards at once
            return true;
        }
        final ControlReply reply = new ControlReply(shard.group(), shard.address(), correlation, ex.userId(), ex);
        answer.whenComplete((res, failure) ->
        {
            if (failure != null)
            {
                final Throwable cause = failure instanceof java.util.concurrent.CompletionException
                    && failure.getCause() != null ? failure.getCause() : failure;
                LOG.info("an upload handed to node {} failed: {}", node, cause.toString());
                reply.error(cause instanceof java.net.http.HttpConnectTimeoutException
                    || cause instanceof java.net.ConnectException ? DiscordError.NODE_UNAVAILABLE
                    : cause instanceof java.net.http.HttpTimeoutException ? DiscordError.OWNER_TIMEOUT
                    : DiscordError.FORWARD_LOST);
                return;
            }
            final int retryAfter = retryAfterSeconds(res.headers().firstValue("Retry-After").orElse(null));
            reply.relay(res.statusCode(), res.body().length == 0 ? null : res.body(), retryAfter);
        });
        return true;
    }

    /** A Retry-After header's whole seconds, rounded up (0: none, or not a number of seconds). */
    static int retryAfterSeconds(final String header)
    {
        try
        {
            return header == null ? 0 : (int)Math.min(Integer.MAX_VALUE, Math.ceil(Double.parseDouble(header)));
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    /** The request's path below the API version and its query, as another node's REST edge takes them. */
    private static String pathAndQuery(final Request r)
    {
        final StringBuilder b = new StringBuilder("/api/v10");
        for (final String segment : r.path())
        {
            b.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8));
        }
        char sep = '?';
        for (final java.util.Map.Entry<String, List<String>> e : r.query().entrySet())
        {
            for (final String v : e.getValue())
            {
                b.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return b.toString();
    }

    /** A multipart body of {@code payload_json} and the file parts, as Discord's clients send it (bytes not copied). */
    static List<byte[]> multipart(final String boundary, final JsonNode body, final List<Upload> files)
    {
        final List<byte[]> parts = new ArrayList<>(2 + 3 * files.size());
        parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n"
            + "Content-Type: application/json\r\n\r\n" + body.toString() + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (final Upload u : files)
        {
            parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted(u.field())
                + "\"; filename=\"" + quoted(u.filename() == null ? "file" : u.filename()) + "\"\r\nContent-Type: "
                + (u.contentType() == null ? "application/octet-stream" : u.contentType()) + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
            parts.add(u.data());
            parts.add(CRLF);
        }
        parts.add(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return parts;
    }

    private static String quoted(final String s)
    {
        return s.replace("\r", "").replace("\n", "").replace("\"", "%22");
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
