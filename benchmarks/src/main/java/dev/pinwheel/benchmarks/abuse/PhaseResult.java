package dev.pinwheel.benchmarks.abuse;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the abuse probe's table: what the normal client saw in the phase's window, what the attack got, and
 * whether the node recovered afterwards.
 *
 * @param name          the phase.
 * @param window        the normal client's window during the attack (null: none).
 * @param baselineP99   the p99 the window is compared with (ms).
 * @param ratioGoal     whether the goal "p99 within 2× of the baseline" applies (the node is attacked, not broken
 *                      or stopped on purpose).
 * @param outcome       what the attack got, one line.
 * @param recovery      the check after it (null: none).
 * @param undelivered   acknowledged messages of the window that some normal session did not receive.
 * @param sessionsLost  normal sessions the node closed during the phase.
 * @param loadAverage   the box's load average at the end of the phase.
 * @param cpu           CPU used during the attack, in cores: {node, probe (normal client and attackers)}; NaN if
 *                      unknown.
 * @param details       everything else, for the JSON.
 * @param control       an unattacked window of the same length just before the attack (null: none), to tell the
 *                      attack's effect from the box's own noise.
 */
record PhaseResult(String name, ChatWindow window, double baselineP99, boolean ratioGoal, String outcome,
    Recovery recovery, int undelivered, int sessionsLost, String loadAverage, double[] cpu,
    Map<String, Object> details, ChatWindow control)
{
    /**
     * A phase without a control window.
     */
    PhaseResult(final String name, final ChatWindow window, final double baselineP99, final boolean ratioGoal,
        final String outcome, final Recovery recovery, final int undelivered, final int sessionsLost,
        final String loadAverage, final double[] cpu, final Map<String, Object> details)
    {
        this(name, window, baselineP99, ratioGoal, outcome, recovery, undelivered, sessionsLost, loadAverage, cpu,
            details, null);
    }

    /** CPU of a phase that did not measure it. */
    static final double[] NO_CPU = {Double.NaN, Double.NaN};

    /**
     * The check after a phase: is the node still (or again) serving?
     *
     * @param alive          its process runs.
     * @param metricsOk      {@code /metrics} answered 200, twice.
     * @param maxTickAge     the largest {@code pinwheel_shard_tick_age_seconds} of the two scrapes.
     * @param sockets        the node's open sockets (all kinds) at the end of the check.
     * @param attackerConns  its TCP connections from addresses other than the normal client's when the check ended.
     * @param socketsBackMs  time until it held no connection from an attacker's address, -1 if never (15 s).
     * @param chatAcked      normal messages acknowledged during the check.
     * @param chatErrors     normal POSTs not answered 200 during the check.
     * @param chatUndelivered acknowledged messages of the check some session did not receive.
     * @param sessions       normal sessions ready at the end.
     * @param expectedSessions normal sessions there should be.
     * @param peers          its connections by peer address at the end.
     */
    record Recovery(boolean alive, boolean metricsOk, double maxTickAge, int sockets, int attackerConns,
        long socketsBackMs, long chatAcked, long chatErrors, int chatUndelivered, int sessions, int expectedSessions,
        Map<String, Integer> peers)
    {
        /** A shard whose timers have not run for this long is stuck. */
        static final double STUCK_TICK_AGE_SECONDS = 2.0;

        /**
         * @return alive, scraped, no stuck shard, no attacker connection left, and the normal client chatting
         *         without error.
         */
        boolean recovered()
        {
            return alive && metricsOk && maxTickAge < STUCK_TICK_AGE_SECONDS && socketsBackMs >= 0 && chatAcked > 0
                && chatErrors == 0 && chatUndelivered == 0 && sessions == expectedSessions;
        }

        /**
         * @return the process runs but does not serve: no metrics, a stuck shard, or no message acknowledged.
         */
        boolean zombie()
        {
            return alive && (!metricsOk || maxTickAge >= STUCK_TICK_AGE_SECONDS || chatAcked == 0);
        }

        Map<String, Object> toMap()
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("recovered", recovered());
            m.put("zombie", zombie());
            m.put("alive", alive);
            m.put("metrics_ok", metricsOk);
            m.put("max_tick_age_seconds", maxTickAge);
            m.put("node_sockets", sockets);
            m.put("attacker_connections_left", attackerConns);
            m.put("attacker_connections_gone_after_ms", socketsBackMs);
            m.put("connections_by_peer", peers);
            m.put("chat_acknowledged", chatAcked);
            m.put("chat_errors", chatErrors);
            m.put("chat_undelivered", chatUndelivered);
            m.put("sessions", sessions);
            m.put("expected_sessions", expectedSessions);
            return m;
        }
    }

    /**
     * @return window p99 ÷ baseline p99 (NaN without samples).
     */
    double ratio()
    {
        return window == null || baselineP99 <= 0 ? Double.NaN : window.correctedMs(99) / baselineP99;
    }

    /**
     * @return window p99 ÷ the p99 of the unattacked window just before it (NaN without one).
     */
    double ratioToControl()
    {
        return window == null || control == null ? Double.NaN : window.correctedMs(99) / control.correctedMs(99);
    }

    /**
     * @return whether the phase met the latency goal (true when it does not apply).
     */
    boolean latencyGoalMet()
    {
        return !ratioGoal || ratio() <= 2.0;
    }

    Map<String, Object> toMap()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", name);
        m.put("outcome", outcome);
        if (window != null)
        {
            m.put("normal_client", window.toMap());
            m.put("p99_ratio_to_baseline", ratio());
            if (control != null)
            {
                m.put("control_before", control.toMap());
                m.put("p99_ratio_to_control_before", ratioToControl());
            }
            m.put("latency_goal_applies", ratioGoal);
            m.put("latency_goal_met", latencyGoalMet());
        }
        m.put("undelivered_acknowledged", undelivered);
        m.put("normal_sessions_lost", sessionsLost);
        m.put("recovery", recovery == null ? null : recovery.toMap());
        m.put("load_average", loadAverage);
        m.put("node_cpu_cores", cpu[0]);
        m.put("probe_cpu_cores", cpu[1]);
        m.put("details", details);
        return m;
    }
}
