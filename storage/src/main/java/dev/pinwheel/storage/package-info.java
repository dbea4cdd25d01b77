/**
 * The embedded store: core's store SPI on Chronicle Queue (two journals per shard) and Chronicle Map (off-heap
 * message indexes; the host's published routing ring).
 * <pre>
 *   server: factory.open(shard) ──&gt; ChronicleShardStore, one per shard, used by that shard's thread
 *     │ appendState                 │ appendMessage / deleteMessage
 *     v                             v
 *   shard-N/state/*.cq4          shard-N/messages/*.cq4       records laid out by JournalRecordCodec, daily files
 *     │ recover(): replay            │ after each append, or replayed when the indexes must be rebuilt
 *     v                              v
 *   state handler (guilds...)    shard-N/index/*.cm           Chronicle Maps: id → journal address; channel → head;
 *                                                             (channel, 10-day bucket, page) → ids; channel → pins
 *   RoutingTable.swap ──&gt; ChronicleRingPublisher ──&gt; &lt;dataDir&gt;/routing-ring.dat
 *                                                        ^ ChronicleRingReader, any process on the host
 * </pre>
 * <b>Durability: what is acknowledged, and what survives what.</b> A write is acknowledged (REST reply, gateway
 * dispatch) only after its record is in the journal at the configured level; the shard routes every
 * acknowledgement through {@code Shard.afterCommit}.
 * <table>
 *   <caption>What an acknowledged write survives</caption>
 *   <tr><th>level</th><th>acknowledged after</th><th>process killed (kill -9, JVM crash, OOM)</th>
 *       <th>machine down (power, kernel panic)</th><th>cost</th></tr>
 *   <tr><td>{@code os}</td><td>the record is in the mapped journal (page cache)</td><td>survives</td>
 *       <td>may lose the writes of the last ~30 s (the kernel's write-back delay), and the lost part need not be a
 *       clean suffix: pages are written back in any order</td><td>no system call</td></tr>
 *   <tr><td>{@code sync}</td><td>one {@code fdatasync} per journal file written in the shard's duty-cycle batch
 *       (group commit)</td><td>survives</td><td>survives, if the device honours flushes</td>
 *       <td>one device flush per batch</td></tr>
 * </table>
 * In both modes a write that was not acknowledged may or may not be there after a crash, but never half: a record
 * interrupted by the crash stays marked incomplete by Chronicle, the replay stops before it and the next append
 * overwrites it; a complete record that cannot be decoded (e.g. pages lost in a machine crash in {@code os} mode)
 * is logged and skipped. With {@code sync}, a read served in the same batch as a write may see that write before
 * its commit (reads go to the indexes, which are updated at append).
 * <p>
 * <b>Indexes.</b> They are derived from the message journal and never synced on the write path. A clean shutdown
 * syncs them and writes a marker; the next start reopens them if the marker matches the journal, and otherwise
 * (any crash) rebuilds them from the journal before the shard serves (see {@code ShardIndexes}).
 * <p>
 * <b>Retention.</b> {@code pinwheel.storage.retention-days = N > 0} deletes message journal files older than N days
 * (today counts as one) when a shard opens and when its appender starts a new day. A message lives as long as the
 * file of its newest version (an edit keeps it alive). The messages of a deleted file are gone from the indexes at
 * the next start, which rebuilds them (a deletion at open always triggers the rebuild: the journal no longer
 * matches the clean-shutdown marker); until then a page or a get skips them, or still returns them while Chronicle
 * keeps the deleted file mapped for a reader. State records are never deleted.
 * <p>
 * <b>Chronicle's write lock.</b> Chronicle releases, when a journal is reopened, a write lock held by a dead process;
 * if the restarted process got the same pid (pid 1 in a container) Chronicle would not, and
 * {@link dev.pinwheel.storage.EmbeddedStoreFactory} releases it instead.
 */
package dev.pinwheel.storage;
