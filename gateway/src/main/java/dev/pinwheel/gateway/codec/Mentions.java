package dev.pinwheel.gateway.codec;

import java.util.Arrays;

import org.agrona.collections.LongArrayList;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Discord's mention syntax and {@code allowed_mentions}, as text and request fields (stateless). What a message's
 * author may actually mention (existing users, the guild's roles, MENTION_EVERYONE) is decided by the owner.
 * <pre>
 *   content:          &lt;@id&gt;  &lt;@!id&gt;   a user         &lt;@&amp;id&gt;  a role        @everyone  @here
 *   allowed_mentions: {parse: ["users"|"roles"|"everyone"], users: [≤ 100 ids], roles: [≤ 100 ids],
 *                      replied_user: bool}   absent: parse everything, replied_user true (Discord's default)
 * </pre>
 * A command carries the allowed mentions as {@link #mask} + the two id lists ({@code null}: no list).
 */
public final class Mentions
{
    /** allowed_mentions.parse contains "users". */
    public static final int PARSE_USERS = 1;
    /** allowed_mentions.parse contains "roles". */
    public static final int PARSE_ROLES = 2;
    /** allowed_mentions.parse contains "everyone". */
    public static final int PARSE_EVERYONE = 4;
    /** allowed_mentions.replied_user. */
    public static final int REPLIED_USER = 8;
    /** No allowed_mentions given: Discord parses everything and pings the replied-to author. */
    public static final int DEFAULT = PARSE_USERS | PARSE_ROLES | PARSE_EVERYONE | REPLIED_USER;
    /** The most ids in allowed_mentions.users or .roles. */
    public static final int MAX_IDS = 100;

    private static final long[] NONE = new long[0];

    private Mentions()
    {
    }

    /**
     * A validated {@code allowed_mentions}, or the first error (a path under the body and Discord's code).
     *
     * @param mask         {@link #PARSE_USERS} | ... | {@link #REPLIED_USER}.
     * @param users        allowed_mentions.users, or null when not given.
     * @param roles        allowed_mentions.roles, or null when not given.
     * @param errorPath    the offending field's path, or null when valid.
     * @param errorCode    Discord's error code.
     * @param errorMessage the reason.
     */
    public record Allowed(int mask, long[] users, long[] roles, java.util.List<String> errorPath, String errorCode,
        String errorMessage)
    {
        /** @return whether it is valid. */
        public boolean valid()
        {
            return errorPath == null;
        }

        /**
         * @param userId a user mentioned in the text.
         * @return whether the author allows pinging them.
         */
        public boolean allowsUser(final long userId)
        {
            return allows(mask, PARSE_USERS, users, userId);
        }

        /**
         * @param roleId a role mentioned in the text.
         * @return whether the author allows pinging it.
         */
        public boolean allowsRole(final long roleId)
        {
            return allows(mask, PARSE_ROLES, roles, roleId);
        }

        private static Allowed error(final String message, final String code, final String... path)
        {
            return new Allowed(0, null, null, java.util.List.of(path), code, message);
        }
    }

    /** The default (no allowed_mentions in the body). */
    public static final Allowed DEFAULT_ALLOWED = new Allowed(DEFAULT, null, null, null, null, null);

    /**
     * @param mask  the allowed mask.
     * @param parse the parse bit for this kind.
     * @param list  the explicit list, or null.
     * @param id    the id mentioned.
     * @return whether the id may be pinged.
     */
    public static boolean allows(final int mask, final int parse, final long[] list, final long id)
    {
        if ((mask & parse) != 0)
        {
            return true;
        }
        if (list != null)
        {
            for (final long l : list)
            {
                if (l == id)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Validates a body's {@code allowed_mentions} as Discord does (unknown parse values, more than 100 ids, a kind
     * both parsed and listed).
     *
     * @param body a message create or edit body.
     * @return the allowed mentions ({@link #DEFAULT_ALLOWED} when absent or null), or an error.
     */
    public static Allowed allowed(final JsonNode body)
    {
        final JsonNode a = body.get("allowed_mentions");
        if (a == null || a.isNull())
        {
            return DEFAULT_ALLOWED;
        }
        if (!a.isObject())
        {
            return Allowed.error("Only dictionaries may be used in a ModelType", "MODEL_TYPE_CONVERT",
                "allowed_mentions");
        }
        int mask = 0;
        final JsonNode parse = a.get("parse");
        if (parse != null && !parse.isNull())
        {
            if (!parse.isArray())
            {
                return Allowed.error("Must be a list.", "BASE_TYPE_LIST", "allowed_mentions", "parse");
            }
            for (int i = 0; i < parse.size(); i++)
            {
                final String v = parse.get(i).isTextual() ? parse.get(i).asText() : "";
                switch (v)
                {
                    case "users" -> mask |= PARSE_USERS;
                    case "roles" -> mask |= PARSE_ROLES;
                    case "everyone" -> mask |= PARSE_EVERYONE;
                    default ->
                    {
                        return Allowed.error("Value must be one of {'users', 'roles', 'everyone'}.",
                            "BASE_TYPE_CHOICES", "allowed_mentions", "parse", Integer.toString(i));
                    }
                }
            }
        }
        final JsonNode replied = a.get("replied_user");
        if (replied != null && !replied.isNull())
        {
            if (!replied.isBoolean())
            {
                return Allowed.error("Must be either true or false.", "BASE_TYPE_BOOLEAN", "allowed_mentions",
                    "replied_user");
            }
            mask |= replied.asBoolean() ? REPLIED_USER : 0;
        }
        final long[] users = ids(a.get("users"));
        if (users == INVALID)
        {
            return Allowed.error("Value is not snowflake.", "NUMBER_TYPE_COERCE", "allowed_mentions", "users");
        }
        if (users == TOO_MANY)
        {
            return Allowed.error("Must be 100 or fewer in length.", "BASE_TYPE_MAX_LENGTH", "allowed_mentions",
                "users");
        }
        final long[] roles = ids(a.get("roles"));
        if (roles == INVALID)
        {
            return Allowed.error("Value is not snowflake.", "NUMBER_TYPE_COERCE", "allowed_mentions", "roles");
        }
        if (roles == TOO_MANY)
        {
            return Allowed.error("Must be 100 or fewer in length.", "BASE_TYPE_MAX_LENGTH", "allowed_mentions",
                "roles");
        }
        if ((mask & PARSE_USERS) != 0 && users != null && users.length > 0)
        {
            return Allowed.error("parse:[\"users\"] and users: [ids] are mutually exclusive.",
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "allowed_mentions");
        }
        if ((mask & PARSE_ROLES) != 0 && roles != null && roles.length > 0)
        {
            return Allowed.error("parse:[\"roles\"] and roles: [ids] are mutually exclusive.",
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "allowed_mentions");
        }
        return new Allowed(mask, users, roles, null, null, null);
    }

    private static final long[] INVALID = new long[0];
    private static final long[] TOO_MANY = new long[0];

    private static long[] ids(final JsonNode list)
    {
        if (list == null || list.isNull())
        {
            return null;
        }
        if (!list.isArray())
        {
            return INVALID;
        }
        if (list.size() > MAX_IDS)
        {
            return TOO_MANY;
        }
        final long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++)
        {
            final JsonNode n = list.get(i);
            out[i] = n.isTextual() ? Json.parseId(n.asText()) : n.isIntegralNumber() && n.canConvertToLong()
                ? n.asLong() : -1;
            if (out[i] <= 0)
            {
                return INVALID;
            }
        }
        return out;
    }

    /**
     * The mentions written in a text, in order of first appearance, without duplicates.
     *
     * @param content  the message text (may be null).
     * @param roles    true: {@code <@&id>}; false: {@code <@id>} and {@code <@!id>}.
     * @return the ids (empty when none).
     */
    public static long[] ids(final String content, final boolean roles)
    {
        if (content == null || content.indexOf("<@") < 0)
        {
            return NONE;
        }
        LongArrayList out = null;
        int i = content.indexOf("<@");
        while (i >= 0)
        {
            int p = i + 2;
            final boolean role = p < content.length() && content.charAt(p) == '&';
            if (role || p < content.length() && content.charAt(p) == '!')
            {
                p++;
            }
            final int start = p;
            long id = 0;
            while (p < content.length() && p - start < 20 && content.charAt(p) >= '0' && content.charAt(p) <= '9')
            {
                id = id * 10 + (content.charAt(p) - '0');
                p++;
            }
            if (role == roles && p > start && p < content.length() && content.charAt(p) == '>' && id > 0)
            {
                out = out == null ? new LongArrayList() : out;
                if (!out.containsLong(id))
                {
                    out.addLong(id);
                }
            }
            i = content.indexOf("<@", i + 2);
        }
        return out == null ? NONE : out.toLongArray();
    }

    /**
     * @param content the message text (may be null).
     * @return whether it says {@code @everyone} or {@code @here}.
     */
    public static boolean everyone(final String content)
    {
        return content != null && (content.contains("@everyone") || content.contains("@here"));
    }

    /**
     * @param ids ids.
     * @return them sorted (a new array), for {@code Arrays.binarySearch}.
     */
    public static long[] sorted(final long[] ids)
    {
        final long[] s = ids.clone();
        Arrays.sort(s);
        return s;
    }
}
