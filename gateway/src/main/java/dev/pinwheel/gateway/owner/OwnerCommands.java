package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.shard.Shard;

/**
 * The typed commands of the gateway, as bytes ({@link CommandWriter}), and the header every request command starts
 * with:
 * <pre>
 *   +----------+------------------+------------------+-------------+-------------+-------------------------+
 *   | type i32 | origin shard i32 | correlation i64  | user i64    | reason str  | the command's fields ...|
 *   +----------+------------------+------------------+-------------+-------------+-------------------------+
 *   origin + correlation: where the answer goes (the origin shard's table of requests waiting for one)
 *   reason: the request's X-Audit-Log-Reason (null: none), for the guild's audit log
 * </pre>
 * The type ranges (each type has a name, used to count them in {@code /metrics}):
 * <pre>
 *   type     what                                        written by                  read by
 *   1-9      an answer back to a request's origin        OwnerCommands#reply         http.ExchangeTable
 *            (1), a sync request answered at once (2)    OwnerCommands#sync          GatewayCommands
 *   10-29    owner → the gateway sessions of a shard     SessionProxy                session.SessionCommandAdapter
 *   30-39    REST, messages                              MessageProxy                OwnerCommandAdapter
 *   40-99    REST, guilds (40-44), channels (45-54),     Guild/Channel/Invite/       OwnerCommandAdapter
 *            invites (55-59), members (60-69), roles     Member/Role/
 *            (70-79), moderation (80-89)                 ModerationProxy
 *   100-159  REST, reactions (100-104), pins (105-109),  Reaction/Pin/Dm/Command/    OwnerCommandAdapter
 *            DMs (110-119), application commands         AccountProxy
 *            (120-129), accounts (130-139),
 *            interactions and applications (150-159)
 *   160-199  session → owner: subscriptions, op 8,       Subscription/MemberList/    SessionRequestAdapter
 *            voice, user sessions (no REST header)       Voice/UserSessionProxy
 *   200-209  owner → the gateway sessions of a shard     SessionProxy                session.SessionCommandAdapter
 *            (more of 10-29): GUILD_DEFERRED
 *   210-219  usernames' claims: owner → the shard that  NameClaimService            OwnerCommandAdapter
 *            sent a release (NAME_RELEASE_DONE)
 *   220-229  REST, usernames' claims (a cluster)         NameClaimProxy              OwnerCommandAdapter
 * </pre>
 * To add a command: a constant here (and its name in {@link #name}), a method on the area's proxy that writes it, a
 * case in its adapter that reads it into the area's service.
 */
public final class OwnerCommands
{
    /** Where a request command's origin shard (a route) is, after its type. */
    public static final int REQUEST_ORIGIN_OFFSET = 4;
    /** Where a request command's correlation id is. */
    public static final int REQUEST_CORRELATION_OFFSET = 8;

    /** An answer to a request: correlation i64, status i32, Retry-After seconds i32 (0: none), body bytes. */
    public static final int REPLY = 1;
    /**
     * To a shard of another node: answer at once with an empty {@link #REPLY} (status 204). Origin shard (a route)
     * i32, correlation i64. The answer leaves that shard after every state record the shard sent before it, on the same
     * stream, and the receiving node applies records as they arrive: once every shard of every other node answered,
     * what they had written before the request is known here ({@code RestRouter}'s read-your-writes).
     */
    public static final int SYNC = 2;

    /** First type of the commands to the gateway sessions of a shard (10-29). */
    public static final int FIRST_SESSION_COMMAND = 10;
    /** Last type reserved for the commands to the gateway sessions of a shard. */
    public static final int LAST_SESSION_COMMAND = 29;
    /**
     * To a session's shard: the answer to {@link #SUBSCRIBE}, on the ordered path (FIFO with the guild's later
     * events). Session id, guild, available flag, then (available) the GUILD_CREATE ({@link DispatchFields}).
     */
    public static final int GUILD_SNAPSHOT = 10;
    /** To a session's shard: the answer to {@link #REQUEST_MEMBERS}. Session id, count, the GUILD_MEMBERS_CHUNKs. */
    public static final int MEMBER_CHUNKS = 11;
    /** To every shard: a user joined a guild, their sessions subscribe. User, guild. */
    public static final int USER_JOINED = 12;
    /** To a shard holding sessions of a user: an event for that user ({@link #USER_EVENT} relayed). User, event. */
    public static final int USER_DISPATCH = 13;
    /**
     * To every shard: a user is no member of a guild any more (left, kicked, banned; or the guild was deleted): their
     * sessions there stop receiving it at once and get GUILD_DELETE. User, guild.
     */
    public static final int USER_LEFT = 14;
    /**
     * To a session's shard: the answer to {@link #READ_STATES_GET}, the user's {@code read_state} for READY. Session
     * id, the JSON object (bytes; null: could not be read, READY goes without entries).
     */
    public static final int READ_STATES = 25;
    /** To every shard: a user's tokens were revoked (a bot's token reset): close their connections with 4004. User. */
    public static final int USER_TOKEN_RESET = 15;
    /**
     * To every shard: a guild was deleted; its members' sessions there stop receiving it and get GUILD_DELETE, as for
     * {@link #USER_LEFT} of each. Guild, count, members (a part of them: one command per {@code SessionProxy}
     * batch).
     */
    public static final int GUILD_MEMBERS_LEFT = 16;
    /** First type of the second range of commands to the gateway sessions of a shard (200-209). */
    public static final int FIRST_SESSION_COMMAND_2 = 200;
    /** Last type of the second range of commands to the gateway sessions of a shard. */
    public static final int LAST_SESSION_COMMAND_2 = 209;
    /**
     * To a session's shard: a {@link #SUBSCRIBE} failed for a reason that may heal (the owner's node unreachable,
     * the guild moving in a ring epoch's handover, a dropped hand-off, the store briefly unavailable): the session is
     * told the guild is unavailable, as for {@link #GUILD_SNAPSHOT} without one, and subscribes again later
     * ({@code session.LateGuilds}). Session id, guild.
     */
    public static final int GUILD_DEFERRED = 200;

    /** {@code POST /channels/{c}/messages}. */
    public static final int MESSAGE_POST = 30;
    /** {@code POST /channels/{c}/messages/{m}/ack}, to the user's owner. Channel, message. */
    public static final int READ_STATE_ACK = 36;
    /** {@code POST /read-states/ack-bulk}, to the user's owner. Channels, messages (as many). */
    public static final int READ_STATE_ACK_BULK = 37;
    /** {@code PATCH /channels/{c}/messages/{m}}. */
    public static final int MESSAGE_EDIT = 31;
    /** {@code DELETE /channels/{c}/messages/{m}}. */
    public static final int MESSAGE_DELETE = 32;
    /** {@code POST /channels/{c}/messages/bulk-delete}. */
    public static final int MESSAGE_BULK_DELETE = 33;
    /** {@code GET /channels/{c}/messages/{m}}. */
    public static final int MESSAGE_GET = 34;
    /** {@code GET /channels/{c}/messages}. */
    public static final int MESSAGE_HISTORY = 35;

    // guilds, channels, invites, members, roles: 40-99

    /** {@code POST /guilds}. */
    public static final int GUILD_CREATE = 40;
    /** {@code GET /guilds/{g}}. */
    public static final int GUILD_GET = 41;
    /** {@code PATCH /guilds/{g}}. */
    public static final int GUILD_EDIT = 42;
    /** {@code DELETE /guilds/{g}}. */
    public static final int GUILD_DELETE = 43;

    /** {@code GET /guilds/{g}/channels}. */
    public static final int CHANNEL_LIST = 45;
    /** {@code POST /guilds/{g}/channels}. */
    public static final int CHANNEL_CREATE = 46;
    /** {@code GET /channels/{c}}. */
    public static final int CHANNEL_GET = 47;
    /** {@code PATCH /channels/{c}}. */
    public static final int CHANNEL_EDIT = 48;
    /** {@code DELETE /channels/{c}}. */
    public static final int CHANNEL_DELETE = 49;
    /** {@code POST /channels/{c}/typing}. */
    public static final int TYPING = 50;
    /** {@code PUT /channels/{c}/permissions/{id}}. */
    public static final int CHANNEL_OVERWRITE_PUT = 51;
    /** {@code DELETE /channels/{c}/permissions/{id}}. */
    public static final int CHANNEL_OVERWRITE_DELETE = 52;

    /** {@code POST /channels/{c}/invites}. */
    public static final int INVITE_CREATE = 55;
    /** {@code GET /invites/{code}}. */
    public static final int INVITE_GET = 56;
    /** {@code POST /invites/{code}}. */
    public static final int INVITE_JOIN = 57;
    /** {@code GET /guilds/{g}/invites} and {@code GET /channels/{c}/invites}. */
    public static final int INVITE_LIST = 58;
    /** {@code DELETE /invites/{code}}. */
    public static final int INVITE_DELETE = 59;

    /** {@code GET /guilds/{g}/members/{u}}. */
    public static final int MEMBER_GET = 60;
    /** {@code GET /guilds/{g}/members}. */
    public static final int MEMBER_LIST = 61;
    /** {@code GET /guilds/{g}/members/search}. */
    public static final int MEMBER_SEARCH = 62;
    /** {@code PATCH /guilds/{g}/members/{u}} and {@code /members/@me/nick}. */
    public static final int MEMBER_EDIT = 63;
    /** {@code PUT /guilds/{g}/members/{u}/roles/{r}}. */
    public static final int MEMBER_ROLE_ADD = 64;
    /** {@code DELETE /guilds/{g}/members/{u}/roles/{r}}. */
    public static final int MEMBER_ROLE_REMOVE = 65;
    /** {@code DELETE /guilds/{g}/members/{u}} (kick) and {@code DELETE /users/@me/guilds/{g}} (leave). */
    public static final int MEMBER_REMOVE = 66;

    /** {@code GET /guilds/{g}/roles}. */
    public static final int ROLE_LIST = 70;
    /** {@code POST /guilds/{g}/roles}. */
    public static final int ROLE_CREATE = 71;
    /** {@code PATCH /guilds/{g}/roles/{r}}. */
    public static final int ROLE_EDIT = 72;
    /** {@code DELETE /guilds/{g}/roles/{r}}. */
    public static final int ROLE_DELETE = 73;

    // moderation: 80-89

    /** {@code GET /guilds/{g}/bans}. */
    public static final int BAN_LIST = 80;
    /** {@code GET /guilds/{g}/bans/{u}}. */
    public static final int BAN_GET = 81;
    /** {@code PUT /guilds/{g}/bans/{u}}. */
    public static final int BAN_ADD = 82;
    /** {@code DELETE /guilds/{g}/bans/{u}}. */
    public static final int BAN_REMOVE = 83;
    /** {@code POST /guilds/{g}/bulk-ban}. */
    public static final int BAN_BULK = 84;
    /** {@code GET /guilds/{g}/audit-logs}. */
    public static final int AUDIT_LOG = 85;

    /**
     * An int or long field's value for "not given: keep what is there", in fields whose valid values are never
     * negative (a position, a bitrate, a colour, permission bits, a channel id, a tri-state flag as -1/0/1).
     */
    public static final int KEEP = -1;

    /** {@code PUT /channels/{c}/messages/{m}/reactions/{emoji}/@me}. */
    public static final int REACTION_ADD = 100;
    /** {@code DELETE /channels/{c}/messages/{m}/reactions/{emoji}/@me|{user}}. */
    public static final int REACTION_REMOVE = 101;
    /** {@code DELETE /channels/{c}/messages/{m}/reactions[/{emoji}]}. */
    public static final int REACTION_CLEAR = 102;
    /** {@code GET /channels/{c}/messages/{m}/reactions/{emoji}}. */
    public static final int REACTION_USERS = 103;

    /** {@code GET /channels/{c}/pins} and {@code GET /channels/{c}/messages/pins}. */
    public static final int PIN_LIST = 105;
    /** {@code PUT /channels/{c}/pins/{m}} and {@code PUT /channels/{c}/messages/pins/{m}}. */
    public static final int PIN_ADD = 106;
    /** {@code DELETE /channels/{c}/pins/{m}} and {@code DELETE /channels/{c}/messages/pins/{m}}. */
    public static final int PIN_REMOVE = 107;

    /** {@code POST /users/@me/channels}, on the owner of the user pair. */
    public static final int DM_OPEN = 110;
    /** {@code GET /channels/{dm}}. */
    public static final int DM_CHANNEL_GET = 111;
    /** {@code POST /channels/{dm}/messages}. */
    public static final int DM_MESSAGE_POST = 112;
    /** {@code PATCH /channels/{dm}/messages/{m}}. */
    public static final int DM_MESSAGE_EDIT = 113;
    /** {@code DELETE /channels/{dm}/messages/{m}}. */
    public static final int DM_MESSAGE_DELETE = 114;
    /** {@code GET /channels/{dm}/messages/{m}}. */
    public static final int DM_MESSAGE_GET = 115;
    /** {@code GET /channels/{dm}/messages}. */
    public static final int DM_MESSAGE_HISTORY = 116;

    /** {@code GET /applications/{app}[/guilds/{g}]/commands}. */
    public static final int APP_COMMAND_LIST = 120;
    /** {@code GET /applications/{app}[/guilds/{g}]/commands/{id}}. */
    public static final int APP_COMMAND_GET = 121;
    /** {@code PUT /applications/{app}[/guilds/{g}]/commands}. */
    public static final int APP_COMMAND_OVERWRITE = 122;
    /** {@code POST /applications/{app}[/guilds/{g}]/commands}. */
    public static final int APP_COMMAND_UPSERT = 123;
    /** {@code PATCH /applications/{app}[/guilds/{g}]/commands/{id}}. */
    public static final int APP_COMMAND_EDIT = 124;
    /** {@code DELETE /applications/{app}[/guilds/{g}]/commands/{id}}. */
    public static final int APP_COMMAND_DELETE = 125;

    /** {@code POST /auth/register}, after hashing: the account and its first token, on the account's owner. */
    public static final int ACCOUNT_REGISTER = 130;
    /** {@code POST /auth/login}, after the password matched: a new token, on the account's owner. */
    public static final int ACCOUNT_LOGIN = 131;

    /**
     * To the guild's owner: a user invokes an application command, clicks a component, asks for autocomplete or
     * submits a modal ({@code POST /interactions}). Application, guild, channel, interaction type, message (0: none),
     * nonce, session id, data (JSON).
     */
    public static final int INTERACTION_INVOKE = 150;
    /**
     * To the interaction's guild's owner: the application answers ({@code POST /interactions/{id}/{token}/callback}).
     * Interaction, token, callback type, with_response, data (JSON, checked by the route).
     */
    public static final int INTERACTION_CALLBACK = 151;
    /**
     * To the interaction's guild's owner: a follow-up, or a read, edit or delete of the original response or a
     * follow-up ({@code /webhooks/{app}/{token}[/messages/@original|{id}]}). Application, interaction, token, operation,
     * message (0: the original), data (JSON or null).
     */
    public static final int INTERACTION_WEBHOOK = 152;
    /**
     * To the owner of the new application's id: a person creates an application and its bot ({@code POST
     * /applications}). Application id, bot username (reserved), name, description, token, token hash.
     */
    public static final int APPLICATION_CREATE = 153;
    /** To the owner of the application: its bot's token is reset. Application, new token, its hash. */
    public static final int APPLICATION_TOKEN_RESET = 154;
    /**
     * To the guild's owner: a guild manager adds a bot through OAuth2 ({@code POST /oauth2/authorize}). Guild, bot,
     * permissions of its role (0: no role).
     */
    public static final int OAUTH2_BOT_ADD = 155;

    // requests of gateway sessions: 160-199

    /** First type of the requests of gateway sessions (160-199). */
    public static final int FIRST_SESSION_REQUEST = 160;
    /** Last type of the requests of gateway sessions. */
    public static final int LAST_SESSION_REQUEST = 199;
    /**
     * A session wants a guild's events and its GUILD_CREATE (answered {@link #GUILD_SNAPSHOT}). Origin shard i32,
     * session id, guild, user, large threshold i32.
     */
    public static final int SUBSCRIBE = 160;
    /** Shard {@code origin} has no session subscribed to the guild any more. Origin shard i32, guild. */
    public static final int UNSUBSCRIBE = 161;
    /**
     * Op 8 REQUEST_GUILD_MEMBERS (answered {@link #MEMBER_CHUNKS}). Origin shard i32, session id, guild, user, user
     * ids (null: by query), query, limit i32, presences, nonce.
     */
    public static final int REQUEST_MEMBERS = 162;
    /** Op 4 VOICE_STATE_UPDATE. Guild, channel (0: leave), user, session id, self mute, self deaf. */
    public static final int VOICE_STATE = 163;
    /** The session that joined voice ended: its member leaves the channel. Guild, user, session id. */
    public static final int VOICE_SESSION_ENDED = 164;
    /** To a user's owner: shard {@code on} holds sessions of the user (its first), or no longer (its last). */
    public static final int USER_SESSIONS = 165;
    /** To a user's owner: an event for every session of the user (a direct message). User, event. */
    public static final int USER_EVENT = 166;
    /**
     * To a guild's owner: a temporary member of it has no session left (sent by the user's owner): they are removed
     * unless they were given a role. Guild, user.
     */
    public static final int USER_OFFLINE = 167;
    /**
     * To a user's owner: what one session of the user shows (op 2's presence, op 3; offline when it ended). User,
     * session id, status i32, since, afk, activities (JSON).
     */
    public static final int PRESENCE_SET = 190;
    /**
     * To a guild owner: a user's aggregate presence changed; each of the listed guilds it owns publishes
     * PRESENCE_UPDATE. User, status i32 (as shown: invisible is offline), since, afk, activities, guild ids.
     */
    public static final int PRESENCE_GUILDS = 191;
    /**
     * Op 14 (lazy member list): a session looks at ranges of a channel's member list. Origin shard i32, session id,
     * user, guild, channel, ranges (first, last, first, last...).
     */
    public static final int MEMBER_LIST_SUBSCRIBE = 192;
    /** A session that subscribed to a guild's member lists ended. Origin shard i32, session id, guild. */
    public static final int MEMBER_LIST_UNSUBSCRIBE = 193;
    /**
     * To a user's owner, from a guild's owner once a message is durable: it mentions these users (their mention count
     * in the channel grows). Channel, message, users (all owned by the receiver).
     */
    public static final int READ_STATE_MENTIONS = 196;
    /** To a user's owner, from IDENTIFY of a user account: send its read states back. User, session id, shard. */
    public static final int READ_STATES_GET = 197;

    // 240-255: avatars and webhooks (issue 17, items 3-4); a guild's icon rides on GUILD_CREATE / GUILD_EDIT
    /** To a user's owner: set the user's avatar (a hash already durable in the file store, "" to clear). */
    public static final int USER_AVATAR_SET = 240;
    /** Webhooks (MANAGE_WEBHOOKS, or the webhook's token): create, list, get, edit, delete. */
    public static final int WEBHOOK_CREATE = 242;
    public static final int WEBHOOK_LIST = 243;
    public static final int WEBHOOK_GET = 244;
    public static final int WEBHOOK_EDIT = 245;
    public static final int WEBHOOK_DELETE = 246;
    /** A webhook posts a message (its token). */
    public static final int WEBHOOK_EXECUTE = 247;
    /** A webhook's own message by its token: get, edit, delete. */
    public static final int WEBHOOK_MESSAGE = 248;

    // 250-259: issue 17's gaps
    /** {@code POST /channels/{dm}/messages} with files already durable: DM_MESSAGE_POST's fields, then attachments. */
    public static final int DM_MESSAGE_POST_FILES = 250;

    // 251-252: bulk positions
    /** {@code PATCH /guilds/{g}/roles}: guild, then (role, position) pairs as longs. */
    public static final int ROLE_POSITIONS = 251;
    /** {@code PATCH /guilds/{g}/channels}: guild, then (channel, position, parent, lock) quadruples as longs. */
    public static final int CHANNEL_POSITIONS = 252;

    // 253-254: posts sent again
    /**
     * A {@link #MESSAGE_POST} sent again by its origin, same header and fields, after the node it went to restarted or
     * never answered ({@code ExchangeTable}): the owner first looks for the message the first try may have written
     * (its request key is stored with it) and answers with that one instead of posting twice.
     */
    public static final int MESSAGE_POST_AGAIN = 253;
    /** A {@link #DM_MESSAGE_POST} sent again by its origin, as {@link #MESSAGE_POST_AGAIN}. */
    public static final int DM_MESSAGE_POST_AGAIN = 254;
    /**
     * The second copy of a post sent again, written by both tries (its first owner's write landed late), deleted by its
     * origin on its author's behalf ({@code ExchangeTable}): guild (0: a DM's, routed by its channel), channel, message
     * (0: found by request key), the message to keep, the post's request key — as {@link #MESSAGE_DELETE} (or
     * {@link #DM_MESSAGE_DELETE}), but the owner first forgets what it holds of the message (it was written behind its
     * back).
     */
    public static final int MESSAGE_DELETE_COPY = 255;

    /**
     * @param type a command type.
     * @return whether it is a post its origin may send again ({@code ExchangeTable#remember}): a first try.
     */
    public static boolean postFirstTry(final int type)
    {
        return type == MESSAGE_POST || type == DM_MESSAGE_POST;
    }

    /**
     * @param type a command type.
     * @return whether it is a DM's post, a first try or sent again.
     */
    public static boolean dmPost(final int type)
    {
        return type == DM_MESSAGE_POST || type == DM_MESSAGE_POST_AGAIN;
    }

    /**
     * @param type a command type.
     * @return whether it is a post sent again.
     */
    public static boolean again(final int type)
    {
        return type == MESSAGE_POST_AGAIN || type == DM_MESSAGE_POST_AGAIN;
    }

    /**
     * @param type a command type.
     * @return whether its origin may send it again as it is when its owner's answer will not come ({@code
     *         ExchangeTable#remember}) because applied twice it ends as applied once: an edit or a delete of a message,
     *         a reaction of one's own added or removed, all of a message's reactions of one emoji cleared, a pin added
     *         or removed, messages deleted in bulk (those gone already are skipped), a typing signal; a guild, channel,
     *         role or member edited (fields set to given values), positions set, a permission overwrite set or
     *         deleted, a role given or taken, a role deleted, a member removed, a user banned (a ban there already is
     *         204) or unbanned; an application's commands set, upserted (by name), edited or deleted; and every read
     *         an owner answers (a message, history, the guild, its channels, members, roles, bans, invites, audit log,
     *         reactors, pins, a DM channel and its messages, application commands). A reaction, pin, role of a member
     *         or ban already there, or already gone, is 204; a delete that finds its object gone is answered as done
     *         ({@link #goneWhenDone}); an edit of a message edited since it was first sent is not applied again
     *         ({@link #messageEdit}). Not the creates (a second try makes a second object), a channel's or invite's
     *         delete (answered with the object, which a second try no longer has), nor a bulk ban (its answer lists
     *         who was banned by it). A second try that the first changed the rights for (one's own last admin role
     *         taken, a guild given away) is refused (403), though what it asked for is done.
     */
    public static boolean sentAgainAsIs(final int type)
    {
        return switch (type)
        {
            case MESSAGE_EDIT, MESSAGE_DELETE, DM_MESSAGE_EDIT, DM_MESSAGE_DELETE, REACTION_ADD, REACTION_REMOVE,
                REACTION_CLEAR, PIN_ADD, PIN_REMOVE, MESSAGE_BULK_DELETE, TYPING, GUILD_EDIT, CHANNEL_EDIT,
                CHANNEL_POSITIONS, CHANNEL_OVERWRITE_PUT, CHANNEL_OVERWRITE_DELETE, ROLE_EDIT, ROLE_POSITIONS,
                ROLE_DELETE, MEMBER_EDIT, MEMBER_ROLE_ADD, MEMBER_ROLE_REMOVE, MEMBER_REMOVE, BAN_ADD, BAN_REMOVE,
                APP_COMMAND_OVERWRITE, APP_COMMAND_UPSERT, APP_COMMAND_EDIT, APP_COMMAND_DELETE -> true;
            // reads: nothing changes
            case MESSAGE_GET, MESSAGE_HISTORY, GUILD_GET, CHANNEL_LIST, CHANNEL_GET, INVITE_LIST, INVITE_GET,
                MEMBER_GET, MEMBER_LIST, MEMBER_SEARCH, ROLE_LIST, BAN_LIST, BAN_GET, AUDIT_LOG, REACTION_USERS,
                PIN_LIST, DM_CHANNEL_GET, DM_MESSAGE_GET, DM_MESSAGE_HISTORY, APP_COMMAND_LIST, APP_COMMAND_GET -> true;
            default -> false;
        };
    }

    /**
     * @param type a command type.
     * @return whether it edits a message (guild or DM): sent again ({@link #sentAgainAsIs}), it carries one more field
     *         at its end, when it was first sent (wall-clock ms, {@link #sentAgainAt}), and its owner leaves a message
     *         edited since then as it is.
     */
    public static boolean messageEdit(final int type)
    {
        return type == MESSAGE_EDIT || type == DM_MESSAGE_EDIT;
    }

    /**
     * @param command a {@link #messageEdit} command, read up to its last field.
     * @return when it was first sent (wall-clock ms) if this is a try sent again, else 0.
     */
    public static long sentAgainAt(final CommandReader command)
    {
        return command.remaining() >= Long.BYTES ? command.getLong() : 0;
    }

    /**
     * @param type a command type.
     * @return whether it deletes one thing and is answered 204, so that sent again ({@link #sentAgainAsIs}) and
     *         answered 404, its first try did it (that answer was lost): a message, a permission overwrite, a role, a
     *         member (a kick, or leaving a guild), a ban or an application command.
     */
    public static boolean goneWhenDone(final int type)
    {
        return switch (type)
        {
            case MESSAGE_DELETE, DM_MESSAGE_DELETE, CHANNEL_OVERWRITE_DELETE, ROLE_DELETE, MEMBER_REMOVE, BAN_REMOVE,
                APP_COMMAND_DELETE -> true;
            default -> false;
        };
    }

    /**
     * @param type a post's type (a first try, or sent again), or one {@link #sentAgainAsIs}.
     * @return the type it is sent again as.
     */
    public static int againType(final int type)
    {
        if (sentAgainAsIs(type))
        {
            return type;
        }
        return dmPost(type) ? DM_MESSAGE_POST_AGAIN : MESSAGE_POST_AGAIN;
    }

    // 220-229: cluster-wide usernames (issue 12)
    /**
     * To the owner of a username's key ({@code Usernames.key}): claim the name, then go on with the registration
     * ({@link NameClaimProxy}, {@link NameClaimService}). Then (ACCOUNT_REGISTER or APPLICATION_CREATE), the id the
     * name is for, the name, a fallback name (null: none), the error's field and message, then's own fields.
     */
    public static final int NAME_CLAIM = 220;
    /**
     * To the owner of a username's key: a registration failed after its claim; the name is free again. Answered by
     * {@link #NAME_RELEASE_DONE} to the header's origin. Username.
     */
    public static final int NAME_RELEASE = 221;
    /**
     * To the owner of an id whose registration (or bot creation) its origin gave up: unless the account exists, void
     * the id (no account is registered for it any more) and then send the {@link #NAME_RELEASE} on to the name's
     * owner, for the same origin; if it exists, answer {@link #NAME_RELEASE_DONE} at once (the name stays). Username.
     */
    public static final int ID_VOID = 222;
    /**
     * To the shard that sent a {@link #NAME_RELEASE} (header: correlation 0, user: the id the name was claimed for):
     * the name's owner gave it back, or found it not held by that id; the release is settled. Username.
     */
    public static final int NAME_RELEASE_DONE = 210;

    private static final String[] NAMES = new String[CommandReader.MAX_TYPE + 1];
    private static final ThreadLocal<CommandWriter> OFF_SHARD_WRITERS = ThreadLocal.withInitial(CommandWriter::new);

    static
    {
        NAMES[REPLY] = "reply";
        NAMES[SYNC] = "sync";
        NAMES[GUILD_SNAPSHOT] = "guild_snapshot";
        NAMES[MEMBER_CHUNKS] = "member_chunks";
        NAMES[USER_JOINED] = "user_joined";
        NAMES[USER_DISPATCH] = "user_dispatch";
        NAMES[USER_LEFT] = "user_left";
        NAMES[GUILD_MEMBERS_LEFT] = "guild_members_left";
        NAMES[GUILD_DEFERRED] = "guild_deferred";
        NAMES[CHANNEL_OVERWRITE_PUT] = "channel_overwrite_put";
        NAMES[CHANNEL_OVERWRITE_DELETE] = "channel_overwrite_delete";
        NAMES[GUILD_EDIT] = "guild_edit";
        NAMES[GUILD_DELETE] = "guild_delete";
        NAMES[INVITE_LIST] = "invite_list";
        NAMES[INVITE_DELETE] = "invite_delete";
        NAMES[MEMBER_REMOVE] = "member_remove";
        NAMES[BAN_LIST] = "ban_list";
        NAMES[BAN_GET] = "ban_get";
        NAMES[BAN_ADD] = "ban_add";
        NAMES[BAN_REMOVE] = "ban_remove";
        NAMES[BAN_BULK] = "ban_bulk";
        NAMES[AUDIT_LOG] = "audit_log";
        NAMES[SUBSCRIBE] = "subscribe";
        NAMES[UNSUBSCRIBE] = "unsubscribe";
        NAMES[REQUEST_MEMBERS] = "request_members";
        NAMES[VOICE_STATE] = "voice_state";
        NAMES[VOICE_SESSION_ENDED] = "voice_session_ended";
        NAMES[USER_SESSIONS] = "user_sessions";
        NAMES[USER_EVENT] = "user_event";
        NAMES[USER_OFFLINE] = "user_offline";
        NAMES[PRESENCE_SET] = "presence_set";
        NAMES[PRESENCE_GUILDS] = "presence_guilds";
        NAMES[MEMBER_LIST_SUBSCRIBE] = "member_list_subscribe";
        NAMES[MEMBER_LIST_UNSUBSCRIBE] = "member_list_unsubscribe";
        NAMES[READ_STATES] = "read_states";
        NAMES[READ_STATE_ACK] = "read_state_ack";
        NAMES[READ_STATE_ACK_BULK] = "read_state_ack_bulk";
        NAMES[READ_STATE_MENTIONS] = "read_state_mentions";
        NAMES[READ_STATES_GET] = "read_states_get";
        NAMES[MESSAGE_POST] = "message_post";
        NAMES[MESSAGE_EDIT] = "message_edit";
        NAMES[MESSAGE_DELETE] = "message_delete";
        NAMES[MESSAGE_BULK_DELETE] = "message_bulk_delete";
        NAMES[MESSAGE_GET] = "message_get";
        NAMES[MESSAGE_HISTORY] = "message_history";
        NAMES[GUILD_CREATE] = "guild_create";
        NAMES[GUILD_GET] = "guild_get";
        NAMES[CHANNEL_LIST] = "channel_list";
        NAMES[CHANNEL_CREATE] = "channel_create";
        NAMES[CHANNEL_GET] = "channel_get";
        NAMES[CHANNEL_EDIT] = "channel_edit";
        NAMES[CHANNEL_DELETE] = "channel_delete";
        NAMES[TYPING] = "typing";
        NAMES[INVITE_CREATE] = "invite_create";
        NAMES[INVITE_GET] = "invite_get";
        NAMES[INVITE_JOIN] = "invite_join";
        NAMES[MEMBER_GET] = "member_get";
        NAMES[MEMBER_LIST] = "member_list";
        NAMES[MEMBER_SEARCH] = "member_search";
        NAMES[MEMBER_EDIT] = "member_edit";
        NAMES[MEMBER_ROLE_ADD] = "member_role_add";
        NAMES[MEMBER_ROLE_REMOVE] = "member_role_remove";
        NAMES[ROLE_LIST] = "role_list";
        NAMES[ROLE_CREATE] = "role_create";
        NAMES[ROLE_EDIT] = "role_edit";
        NAMES[ROLE_DELETE] = "role_delete";
        NAMES[REACTION_ADD] = "reaction_add";
        NAMES[REACTION_REMOVE] = "reaction_remove";
        NAMES[REACTION_CLEAR] = "reaction_clear";
        NAMES[REACTION_USERS] = "reaction_users";
        NAMES[PIN_LIST] = "pin_list";
        NAMES[PIN_ADD] = "pin_add";
        NAMES[PIN_REMOVE] = "pin_remove";
        NAMES[DM_OPEN] = "dm_open";
        NAMES[DM_CHANNEL_GET] = "dm_channel_get";
        NAMES[DM_MESSAGE_POST] = "dm_message_post";
        NAMES[DM_MESSAGE_EDIT] = "dm_message_edit";
        NAMES[DM_MESSAGE_DELETE] = "dm_message_delete";
        NAMES[DM_MESSAGE_GET] = "dm_message_get";
        NAMES[DM_MESSAGE_HISTORY] = "dm_message_history";
        NAMES[APP_COMMAND_LIST] = "app_command_list";
        NAMES[APP_COMMAND_GET] = "app_command_get";
        NAMES[APP_COMMAND_OVERWRITE] = "app_command_overwrite";
        NAMES[APP_COMMAND_UPSERT] = "app_command_upsert";
        NAMES[APP_COMMAND_EDIT] = "app_command_edit";
        NAMES[APP_COMMAND_DELETE] = "app_command_delete";
        NAMES[ACCOUNT_REGISTER] = "account_register";
        NAMES[ACCOUNT_LOGIN] = "account_login";
        NAMES[INTERACTION_INVOKE] = "interaction_invoke";
        NAMES[INTERACTION_CALLBACK] = "interaction_callback";
        NAMES[INTERACTION_WEBHOOK] = "interaction_webhook";
        NAMES[APPLICATION_CREATE] = "application_create";
        NAMES[APPLICATION_TOKEN_RESET] = "application_token_reset";
        NAMES[OAUTH2_BOT_ADD] = "oauth2_bot_add";
        NAMES[USER_TOKEN_RESET] = "user_token_reset";
        NAMES[USER_AVATAR_SET] = "user_avatar_set";
        NAMES[WEBHOOK_CREATE] = "webhook_create";
        NAMES[WEBHOOK_LIST] = "webhook_list";
        NAMES[WEBHOOK_GET] = "webhook_get";
        NAMES[WEBHOOK_EDIT] = "webhook_edit";
        NAMES[WEBHOOK_DELETE] = "webhook_delete";
        NAMES[WEBHOOK_EXECUTE] = "webhook_execute";
        NAMES[WEBHOOK_MESSAGE] = "webhook_message";
        NAMES[DM_MESSAGE_POST_FILES] = "dm_message_post_files";
        NAMES[ROLE_POSITIONS] = "role_positions";
        NAMES[CHANNEL_POSITIONS] = "channel_positions";
        NAMES[MESSAGE_POST_AGAIN] = "message_post_again";
        NAMES[DM_MESSAGE_POST_AGAIN] = "dm_message_post_again";
        NAMES[MESSAGE_DELETE_COPY] = "message_delete_copy";
        NAMES[NAME_CLAIM] = "name_claim";
        NAMES[NAME_RELEASE] = "name_release";
        NAMES[ID_VOID] = "id_void";
        NAMES[NAME_RELEASE_DONE] = "name_release_done";
    }

    private OwnerCommands()
    {
    }

    /**
     * @param type a command type.
     * @return its name, or null if no such command exists.
     */
    public static String name(final int type)
    {
        return type >= 0 && type < NAMES.length ? NAMES[type] : null;
    }

    /**
     * Starts a request command on the sending shard's writer.
     *
     * @param from        the origin shard (where the answer goes).
     * @param type        the command.
     * @param correlation the origin's id of the waiting request.
     * @param userId      the user it acts for.
     * @return the writer, positioned after the header.
     */
    public static CommandWriter request(final Shard from, final int type, final long correlation, final long userId)
    {
        return request(from, type, correlation, userId, null);
    }

    /**
     * Starts a request command that carries an audit-log reason, on the sending shard's writer.
     *
     * @param from        the origin shard (where the answer goes).
     * @param type        the command.
     * @param correlation the origin's id of the waiting request.
     * @param userId      the user it acts for.
     * @param reason      the request's {@code X-Audit-Log-Reason}, or null.
     * @return the writer, positioned after the header.
     */
    public static CommandWriter request(final Shard from, final int type, final long correlation, final long userId,
        final String reason)
    {
        return from.commandWriter().begin(type).putInt(from.address()).putLong(correlation).putLong(userId)
            .putString(reason);
    }

    /**
     * Starts a request command from a thread that is no shard (the control plane), on that thread's own writer
     * ({@link #offShardWriter()}); it goes out through {@code ShardGroup#send(int, CommandWriter)}.
     *
     * @param origin      the shard holding the request (where the answer goes).
     * @param type        the command.
     * @param correlation the origin's id of the waiting request.
     * @param userId      the user it acts for.
     * @return the writer, positioned after the header.
     */
    public static CommandWriter request(final int origin, final int type, final long correlation, final long userId)
    {
        return request(origin, type, correlation, userId, null);
    }

    /**
     * {@link #request(int, int, long, long)} with the request's audit-log reason (or null).
     */
    public static CommandWriter request(final int origin, final int type, final long correlation, final long userId,
        final String reason)
    {
        return offShardWriter().begin(type).putInt(origin).putLong(correlation).putLong(userId).putString(reason);
    }

    /**
     * @param writer      the shard's writer.
     * @param origin      the asking shard's route.
     * @param correlation the sync's id in the asking shard's {@code ExchangeTable}.
     * @return the writer, holding a {@link #SYNC}.
     */
    public static CommandWriter sync(final CommandWriter writer, final int origin, final long correlation)
    {
        return writer.begin(SYNC).putInt(origin).putLong(correlation);
    }

    /**
     * Writes a {@link #REPLY}: correlation, status, Retry-After seconds, body (the one place its layout is written).
     *
     * @param writer      the writer to use (a shard's, or {@link #offShardWriter()}).
     * @param correlation the request at its origin.
     * @param status      HTTP status.
     * @param retryAfter  seconds for a Retry-After header, 0 for none.
     * @param body        the encoded body, or null.
     * @return the writer, with the whole command.
     */
    public static CommandWriter reply(final CommandWriter writer, final long correlation, final int status,
        final int retryAfter, final byte[] body)
    {
        return writer.begin(REPLY).putLong(correlation).putInt(status).putInt(retryAfter).putBytes(body);
    }

    /**
     * @return the calling thread's own writer, for threads that are no shard (the control plane's few threads);
     *         a shard uses {@code Shard#commandWriter()}.
     */
    public static CommandWriter offShardWriter()
    {
        return OFF_SHARD_WRITERS.get();
    }
}
