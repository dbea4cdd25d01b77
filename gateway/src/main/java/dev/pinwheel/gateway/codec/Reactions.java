package dev.pinwheel.gateway.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * A message's reactions as plain data: the emojis in the order they were first added, each with the ids of the users
 * who reacted with it (ascending {@code long[]}, so "did this user react" is a binary search, not a string compare).
 * <p>
 * Stored form (unchanged, so every journal written before reads the same): the {@code reactions} field of the
 * message's extra JSON text, {@code [{"emoji":{"id":null,"name":"👍"},"users":["1","2"]}, …]}. {@link #of} reads
 * that field with a streaming parser and keeps the other fields (embeds, the reply's reference) as the text they
 * are; {@link #writeTo} splices the new field back between them — the rest of the extras is never turned into a
 * tree and written again. Pinwheel has no custom emojis: an emoji is its Unicode name.
 * <p>
 * <b>Not thread-safe</b>: one per operation, on the message's owner shard.
 */
public final class Reactions
{
    private static final long[] NONE = {};

    private String[] emojis = new String[4];
    private long[][] users = new long[4][];
    private int size;
    /** The other top-level fields of the extras, as {@code "name":value} text each, in order. */
    private String[] rest = new String[2];
    private int restSize;

    private Reactions()
    {
    }

    /**
     * @param extra a stored message's extra JSON text, or null.
     * @return its reactions (none when it has none), remembering the other fields for {@link #writeTo}.
     */
    public static Reactions of(final String extra)
    {
        final Reactions r = new Reactions();
        if (extra == null || extra.isEmpty())
        {
            return r;
        }
        try (JsonParser p = Json.MAPPER.getFactory().createParser(extra))
        {
            if (p.nextToken() != JsonToken.START_OBJECT)
            {
                return r; // written by us: cannot happen; treat as no extras
            }
            JsonToken t = p.nextToken();
            while (t == JsonToken.FIELD_NAME)
            {
                final int start = (int)p.currentTokenLocation().getCharOffset();
                final String name = p.currentName();
                p.nextToken();
                if ("reactions".equals(name))
                {
                    r.read(p);
                }
                else
                {
                    p.skipChildren();
                }
                t = p.nextToken();
                if (!"reactions".equals(name))
                {
                    r.keep(field(extra, start, t == JsonToken.END_OBJECT || t == JsonToken.FIELD_NAME
                        ? (int)p.currentTokenLocation().getCharOffset() : extra.length()));
                }
            }
            return r;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("unreadable message extras", ex);
        }
    }

    /** {@code "name":value} from its start up to the next token, without the separating comma. */
    private static String field(final String extra, final int start, final int nextToken)
    {
        int end = nextToken;
        while (end > start && (Character.isWhitespace(extra.charAt(end - 1)) || extra.charAt(end - 1) == ','))
        {
            end--;
        }
        return extra.substring(start, end);
    }

    private void keep(final String field)
    {
        if (restSize == rest.length)
        {
            rest = Arrays.copyOf(rest, restSize * 2);
        }
        rest[restSize++] = field;
    }

    /** Reads {@code [{"emoji":{"name":…},"users":[ids]}, …]}, the parser at its START_ARRAY. */
    private void read(final JsonParser p) throws IOException
    {
        if (p.currentToken() != JsonToken.START_ARRAY)
        {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.START_OBJECT)
        {
            String emoji = null;
            long[] ids = NONE;
            int n = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = p.currentName();
                final JsonToken value = p.nextToken();
                if ("emoji".equals(field) && value == JsonToken.START_OBJECT)
                {
                    while (p.nextToken() == JsonToken.FIELD_NAME)
                    {
                        final boolean isName = "name".equals(p.currentName());
                        p.nextToken();
                        if (isName)
                        {
                            emoji = p.getValueAsString();
                        }
                        p.skipChildren();
                    }
                }
                else if ("users".equals(field) && value == JsonToken.START_ARRAY)
                {
                    ids = new long[8];
                    while (p.nextToken() != JsonToken.END_ARRAY)
                    {
                        final long id = p.currentToken() == JsonToken.VALUE_STRING ? Json.parseId(p.getText())
                            : p.getValueAsLong(-1);
                        if (id > 0)
                        {
                            ids = n == ids.length ? Arrays.copyOf(ids, n * 2) : ids;
                            ids[n++] = id;
                        }
                    }
                }
                else
                {
                    p.skipChildren();
                }
            }
            if (emoji != null && n > 0)
            {
                final long[] sorted = Arrays.copyOf(ids, n);
                Arrays.sort(sorted);
                append(emoji, sorted);
            }
        }
    }

    private int append(final String emoji, final long[] ids)
    {
        if (size == emojis.length)
        {
            emojis = Arrays.copyOf(emojis, size * 2);
            users = Arrays.copyOf(users, size * 2);
        }
        emojis[size] = emoji;
        users[size] = ids;
        return size++;
    }

    /**
     * @return how many distinct emojis the message has.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param emoji an emoji's name.
     * @return its index, or -1 if nobody reacted with it.
     */
    public int indexOf(final String emoji)
    {
        for (int i = 0; i < size; i++)
        {
            if (emojis[i].equals(emoji))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param index an emoji's index.
     * @return its name.
     */
    public String emoji(final int index)
    {
        return emojis[index];
    }

    /**
     * @param index an emoji's index.
     * @return the ids of its users, ascending; shared, never modify it.
     */
    public long[] users(final int index)
    {
        return users[index];
    }

    /**
     * @param index  an emoji's index.
     * @param userId a user.
     * @return whether the user reacted with it.
     */
    public boolean has(final int index, final long userId)
    {
        return Arrays.binarySearch(users[index], userId) >= 0;
    }

    /**
     * Adds a user's reaction (the emoji last if it is new).
     *
     * @param emoji  an emoji's name.
     * @param userId the user.
     * @return false if the user had reacted with it already (nothing changed).
     */
    public boolean add(final String emoji, final long userId)
    {
        final int i = indexOf(emoji);
        if (i < 0)
        {
            append(emoji, new long[] {userId});
            return true;
        }
        final int at = Arrays.binarySearch(users[i], userId);
        if (at >= 0)
        {
            return false;
        }
        final int insert = -at - 1;
        final long[] old = users[i];
        final long[] ids = new long[old.length + 1];
        System.arraycopy(old, 0, ids, 0, insert);
        ids[insert] = userId;
        System.arraycopy(old, insert, ids, insert + 1, old.length - insert);
        users[i] = ids;
        return true;
    }

    /**
     * Removes a user's reaction; an emoji nobody reacts with any more goes.
     *
     * @param emoji  an emoji's name.
     * @param userId the user.
     * @return false if there was no such reaction (nothing changed).
     */
    public boolean remove(final String emoji, final long userId)
    {
        final int i = indexOf(emoji);
        final int at = i < 0 ? -1 : Arrays.binarySearch(users[i], userId);
        if (at < 0)
        {
            return false;
        }
        final long[] old = users[i];
        if (old.length == 1)
        {
            removeAt(i);
            return true;
        }
        final long[] ids = new long[old.length - 1];
        System.arraycopy(old, 0, ids, 0, at);
        System.arraycopy(old, at + 1, ids, at, old.length - at - 1);
        users[i] = ids;
        return true;
    }

    /**
     * @param emoji an emoji's name, or null for every emoji.
     * @return false if there was nothing to remove.
     */
    public boolean clear(final String emoji)
    {
        if (emoji == null)
        {
            final boolean any = size > 0;
            Arrays.fill(emojis, 0, size, null);
            Arrays.fill(users, 0, size, null);
            size = 0;
            return any;
        }
        final int i = indexOf(emoji);
        if (i >= 0)
        {
            removeAt(i);
        }
        return i >= 0;
    }

    private void removeAt(final int i)
    {
        System.arraycopy(emojis, i + 1, emojis, i, size - i - 1);
        System.arraycopy(users, i + 1, users, i, size - i - 1);
        size--;
        emojis[size] = null;
        users[size] = null;
    }

    /**
     * @return the extra JSON text with these reactions and the other fields it was read with (reactions last, left
     *         out when there are none), or null when nothing is left to keep.
     */
    public String writeTo()
    {
        if (size == 0 && restSize == 0)
        {
            return null;
        }
        final StringBuilder out = new StringBuilder(64 + 48 * size).append('{');
        for (int i = 0; i < restSize; i++)
        {
            out.append(i == 0 ? "" : ",").append(rest[i]);
        }
        if (size > 0)
        {
            out.append(restSize == 0 ? "" : ",").append("\"reactions\":[");
            for (int i = 0; i < size; i++)
            {
                out.append(i == 0 ? "" : ",").append("{\"emoji\":");
                emojiJson(out, emojis[i]).append(",\"users\":[");
                final long[] ids = users[i];
                for (int u = 0; u < ids.length; u++)
                {
                    out.append(u == 0 ? "\"" : ",\"").append(ids[u]).append('"');
                }
                out.append("]}");
            }
            out.append(']');
        }
        return out.append('}').toString();
    }

    /**
     * Writes Discord's emoji object for a Unicode emoji, {@code {"id":null,"name":"…"}}.
     *
     * @param out   where.
     * @param emoji its name.
     * @return {@code out}.
     */
    public static StringBuilder emojiJson(final StringBuilder out, final String emoji)
    {
        out.append("{\"id\":null,\"name\":\"");
        for (int i = 0; i < emoji.length(); i++)
        {
            final char c = emoji.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.append("\"}");
    }
}
