/**
 * CPU layout, pinning plans, idle strategies and profile selection: everything Pinwheel knows about the
 * machine it runs on. Depends on nothing of Pinwheel's.
 * <pre>
 *   /sys, /proc ──read──> CpuLayout ──┐
 *                                     ├──> PinningPlanner ──> PinningPlan ──> AffinityThreadPlacement
 *   -Dpinwheel.profile ─> TuningProfile ┘        (render: PlanCli)            (a ThreadPlacement: threads
 *                         │                                                    bind themselves to CPUs)
 *                         └──> IdleMode per ThreadRole ──> IdleStrategies (Agrona IdleStrategy)
 * </pre>
 * The server asks {@link dev.pinwheel.tuning.PinningPlanner} for a plan, takes its shard count, and
 * creates every long-lived thread through a {@link dev.pinwheel.tuning.ThreadPlacement}.
 */
package dev.pinwheel.tuning;
