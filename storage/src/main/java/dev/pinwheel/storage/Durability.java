package dev.pinwheel.storage;

/**
 * How durable a journal record is when an {@code append*}/{@code delete*} call of a
 * {@link ChronicleShardStore} returns.
 */
public enum Durability
{
    /**
     * The record is in the memory-mapped journal file, i.e. in the kernel's page cache: it survives the process
     * being killed ({@code kill -9}, a JVM crash) but not the loss of the machine (power cut, kernel panic)
     * before the kernel writes the page back. Costs no system call per write.
     */
    OS,

    /**
     * As {@link #OS}, and the journal pages holding the record are also written to the device
     * ({@code msync(MS_SYNC)}) before the call returns. Survives the loss of the machine for the record
     * bytes themselves; costs one synchronous device write per record. See the package documentation for
     * what is not synced (Chronicle's index pages, new file and directory entries).
     */
    SYNC
}
