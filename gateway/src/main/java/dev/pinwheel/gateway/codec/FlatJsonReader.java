package dev.pinwheel.gateway.codec;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Reads the body most REST requests carry — one flat JSON object whose values are strings, integers of up to nine
 * digits, {@code true}, {@code false} or {@code null} (a message: content, nonce, tts, flags) — into the tree Jackson
 * builds for it, without Jackson's parser, context and deserializer objects: only the tree and its strings are
 * allocated (names that come back often are reused from a small cache).
 * <p>
 * It accepts a strict subset of JSON and refuses ({@code null}) everything else: nesting, floats and longer numbers,
 * a name given twice, a surrogate in a u escape, a byte that is not well-formed UTF-8, a byte-order mark, anything
 * but whitespace after the object, and of course whatever is not JSON. The caller then parses with Jackson, which
 * alone decides what is invalid. So what this reader accepts, Jackson accepts too, into an equal tree with the same
 * node types and field order ({@code FlatJsonReaderTest} checks it against Jackson).
 * <p>
 * <b>Not thread-safe</b>: one per thread ({@link Json#parse(byte[], int, int)} keeps one per thread).
 */
final class FlatJsonReader
{
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_CACHED_NAME = 32;
    private static final int NAME_SLOTS = 64;
    private static final int MAX_NAME = 1000;
    private static final int MAX_INT_DIGITS = 9;
    private static final int MAX_LENGTH = 1 << 20;

    private final String[] names = new String[NAME_SLOTS];
    private char[] chars = new char[256];
    private byte[] in;
    private int at;
    private int end;

    /**
     * @param bytes UTF-8 JSON.
     * @param off   where it starts.
     * @param len   its length.
     * @return the object, or null when it is not one this reader takes (then Jackson must read it).
     */
    ObjectNode read(final byte[] bytes, final int off, final int len)
    {
        if (len > MAX_LENGTH)
        {
            return null; // Jackson's string length limit cannot be reached below this
        }
        in = bytes;
        at = off;
        end = off + len;
        try
        {
            return object();
        }
        finally
        {
            in = null;
        }
    }

    private ObjectNode object()
    {
        if (!skipSpace() || in[at] != '{')
        {
            return null;
        }
        at++;
        final ObjectNode o = NODES.objectNode();
        if (!skipSpace())
        {
            return null;
        }
        if (in[at] == '}')
        {
            at++;
            return onlySpaceLeft() ? o : null;
        }
        while (true)
        {
            if (!skipSpace() || in[at] != '"')
            {
                return null;
            }
            at++;
            final String name = name();
            if (name == null || o.has(name) || !skipSpace() || in[at] != ':')
            {
                return null;
            }
            at++;
            final JsonNode value = value();
            if (value == null || !skipSpace())
            {
                return null;
            }
            o.set(name, value);
            final byte b = in[at++];
            if (b == '}')
            {
                return onlySpaceLeft() ? o : null;
            }
            if (b != ',')
            {
                return null;
            }
        }
    }

    private JsonNode value()
    {
        if (!skipSpace())
        {
            return null;
        }
        final byte b = in[at];
        if (b == '"')
        {
            at++;
            final String s = string();
            return s == null ? null : TextNode.valueOf(s);
        }
        if (b == 't')
        {
            return literal("true") ? BooleanNode.TRUE : null;
        }
        if (b == 'f')
        {
            return literal("false") ? BooleanNode.FALSE : null;
        }
        if (b == 'n')
        {
            return literal("null") ? NullNode.getInstance() : null;
        }
        if (b == '-' || b >= '0' && b <= '9')
        {
            return integer();
        }
        return null;
    }

    /** A literal, then a delimiter: whitespace, a comma or the object's end. */
    private boolean literal(final String word)
    {
        final int n = word.length();
        if (end - at < n)
        {
            return false;
        }
        for (int i = 0; i < n; i++)
        {
            if (in[at + i] != word.charAt(i))
            {
                return false;
            }
        }
        at += n;
        return at < end && delimiter(in[at]);
    }

    /** {@code -?(0|[1-9][0-9]*)} of at most nine digits, then a delimiter: an int. */
    private JsonNode integer()
    {
        final boolean negative = in[at] == '-';
        if (negative)
        {
            at++;
        }
        final int first = at;
        int v = 0;
        while (at < end && in[at] >= '0' && in[at] <= '9')
        {
            v = v * 10 + in[at++] - '0';
            if (at - first > MAX_INT_DIGITS)
            {
                return null;
            }
        }
        final int digits = at - first;
        if (digits == 0 || digits > 1 && in[first] == '0' || at >= end || !delimiter(in[at]))
        {
            return null;
        }
        return IntNode.valueOf(negative ? -v : v);
    }

    private static boolean delimiter(final byte b)
    {
        return b == ',' || b == '}' || b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** A name after its opening quote: a short plain ASCII one from the cache. */
    private String name()
    {
        final int start = at;
        int hash = 0;
        while (at < end && at - start <= MAX_CACHED_NAME)
        {
            final byte b = in[at];
            if (b == '"')
            {
                at++;
                return cachedName(start, at - 1 - start, hash);
            }
            if (b == '\\' || b < 0x20)
            {
                break;
            }
            hash = 31 * hash + b;
            at++;
        }
        at = start;
        final String s = string();
        return s == null || s.length() > MAX_NAME ? null : s;
    }

    private String cachedName(final int start, final int length, final int hash)
    {
        final int slot = (hash ^ hash >>> 16) & (NAME_SLOTS - 1);
        final String cached = names[slot];
        if (cached != null && cached.length() == length)
        {
            boolean same = true;
            for (int i = 0; i < length && same; i++)
            {
                same = cached.charAt(i) == in[start + i];
            }
            if (same)
            {
                return cached;
            }
        }
        final String s = new String(in, start, length, StandardCharsets.ISO_8859_1);
        names[slot] = s;
        return s;
    }

    /** A string after its opening quote, through its closing one; null if it is not one this reader takes. */
    private String string()
    {
        final int start = at;
        while (at < end)
        {
            final byte b = in[at];
            if (b == '"')
            {
                at++;
                return new String(in, start, at - 1 - start, StandardCharsets.ISO_8859_1);
            }
            if (b == '\\' || b < 0x20)
            {
                break; // an escape, a control character (refused below) or a byte above 0x7f (negative)
            }
            at++;
        }
        // the slow way: decode into chars
        int n = 0;
        for (int i = start; i < at; i++)
        {
            n = put(n, (char)in[i]);
        }
        while (at < end)
        {
            final int b = in[at++] & 0xff;
            if (b == '"')
            {
                return new String(chars, 0, n);
            }
            if (b < 0x20)
            {
                return null;
            }
            if (b == '\\')
            {
                final int c = escape();
                if (c < 0)
                {
                    return null;
                }
                n = put(n, (char)c);
            }
            else if (b < 0x80)
            {
                n = put(n, (char)b);
            }
            else
            {
                final int cp = utf8(b);
                if (cp < 0)
                {
                    return null;
                }
                if (cp >= 0x10000)
                {
                    n = put(n, Character.highSurrogate(cp));
                    n = put(n, Character.lowSurrogate(cp));
                }
                else
                {
                    n = put(n, (char)cp);
                }
            }
        }
        return null;
    }

    /** After a backslash: the escaped character, or -1 (unknown escape, a surrogate in a u escape, the end). */
    private int escape()
    {
        if (at >= end)
        {
            return -1;
        }
        final byte e = in[at++];
        switch (e)
        {
            case '"', '\\', '/':
                return e;
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                if (end - at < 4)
                {
                    return -1;
                }
                int c = 0;
                for (int i = 0; i < 4; i++)
                {
                    final int d = Character.digit(in[at++], 16);
                    if (d < 0)
                    {
                        return -1;
                    }
                    c = c << 4 | d;
                }
                return Character.isSurrogate((char)c) ? -1 : c;
            default:
                return -1;
        }
    }

    /**
     * After a lead byte above 0x7f: the code point of a well-formed (shortest, not a surrogate, at most U+10FFFF)
     * UTF-8 sequence, or -1.
     */
    private int utf8(final int lead)
    {
        final int more;
        int cp;
        int min;
        if (lead >= 0xc2 && lead <= 0xdf)
        {
            more = 1;
            cp = lead & 0x1f;
            min = 0x80;
        }
        else if (lead >= 0xe0 && lead <= 0xef)
        {
            more = 2;
            cp = lead & 0x0f;
            min = 0x800;
        }
        else if (lead >= 0xf0 && lead <= 0xf4)
        {
            more = 3;
            cp = lead & 0x07;
            min = 0x10000;
        }
        else
        {
            return -1;
        }
        if (end - at < more)
        {
            return -1;
        }
        for (int i = 0; i < more; i++)
        {
            final int b = in[at++] & 0xff;
            if ((b & 0xc0) != 0x80)
            {
                return -1;
            }
            cp = cp << 6 | b & 0x3f;
        }
        return cp < min || cp > 0x10ffff || cp >= 0xd800 && cp <= 0xdfff ? -1 : cp;
    }

    private int put(final int n, final char c)
    {
        if (n == chars.length)
        {
            chars = java.util.Arrays.copyOf(chars, 2 * n);
        }
        chars[n] = c;
        return n + 1;
    }

    /** @return whether a byte is left after skipping JSON whitespace. */
    private boolean skipSpace()
    {
        while (at < end)
        {
            final byte b = in[at];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r')
            {
                return true;
            }
            at++;
        }
        return false;
    }

    private boolean onlySpaceLeft()
    {
        return !skipSpace();
    }
}
