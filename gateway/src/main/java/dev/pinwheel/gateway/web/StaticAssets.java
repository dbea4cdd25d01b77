package dev.pinwheel.gateway.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The web client's and the dashboard's files, bundled in the jar under {@value #ROOT}: plain HTML, CSS and
 * ES modules, no build step and nothing fetched at run time. Each file is read from the class path once and
 * kept in memory with its content type and an ETag; the jar does not change while the node runs.
 */
final class StaticAssets
{
    static final String ROOT = "dev/pinwheel/web/";
    private static final Pattern ASSET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,100}");
    private static final Map<String, String> TYPES = Map.of(
        "html", "text/html; charset=utf-8",
        "css", "text/css; charset=utf-8",
        "js", "text/javascript; charset=utf-8",
        "svg", "image/svg+xml",
        "png", "image/png",
        "json", "application/json");

    /** A file ready to serve. */
    record Asset(byte[] body, String contentType, String etag)
    {
    }

    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    /**
     * @param name a page ({@code index.html}) or {@code assets/<file>}.
     * @return the file, or null if there is none (or the name is not a plain file name).
     */
    Asset get(final String name)
    {
        final String file = name.startsWith("assets/") ? name.substring("assets/".length()) : name;
        if (!ASSET_NAME.matcher(file).matches() || file.contains(".."))
        {
            return null;
        }
        final Asset cached = cache.get(name);
        if (cached != null)
        {
            return cached;
        }
        final Asset loaded = load(name);
        if (loaded != null)
        {
            cache.putIfAbsent(name, loaded);
        }
        return loaded;
    }

    private static Asset load(final String name)
    {
        final int dot = name.lastIndexOf('.');
        final String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null)
        {
            return null;
        }
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(ROOT + name))
        {
            if (in == null)
            {
                return null;
            }
            final byte[] body = in.readAllBytes();
            final CRC32C crc = new CRC32C();
            crc.update(body);
            final String etag = "\"" + HexFormat.of().toHexDigits((int)crc.getValue()) + "-"
                + Integer.toHexString(body.length) + "\"";
            return new Asset(body, type, etag);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read web asset " + name, ex);
        }
    }
}
