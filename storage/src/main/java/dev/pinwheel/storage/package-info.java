/**
 * The embedded store: core's store SPI on Chronicle Queue (one journal per shard) and Chronicle Map (the host's
 * published routing ring).
 * <pre>
 *   server: factory.open(shard) ──&gt; ChronicleShardStore, one per shard, used by that shard's thread
 *     │ appendState / appendMessage / deleteMessage
 *     v
 *   &lt;dataDir&gt;/shard-N/journal/*.cq4        records laid out by JournalRecordCodec
 *     │ recover(): replay ──&gt; state handler
 *     v                    ──&gt; message id → journal index      (Long2LongHashMap)
 *                          ──&gt; channel → sorted live ids      (ChannelMessageIds)
 *
 *   RoutingTable.swap ──&gt; ChronicleRingPublisher ──&gt; &lt;dataDir&gt;/routing-ring.dat
 *                                                        ^ ChronicleRingReader, any process on the host
 * </pre>
 * <b>Durability.</b> {@link dev.pinwheel.storage.Durability#OS}: a write returns once it is in the memory-mapped
 * journal; a killed process loses nothing it acknowledged, a crashed machine may lose what the kernel had not yet
 * written back. {@link dev.pinwheel.storage.Durability#SYNC}: the appender msyncs the journal pages holding the
 * record before returning. Not synced even then: Chronicle's index entries and the header's write position (they
 * are at earlier offsets of the file; after a machine crash Chronicle scans forward from the last indexed
 * record), a day's new file and its directory entry, and {@code metadata.cq4t}.
 * <p>
 * <b>Crash recovery.</b> A record being written when the process died stays marked incomplete: the replay stops
 * before it and the next append overwrites it. A complete record that cannot be decoded is logged and skipped.
 * Chronicle's write lock, held by the dead process, is released by Chronicle when the journal is reopened because
 * that pid is dead; if the restarted process got the same pid (pid 1 in a container) Chronicle would not, and
 * {@link dev.pinwheel.storage.EmbeddedStoreFactory} releases it instead.
 */
package dev.pinwheel.storage;
