package dev.pinwheel.core.counters;

import java.nio.charset.StandardCharsets;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.ConcurrentCountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * Every counter of one node in one Agrona {@link ConcurrentCountersManager}: a metadata buffer (per counter: state,
 * {@link CounterTypes type id}, key, label) and a values buffer (one 8-byte value per 128-byte slot, so two writers
 * never share a cache line). Over a memory-mapped {@link CountersFile} for a real node — then
 * {@code pinwheel top --data DIR} reads them from another process — or over heap memory ({@link #inMemory}) for tests
 * and benchmarks.
 * <pre>
 *   metadata  [counter 0: state | type | key (scope i32, id i32) | label pinwheel_shard_inbox_events_total{shard="0"}]
 *             [counter 1: ...]
 *   values    [counter 0: value i64 | pad to 128 B] [counter 1: ...]
 * </pre>
 * <b>Labels</b> are Prometheus samples — a metric name and its labels, e.g.
 * {@code pinwheel_edge_connections_closed_total{shard="1",reason="header_timeout"}} — so that a reader needs nothing
 * but the file to render them. <b>Keys</b> identify a counter for programs: (scope, id) within its type.
 * <p>
 * <b>Threads.</b> Allocation is thread-safe (the manager takes a lock: start-up and first use only). Each counter has
 * one writer, which stores with release semantics ({@link CounterBlock}); anyone reads, with acquire semantics. A
 * counter is never freed: they live as long as the node.
 */
public final class NodeCounters
{
    /** Bytes of every counter's key: the scope (shard, loop...), then the id within its type. */
    public static final int KEY_LENGTH = 2 * Integer.BYTES;
    /** Offset of the scope in a key. */
    public static final int KEY_SCOPE_OFFSET = 0;
    /** Offset of the id in a key. */
    public static final int KEY_ID_OFFSET = Integer.BYTES;
    /** Bytes a counter takes in the metadata buffer. */
    public static final int METADATA_BYTES = CountersReader.METADATA_LENGTH;
    /** Bytes a counter takes in the values buffer. */
    public static final int VALUE_BYTES = CountersReader.COUNTER_LENGTH;

    private final ConcurrentCountersManager manager;
    private final AtomicBuffer values;

    /**
     * @param metadata metadata buffer, {@link #METADATA_BYTES} per counter.
     * @param values   values buffer, {@link #VALUE_BYTES} per counter, 8-byte aligned.
     */
    NodeCounters(final AtomicBuffer metadata, final AtomicBuffer values)
    {
        this.manager = new ConcurrentCountersManager(metadata, values, StandardCharsets.UTF_8);
        this.values = values;
    }

    /**
     * @param maxCounters capacity.
     * @return counters in direct memory of this process only.
     */
    public static NodeCounters inMemory(final int maxCounters)
    {
        return new NodeCounters(
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxCounters * METADATA_BYTES, 64)),
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxCounters * VALUE_BYTES, 64)));
    }

    /**
     * Counters a node of this many shards allocates at most (shard, gauge, store, edge and every command type per
     * shard; media loops, JVM and directory gauges per node), with room to spare.
     *
     * @param shards shards of the node.
     * @return a capacity for {@link #inMemory} or {@link CountersFile#create}.
     */
    public static int capacityFor(final int shards)
    {
        return shards * 320 + 1024;
    }

    /**
     * Allocates a counter (thread-safe; start-up and first use only: it takes a lock and writes the metadata).
     *
     * @param type  its {@link CounterTypes type id}.
     * @param scope the shard, loop or collector it belongs to.
     * @param id    its id within its type.
     * @param label a Prometheus sample: name and labels.
     * @return the counter id, for {@link #valueOffset(int)}.
     * @throws IllegalStateException when the counters are full (raise the capacity).
     */
    public int allocate(final int type, final int scope, final int id, final String label)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
        key.putInt(KEY_SCOPE_OFFSET, scope);
        key.putInt(KEY_ID_OFFSET, id);
        final byte[] text = label.getBytes(StandardCharsets.UTF_8);
        if (text.length > CountersReader.MAX_LABEL_LENGTH)
        {
            throw new IllegalArgumentException("counter label longer than " + CountersReader.MAX_LABEL_LENGTH
                + " bytes: " + label);
        }
        return manager.allocate(type, key, 0, KEY_LENGTH, new UnsafeBuffer(text), 0, text.length);
    }

    /**
     * @param counterId a counter id from {@link #allocate}.
     * @return the offset of its value in {@link #values()}.
     */
    public static int valueOffset(final int counterId)
    {
        return CountersReader.counterOffset(counterId);
    }

    /**
     * @return the values buffer (write a counter only from its one writer).
     */
    public AtomicBuffer values()
    {
        return values;
    }

    /**
     * @return a reader of every counter (thread-safe reads).
     */
    public CountersReader reader()
    {
        return manager;
    }

    /**
     * @param key    a counter's key.
     * @param offset where it starts.
     * @return the scope it names (shard, loop...).
     */
    public static int scope(final DirectBuffer key, final int offset)
    {
        return key.getInt(offset + KEY_SCOPE_OFFSET);
    }

    /**
     * @param key    a counter's key.
     * @param offset where it starts.
     * @return the id within its type it names.
     */
    public static int id(final DirectBuffer key, final int offset)
    {
        return key.getInt(offset + KEY_ID_OFFSET);
    }
}
