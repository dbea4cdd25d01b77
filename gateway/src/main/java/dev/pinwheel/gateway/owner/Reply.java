package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;

/**
 * How an owner service answers the one who asked: the only way it answers. Over commands the answer travels back to
 * the shard (and, in a cluster, the node) holding the request ({@link CommandReply}); in tests a recording reply
 * keeps it. At most one answer counts; later ones are ignored.
 */
public interface Reply
{
    /**
     * @return the user the request acts for.
     */
    long userId();

    /**
     * @return the request's {@code X-Audit-Log-Reason} (what the audit log records as the reason), or null.
     */
    default String reason()
    {
        return null;
    }

    /**
     * @param status HTTP status.
     * @param body   encoded JSON body, or null for none (204).
     */
    void ok(int status, byte[] body);

    /**
     * @param status HTTP status.
     * @param body   JSON body.
     */
    default void ok(final int status, final JsonNode body)
    {
        ok(status, body == null ? null : Json.bytes(body));
    }

    /**
     * @param error one of Discord's errors.
     */
    void error(DiscordError error);

    /**
     * Discord's form-validation error (400, code 50035) for one field.
     *
     * @param field     the field.
     * @param errorCode machine code (e.g. BASE_TYPE_MAX_LENGTH).
     * @param message   text.
     */
    default void invalidField(final String field, final String errorCode, final String message)
    {
        ok(400, OwnerErrors.invalidField(field, errorCode, message));
    }

    /**
     * Discord's form-validation error (400, code 50035) at a nested path, e.g. {@code options, 0, choices}.
     *
     * @param path      the field's path (object keys and list indexes), outermost first.
     * @param errorCode machine code (e.g. BASE_TYPE_MAX_LENGTH).
     * @param message   text.
     */
    default void invalidPath(final java.util.List<String> path, final String errorCode, final String message)
    {
        ok(400, OwnerErrors.invalidPath(path, errorCode, message));
    }

    /**
     * Answers work that failed: the store refused the write (507 disk full, 503 otherwise), the hand-off was dropped
     * (503), anything else (500).
     *
     * @param cause why.
     */
    default void fail(final Throwable cause)
    {
        error(OwnerErrors.of(cause));
    }
}
