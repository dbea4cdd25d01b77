package dev.pinwheel.storage;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * One Chronicle Map used at the byte level: keys and values are fixed-size records whose layout the owner defines,
 * written into reusable native scratch buffers and looked up with {@code queryContext(bytes, offset, size)}, so a
 * lookup or an in-place update allocates nothing on the heap and never serialises an object.
 * <pre>
 *   owner: key().writeLong(0, id) ──&gt; context() ──&gt; entry() ──&gt; read/write the value's bytes in place
 *                                                 └─&gt; absentEntry().doInsert(valueData(size))  (scratch value())
 * </pre>
 * The map is persisted to a file (sparse, created fresh or reopened after a clean shutdown by {@link ShardIndexes})
 * so that the kernel, not the JVM heap, holds the index; entry checksums are off because a map that may be damaged
 * (the process died while writing it) is never reused: it is rebuilt from the journal.
 * <p>
 * <b>Not thread-safe</b> (the scratch buffers): owned by one {@link ChronicleShardStore}.
 */
final class OffHeapTable implements AutoCloseable
{
    /** Growth allowed beyond the configured entries before inserts fail (Chronicle adds segment tiers). */
    static final double MAX_BLOAT_FACTOR = 64;

    private final String name;
    private final ChronicleMap<byte[], byte[]> map;
    private final int keySize;
    private final int valueSize;
    private final BytesStore<?, Void> key;
    private final BytesStore<?, Void> value;

    private OffHeapTable(
        final String name, final ChronicleMap<byte[], byte[]> map, final int keySize, final int valueSize)
    {
        this.name = name;
        this.map = map;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.key = BytesStore.nativeStoreWithFixedCapacity(keySize);
        this.value = BytesStore.nativeStoreWithFixedCapacity(valueSize);
    }

    /**
     * Creates or reopens a map file.
     *
     * @param name      the map's name (logs).
     * @param file      its file.
     * @param keySize   bytes of every key.
     * @param valueSize bytes of every value.
     * @param entries   entries to size the map for; it grows up to {@link #MAX_BLOAT_FACTOR} times that.
     * @return the table.
     */
    static OffHeapTable persisted(
        final String name, final Path file, final int keySize, final int valueSize, final long entries)
    {
        final ChronicleMapBuilder<byte[], byte[]> builder = ChronicleMapBuilder.of(byte[].class, byte[].class)
            .name(name)
            .constantKeySizeBySample(new byte[keySize])
            .constantValueSizeBySample(new byte[valueSize])
            .entries(entries)
            .maxBloatFactor(MAX_BLOAT_FACTOR)
            .checksumEntries(false)
            .skipCloseOnExitHook(true);
        try
        {
            return new OffHeapTable(name, builder.createPersistedTo(file.toFile()), keySize, valueSize);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open index map " + file, ex);
        }
    }

    /**
     * @return the scratch key: write the key's bytes at offsets 0..keySize-1 before {@link #context()}.
     */
    BytesStore<?, Void> key()
    {
        return key;
    }

    /**
     * @return the scratch value: write a new value here before {@link #valueData}.
     */
    BytesStore<?, Void> value()
    {
        return value;
    }

    /**
     * @return a query context for the key in {@link #key()}; close it (try-with-resources).
     */
    ExternalMapQueryContext<byte[], byte[], ?> context()
    {
        return map.queryContext(key, 0, keySize);
    }

    /**
     * @param context the open context.
     * @return the scratch {@link #value()} as the value to insert.
     */
    Data<byte[]> valueData(final ExternalMapQueryContext<byte[], byte[], ?> context)
    {
        return context.wrapValueBytesAsData(value, 0, valueSize);
    }

    /**
     * @return entries in the map.
     */
    long size()
    {
        return map.longSize();
    }

    /**
     * @return bytes of off-heap memory the map's file maps (its segments and tiers so far).
     */
    long offHeapBytes()
    {
        return map.offHeapMemoryUsed();
    }

    /**
     * @return the map's name.
     */
    String name()
    {
        return name;
    }

    /**
     * @param data a value of this map, inside an open context.
     * @return the bytes to read the value from, at {@code data.offset()}.
     */
    static RandomDataInput in(final Data<byte[]> data)
    {
        return data.bytes();
    }

    /**
     * Writable view of a value in the map's memory; write only under the context's write lock.
     *
     * @param data a value of this map, inside an open context.
     * @return the bytes to write the value to, at {@code data.offset()}.
     */
    static RandomDataOutput<?> out(final Data<byte[]> data)
    {
        return (RandomDataOutput<?>)data.bytes(); // Chronicle Map hands the segment's BytesStore itself
    }

    @Override
    public void close()
    {
        try
        {
            map.close();
        }
        finally
        {
            key.releaseLast();
            value.releaseLast();
        }
    }
}
