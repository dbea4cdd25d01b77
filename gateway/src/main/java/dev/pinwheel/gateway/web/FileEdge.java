package dev.pinwheel.gateway.web;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.routing.ShardRoute;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.node.FileStore;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.node.PeerHttp;

/**
 * The CDN-style paths of the node's files, served by the edge of the shard that holds the connection:
 * <pre>
 *   /attachments/{channel}/{attachment}/{filename}[?ex=…&amp;is=…&amp;hm=…]   a message's file
 *   /avatars/{user}/{hash}.png, /icons/{guild}/{hash}.png                  public images
 * </pre>
 * An attachment is served to whoever holds a valid signed URL (this node's HMAC, not expired); without one the
 * request needs a token whose user may VIEW_CHANNEL, asked of the channel's owner shard (a task there, the answer a
 * task back here). Files are named by ids and hashes only: the client's path never reaches the file system beyond a
 * parsed number or 32 hex digits, and the filename segment must match the stored one. Answers carry Content-Type
 * (the sniffed type for images), Content-Length, a strong ETag (the content hash), Cache-Control,
 * {@code X-Content-Type-Options: nosniff}, Content-Disposition (attachment) for anything but an image, and honour
 * a single byte Range (206, or 416 outside the file) and If-None-Match (304). The body goes out as a file region
 * (sendfile with epoll): the shard thread copies nothing.
 */
public final class FileEdge
{
    private static final String CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
    /** The request headers a file request handed to another node keeps. */
    private static final CharSequence[] PASSED_ON = {HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.RANGE,
        HttpHeaderNames.IF_NONE_MATCH};

    private final GatewayContext ctx;
    private final AuthService auth;
    private final Shard shard;

    /**
     * @param ctx   the node.
     * @param auth  token checks.
     * @param shard this shard.
     */
    public FileEdge(final GatewayContext ctx, final AuthService auth, final Shard shard)
    {
        this.ctx = ctx;
        this.auth = auth;
        this.shard = shard;
    }

    /**
     * @param path a request path outside the API.
     * @return whether it names a file of the store.
     */
    public static boolean handles(final String path)
    {
        return path.startsWith("/attachments/") || path.startsWith("/avatars/") || path.startsWith("/icons/");
    }

    /**
     * Answers one file request (shard thread). An answer that needs the guild owner's word (an attachment fetched
     * with a token instead of its signed URL) comes later: the edge then pauses reading and holds what was pipelined
     * behind it until this answer fires {@link RestExchange#ANSWERED_LATER}, as for the API.
     *
     * @param c      the connection.
     * @param req    the request (released when this returns: nothing of it is kept).
     * @param path   its decoded path.
     * @param params its query.
     * @return whether it was answered before returning.
     */
    public boolean serve(final ChannelHandlerContext c, final FullHttpRequest req, final String path,
        final Map<String, List<String>> params)
    {
        final Answer a = new Answer(c, HttpUtil.isKeepAlive(req), HttpMethod.HEAD.equals(req.method()),
            req.headers().get(HttpHeaderNames.RANGE), req.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        final FileStore files = ctx.files();
        if (files == null)
        {
            a.error(HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
            return true;
        }
        if (!HttpMethod.GET.equals(req.method()) && !a.head)
        {
            a.error(HttpResponseStatus.METHOD_NOT_ALLOWED, 0, "405: Method Not Allowed");
            return true;
        }
        final String[] s = path.split("/", -1); // "", kind, owner, …
        if (s[1].equals("attachments"))
        {
            return attachment(files, a, s, params, req);
        }
        return image(files, a, s, req);
    }

    /** @return whether it was answered (false: another node was asked, its answer comes later). */
    private boolean image(final FileStore files, final Answer a, final String[] s, final FullHttpRequest req)
    {
        final long owner = s.length == 4 ? Json.parseId(s[2]) : -1;
        final String name = s.length == 4 ? s[3] : "";
        final int dot = name.lastIndexOf('.');
        final String ext = dot < 0 ? "" : name.substring(dot + 1);
        final Path file = owner <= 0 || dot != 32 || !(ext.equals("png") || ext.equals("jpg") || ext.equals("jpeg")
            || ext.equals("webp") || ext.equals("gif")) ? null : files.imageFile(s[1], owner, name.substring(0, dot));
        if (file == null || !Files.isRegularFile(file))
        {
            if (file != null && files.shared() != null)
            {
                // the shared store keeps every image; one stored before it did is asked of the other nodes
                final String kind = s[1];
                final String hash = name.substring(0, dot);
                final String uri = req.uri();
                final HttpHeaders headers = req.headers().copy();
                files.shared().image(kind, owner, hash).whenComplete((bytes, failure) -> a.executor().execute(() ->
                {
                    if (bytes != null)
                    {
                        final dev.pinwheel.gateway.node.ImageInfo info = dev.pinwheel.gateway.node.ImageInfo.of(bytes,
                            Math.min(64, bytes.length));
                        a.bytes(bytes, info.contentType() == null ? "application/octet-stream" : info.contentType(),
                            "\"" + hash + "\"", null, CACHE_IMMUTABLE);
                    }
                    else if (!fromPeers(a, owner, uri, headers))
                    {
                        a.error(failure != null ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.NOT_FOUND,
                            0, failure != null ? "503: the file store is unreachable, retry later" : "404: Not Found");
                    }
                }));
                return false;
            }
            // an image is kept by the node its upload went through: ask the others, the key's owner first
            if (file != null && fromPeers(a, owner, req.uri(), req.headers()))
            {
                return false;
            }
            a.error(HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
            return true;
        }
        final byte[] head = new byte[64];
        int n = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            n = Math.max(0, ch.read(java.nio.ByteBuffer.wrap(head)));
        }
        catch (final IOException ex)
        {
            a.error(HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
            return true;
        }
        final dev.pinwheel.gateway.node.ImageInfo info = dev.pinwheel.gateway.node.ImageInfo.of(head, n);
        a.file(file, info.contentType() == null ? "application/octet-stream" : info.contentType(),
            "\"" + name.substring(0, dot) + "\"", null, CACHE_IMMUTABLE);
        return true;
    }

    private boolean attachment(final FileStore files, final Answer a, final String[] s,
        final Map<String, List<String>> params, final FullHttpRequest req)
    {
        final HttpHeaders headers = req.headers();
        final long channelId = s.length == 5 ? Json.parseId(s[2]) : -1;
        final long attachmentId = s.length == 5 ? Json.parseId(s[3]) : -1;
        if (files.shared() != null && channelId > 0 && attachmentId > 0)
        {
            // the shared store (Cassandra) decides whether the file exists: a copy kept here may be of a message
            // deleted since by another node, and a file of a guild that moved here has no copy here
            final String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
            final Map<String, List<String>> query = Map.copyOf(params);
            files.sharedAttachment(attachmentId).whenComplete((meta, failure) -> a.executor().execute(() ->
            {
                if (failure != null)
                {
                    a.error(HttpResponseStatus.SERVICE_UNAVAILABLE, 0, "503: the file store is unreachable, retry "
                        + "later");
                    return;
                }
                // a file stored here before the shared store kept files: its own copy decides
                authorize(files, a, s, query, auth, channelId, attachmentId,
                    meta == null && files.keptOnlyHere(attachmentId) ? files.attachment(attachmentId) : meta);
            }));
            return false;
        }
        final FileStore.Attachment meta = channelId <= 0 || attachmentId <= 0 ? null : files.attachment(attachmentId);
        if (meta == null || meta.channelId() != channelId || !meta.filename().equals(s[4]))
        {
            final long guild = channelId <= 0 ? 0 : ctx.node().directory().guildOfChannel(channelId);
            if (channelId > 0 && attachmentId > 0
                && fromPeers(a, guild != 0 ? guild : channelId, req.uri(), headers))
            {
                return false; // answered when another node answers
            }
            a.error(HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
            return true;
        }
        return authorize(files, a, s, params, headers.get(HttpHeaderNames.AUTHORIZATION), channelId, attachmentId,
            meta);
    }

    /**
     * Serves an attachment whose metadata was found, to a signed URL or a token whose user may view the channel.
     *
     * @return whether it was answered (false: the guild's owner shard is asked first).
     */
    private boolean authorize(final FileStore files, final Answer a, final String[] s,
        final Map<String, List<String>> params, final String authorization, final long channelId,
        final long attachmentId, final FileStore.Attachment meta)
    {
        if (meta == null || meta.channelId() != channelId || !meta.filename().equals(s[4]))
        {
            a.error(HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
            return true;
        }
        final long now = System.currentTimeMillis() / 1000;
        if (files.verify(channelId, attachmentId, first(params, "ex"), first(params, "is"), first(params, "hm"), now))
        {
            a.attachment(files, meta);
            return true;
        }
        final long userId = auth.authenticate(authorization);
        if (userId == dev.pinwheel.gateway.auth.AuthService.NOT_YET_KNOWN)
        {
            a.error(HttpResponseStatus.SERVICE_UNAVAILABLE, DiscordError.ACCOUNT_NOT_YET_KNOWN.code(),
                DiscordError.ACCOUNT_NOT_YET_KNOWN.message());
            return true;
        }
        if (userId < 0)
        {
            a.error(HttpResponseStatus.UNAUTHORIZED, 0, "401: Unauthorized");
            return true;
        }
        final long guildId = ctx.node().directory().guildOfChannel(channelId);
        if (guildId == 0)
        {
            final long[] dm = ctx.node().directory().dmUsers(channelId);
            if (dm != null && (dm[0] == userId || dm[1] == userId))
            {
                a.attachment(files, meta);
            }
            else
            {
                a.error(HttpResponseStatus.FORBIDDEN, 50001, "Missing Access");
            }
            return true;
        }
        final int owner = shard.group().ownerOf(guildId);
        if (owner == ShardRoute.MOVING || ShardRoute.remote(owner, shard.group().nodeId()))
        {
            // the view check is a task on the owner's shard: it cannot cross nodes (the signed URL needs none)
            a.error(HttpResponseStatus.SERVICE_UNAVAILABLE, 0, owner == ShardRoute.MOVING
                ? "503: the channel's guild is moving between nodes, retry" : "503: the channel's guild is served by "
                + "another node: fetch the attachment by its signed URL");
            return true;
        }
        shard.send(owner, new ViewCheck(shard.id(), guildId, channelId, userId, a, files, meta));
        return a.answered; // this shard owns the guild: the check ran at once
    }

    /**
     * A message's files live on the node that owns its channel (its guild, or the DM channel: {@link PeerHttp}):
     * a request for a file this node does not hold is handed, as it came (path, signed query, Authorization, Range,
     * If-None-Match), to that node, then — if it does not have it either (the ring moved since the upload, or the
     * upload went through a node before files followed their owner) — to the others in turn, and the first answer
     * that is not a 404 is relayed. Through a load balancer, or to a client that kept another node's URL, the file
     * is served all the same.
     *
     * @return whether the request was handed on.
     */
    private boolean fromPeers(final Answer a, final long key, final String uri, final HttpHeaders headers)
    {
        final PeerHttp peers = ctx.peers();
        if (peers == null || headers.contains(PeerHttp.FORWARDED))
        {
            return false;
        }
        final int route = shard.group().ownerOf(key);
        final int first = route != ShardRoute.MOVING && ShardRoute.remote(route, shard.group().nodeId())
            && peers.address(ShardRoute.node(route)) != null ? ShardRoute.node(route) : -1;
        final int[] order = new int[peers.nodes()];
        int n = 0;
        if (first >= 0)
        {
            order[n++] = first;
        }
        for (int k = 0; k < order.length; k++)
        {
            if (k != first && k != shard.group().nodeId() && peers.address(k) != null)
            {
                order[n++] = k;
            }
        }
        if (n == 0)
        {
            return false;
        }
        final FileStore files = ctx.files();
        if (!files.tryInMemoryAnswer())
        {
            a.executor().execute(a::busy); // after this request's serve returned (its edge then waits for it)
            return true;
        }
        a.holding(files::releaseInMemoryAnswer);
        firstFromPeers(a, java.util.Arrays.copyOf(order, n), 0, uri, headers);
        return true;
    }

    /**
     * Asks the nodes in turn for a file this node does not hold, and relays the first answer that is not a 404 or a
     * failure; 404 when none has it; 503 (Retry-After) when this node already has as many requests to other nodes
     * under way as it makes at once (a 404 would tell the client the file is gone).
     */
    private void firstFromPeers(final Answer a, final int[] nodes, final int next, final String uri,
        final HttpHeaders headers)
    {
        if (next == nodes.length)
        {
            a.executor().execute(() -> a.error(HttpResponseStatus.NOT_FOUND, 0, "404: Not Found"));
            return;
        }
        final java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder().GET();
        for (final CharSequence name : PASSED_ON)
        {
            final String value = headers.get(name);
            if (value != null)
            {
                request.header(name.toString(), value);
            }
        }
        final java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<byte[]>> answer =
            ctx.peers().send(nodes[next], uri, request);
        if (answer == null)
        {
            a.executor().execute(a::busy); // as many requests to other nodes under way as this node makes at once
            return;
        }
        answer.whenComplete((res, failure) ->
        {
            if (failure != null || res.statusCode() == HttpResponseStatus.NOT_FOUND.code())
            {
                firstFromPeers(a, nodes, next + 1, uri, headers);
            }
            else
            {
                a.executor().execute(() -> a.relay(res));
            }
        });
    }

    private static String first(final Map<String, List<String>> params, final String key)
    {
        final List<String> v = params.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Asks the guild's owner whether the user may view the channel; answers on the connection's shard. */
    private record ViewCheck(int origin, long guildId, long channelId, long userId, Answer answer, FileStore files,
        FileStore.Attachment meta) implements ShardTask
    {
        @Override
        public void run(final Shard owner)
        {
            final Guild g = owner.guilds().get(guildId);
            final GuildChannel ch = g == null ? null : g.channel(channelId);
            final boolean allowed = ch != null && g.member(userId) != null
                && Permissions.has(Permissions.in(g, userId, ch), Permissions.VIEW_CHANNEL);
            owner.send(origin, new ViewAnswer(allowed, answer, files, meta));
        }

        @Override
        public void failed(final Shard shard, final Throwable cause)
        {
            answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, 0, "503: Service Unavailable");
        }
    }

    private record ViewAnswer(boolean allowed, Answer answer, FileStore files, FileStore.Attachment meta)
        implements ShardTask
    {
        @Override
        public void run(final Shard shard)
        {
            if (allowed)
            {
                answer.attachment(files, meta);
            }
            else
            {
                answer.error(HttpResponseStatus.FORBIDDEN, 50001, "Missing Access");
            }
        }

        @Override
        public void failed(final Shard shard, final Throwable cause)
        {
            answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, 0, "503: Service Unavailable");
        }
    }

    /** What an answer needs of its request, copied out of it (the request is released when serve returns). */
    private static final class Answer
    {
        private static final String CACHE_PRIVATE = "private, max-age=86400";
        /** The headers of another node's answer that a relayed answer keeps (Content-Length is set from its body). */
        private static final String[] RELAYED = {"Content-Type", "ETag", "Cache-Control", "Accept-Ranges",
            "Content-Range", "Content-Disposition", "X-Content-Type-Options", "Content-Security-Policy"};

        private final ChannelHandlerContext c;
        private final boolean keepAlive;
        private final boolean head;
        private final String range;
        private final String ifNoneMatch;
        private boolean answered;
        /** Gives back this answer's place among those held in memory, once written ({@link #holding}). */
        private Runnable onWritten;

        Answer(final ChannelHandlerContext c, final boolean keepAlive, final boolean head, final String range,
            final String ifNoneMatch)
        {
            this.c = c;
            this.keepAlive = keepAlive;
            this.head = head;
            this.range = range;
            this.ifNoneMatch = ifNoneMatch;
        }

        /** @return the connection's thread. */
        java.util.concurrent.Executor executor()
        {
            return c.executor();
        }

        /** Writes another node's answer to this request (on the connection's thread). */
        void relay(final java.net.http.HttpResponse<byte[]> res)
        {
            final HttpResponseStatus status = HttpResponseStatus.valueOf(res.statusCode());
            final byte[] body = res.body();
            final FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            for (final String name : RELAYED)
            {
                res.headers().firstValue(name).ifPresent(v -> out.headers().set(name, v));
            }
            out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (keepAlive)
            {
                out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            finish(c.writeAndFlush(out));
        }

        void attachment(final FileStore files, final FileStore.Attachment meta)
        {
            final String disposition = meta.image() ? null : "attachment; filename=\"" + meta.filename() + "\"";
            final String etag = "\"" + meta.sha256() + "\"";
            final Path local = files.attachmentFile(meta.id());
            if (files.shared() != null && !Files.isRegularFile(local))
            {
                // no copy here (its guild moved here with its owner's loss, or it was stored by another node): the
                // shared store's, held in memory (called after the request's serve returned: it may answer at once)
                if (!files.tryInMemoryAnswer())
                {
                    busy();
                    return;
                }
                holding(files::releaseInMemoryAnswer);
                files.shared().data(meta.id()).whenComplete((bytes, failure) -> c.executor().execute(() ->
                {
                    if (failure != null)
                    {
                        error(HttpResponseStatus.SERVICE_UNAVAILABLE, 0, "503: the file store is unreachable, retry "
                            + "later");
                    }
                    else if (bytes == null)
                    {
                        error(HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
                    }
                    else
                    {
                        bytes(bytes, meta.contentType(), etag, disposition, CACHE_PRIVATE);
                    }
                }));
                return;
            }
            file(local, meta.contentType(), etag, disposition, CACHE_PRIVATE);
        }

        /** {@link #file} for bytes in memory (a file read from the shared store). */
        void bytes(final byte[] content, final String contentType, final String etag, final String disposition,
            final String cacheControl)
        {
            final FullHttpResponse empty = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
            final long[] span = headers(empty, content.length, contentType, etag, disposition, cacheControl);
            finish(c.writeAndFlush(span[1] > 0 && !head
                ? empty.replace(Unpooled.wrappedBuffer(content, (int)span[0], (int)span[1])) : empty));
        }

        void file(final Path file, final String contentType, final String etag, final String disposition,
            final String cacheControl)
        {
            final FileChannel ch;
            final long size;
            try
            {
                ch = FileChannel.open(file, StandardOpenOption.READ);
                size = ch.size();
            }
            catch (final NoSuchFileException ex)
            {
                error(HttpResponseStatus.NOT_FOUND, 0, "404: Not Found");
                return;
            }
            catch (final IOException ex)
            {
                error(HttpResponseStatus.INTERNAL_SERVER_ERROR, 0, "500: Internal Server Error");
                return;
            }
            final HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            final long[] span = headers(res, size, contentType, etag, disposition, cacheControl);
            final long from = span[0];
            final long length = span[1];
            c.write(res);
            if (length > 0 && !head)
            {
                c.write(new DefaultFileRegion(ch, from, length));
            }
            else
            {
                close(ch);
            }
            finish(c.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
        }

        /**
         * Sets an answer's status and headers for content of {@code size} bytes: 304 on a matching If-None-Match, 206
         * or 416 on a Range.
         *
         * @return {first byte, length} of what the body carries.
         */
        private long[] headers(final HttpResponse res, final long size, final String contentType, final String etag,
            final String disposition, final String cacheControl)
        {
            final HttpHeaders h = res.headers();
            h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
            h.set(HttpHeaderNames.ETAG, etag);
            h.set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
            h.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Content-Security-Policy", "default-src 'none'; sandbox");
            if (disposition != null)
            {
                h.set("Content-Disposition", disposition);
            }
            long from = 0;
            long length = size;
            if (etag.equals(ifNoneMatch))
            {
                res.setStatus(HttpResponseStatus.NOT_MODIFIED);
                length = 0;
            }
            else if (range != null)
            {
                final long[] r = range(range, size);
                if (r == null)
                {
                    res.setStatus(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
                    h.set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
                    length = 0;
                }
                else if (r.length == 2)
                {
                    res.setStatus(HttpResponseStatus.PARTIAL_CONTENT);
                    from = r[0];
                    length = r[1] - r[0] + 1;
                    h.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + r[0] + "-" + r[1] + "/" + size);
                }
            }
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
            if (keepAlive)
            {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            return new long[] {from, length};
        }

        /**
         * @return {start, end} of a satisfiable single range; an empty array when the header is not a byte range
         *         this serves (the whole file is sent, as RFC 9110 allows); null when unsatisfiable (416).
         */
        private static long[] range(final String header, final long size)
        {
            if (!header.startsWith("bytes=") || header.indexOf(',') >= 0)
            {
                return new long[0];
            }
            final String spec = header.substring(6).trim();
            final int dash = spec.indexOf('-');
            if (dash < 0)
            {
                return new long[0];
            }
            try
            {
                final String a = spec.substring(0, dash).trim();
                final String b = spec.substring(dash + 1).trim();
                if (a.isEmpty())
                {
                    final long suffix = Long.parseLong(b);
                    return suffix <= 0 || size == 0 ? null : new long[] {Math.max(0, size - suffix), size - 1};
                }
                final long start = Long.parseLong(a);
                final long end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
                return start < 0 || start >= size || end < start ? null : new long[] {start, end};
            }
            catch (final NumberFormatException ex)
            {
                return new long[0];
            }
        }

        void error(final HttpResponseStatus status, final int code, final String message)
        {
            final byte[] body = ("{\"code\":" + code + ",\"message\":\"" + message + "\"}")
                .getBytes(StandardCharsets.UTF_8);
            final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            res.headers().set("X-Content-Type-Options", "nosniff");
            if (keepAlive)
            {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            finish(c.writeAndFlush(res));
        }

        /** @param release run once this answer is written (or its connection failed). */
        void holding(final Runnable release)
        {
            onWritten = release;
        }

        /** 503 with Retry-After: as many answers held in memory as the node allows. */
        void busy()
        {
            final byte[] body = ("{\"code\":0,\"message\":\"503: too many files are being fetched from elsewhere, "
                + "retry\"}").getBytes(StandardCharsets.UTF_8);
            final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SERVICE_UNAVAILABLE, head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            res.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            if (keepAlive)
            {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            finish(c.writeAndFlush(res));
        }

        private void finish(final ChannelFuture written)
        {
            answered = true;
            if (onWritten != null)
            {
                final Runnable release = onWritten;
                onWritten = null;
                written.addListener(f -> release.run());
            }
            if (keepAlive)
            {
                if (!c.channel().config().isAutoRead())
                {
                    // the edge paused reading for this answer: resume, and let it serve what was pipelined behind it
                    c.channel().config().setAutoRead(true);
                    c.pipeline().fireUserEventTriggered(RestExchange.ANSWERED_LATER);
                }
            }
            else
            {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static void close(final FileChannel ch)
        {
            try
            {
                ch.close();
            }
            catch (final IOException ex)
            {
                // read-only: nothing to lose
            }
        }
    }
}
