package dev.pinwheel.gateway.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The gateway's one JSON toolkit (Jackson). Thread-safe.
 */
public final class Json
{
    /** Shared mapper; configured once. */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build())
        .build());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The common flat body without Jackson's parser machinery; Jackson reads the rest ({@link FlatJsonReader}). */
    private static final ThreadLocal<FlatJsonReader> FLAT = ThreadLocal.withInitial(FlatJsonReader::new);

    private Json()
    {
    }

    /**
     * @return a new empty object.
     */
    public static ObjectNode object()
    {
        return NODES.objectNode();
    }

    /**
     * @return a new empty array.
     */
    public static ArrayNode array()
    {
        return NODES.arrayNode();
    }

    /**
     * @param node a tree.
     * @return UTF-8 bytes.
     */
    public static byte[] bytes(final JsonNode node)
    {
        try
        {
            return MAPPER.writeValueAsBytes(node);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param node a tree.
     * @return its JSON text.
     */
    public static String text(final JsonNode node)
    {
        return new String(bytes(node), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @param bytes UTF-8 JSON.
     * @param off   offset.
     * @param len   length.
     * @return the tree (a flat object of strings, small ints and literals is read without Jackson's parser, into the
     *         same tree).
     * @throws IOException if malformed.
     */
    public static JsonNode parse(final byte[] bytes, final int off, final int len) throws IOException
    {
        final JsonNode flat = FLAT.get().read(bytes, off, len);
        if (flat != null)
        {
            return flat;
        }
        final JsonNode node = MAPPER.readTree(bytes, off, len);
        if (node == null)
        {
            throw new IOException("empty JSON document");
        }
        return node;
    }

    /**
     * @param json JSON text this node wrote itself (a validated field carried by a command).
     * @return the tree.
     * @throws java.io.UncheckedIOException if it is malformed (a bug: it was validated before).
     */
    public static JsonNode parse(final String json)
    {
        try
        {
            final JsonNode node = MAPPER.readTree(json);
            if (node == null)
            {
                throw new IOException("empty JSON document");
            }
            return node;
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * @param id a snowflake.
     * @return it as a JSON string (Discord sends ids as strings; JavaScript clients need it).
     */
    public static String id(final long id)
    {
        return Long.toUnsignedString(id);
    }

    /**
     * @param epochMillis time.
     * @return ISO-8601 timestamp.
     */
    public static String timestamp(final long epochMillis)
    {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    /**
     * Parses a snowflake from a JSON string or number, or a path segment.
     *
     * @param text text.
     * @return the id, or -1 if not a valid snowflake.
     */
    public static long parseId(final String text)
    {
        if (text == null || text.isEmpty() || text.length() > 20)
        {
            return -1;
        }
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
        }
        try
        {
            final long v = Long.parseLong(text);
            return v < 0 ? -1 : v;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }
}
