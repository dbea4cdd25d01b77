package dev.pinwheel.gateway.http.routes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.directory.Directory;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.Request;
import dev.pinwheel.gateway.http.RestExchange;

/**
 * Checks the resource routes share: a path's guild, a body's text fields and snowflakes, an error answer. Runs on
 * the shard holding the request. Stateless.
 */
final class RouteChecks
{
    private RouteChecks()
    {
    }

    /**
     * @param directory the node's directory.
     * @param shard     this shard.
     * @param ex        the request.
     * @param r         the request, its first path parameter a guild.
     * @return the guild's id, or -1 after answering 10004 (not a snowflake, no such guild).
     */
    static long knownGuild(final Directory directory, final Shard shard, final RestExchange ex, final Request r)
    {
        final long guildId = r.id(0);
        if (guildId < 0 || directory.guild(guildId) == null)
        {
            error(shard, ex, DiscordError.UNKNOWN_GUILD);
            return -1;
        }
        return guildId;
    }

    /**
     * @param body  a JSON body, or null.
     * @param field a field.
     * @return the field's text if it is a string, else null.
     */
    static String text(final JsonNode body, final String field)
    {
        final JsonNode n = body == null ? null : body.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    /**
     * @param name an optional {@code name} field, or null.
     * @return whether it is given (not null) but not a string of 1-100 characters, not all blank.
     */
    static boolean badOptionalName(final JsonNode name)
    {
        return name != null && !name.isNull() && (!name.isTextual() || name.asText().isBlank()
            || name.asText().length() > 100);
    }

    /**
     * A bulk positions body ({@code PATCH /guilds/{g}/roles|channels}): a non-empty array of objects, each with a
     * snowflake {@code id}.
     *
     * @param shard this shard.
     * @param ex    the request.
     * @param r     its parsed form.
     * @return the array, or null after a 400 (50035, naming the first bad id).
     */
    static JsonNode positionsBody(final Shard shard, final RestExchange ex, final Request r)
    {
        final JsonNode b = r.body();
        if (b == null || !b.isArray() || b.isEmpty())
        {
            error(shard, ex, DiscordError.INVALID_FORM_BODY);
            return null;
        }
        for (int i = 0; i < b.size(); i++)
        {
            final JsonNode e = b.get(i);
            if (e == null || !e.isObject() || !e.hasNonNull("id") || snowflake(e.get("id")) <= 0)
            {
                ex.invalidField(shard, i + ".id", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
                return null;
            }
        }
        return b;
    }

    /**
     * @param n a JSON value.
     * @return it as a snowflake (a string of digits or a number), or -1 if it is none.
     */
    static long snowflake(final JsonNode n)
    {
        return n.isTextual() ? Json.parseId(n.asText()) : n.canConvertToLong() ? n.asLong() : -1;
    }

    /**
     * @param shard this shard.
     * @param ex    the request.
     * @param error the answer.
     */
    static void error(final Shard shard, final RestExchange ex, final DiscordError error)
    {
        ex.reply(shard, error.status(), error.body());
    }
}
