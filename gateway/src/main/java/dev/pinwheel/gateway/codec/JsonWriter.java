package dev.pinwheel.gateway.codec;

import org.agrona.ExpandableArrayBuffer;

/**
 * A small streaming JSON writer into a reusable buffer, for the hot events whose shape is fixed (a message): no tree
 * of nodes, no serializer, no intermediate strings for ids and time stamps. Writes byte for byte what Jackson writes
 * for the same values — UTF-8, quotes, backslashes and control characters escaped, surrogates as six-character u
 * escapes, ids as decimal strings, time stamps as {@link java.time.Instant#toString()} does — so a client cannot tell
 * which one encoded an event.
 * <p>
 * <b>Not thread-safe</b>: one per owner thread, reused ({@link #reset()}).
 */
public final class JsonWriter
{
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final long DAY_MILLIS = 86_400_000L;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private int position;
    private boolean needComma;

    /**
     * Starts a new document.
     *
     * @return this.
     */
    public JsonWriter reset()
    {
        position = 0;
        needComma = false;
        return this;
    }

    /**
     * @return bytes written.
     */
    public int length()
    {
        return position;
    }

    /**
     * Moves the end back (to write a variant of what follows a common prefix).
     *
     * @param length a length this writer had before.
     * @param comma  whether a value preceded that point in the current object or array.
     * @return this.
     */
    public JsonWriter truncate(final int length, final boolean comma)
    {
        position = length;
        needComma = comma;
        return this;
    }

    /**
     * @return a copy of what was written.
     */
    public byte[] toBytes()
    {
        final byte[] out = new byte[position];
        buffer.getBytes(0, out);
        return out;
    }

    /**
     * @return {@code {}.
     */
    public JsonWriter beginObject()
    {
        separate();
        put('{');
        needComma = false;
        return this;
    }

    /**
     * @return {@code }}.
     */
    public JsonWriter endObject()
    {
        put('}');
        needComma = true;
        return this;
    }

    /**
     * @return {@code [}.
     */
    public JsonWriter beginArray()
    {
        separate();
        put('[');
        needComma = false;
        return this;
    }

    /**
     * @return {@code ]}.
     */
    public JsonWriter endArray()
    {
        put(']');
        needComma = true;
        return this;
    }

    /**
     * @param name a field name (ASCII, needs no escaping).
     * @return this, ready for the field's value.
     */
    public JsonWriter name(final String name)
    {
        separate();
        put('"');
        for (int i = 0; i < name.length(); i++)
        {
            put(name.charAt(i));
        }
        put('"');
        put(':');
        needComma = false;
        return this;
    }

    /**
     * @param name  field name.
     * @param value text (null writes null).
     * @return this.
     */
    public JsonWriter field(final String name, final String value)
    {
        return name(name).string(value);
    }

    /**
     * @param name  field name.
     * @param value number.
     * @return this.
     */
    public JsonWriter field(final String name, final long value)
    {
        return name(name).number(value);
    }

    /**
     * @param name  field name.
     * @param value flag.
     * @return this.
     */
    public JsonWriter field(final String name, final boolean value)
    {
        return name(name).bool(value);
    }

    /**
     * @param name field name.
     * @param id   a snowflake, written as a decimal string.
     * @return this.
     */
    public JsonWriter idField(final String name, final long id)
    {
        name(name);
        separate();
        put('"');
        unsigned(id);
        put('"');
        needComma = true;
        return this;
    }

    /**
     * @param name field name.
     * @return this, with an empty array as the value.
     */
    public JsonWriter emptyArray(final String name)
    {
        return name(name).beginArray().endArray();
    }

    /**
     * @param name field name.
     * @return this, with null as the value.
     */
    public JsonWriter nullField(final String name)
    {
        return name(name).nul();
    }

    /**
     * @param name        field name.
     * @param epochMillis a time.
     * @return this, with the time as {@code 2026-12-03T08:51:00.123Z}.
     */
    public JsonWriter timestampField(final String name, final long epochMillis)
    {
        name(name);
        separate();
        put('"');
        timestamp(epochMillis);
        put('"');
        needComma = true;
        return this;
    }

    /**
     * @param value a number.
     * @return this.
     */
    public JsonWriter number(final long value)
    {
        separate();
        if (value < 0)
        {
            put('-');
            if (value == Long.MIN_VALUE)
            {
                ascii("9223372036854775808");
                needComma = true;
                return this;
            }
            unsigned(-value);
        }
        else
        {
            unsigned(value);
        }
        needComma = true;
        return this;
    }

    /**
     * @param value a flag.
     * @return this.
     */
    public JsonWriter bool(final boolean value)
    {
        separate();
        ascii(value ? "true" : "false");
        needComma = true;
        return this;
    }

    /**
     * @return this, with null written.
     */
    public JsonWriter nul()
    {
        separate();
        ascii("null");
        needComma = true;
        return this;
    }

    /**
     * @param value text, escaped as JSON requires (null writes null).
     * @return this.
     */
    public JsonWriter string(final String value)
    {
        if (value == null)
        {
            return nul();
        }
        separate();
        put('"');
        final int n = value.length();
        for (int i = 0; i < n; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                if (c == '"' || c == '\\')
                {
                    put('\\');
                    put(c);
                }
                else if (c < 0x20)
                {
                    escapeControl(c);
                }
                else
                {
                    put(c);
                }
            }
            else if (c < 0x800)
            {
                put(0xC0 | c >> 6);
                put(0x80 | c & 0x3F);
            }
            else if (Character.isSurrogate(c))
            {
                unicodeEscape(c); // as Jackson writes surrogates, paired or not: one u escape each
            }
            else
            {
                put(0xE0 | c >> 12);
                put(0x80 | c >> 6 & 0x3F);
                put(0x80 | c & 0x3F);
            }
        }
        put('"');
        needComma = true;
        return this;
    }

    /**
     * @param json JSON that this node encoded before (a value, copied as it is).
     * @return this.
     */
    public JsonWriter raw(final byte[] json)
    {
        separate();
        buffer.putBytes(position, json);
        position += json.length;
        needComma = true;
        return this;
    }

    private void escapeControl(final char c)
    {
        put('\\');
        switch (c)
        {
            case '\n' -> put('n');
            case '\r' -> put('r');
            case '\t' -> put('t');
            case '\b' -> put('b');
            case '\f' -> put('f');
            default ->
            {
                position--;
                unicodeEscape(c);
            }
        }
    }

    private void unicodeEscape(final char c)
    {
        put('\\');
        put('u');
        buffer.putByte(position++, HEX[c >> 12 & 0xF]);
        buffer.putByte(position++, HEX[c >> 8 & 0xF]);
        buffer.putByte(position++, HEX[c >> 4 & 0xF]);
        buffer.putByte(position++, HEX[c & 0xF]);
    }

    private void timestamp(final long epochMillis)
    {
        final long days = Math.floorDiv(epochMillis, DAY_MILLIS);
        final long millisOfDay = Math.floorMod(epochMillis, DAY_MILLIS);
        // civil date from days since 1970-01-01 (Howard Hinnant's algorithm)
        final long z = days + 719_468;
        final long era = Math.floorDiv(z, 146_097);
        final long doe = z - era * 146_097;
        final long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        final long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        final long mp = (5 * doy + 2) / 153;
        final long day = doy - (153 * mp + 2) / 5 + 1;
        final long month = mp < 10 ? mp + 3 : mp - 9;
        final long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        digits(year, 4);
        put('-');
        digits(month, 2);
        put('-');
        digits(day, 2);
        put('T');
        digits(millisOfDay / 3_600_000, 2);
        put(':');
        digits(millisOfDay / 60_000 % 60, 2);
        put(':');
        digits(millisOfDay / 1000 % 60, 2);
        final long millis = millisOfDay % 1000;
        if (millis != 0)
        {
            put('.');
            digits(millis, 3);
        }
        put('Z');
    }

    private void digits(final long value, final int width)
    {
        long divisor = 1;
        for (int i = 1; i < width; i++)
        {
            divisor *= 10;
        }
        long v = value;
        while (divisor > 0)
        {
            put((int)('0' + v / divisor % 10));
            divisor /= 10;
        }
    }

    private void unsigned(final long value)
    {
        if (value == 0)
        {
            put('0');
            return;
        }
        int digits = 0;
        for (long v = value; v != 0; v /= 10)
        {
            digits++;
        }
        buffer.checkLimit(position + digits);
        long v = value;
        for (int i = position + digits - 1; i >= position; i--)
        {
            buffer.putByte(i, (byte)('0' + v % 10));
            v /= 10;
        }
        position += digits;
    }

    private void ascii(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            put(s.charAt(i));
        }
    }

    private void separate()
    {
        if (needComma)
        {
            put(',');
            needComma = false;
        }
    }

    private void put(final int b)
    {
        buffer.putByte(position++, (byte)b);
    }
}
