package dev.pinwheel.gateway.codec;

import java.nio.charset.StandardCharsets;

/**
 * Every error Pinwheel answers, with Discord's HTTP status, JSON error code and message, in one place: routes and
 * owner services name the error ({@code reply.error(DiscordError.UNKNOWN_MESSAGE)}) instead of repeating literals,
 * and the body {@code {"code": …, "message": "…"}} is encoded once, at class load (no allocation per error).
 * Form-validation errors (50035 with a field) are built by the caller: their field varies.
 */
public enum DiscordError
{
    /** No or a bad token. */
    UNAUTHORIZED(401, 0, "401: Unauthorized"),
    /** No such route. */
    NOT_FOUND(404, 0, "404: Not Found"),
    /** The route exists, the method does not. */
    METHOD_NOT_ALLOWED(405, 0, "405: Method Not Allowed"),
    /** The body is not JSON. */
    INVALID_JSON(400, 50109, "The request body contains invalid JSON."),
    /** A form field is wrong (the field-specific form carries the details). */
    INVALID_FORM_BODY(400, 50035, "Invalid Form Body"),
    /** Two of before, after and around. */
    ONE_HISTORY_ANCHOR(400, 50035, "Only one of before, after and around may be given."),
    UNKNOWN_APPLICATION(404, 10002, "Unknown Application"),
    UNKNOWN_CHANNEL(404, 10003, "Unknown Channel"),
    UNKNOWN_GUILD(404, 10004, "Unknown Guild"),
    UNKNOWN_INVITE(404, 10006, "Unknown Invite"),
    UNKNOWN_MEMBER(404, 10007, "Unknown Member"),
    UNKNOWN_MESSAGE(404, 10008, "Unknown Message"),
    /** No webhook by that id (or not one the caller may see). */
    UNKNOWN_WEBHOOK(404, 10015, "Unknown Webhook"),
    /** A webhook route's token is not the webhook's. */
    INVALID_WEBHOOK_TOKEN(401, 50027, "Invalid Webhook Token"),
    UNKNOWN_OVERWRITE(404, 10009, "Unknown Overwrite"),
    UNKNOWN_ROLE(404, 10011, "Unknown Role"),
    UNKNOWN_USER(404, 10013, "Unknown User"),
    UNKNOWN_EMOJI(400, 10014, "Unknown Emoji"),
    UNKNOWN_BAN(404, 10026, "Unknown Ban"),
    UNKNOWN_INTERACTION(404, 10062, "Unknown interaction"),
    UNKNOWN_APPLICATION_COMMAND(404, 10063, "Unknown application command"),
    MAX_PINS(400, 30003, "Maximum number of pins reached (250)"),
    /** {@link dev.pinwheel.core.guild.Guild#MAX_ROLES}. */
    MAX_GUILD_ROLES(400, 30005, "Maximum number of guild roles reached (250)"),
    /** {@link dev.pinwheel.core.guild.Guild#MAX_CHANNEL_WEBHOOKS}. */
    MAX_WEBHOOKS(400, 30007, "Maximum number of webhooks reached (15)"),
    /** {@link dev.pinwheel.core.guild.Guild#MAX_CHANNELS}. */
    MAX_GUILD_CHANNELS(400, 30013, "Maximum number of guild channels reached (500)"),
    /** {@link dev.pinwheel.core.guild.Guild#MAX_INVITES}. */
    MAX_INVITES(400, 30016, "Maximum number of invites reached (1000)"),
    /** {@link dev.pinwheel.core.guild.Guild#MAX_WEBHOOKS}. */
    MAX_GUILD_WEBHOOKS(400, 30058, "Maximum number of webhooks per guild reached (1000)"),
    MAX_REACTIONS(400, 30010, "Maximum number of reactions reached (20)"),
    MAX_APPLICATION_COMMANDS(400, 30032, "Maximum number of application commands reached (100)"),
    /** A user-only route called with a bot token. */
    BOTS_CANNOT_USE(403, 20001, "Bots cannot use this endpoint"),
    /** A second answer to the same interaction. */
    INTERACTION_ACKNOWLEDGED(400, 40060, "Interaction has already been acknowledged."),
    /** A banned user tried to join (an invite). */
    USER_BANNED(403, 40007, "The user is banned from this guild."),
    TARGET_NOT_IN_VOICE(400, 40032, "Target user is not connected to voice."),
    /** A user-account endpoint (read states) called by a bot. */
    BOT_FORBIDDEN(403, 20001, "Bots cannot use this endpoint"),
    MISSING_ACCESS(403, 50001, "Missing Access"),
    DM_ACTION(403, 50003, "Cannot execute action on a DM channel"),
    EDIT_OTHERS_MESSAGE(403, 50005, "Cannot edit a message authored by another user"),
    EMPTY_MESSAGE(400, 50006, "Cannot send an empty message"),
    /** A file (or a request) over the node's upload cap. */
    ENTITY_TOO_LARGE(413, 40005, "Request entity too large"),
    CANNOT_MESSAGE_USER(403, 50007, "Cannot send messages to this user"),
    CANNOT_MESSAGE_SELF_OR_BOT(400, 50007, "Cannot send messages to this user"),
    NON_TEXT_CHANNEL(400, 50008, "Cannot send messages in a non-text channel"),
    MISSING_PERMISSIONS(403, 50013, "Missing Permissions"),
    WRONG_CHANNEL_TYPE(400, 50024, "Cannot execute action on this channel type"),
    INVALID_ROLE(400, 50028, "Invalid Role"),
    BULK_DELETE_TOO_OLD(400, 50034, "You can only bulk delete messages that are under 14 days old."),
    /** The owner tried to leave their guild (transfer it or delete it first). */
    INVALID_GUILD(400, 50055, "Invalid Guild"),
    /** A bulk ban banned nobody. */
    BULK_BAN_FAILED(500, 500000, "Failed to ban users"),
    /** An owner shard's inbox is full: retry. */
    BUSY(503, 0, "503: Service Unavailable. Server busy, retry.", 1),
    /** The node of the cluster that owns the guild (or user) is unreachable; served again once it is back. */
    NODE_UNAVAILABLE(503, 0, "503: Service Unavailable. The cluster node that owns this resource is unreachable; "
        + "retry later.", 5),
    /**
     * The request was sent to a cluster node that then restarted (faster than its peers' link noticed) and did not
     * answer it: it was lost on the way, or applied by the new start before this node learnt of it (then its events
     * may be missing on sessions here, which get the guild again).
     */
    NODE_RESTARTED(503, 0, "503: Service Unavailable. The cluster node that owns this resource restarted while the "
        + "request was on its way; it may or may not have been applied.", 1),
    /**
     * The request was sent to a cluster node that the others then declared lost (a ring epoch settled without it) and
     * did not answer it: it may or may not have been applied (on the shared store, what it wrote is served by the
     * guild's new owner).
     */
    NODE_LOST(503, 0, "503: Service Unavailable. The cluster node that owned this resource was lost while the request "
        + "was on its way; it may or may not have been applied.", 1),
    /**
     * A request handed to the cluster node that holds the channel's files (an upload) lost its connection on the
     * way: that node may or may not have applied it.
     */
    FORWARD_LOST(503, 0, "503: Service Unavailable. The connection to the cluster node that owns this channel broke "
        + "while the request was on its way; it may or may not have been applied.", 1),
    /**
     * The guild (or user, DM pair, application) is moving to another cluster node in a ring epoch's handover; served
     * again as soon as its new owner loaded it (well under a second).
     */
    GUILD_MOVING(503, 0, "503: Service Unavailable. This guild is moving to another cluster node; retry in a moment.",
        1),
    /**
     * A token of a user another cluster node owns, unknown here because that node has not yet sent this node its
     * records (this node is starting, or that node is unreachable), or the user's key is moving: retry.
     */
    ACCOUNT_NOT_YET_KNOWN(503, 0, "503: Service Unavailable. This cluster node has not yet learnt this account from "
        + "the node that owns it (it is starting, or that node is unreachable); retry in a moment.", 1),
    /**
     * A DM channel unknown to a cluster node that other nodes have not yet caught up since it started (the record of
     * the pair is another node's): retry.
     */
    CHANNEL_NOT_YET_KNOWN(503, 0, "503: Service Unavailable. This cluster node has not yet learnt this channel from the "
        + "node that owns it (it is starting, or that node is unreachable); retry in a moment.", 1),
    /** The password-hashing queue is full: retry. */
    HASHING_BUSY(503, 0, "Too many logins in progress: retry in a moment.", 1),
    /** Storage refuses writes after a fault, until the node restarts. */
    STORAGE_FAULTED(503, 0, "503: Service Unavailable. Storage refuses writes (faulted); reads still work.", 30),
    /** The remote store (Cassandra) is unreachable or did not answer in time; it comes back by itself. */
    STORAGE_UNAVAILABLE(503, 0, "503: Service Unavailable. Storage is unreachable; retry later. Cached reads still "
        + "work.", 5),
    /**
     * The remote store (Cassandra) was sent the write and did not confirm it in time (or this node lost its ownership
     * meanwhile): it may have been applied — a retried delete may find nothing, a retried post may be there twice.
     */
    STORAGE_OUTCOME_UNKNOWN(503, 0, "503: Service Unavailable. Storage did not confirm the write in time; it may or "
        + "may not have been applied.", 5),
    /** Storage is closing (the node stops). */
    STORAGE_CLOSED(503, 0, "503: Service Unavailable. Storage refuses writes (closed); reads still work.", 5),
    /** The data directory's disk is full. */
    DISK_FULL(507, 0, "507: Insufficient Storage. The server's disk is full: writes are refused until space is "
        + "freed; reads still work."),
    /** The owner did not answer in time. */
    OWNER_TIMEOUT(504, 0, "504: Gateway Timeout. The owner of this resource did not answer."),
    /** A bug. */
    INTERNAL(500, 0, "500: Internal Server Error");

    private final int status;
    private final int code;
    private final String message;
    private final byte[] body;
    private final int retryAfter;

    DiscordError(final int status, final int code, final String message)
    {
        this(status, code, message, 0);
    }

    DiscordError(final int status, final int code, final String message, final int retryAfterSeconds)
    {
        this.retryAfter = retryAfterSeconds;
        this.status = status;
        this.code = code;
        this.message = message;
        this.body = ("{\"code\":" + code + ",\"message\":\"" + message.replace("\"", "\\\"") + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return the HTTP status.
     */
    public int status()
    {
        return status;
    }

    /**
     * @return Discord's JSON error code (0: none).
     */
    public int code()
    {
        return code;
    }

    /**
     * @return the message.
     */
    public String message()
    {
        return message;
    }

    /**
     * @return seconds for a {@code Retry-After} header, or 0 for none.
     */
    public int retryAfter()
    {
        return retryAfter;
    }

    /**
     * @return the encoded body {@code {"code":…,"message":"…"}}; shared, never modify it.
     */
    public byte[] body()
    {
        return body;
    }
}
