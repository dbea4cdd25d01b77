package dev.pinwheel.gateway.http;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.gateway.codec.Json;

/**
 * A parsed REST request as a route sees it: the path's parameters by position (the {@code {…}} segments of the
 * route's template, left to right), the query and the JSON body.
 *
 * @param method      the HTTP method (HEAD arrives as GET).
 * @param path        the path segments below the API version.
 * @param params      the values of the template's parameters, in order.
 * @param query       query parameters.
 * @param body        the JSON body, or null.
 * @param files       the file parts of a multipart body (empty for any other body).
 */
public record Request(String method, String[] path, String[] params, Map<String, List<String>> query, JsonNode body,
    List<Upload> files)
{
    /**
     * A request without files.
     */
    public Request(final String method, final String[] path, final String[] params,
        final Map<String, List<String>> query, final JsonNode body)
    {
        this(method, path, params, query, body, List.of());
    }

    /**
     * @param name a query parameter.
     * @return its first value, or null.
     */
    public String q(final String name)
    {
        final List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /**
     * @param index a path parameter's position.
     * @return it as a snowflake, or -1 if it is not one.
     */
    public long id(final int index)
    {
        return Json.parseId(params[index]);
    }

    /**
     * @param index a path parameter's position.
     * @return its text.
     */
    public String param(final int index)
    {
        return params[index];
    }

    /**
     * @param name a query parameter.
     * @param otherwise its value when absent.
     * @return it as an int, or {@code Integer.MIN_VALUE} if it is not a number.
     */
    public int intQuery(final String name, final int otherwise)
    {
        final String v = q(name);
        if (v == null)
        {
            return otherwise;
        }
        try
        {
            return Integer.parseInt(v.trim());
        }
        catch (final NumberFormatException ex)
        {
            return Integer.MIN_VALUE;
        }
    }
}
