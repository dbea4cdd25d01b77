package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.shard.HandoffDroppedException;
import dev.pinwheel.core.shard.NodeUnavailableException;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;

/**
 * Failures as Discord errors, shared by every {@link Reply}.
 */
public final class OwnerErrors
{
    private OwnerErrors()
    {
    }

    /**
     * @param cause why work failed.
     * @return the answer: 507 for a full disk, 503 for refused storage or an overloaded shard, else 500.
     */
    public static DiscordError of(final Throwable cause)
    {
        if (cause instanceof StoreUnavailableException refused)
        {
            return switch (refused.reason())
            {
                case DISK_FULL -> DiscordError.DISK_FULL;
                case CLOSED -> DiscordError.STORAGE_CLOSED;
                case UNAVAILABLE -> refused.outcomeUnknown() ? DiscordError.STORAGE_OUTCOME_UNKNOWN
                    : DiscordError.STORAGE_UNAVAILABLE;
                default -> DiscordError.STORAGE_FAULTED;
            };
        }
        if (cause instanceof NodeUnavailableException down)
        {
            return down.moving() ? DiscordError.GUILD_MOVING : DiscordError.NODE_UNAVAILABLE;
        }
        return cause instanceof HandoffDroppedException ? DiscordError.BUSY : DiscordError.INTERNAL;
    }

    /**
     * @param field     the field.
     * @param errorCode machine code.
     * @param message   text.
     * @return Discord's 50035 body for one field.
     */
    public static byte[] invalidField(final String field, final String errorCode, final String message)
    {
        final ObjectNode o = Json.object();
        o.put("code", 50035);
        o.put("message", "Invalid Form Body");
        o.putObject("errors").putObject(field).putArray("_errors").addObject()
            .put("code", errorCode).put("message", message);
        return Json.bytes(o);
    }

    /**
     * @param path      the field's path (object keys and list indexes), outermost first.
     * @param errorCode machine code.
     * @param message   text.
     * @return Discord's 50035 body with the error nested at {@code path}.
     */
    public static byte[] invalidPath(final java.util.List<String> path, final String errorCode, final String message)
    {
        final ObjectNode o = Json.object();
        o.put("code", 50035);
        o.put("message", "Invalid Form Body");
        ObjectNode at = o.putObject("errors");
        for (final String key : path)
        {
            at = at.putObject(key);
        }
        at.putArray("_errors").addObject().put("code", errorCode).put("message", message);
        return Json.bytes(o);
    }
}
