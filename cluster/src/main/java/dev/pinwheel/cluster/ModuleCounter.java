package dev.pinwheel.cluster;

import io.aeron.Aeron;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

/**
 * A counter of one of this node's Aeron components (the consensus module's commit position, election state, snapshot
 * count, control toggle), read and written through the node's own Aeron client instead of the component's.
 * <p>
 * A component maps the counters file through its own client, and unmaps it when it closes: when a seed replaces the
 * consensus module, or when the module ends on an error, the membership agent reading the module's
 * {@link AtomicCounter} at that moment read unmapped memory and the JVM died (SIGSEGV in
 * {@code ConsensusLogKeeper.doWork}). The node's own client stays open until the agent has stopped, so this view's
 * memory stays mapped; and a counter that was freed (its component closed), or freed and handed to another, is seen
 * as gone by its state and registration id and is neither read nor written.
 * <p>
 * <b>Thread safety:</b> the same as {@link AtomicCounter}'s; {@link #live()} is a snapshot.
 */
final class ModuleCounter
{
    private final Aeron own;
    private final CountersReader reader;
    private final int id;
    private final long registrationId;
    private final AtomicCounter view;

    /**
     * @param own     this node's client (open for longer than whoever reads this view).
     * @param counter the component's counter, read once here for its id.
     */
    ModuleCounter(final Aeron own, final AtomicCounter counter)
    {
        this.own = own;
        this.reader = own.countersReader();
        this.id = counter.id();
        this.registrationId = reader.getCounterRegistrationId(id);
        this.view = new AtomicCounter(reader.valuesBuffer(), id);
    }

    /**
     * @return whether the component still holds the counter (and this node's client is open).
     */
    boolean live()
    {
        return !own.isClosed() && reader.getCounterState(id) == CountersReader.RECORD_ALLOCATED
            && reader.getCounterRegistrationId(id) == registrationId;
    }

    /**
     * @param whenGone what to return once the component let the counter go.
     * @return the counter's value, or {@code whenGone}.
     */
    long get(final long whenGone)
    {
        if (own.isClosed())
        {
            return whenGone;
        }
        final long value = view.get();
        return live() ? value : whenGone; // read, then checked: a value read as the counter was freed is not returned
    }

    /**
     * @return the counter for a compare-and-set (Aeron's control toggle): call only after {@link #live()}.
     */
    AtomicCounter counter()
    {
        return view;
    }
}
