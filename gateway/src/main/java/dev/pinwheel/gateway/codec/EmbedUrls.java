package dev.pinwheel.gateway.codec;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The links of an embed, checked as Discord checks them: {@code url} and {@code author.url} must be well-formed
 * {@code http}/{@code https} URLs; the images ({@code image.url}, {@code thumbnail.url}, {@code author.icon_url},
 * {@code footer.icon_url}) may also name an uploaded file ({@code attachment://name}). Anything else —
 * {@code javascript:}, {@code data:}, {@code file:}, a relative path — is refused, so a client that renders an embed
 * never gets a link that runs code. Stateless.
 */
final class EmbedUrls
{
    /** Discord's error code for a link it cannot accept. */
    static final String ERROR_CODE = "URL_TYPE_INVALID_URL";
    private static final String[][] LINKS = {{"url"}, {"author", "url"}};
    private static final String[][] IMAGES = {{"image", "url"}, {"thumbnail", "url"}, {"author", "icon_url"},
        {"footer", "icon_url"}};

    private EmbedUrls()
    {
    }

    /**
     * @param embed one embed object from a client.
     * @return why one of its links is refused, or null when all are acceptable (or absent).
     */
    static String firstBad(final JsonNode embed)
    {
        for (final String[] path : LINKS)
        {
            final String bad = check(embed, path, false);
            if (bad != null)
            {
                return bad;
            }
        }
        for (final String[] path : IMAGES)
        {
            final String bad = check(embed, path, true);
            if (bad != null)
            {
                return bad;
            }
        }
        return null;
    }

    private static String check(final JsonNode embed, final String[] path, final boolean attachmentAllowed)
    {
        JsonNode v = embed;
        for (final String key : path)
        {
            v = v == null || !v.isObject() ? null : v.get(key);
        }
        if (v == null || !v.isTextual())
        {
            return null; // absent, null or not a string: the shape checks answer those
        }
        final String name = String.join(".", path);
        final String url = v.asText();
        final int colon = url.indexOf(':');
        final String scheme = colon <= 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
        final boolean web = "http".equals(scheme) || "https".equals(scheme);
        if (!web && !(attachmentAllowed && "attachment".equals(scheme)))
        {
            return name + ": scheme \"" + scheme + "\" is not supported. Scheme must be one of ('http', 'https'"
                + (attachmentAllowed ? ", 'attachment'" : "") + ").";
        }
        if (web ? !wellFormedWeb(url) : !url.startsWith("attachment://") || url.length() == "attachment://".length()
            || url.chars().anyMatch(c -> c <= ' '))
        {
            return name + ": not a well formed URL.";
        }
        return null;
    }

    private static boolean wellFormedWeb(final String url)
    {
        if (url.chars().anyMatch(c -> c <= ' ' || c == 0x7f))
        {
            return false;
        }
        try
        {
            final URI u = new URI(url);
            return u.getHost() != null && !u.getHost().isEmpty();
        }
        catch (final URISyntaxException e)
        {
            return false;
        }
    }
}
