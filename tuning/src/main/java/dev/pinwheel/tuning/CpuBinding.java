package dev.pinwheel.tuning;

import java.util.BitSet;

import net.openhft.affinity.Affinity;

/**
 * Reads and sets the calling thread's CPU affinity. The production binding is OpenHFT Affinity
 * ({@code sched_setaffinity} through JNA); tests substitute one that fails.
 */
interface CpuBinding
{
    /** OpenHFT Affinity: {@link Affinity#getAffinity()} and {@link Affinity#setAffinity(BitSet)}. */
    CpuBinding OPEN_HFT = new CpuBinding()
    {
        @Override
        public BitSet current()
        {
            return Affinity.getAffinity();
        }

        @Override
        public void bind(final BitSet cpus)
        {
            Affinity.setAffinity(cpus);
        }
    };

    /**
     * @return the CPUs the calling thread may run on.
     */
    BitSet current();

    /**
     * Restricts the calling thread to {@code cpus}. May throw (the kernel refused, JNA is missing).
     *
     * @param cpus the CPUs to allow.
     */
    void bind(BitSet cpus);
}
