package dev.pinwheel.gateway.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The REST routes as data: (method, path template) to handler, e.g. {@code GET /channels/{channel}/messages/{message}}.
 * A template's segments are literals or {@code {name}} parameters; a literal wins over a parameter at the same place
 * ({@code /messages/bulk-delete} before {@code /messages/{message}}). Matching walks a tree of segments: no regular
 * expression, no allocation but the parameters' array.
 * <pre>
 *   channels ─ {channel} ─┬─ messages ─┬─ (GET history, POST create)
 *                         │            ├─ bulk-delete ─ (POST)
 *                         │            └─ {message} ─ (GET, PATCH, DELETE)
 *                         └─ typing ─ (POST)
 * </pre>
 * Built once per shard at start-up, then only read (by that shard's thread).
 */
public final class RouteTable
{
    /** Handles a matched request. */
    @FunctionalInterface
    public interface Handler
    {
        /**
         * @param exchange the request's exchange (answer through it or through a command to an owner).
         * @param request  the parsed request with the template's parameters.
         */
        void handle(RestExchange exchange, Request request);
    }

    /** A route: its handler and whether it needs a token. */
    private record Route(Handler handler, boolean authenticated, String template)
    {
    }

    /** A node of the segment tree. */
    private static final class Node
    {
        final Map<String, Node> literals = new HashMap<>();
        Node parameter;
        int parameters;
        final Map<String, Route> methods = new LinkedHashMap<>();
    }

    /** The outcome of {@link #match}. */
    public record Match(Handler handler, boolean authenticated, String[] params, String allow)
    {
        /**
         * @return true if the path is a route but not with this method (answer 405 with {@link #allow()}).
         */
        public boolean wrongMethod()
        {
            return handler == null;
        }
    }

    private final Node root = new Node();

    /**
     * @param method   HTTP method.
     * @param template e.g. {@code /channels/{channel}/messages}.
     * @param handler  the handler.
     * @return this.
     */
    public RouteTable add(final String method, final String template, final Handler handler)
    {
        return add(method, template, handler, true);
    }

    /**
     * @param method        HTTP method.
     * @param template      the path template.
     * @param handler       the handler.
     * @param authenticated whether the route needs a valid token (401 otherwise, before the handler).
     * @return this.
     */
    public RouteTable add(final String method, final String template, final Handler handler,
        final boolean authenticated)
    {
        Node node = root;
        int parameters = 0;
        for (final String segment : segments(template))
        {
            if (segment.startsWith("{") && segment.endsWith("}"))
            {
                if (node.parameter == null)
                {
                    node.parameter = new Node();
                }
                node = node.parameter;
                parameters++;
            }
            else
            {
                node = node.literals.computeIfAbsent(segment, s -> new Node());
            }
        }
        node.parameters = parameters;
        if (node.methods.put(method, new Route(handler, authenticated, template)) != null)
        {
            throw new IllegalArgumentException("route defined twice: " + method + " " + template);
        }
        return this;
    }

    /**
     * @param method the request's method.
     * @param path   the request's path segments.
     * @return the route (with the parameters' values), a wrong-method match (405 with Allow), or null (not a route
     *         of this table).
     */
    public Match match(final String method, final String[] path)
    {
        final String[] params = new String[path.length];
        final Node node = find(root, path, 0, params, 0);
        if (node == null || node.methods.isEmpty())
        {
            return null;
        }
        final String[] values = java.util.Arrays.copyOf(params, node.parameters);
        final Route route = node.methods.get(method);
        if (route == null)
        {
            return new Match(null, true, values, String.join(", ", new TreeSet<>(node.methods.keySet())));
        }
        return new Match(route.handler(), route.authenticated(), values, null);
    }

    private static Node find(final Node node, final String[] path, final int at, final String[] params,
        final int captured)
    {
        if (at == path.length)
        {
            return node;
        }
        final Node literal = node.literals.get(path[at]);
        if (literal != null)
        {
            final Node found = find(literal, path, at + 1, params, captured);
            if (found != null && !found.methods.isEmpty())
            {
                return found;
            }
        }
        if (node.parameter != null && !path[at].isEmpty())
        {
            params[captured] = path[at];
            return find(node.parameter, path, at + 1, params, captured + 1);
        }
        return null;
    }

    /**
     * @return every route as {@code METHOD /template}, sorted (the README's and the tests' list).
     */
    public List<String> routes()
    {
        final List<String> out = new ArrayList<>();
        collect(root, out);
        out.sort(null);
        return out;
    }

    private static void collect(final Node node, final List<String> out)
    {
        node.methods.forEach((m, r) -> out.add(m + " " + r.template()));
        node.literals.values().forEach(n -> collect(n, out));
        if (node.parameter != null)
        {
            collect(node.parameter, out);
        }
    }

    private static String[] segments(final String template)
    {
        final String t = template.startsWith("/") ? template.substring(1) : template;
        return t.isEmpty() ? new String[0] : t.split("/");
    }
}
