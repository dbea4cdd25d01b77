package dev.pinwheel.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import dev.pinwheel.gateway.node.AuthConfig;

/**
 * The login limits with a clock in the test's hands: windows per address and per username, and a backoff that
 * starts after the allowed failures, doubles, caps, resets on success and is forgotten after a quiet period.
 */
class LoginThrottleTest
{
    private static final long T0 = 1_900_000_000_000L;

    private static AuthConfig config()
    {
        return new AuthConfig().loginPerIpPerMinute(3).registerPerIpPerMinute(1).loginPerUsernamePerMinute(2)
            .backoffAfterFailures(2).backoffBaseMillis(1000).backoffMaxMillis(4000);
    }

    @Test
    void windowsPerAddressAndPerUsername()
    {
        final LoginThrottle t = new LoginThrottle(config());
        for (int i = 0; i < 3; i++)
        {
            assertTrue(t.address("203.0.113.1", false, T0).allowed());
        }
        assertFalse(t.address("203.0.113.1", false, T0).allowed());
        assertTrue(t.address("203.0.113.1", true, T0).allowed(), "registrations have their own window");
        assertFalse(t.address("203.0.113.1", true, T0).allowed());
        assertTrue(t.address("203.0.113.2", false, T0).allowed(), "another address");
        assertTrue(t.address("203.0.113.1", false, T0 + 60_000).allowed(), "a new minute");
        assertTrue(t.username("Alice", T0).allowed());
        assertTrue(t.username("alice", T0).allowed());
        assertFalse(t.username("ALICE", T0).allowed(), "usernames are case-insensitive");
    }

    @Test
    void backoffGrowsWithFailuresCapsAndResetsOnSuccess()
    {
        final LoginThrottle t = new LoginThrottle(config());
        t.failed("bob", T0);
        assertEquals(0, t.backoffMillis("bob", T0), "one failure is allowed");
        t.failed("bob", T0);
        assertEquals(1000, t.backoffMillis("bob", T0));
        t.failed("bob", T0 + 1000);
        assertEquals(2000, t.backoffMillis("bob", T0 + 1000), "doubles");
        t.failed("bob", T0 + 3000);
        assertEquals(4000, t.backoffMillis("bob", T0 + 3000));
        t.failed("bob", T0 + 7000);
        assertEquals(4000, t.backoffMillis("bob", T0 + 7000), "capped at the maximum");
        assertEquals(0, t.backoffMillis("bob", T0 + 11_000));
        t.succeeded("BOB");
        t.failed("bob", T0 + 11_000);
        assertEquals(0, t.backoffMillis("bob", T0 + 11_000), "a success forgets the failures");
        t.failed("carol", T0);
        t.failed("carol", T0 + 10_000);
        assertEquals(0, t.backoffMillis("carol", T0 + 10_000), "failures older than the maximum are forgotten");
    }

    @Test
    void hashingSlotsPerAddress()
    {
        final LoginThrottle t = new LoginThrottle(new AuthConfig().hashPerIp(2));
        assertTrue(t.hashing().tryAcquire("203.0.113.1"));
        assertTrue(t.hashing().tryAcquire("203.0.113.1"));
        assertFalse(t.hashing().tryAcquire("203.0.113.1"));
        assertTrue(t.hashing().tryAcquire("203.0.113.2"));
    }
}
