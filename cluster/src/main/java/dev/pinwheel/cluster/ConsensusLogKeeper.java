package dev.pinwheel.cluster;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.RecordingLog;

import org.agrona.CloseHelper;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a member's consensus files bounded: every {@code pinwheel.cluster.snapshotIntervalMs} the leader asks its
 * consensus module for a snapshot (Aeron Cluster's {@link ClusterControl.ToggleState#SNAPSHOT} toggle; every member
 * then snapshots the membership service at the same log position), and after each snapshot a member drops what no
 * restart can need any more:
 * <ul>
 *   <li>the segments of its Raft log recording before the older of its two newest snapshots (a restart replays from
 *   the newest; one snapshot interval more is kept for a member that lags), never past what every member applied,
 *   and only while every member is live in the applied ring epoch: a member that is down or behind may need that log
 *   to catch up (Aeron Cluster replicates log, not snapshots, to a lagging member); and</li>
 *   <li>at once, the recordings older than that snapshot's, other than a term's log: older snapshots, and anything
 *   else the consensus module left in the archive (no other member needs them).</li>
 * </ul>
 * A member
 * that lost its consensus files (a new disk) after a drop cannot catch up through the log: {@code ConsensusMembership}
 * seeds it from a peer's newest snapshot (Aeron's cluster backup). If that fails, restarting every member with
 * {@code -Dpinwheel.cluster.resetConsensus=true} starts the consensus afresh ({@link ConsensusMembers}; the membership
 * state is learned again from heartbeats).
 * <p>
 * <b>Thread confinement:</b> the membership agent's thread.
 */
final class ConsensusLogKeeper implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ConsensusLogKeeper.class);
    /** The membership service's id among the cluster's services. */
    private static final int SERVICE_ID = 0;
    /** The consensus module's own snapshots ({@code ConsensusModule.Configuration.SERVICE_ID}). */
    private static final int CONSENSUS_SERVICE_ID = -1;

    private final Aeron aeron;
    private final File consensusDir;
    private final ModuleCounter controlToggle;
    private final ModuleCounter snapshots;
    private final long intervalNanos;
    private long nextSnapshot;
    private long seenSnapshots;
    private long pendingPurge;
    /** A snapshot was taken since the last sweep of old recordings. */
    private boolean pendingSweep;
    private AeronArchive archive;
    /** The archive's recordings with ids below this were swept already (deleted, kept as a log, or gone). */
    private long sweptBelow;
    private long purgedSegments;
    /** The smallest log position every member reported applied, from the last {@link #doWork}. */
    private long appliedByEveryMember;

    /**
     * @param aeron         this node's client (the archive's control is over IPC).
     * @param consensusDir  the consensus module's directory (its {@code recording.log}).
     * @param controlToggle the consensus module's control toggle (read through this node's client).
     * @param snapshots     the consensus module's snapshot counter (read through this node's client).
     * @param intervalNanos how often the leader takes a snapshot.
     */
    ConsensusLogKeeper(final Aeron aeron, final File consensusDir, final ModuleCounter controlToggle,
        final ModuleCounter snapshots, final long intervalNanos)
    {
        this.aeron = aeron;
        this.consensusDir = consensusDir;
        this.controlToggle = controlToggle;
        this.snapshots = snapshots;
        this.intervalNanos = intervalNanos;
        this.nextSnapshot = System.nanoTime() + intervalNanos;
        this.seenSnapshots = snapshots.get(0);
    }

    /**
     * @param now     {@link System#nanoTime()}.
     * @param leader  whether this node's member leads (only the leader's toggle is acted on).
     * @param allLive whether every member is live in the applied epoch.
     * @param appliedByEveryMember the smallest log position every member's replica reported applied (0: unknown):
     *                the log is never dropped past it, so a member that lags (or needs a catch-up after an election)
     *                still finds its entries in the leader's recording.
     * @return work done.
     */
    int doWork(final long now, final boolean leader, final boolean allLive, final long appliedByEveryMember)
    {
        this.appliedByEveryMember = appliedByEveryMember;
        if (!controlToggle.live() || !snapshots.live())
        {
            return 0; // its consensus module closed (a seed replaces it, or it ended on an error): nothing to keep
        }
        int work = 0;
        if (now - nextSnapshot >= 0)
        {
            nextSnapshot = now + intervalNanos;
            if (leader && ClusterControl.ToggleState.SNAPSHOT.toggle(controlToggle.counter()))
            {
                work++;
            }
        }
        final long taken = snapshots.get(seenSnapshots);
        if (taken != seenSnapshots)
        {
            seenSnapshots = taken;
            pendingPurge = taken;
            pendingSweep = true;
        }
        // the log waits until every member is live (one that is down may need it to catch up); old snapshots go at once
        final boolean log = pendingPurge != 0 && allLive;
        if (log || pendingSweep)
        {
            pendingPurge = log ? 0 : pendingPurge;
            pendingSweep = false;
            try
            {
                purge(log);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("cluster: dropping the consensus log before the last snapshots failed (retried after the "
                    + "next one): {}", ex.toString());
                CloseHelper.quietClose(archive);
                archive = null;
            }
            work++;
        }
        return work;
    }

    /**
     * @param dropLog whether to drop the Raft log's old segments too (every member is live), or only old recordings.
     */
    private void purge(final boolean dropLog)
    {
        final List<RecordingLog.Entry> ours = new ArrayList<>();
        final List<RecordingLog.Entry> snapshots = new ArrayList<>();
        final LongHashSet logs = new LongHashSet();
        final long logRecording;
        try (RecordingLog log = new RecordingLog(consensusDir, false))
        {
            for (final RecordingLog.Entry e : log.entries())
            {
                if (e.type == RecordingLog.ENTRY_TYPE_TERM)
                {
                    logs.add(e.recordingId);
                }
                else if (e.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && e.isValid)
                {
                    snapshots.add(e);
                    if (e.serviceId == SERVICE_ID)
                    {
                        ours.add(e);
                    }
                }
            }
            logRecording = log.findLastTermRecordingId();
        }
        if (ours.size() < 2 || logRecording == Aeron.NULL_VALUE)
        {
            return;
        }
        ours.sort(java.util.Comparator.comparingLong(e -> e.logPosition));
        // snapshots: from the older of the two newest (a restart loads the newest; one more for a member that lags)
        final long snapshotsFrom = ours.get(ours.size() - 2).logPosition;
        // the log: from there too, and never past what every member has applied: a follower behind that position (a
        // slow one, or one needing a catch-up after an election) replays it from the leader's recording; with it
        // dropped the follower failed to join ("replay start position is less than recording start position") and
        // took no more snapshots
        final long keepFrom = Math.min(snapshotsFrom, appliedByEveryMember);
        if (archive == null)
        {
            archive = AeronArchive.connect(new AeronArchive.Context().aeron(aeron).ownsAeronClient(false)
                .controlRequestChannel("aeron:ipc").controlResponseChannel("aeron:ipc"));
        }
        if (dropLog && keepFrom > 0) // keepFrom 0: a member has not reported since this replica started: next time
        {
            purgeLog(logRecording, keepFrom);
        }
        // older snapshots are no member's need (Aeron replicates log, not snapshots, to a lagging member): they go
        // whatever the others applied. Bounded by keepFrom as well, a member that lagged through a stretch of
        // snapshots made every member keep all of them: 81-82 recording files in ConsensusSnapshotTest, in a CI run
        // and here beside a CI run
        long oldestKept = Long.MAX_VALUE;
        for (final RecordingLog.Entry e : snapshots)
        {
            if (e.logPosition >= snapshotsFrom)
            {
                oldestKept = Math.min(oldestKept, e.recordingId);
            }
        }
        if (oldestKept != Long.MAX_VALUE)
        {
            sweep(oldestKept, logs);
        }
    }

    /** Drops the segments of the Raft log recording before the one holding {@code keepFrom}. */
    private void purgeLog(final long logRecording, final long keepFrom)
    {
        final long[] descriptor = new long[3]; // start position, term length, segment length
        final int found = archive.listRecording(logRecording, (controlSessionId, correlationId, recordingId,
            startTimestamp, stopTimestamp, startPosition, stopPosition, initialTermId, segmentFileLength,
            termBufferLength, mtuLength, sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) ->
        {
            descriptor[0] = startPosition;
            descriptor[1] = termBufferLength;
            descriptor[2] = segmentFileLength;
        });
        if (found == 1)
        {
            final long start = descriptor[0];
            final long newStart = AeronArchive.segmentFileBasePosition(start, keepFrom, (int)descriptor[1],
                (int)descriptor[2]);
            if (newStart > start)
            {
                final long deleted = archive.purgeSegments(logRecording, newStart);
                purgedSegments += deleted;
                LOG.info("cluster: consensus log: dropped {} segment(s) before log position {} (kept from the "
                    + "snapshot at {})", deleted, newStart, keepFrom);
            }
        }
    }

    /**
     * Deletes every recording of this member's archive below {@code below} (the oldest snapshot recording kept) that
     * is not a term's log: the recordings of older snapshots, and any other the consensus module left behind (a
     * snapshot or a replication cut short by an election). Recording ids grow in the order recordings start, so a
     * snapshot being written now, not yet named by the recording log, is above {@code below} and never touched; the
     * archive refuses to delete a recording still active, and that one is tried again at the next purge.
     * <p>
     * Before, the snapshot recordings to delete were picked from the recording log by log position, remembering the
     * position up to which they had been deleted; this sweep goes by what the archive holds, so a recording nothing
     * names does not stay either.
     */
    private void sweep(final long below, final LongHashSet logs)
    {
        if (below <= sweptBelow)
        {
            return;
        }
        final LongArrayList candidates = new LongArrayList();
        final long[] lastListed = {sweptBelow - 1};
        final int asked = (int)Math.min(below - sweptBelow, 4096);
        final int listed = archive.listRecordings(sweptBelow, asked, (controlSessionId, correlationId, recordingId,
            startTimestamp, stopTimestamp, startPosition, stopPosition, initialTermId, segmentFileLength,
            termBufferLength, mtuLength, sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) ->
        {
            lastListed[0] = Math.max(lastListed[0], recordingId);
            if (recordingId < below && !logs.contains(recordingId))
            {
                candidates.addLong(recordingId);
            }
        });
        int deleted = 0;
        int refused = 0;
        String firstRefusal = null;
        long retryFrom = Long.MAX_VALUE;
        for (int i = 0; i < candidates.size(); i++)
        {
            final long id = candidates.getLong(i);
            try
            {
                archive.purgeRecording(id);
                deleted++;
            }
            catch (final ArchiveException ex)
            {
                if (ex.errorCode() != ArchiveException.UNKNOWN_RECORDING)
                {
                    retryFrom = Math.min(retryFrom, id);
                    refused++;
                    if (firstRefusal == null)
                    {
                        firstRefusal = "recording " + id + ": " + ex.getMessage();
                    }
                }
            }
        }
        // listed == asked: the catalog may hold more below `below` than one listing returns; the rest next time
        final long done = listed == asked ? Math.min(below, lastListed[0] + 1) : below;
        sweptBelow = Math.max(sweptBelow, Math.min(done, retryFrom));
        if (deleted > 0)
        {
            LOG.debug("cluster: consensus log: deleted {} old recording(s) below recording {}", deleted, below);
        }
        if (refused > 0)
        {
            LOG.warn("cluster: consensus log: the archive refused to delete {} old recording(s), tried again after "
                + "the next snapshot (first: {})", refused, firstRefusal);
        }
    }

    /**
     * @return log segments dropped since this node started.
     */
    long purgedSegments()
    {
        return purgedSegments;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(archive);
        archive = null;
    }
}
