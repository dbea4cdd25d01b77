/**
 * Finds and reads Pinwheel's JVM flag profiles, the java {@code @argfiles} in {@code jvm-flags/profiles}, for
 * code that launches JVMs (benchmarks, child-JVM tests). The files themselves are the source of truth; the
 * launcher script and Maven's Surefire configuration read them directly.
 */
package dev.pinwheel.jvmflags;
