package dev.pinwheel.gateway.http;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * The headers of a REST answer as Netty's HTTP encoder reads them, with nothing allocated once warm: a flat list in
 * insertion order whose values are either constants ({@link AsciiString}) or ASCII text written into the field's own
 * reusable bytes — decimal numbers ({@code Content-Length}, {@code Retry-After}), seconds with three decimals and hex
 * ({@code X-RateLimit-*}) straight from longs.
 * <pre>
 *   RestExchange.write ─ reset(), add…() ─▶ DefaultFullHttpResponse(headers = this) ─writeAndFlush─▶ HttpServerCodec
 *                                                                         iteratorCharSequence(): name: value CRLF
 * </pre>
 * <b>Reused</b>: one instance per shard serves every answer the shard writes. That is safe because the answer is
 * filled and handed to {@code writeAndFlush} on the connection's event loop — the shard thread — where the pipeline
 * encodes it before the call returns; the next answer resets it. {@link #iteratorCharSequence()} is a reused cursor
 * (one iteration at a time, as the encoder does); the rest of the {@link HttpHeaders} API works as usual (and may
 * allocate). Names compare case-insensitively. <b>Not thread-safe.</b>
 */
public final class ResponseHeaders extends HttpHeaders
{
    /** {@code X-RateLimit-Limit}. */
    public static final AsciiString RATE_LIMIT_LIMIT = AsciiString.cached("X-RateLimit-Limit");
    /** {@code X-RateLimit-Remaining}. */
    public static final AsciiString RATE_LIMIT_REMAINING = AsciiString.cached("X-RateLimit-Remaining");
    /** {@code X-RateLimit-Reset}. */
    public static final AsciiString RATE_LIMIT_RESET = AsciiString.cached("X-RateLimit-Reset");
    /** {@code X-RateLimit-Reset-After}. */
    public static final AsciiString RATE_LIMIT_RESET_AFTER = AsciiString.cached("X-RateLimit-Reset-After");
    /** {@code X-RateLimit-Bucket}. */
    public static final AsciiString RATE_LIMIT_BUCKET = AsciiString.cached("X-RateLimit-Bucket");
    /** {@code X-RateLimit-Scope}. */
    public static final AsciiString RATE_LIMIT_SCOPE = AsciiString.cached("X-RateLimit-Scope");
    /** {@code Retry-After}. */
    public static final AsciiString RETRY_AFTER = AsciiString.cached("Retry-After");
    /** {@code Allow}. */
    public static final AsciiString ALLOW = AsciiString.cached("Allow");

    /**
     * Below this magnitude a millisecond count divided by 1000.0 is a double whose shortest decimal is the exact
     * quotient (its ulp is under a thousandth), so {@code %.3f} prints {@code millis / 1000 "." millis % 1000}.
     */
    private static final long EXACT_SECONDS_BOUND = 1L << 52;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** One header: its name, and its value (a constant, or this field's own text). */
    private static final class Field implements Map.Entry<CharSequence, CharSequence>
    {
        final Text text = new Text();
        CharSequence name;
        CharSequence value;

        @Override
        public CharSequence getKey()
        {
            return name;
        }

        @Override
        public CharSequence getValue()
        {
            return value;
        }

        @Override
        public CharSequence setValue(final CharSequence v)
        {
            throw new UnsupportedOperationException("read only");
        }
    }

    /** A field's value written as ASCII into reusable bytes (digits, hex), read as a {@link CharSequence}. */
    private static final class Text implements CharSequence
    {
        byte[] bytes = new byte[24];
        int length;

        Text clear()
        {
            length = 0;
            return this;
        }

        void append(final byte b)
        {
            if (length == bytes.length)
            {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[length++] = b;
        }

        /** Appends the decimal digits of a value of at least 0. */
        void appendDigits(final long v)
        {
            if (v >= 10)
            {
                appendDigits(v / 10);
            }
            append((byte)('0' + v % 10));
        }

        @Override
        public int length()
        {
            return length;
        }

        @Override
        public char charAt(final int index)
        {
            if (index < 0 || index >= length)
            {
                throw new IndexOutOfBoundsException(index);
            }
            return (char)(bytes[index] & 0xff);
        }

        @Override
        public CharSequence subSequence(final int start, final int end)
        {
            return toString().substring(start, end);
        }

        @Override
        public String toString()
        {
            return new String(bytes, 0, length, StandardCharsets.US_ASCII);
        }
    }

    /** The reused cursor of {@link #iteratorCharSequence()}. */
    private final class Cursor implements Iterator<Map.Entry<CharSequence, CharSequence>>
    {
        int next;

        @Override
        public boolean hasNext()
        {
            return next < size;
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next()
        {
            if (next >= size)
            {
                throw new NoSuchElementException();
            }
            return fields[next++];
        }
    }

    private Field[] fields = new Field[0];
    private int size;
    private final Cursor cursor = new Cursor();

    /**
     * Forgets every header (the fields' bytes stay, for the next answer).
     *
     * @return this.
     */
    public ResponseHeaders reset()
    {
        for (int i = 0; i < size; i++)
        {
            fields[i].name = null;
            fields[i].value = null;
        }
        size = 0;
        return this;
    }

    /**
     * @param name  a header name.
     * @param value its value, kept as given (a constant: it is not copied).
     * @return this.
     */
    public ResponseHeaders addText(final CharSequence name, final CharSequence value)
    {
        final Field f = append(name);
        f.value = value;
        return this;
    }

    /**
     * @param name  a header name.
     * @param value a number, written in decimal.
     * @return this.
     */
    public ResponseHeaders addLong(final CharSequence name, final long value)
    {
        final Field f = append(name);
        final Text t = f.text.clear();
        if (value < 0)
        {
            if (value == Long.MIN_VALUE)
            {
                f.value = Long.toString(value);
                return this;
            }
            t.append((byte)'-');
            t.appendDigits(-value);
        }
        else
        {
            t.appendDigits(value);
        }
        f.value = t;
        return this;
    }

    /**
     * @param name   a header name.
     * @param millis a duration or an epoch time in milliseconds.
     * @return this, with the value in seconds as {@code String.format(Locale.ROOT, "%.3f", millis / 1000.0)} writes
     *         it.
     */
    public ResponseHeaders addSeconds(final CharSequence name, final long millis)
    {
        final Field f = append(name);
        if (millis <= -EXACT_SECONDS_BOUND || millis >= EXACT_SECONDS_BOUND)
        {
            f.value = String.format(Locale.ROOT, "%.3f", millis / 1000.0);
            return this;
        }
        final Text t = f.text.clear();
        final long abs = Math.abs(millis);
        if (millis < 0)
        {
            t.append((byte)'-');
        }
        t.appendDigits(abs / 1000);
        t.append((byte)'.');
        final long fraction = abs % 1000;
        t.append((byte)('0' + fraction / 100));
        t.append((byte)('0' + fraction / 10 % 10));
        t.append((byte)('0' + fraction % 10));
        f.value = t;
        return this;
    }

    /**
     * @param name  a header name.
     * @param value a number.
     * @return this, with the value as {@link Long#toHexString(long)} writes it.
     */
    public ResponseHeaders addHex(final CharSequence name, final long value)
    {
        final Field f = append(name);
        final Text t = f.text.clear();
        int shift = 60;
        while (shift > 0 && (value >>> shift & 0xf) == 0)
        {
            shift -= 4;
        }
        for (; shift >= 0; shift -= 4)
        {
            t.append(HEX[(int)(value >>> shift & 0xf)]);
        }
        f.value = t;
        return this;
    }

    private Field append(final CharSequence name)
    {
        if (size == fields.length)
        {
            final Field[] grown = java.util.Arrays.copyOf(fields, Math.max(8, size * 2));
            for (int i = size; i < grown.length; i++)
            {
                grown[i] = new Field();
            }
            fields = grown;
        }
        final Field f = fields[size++];
        f.name = name;
        return f;
    }

    private int indexOf(final CharSequence name, final int from)
    {
        for (int i = from; i < size; i++)
        {
            if (AsciiString.contentEqualsIgnoreCase(fields[i].name, name))
            {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence()
    {
        cursor.next = 0;
        return cursor;
    }

    /**
     * @deprecated as in {@link HttpHeaders}: use {@link #iteratorAsString()}.
     */
    @Deprecated
    @Override
    public Iterator<Map.Entry<String, String>> iterator()
    {
        return entries().iterator();
    }

    @Override
    public List<Map.Entry<String, String>> entries()
    {
        final List<Map.Entry<String, String>> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++)
        {
            all.add(new AbstractMap.SimpleImmutableEntry<>(fields[i].name.toString(), fields[i].value.toString()));
        }
        return all;
    }

    @Override
    public String get(final String name)
    {
        return get((CharSequence)name);
    }

    @Override
    public String get(final CharSequence name)
    {
        final int i = indexOf(name, 0);
        return i < 0 ? null : fields[i].value.toString();
    }

    @Override
    public List<String> getAll(final String name)
    {
        return getAll((CharSequence)name);
    }

    @Override
    public List<String> getAll(final CharSequence name)
    {
        final List<String> all = new ArrayList<>(2);
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1))
        {
            all.add(fields[i].value.toString());
        }
        return all;
    }

    @Override
    public Integer getInt(final CharSequence name)
    {
        final String v = get(name);
        if (v == null)
        {
            return null;
        }
        try
        {
            return Integer.parseInt(v);
        }
        catch (final NumberFormatException e)
        {
            return null;
        }
    }

    @Override
    public int getInt(final CharSequence name, final int defaultValue)
    {
        final Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(final CharSequence name)
    {
        final Integer v = getInt(name);
        return v == null || v != v.shortValue() ? null : v.shortValue();
    }

    @Override
    public short getShort(final CharSequence name, final short defaultValue)
    {
        final Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(final CharSequence name)
    {
        return null; // answers carry no date headers
    }

    @Override
    public long getTimeMillis(final CharSequence name, final long defaultValue)
    {
        return defaultValue;
    }

    @Override
    public boolean contains(final String name)
    {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(final CharSequence name)
    {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean containsValue(final CharSequence name, final CharSequence value, final boolean ignoreCase)
    {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1))
        {
            // one value per field; a comma-separated list is matched element by element, as Netty does
            final CharSequence v = fields[i].value;
            int start = 0;
            for (int j = 0; j <= v.length(); j++)
            {
                if (j == v.length() || v.charAt(j) == ',')
                {
                    final CharSequence part = AsciiString.trim(v.subSequence(start, j));
                    if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(part, value)
                        : AsciiString.contentEquals(part, value))
                    {
                        return true;
                    }
                    start = j + 1;
                }
            }
        }
        return false;
    }

    @Override
    public boolean contains(final String name, final String value, final boolean ignoreCase)
    {
        return contains((CharSequence)name, value, ignoreCase);
    }

    @Override
    public boolean contains(final CharSequence name, final CharSequence value, final boolean ignoreCase)
    {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1))
        {
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(fields[i].value, value)
                : AsciiString.contentEquals(fields[i].value, value))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isEmpty()
    {
        return size == 0;
    }

    @Override
    public int size()
    {
        return size;
    }

    @Override
    public Set<String> names()
    {
        final Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++)
        {
            names.add(fields[i].name.toString());
        }
        return names;
    }

    @Override
    public HttpHeaders add(final String name, final Object value)
    {
        return add((CharSequence)name, value);
    }

    @Override
    public HttpHeaders add(final CharSequence name, final Object value)
    {
        return addText(name, value instanceof CharSequence c ? c : String.valueOf(value));
    }

    @Override
    public HttpHeaders add(final String name, final Iterable<?> values)
    {
        for (final Object v : values)
        {
            add(name, v);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(final CharSequence name, final int value)
    {
        return addLong(name, value);
    }

    @Override
    public HttpHeaders addShort(final CharSequence name, final short value)
    {
        return addLong(name, value);
    }

    @Override
    public HttpHeaders set(final String name, final Object value)
    {
        return set((CharSequence)name, value);
    }

    @Override
    public HttpHeaders set(final CharSequence name, final Object value)
    {
        remove(name);
        return add(name, value);
    }

    @Override
    public HttpHeaders set(final String name, final Iterable<?> values)
    {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(final CharSequence name, final int value)
    {
        remove(name);
        return addLong(name, value);
    }

    @Override
    public HttpHeaders setShort(final CharSequence name, final short value)
    {
        remove(name);
        return addLong(name, value);
    }

    @Override
    public HttpHeaders remove(final String name)
    {
        return remove((CharSequence)name);
    }

    @Override
    public HttpHeaders remove(final CharSequence name)
    {
        int kept = 0;
        for (int i = 0; i < size; i++)
        {
            final Field f = fields[i];
            if (AsciiString.contentEqualsIgnoreCase(f.name, name))
            {
                continue;
            }
            if (kept != i)
            {
                // swap, so that the removed field's reusable bytes stay in the array
                fields[i] = fields[kept];
                fields[kept] = f;
            }
            kept++;
        }
        for (int i = kept; i < size; i++)
        {
            fields[i].name = null;
            fields[i].value = null;
        }
        size = kept;
        return this;
    }

    @Override
    public HttpHeaders clear()
    {
        return reset();
    }
}
