package org.kfork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The flag list of jvm-flags.properties, as the launchers and the library's users read it. */
class JvmFlagsTest {
    private static final String EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    @Test
    void agronasExportOnEveryJdkAndTheWarningFlagsFrom23() {
        assertEquals(List.of(EXPORTS), JvmFlags.runtime(17));
        assertEquals(List.of(EXPORTS), JvmFlags.runtime(22));
        assertEquals(List.of(EXPORTS), JvmFlags.runtimeOnEveryJdk());
        List<String> from23 = List.of(EXPORTS, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
        assertEquals(from23, JvmFlags.runtime(23));
        assertEquals(from23, JvmFlags.runtime(25));
        assertEquals(from23, JvmFlags.runtime(Integer.MAX_VALUE));
        assertEquals(JvmFlags.runtime(Runtime.version().feature()), JvmFlags.runtime());
    }

    /** Chronicle Bytes' opens, for the JVMs that map a RAM file, apart from the runtime flags. */
    @Test
    void ramFileFlagsAreChroniclesOpens() {
        assertEquals(List.of("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"), JvmFlags.ramFile());
    }

    /** A launcher passes the flags on one by one, so each must be a single word. */
    @Test
    void eachFlagIsOneWord() {
        for (String f : JvmFlags.select("kfork.jvm.test.flags", Integer.MAX_VALUE)) {
            assertTrue(f.startsWith("-") && !f.matches(".*\\s.*"), f);
        }
        for (String f : JvmFlags.runtime(Integer.MAX_VALUE)) {
            assertTrue(f.startsWith("-") && !f.matches(".*\\s.*"), f);
        }
    }

    /** Maven reads the same file for this JVM: it runs with the runtime and test flags of its JDK. */
    @Test
    void thisTestJvmGotTheFlagsFromTheSameFile() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertTrue(args.containsAll(JvmFlags.runtime()), args.toString());
        assertTrue(args.containsAll(JvmFlags.test()), args.toString());
    }
}
