package dev.pinwheel.gateway.edge;

/**
 * The segments of a REST path below {@code /api} and its optional version: {@code /api/v10/channels/1/messages} is
 * {@code {channels, 1, messages}}. Empty segments ({@code //}, a trailing {@code /}) are skipped; a first segment
 * {@code v} + ASCII digits is the version, and 8, 9 and 10 are served (as Discord does: 8 is deprecated there, not
 * decommissioned, and Discord4J 3.2 still speaks it; 6 and 7 are decommissioned). Read in one pass over the path: the
 * only allocations are the segments kept and their array. Stateless.
 */
final class ApiPath
{
    /** Where the segments start: after {@code /api}. */
    private static final int AFTER_API = "/api".length();

    private ApiPath()
    {
    }

    /**
     * @param path a path that is {@code /api} or starts with {@code /api/}.
     * @return its segments below {@code /api} and the version, or null if it names a version that is not served.
     */
    static String[] segments(final String path)
    {
        final int length = path.length();
        int from = AFTER_API;
        final int first = skipSlashes(path, from);
        final int firstEnd = segmentEnd(path, first);
        if (isVersion(path, first, firstEnd))
        {
            if (!isServed(path, first, firstEnd))
            {
                return null;
            }
            from = firstEnd;
        }
        int count = 0;
        for (int at = skipSlashes(path, from); at < length; at = skipSlashes(path, segmentEnd(path, at)))
        {
            count++;
        }
        final String[] segments = new String[count];
        int i = 0;
        for (int at = skipSlashes(path, from); at < length; )
        {
            final int end = segmentEnd(path, at);
            segments[i++] = path.substring(at, end);
            at = skipSlashes(path, end);
        }
        return segments;
    }

    private static int skipSlashes(final String path, final int from)
    {
        int at = from;
        while (at < path.length() && path.charAt(at) == '/')
        {
            at++;
        }
        return at;
    }

    private static int segmentEnd(final String path, final int from)
    {
        final int slash = path.indexOf('/', from);
        return slash < 0 ? path.length() : slash;
    }

    /** {@code v\d+} (ASCII digits, as the regex it replaces read them). */
    private static boolean isVersion(final String path, final int from, final int to)
    {
        if (to - from < 2 || path.charAt(from) != 'v')
        {
            return false;
        }
        for (int i = from + 1; i < to; i++)
        {
            final char c = path.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isServed(final String path, final int from, final int to)
    {
        return to - from == 2 && (path.startsWith("v9", from) || path.startsWith("v8", from))
            || to - from == 3 && path.startsWith("v10", from);
    }
}
