package dev.pinwheel.gateway.http;

import java.util.List;
import java.util.Set;

/**
 * Which methods each REST route answers, looked up before authentication so that a known path with a wrong method
 * is 405 (with {@code Allow}) whatever the token, as on Discord; an unknown path falls through to the router
 * (401 without a token, then 404). Patterns are path segments below {@code /api/vN}, {@code *} matching any one
 * segment; the first pattern of the right length that matches decides, so literal segments come before wildcards.
 * HEAD is routed as GET before this lookup. Stateless.
 */
public final class RouteMethods
{
    /** One route pattern and its methods. */
    private record Route(String[] segments, Set<String> methods, String allow)
    {
        boolean matches(final String[] path)
        {
            if (path.length != segments.length)
            {
                return false;
            }
            for (int i = 0; i < path.length; i++)
            {
                if (!"*".equals(segments[i]) && !segments[i].equals(path[i]))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Route> ROUTES = List.of(
        route("guilds", "POST"),
        route("guilds/*", "GET"),
        route("guilds/*/channels", "GET", "POST"),
        route("guilds/*/members", "GET"),
        route("guilds/*/members/search", "GET"),
        route("guilds/*/members/*", "GET", "PATCH"),
        route("guilds/*/members/@me/nick", "PATCH"),
        route("guilds/*/members/*/roles/*", "PUT", "DELETE"),
        route("guilds/*/roles", "GET", "POST"),
        route("guilds/*/roles/*", "PATCH", "DELETE"),
        route("channels/*", "GET", "PATCH", "DELETE"),
        route("channels/*/messages", "GET", "POST"),
        route("channels/*/messages/bulk-delete", "POST"),
        route("channels/*/messages/*", "GET", "PATCH", "DELETE"),
        route("channels/*/typing", "POST"),
        route("channels/*/invites", "POST"),
        route("invites/*", "GET", "POST"));

    private RouteMethods()
    {
    }

    /**
     * @param path path segments below the API version.
     * @return the methods the route answers, as an {@code Allow} header value ({@code HEAD} included with
     * {@code GET}); null if no route has this shape.
     */
    public static String allow(final String[] path)
    {
        final Route r = find(path);
        return r == null ? null : r.allow();
    }

    /**
     * @param path   path segments below the API version.
     * @param method the method (HEAD already turned into GET).
     * @return true if a route has this shape and does not answer this method.
     */
    public static boolean wrongMethod(final String[] path, final String method)
    {
        final Route r = find(path);
        return r != null && !r.methods().contains(method);
    }

    private static Route find(final String[] path)
    {
        for (final Route r : ROUTES)
        {
            if (r.matches(path))
            {
                return r;
            }
        }
        return null;
    }

    private static Route route(final String pattern, final String... methods)
    {
        final StringBuilder allow = new StringBuilder();
        for (final String m : methods)
        {
            allow.append(allow.isEmpty() ? "" : ", ").append(m);
            if ("GET".equals(m))
            {
                allow.append(", HEAD");
            }
        }
        return new Route(pattern.split("/"), Set.of(methods), allow.toString());
    }
}
