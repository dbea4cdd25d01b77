package dev.pinwheel.storage;

/**
 * How durable a journal record is when the shard acknowledges it (REST reply, gateway dispatch). The package
 * documentation says exactly what each level survives.
 */
public enum Durability
{
    /**
     * An append returns once the record is in the memory-mapped journal, i.e. in the kernel's page cache; the shard
     * acknowledges at once ({@link ChronicleShardStore#groupCommit()} is false). Survives the process dying in any
     * way ({@code kill -9}, a JVM crash, the OOM killer): the kernel writes the pages back on its own. Does not
     * survive the machine going down (power cut, kernel panic, VM host failure) before that write-back, which
     * Linux does within about 30 s ({@code vm.dirty_expire_centisecs}). Costs no system call per write.
     */
    OS,

    /**
     * Group commit: appends do not sync; {@link ChronicleShardStore#groupCommit()} is true, so the shard holds
     * acknowledgements until {@link ChronicleShardStore#commit()}, which it calls once per duty-cycle batch and which
     * issues one {@code fdatasync} per journal file written in the batch (records, Chronicle's index and header; the
     * directory and {@code metadata.cq4t} too when a new day's file was created). Survives the machine going down
     * for every acknowledged record, provided the device honours cache flushes. Costs one device flush per batch,
     * shared by every write of the batch.
     */
    SYNC
}
