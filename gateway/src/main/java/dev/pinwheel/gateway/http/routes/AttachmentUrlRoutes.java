package dev.pinwheel.gateway.http.routes;

import java.net.URI;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.node.FileStore;

/**
 * {@code POST /attachments/refresh-urls {attachment_urls: [url…]}} (1 to 50): Discord's refresh of expired attachment
 * links. Each URL this node signed once ({@code ex/is/hm} valid but for its expiry: whoever was given a link may renew
 * it, as on Discord) comes back signed from now, same path; any other URL comes back unchanged. Answered on the
 * request's shard from the URL alone (an HMAC; no file is read), {@code {refreshed_urls: [{original, refreshed}]}}.
 */
final class AttachmentUrlRoutes
{
    /** Discord's cap on URLs per refresh. */
    static final int MAX_URLS = 50;

    private final RouteContext ctx;
    private final Shard shard;

    AttachmentUrlRoutes(final RouteContext ctx, final Shard shard)
    {
        this.ctx = ctx;
        this.shard = shard;
    }

    void register(final RouteTable table)
    {
        table.add("POST", "/attachments/refresh-urls", this::refresh);
    }

    private void refresh(final RestExchange ex, final Request r)
    {
        final JsonNode urls = r.body() == null ? null : r.body().get("attachment_urls");
        if (urls == null || !urls.isArray() || urls.isEmpty() || urls.size() > MAX_URLS)
        {
            ex.invalidField(shard, "attachment_urls", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and " + MAX_URLS
                + " in length.");
            return;
        }
        for (final JsonNode u : urls)
        {
            if (!u.isTextual() || u.asText().length() > 2048)
            {
                ex.invalidField(shard, "attachment_urls", "BASE_TYPE_STRING", "Must be a list of URLs.");
                return;
            }
        }
        final FileStore files = ctx.gateway().files();
        final long now = System.currentTimeMillis() / 1000;
        final ArrayNode out = Json.array();
        for (final JsonNode u : urls)
        {
            final String original = u.asText();
            out.add(Json.object().put("original", original).put("refreshed", files == null ? original
                : refreshed(files, original, now)));
        }
        final ObjectNode body = Json.object();
        body.set("refreshed_urls", out);
        ex.reply(shard, 200, body);
    }

    /** The URL signed from now if this node signed it once, else the URL unchanged. */
    static String refreshed(final FileStore files, final String url, final long nowSeconds)
    {
        final URI uri;
        try
        {
            uri = URI.create(url);
        }
        catch (final IllegalArgumentException ex)
        {
            return url;
        }
        final String path = uri.getRawPath();
        final String[] s = path == null ? new String[0] : path.split("/", -1); // "", attachments, channel, id, name
        if (s.length != 5 || !"attachments".equals(s[1]) || uri.getRawQuery() == null)
        {
            return url;
        }
        final long channelId = Json.parseId(s[2]);
        final long attachmentId = Json.parseId(s[3]);
        String exp = null;
        String is = null;
        String hm = null;
        for (final String kv : uri.getRawQuery().split("&"))
        {
            final int eq = kv.indexOf('=');
            final String k = eq < 0 ? kv : kv.substring(0, eq);
            final String v = eq < 0 ? "" : kv.substring(eq + 1);
            switch (k)
            {
                case "ex" -> exp = v;
                case "is" -> is = v;
                case "hm" -> hm = v;
                default ->
                {
                }
            }
        }
        if (channelId <= 0 || attachmentId <= 0 || !files.signedHere(channelId, attachmentId, exp, is, hm))
        {
            return url;
        }
        final String base = url.substring(0, url.indexOf('?'));
        return base + "?" + files.sign(channelId, attachmentId, nowSeconds) + "&";
    }
}
