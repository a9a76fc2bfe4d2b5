package org.kfork.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kfork.mm.Mman;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/** The names a script may write come from the uapi classes, and each prints back as it was written. */
class SymbolsTest {
    /** Second names of one value: they parse, and print as their first name. */
    private static final Set<String> ALIASES = Set.of("SIGIOT", "SIGPOLL", "SA_NOMASK", "SA_ONESHOT");

    @Test
    void everyFamilyIsThereWithItsValues() {
        assertEquals(27, Symbols.names(Family.CLONE).size());
        assertEquals(41, Symbols.names(Family.CAP).size());
        assertEquals(16, Symbols.names(Family.RLIMIT).size());
        assertEquals(4, Symbols.names(Family.IDTYPE).size());
        assertEquals(21, Symbols.names(Family.MADV).size());
        assertEquals(Set.of("SIG_DFL", "SIG_IGN"), Set.copyOf(Symbols.names(Family.HANDLER)));
        assertEquals(CloneFlags.CLONE_INTO_CGROUP, Symbols.lookup("CLONE_INTO_CGROUP").value());
        assertEquals(Signals.SIGRTMAX, Symbols.lookup("SIGRTMAX").value());
        assertEquals(0x80000000L, Symbols.lookup("__WCLONE").value(), "32 bits, not sign-extended");
        assertEquals(0x80000000L, Symbols.lookup("SA_RESETHAND").value());
        assertEquals(-1L, Symbols.lookup("RLIM_INFINITY").value());
        assertEquals(Capabilities.CAP_SYS_ADMIN, Symbols.lookup("CAP_SYS_ADMIN").value());
        for (String helper : new String[] {"CLONE_ARGS_SIZE_VER0", "CLONE_LEGACY_FLAGS", "CSIGNAL", "MAP_TYPE",
            "CAP_LAST_CAP", "CAP_FULL_SET", "WCOREFLAG", "CLD_EXITED", "_NSIG", "LEGACY_MAP_MASK", "EINVAL"}) {
            assertNull(Symbols.lookup(helper), helper + " is no argument's value");
        }
    }

    @Test
    void everyNamePrintsBackAsWritten() {
        int checked = 0;
        for (Map.Entry<String, Symbols.Symbol> e : Symbols.all().entrySet()) {
            String name = e.getKey();
            long v = e.getValue().value();
            String printed = switch (e.getValue().family()) {
                case CLONE -> Strace.cloneFlagsWord(v);
                case SIGNAL -> Strace.signal(v);
                case HANDLER -> Strace.handler(v);
                case SA -> Strace.saFlags(v);
                case PROT -> Strace.prot(v);
                case MAP -> (v & Mman.MAP_TYPE) != 0 ? Strace.mapFlags(v)
                    // the huge page sizes are a field that MAP_HUGETLB gives its meaning
                    : name.startsWith("MAP_HUGE_") ? Strace.mapFlags(Mman.MAP_PRIVATE | Mman.MAP_HUGETLB | v)
                        .substring("MAP_PRIVATE|MAP_HUGETLB|".length())
                    : Strace.mapFlags(Mman.MAP_PRIVATE | v).substring("MAP_PRIVATE|".length());
                case MADV -> Strace.madvise(v);
                case WAIT -> Strace.waitOptions((int) v, name.equals("WSTOPPED"));
                case IDTYPE -> Strace.idtype((int) v);
                case RLIMIT -> Strace.resource(v);
                case RLIM -> Strace.rlim(v).equals("RLIM64_INFINITY") ? "RLIM_INFINITY" : "?";
                case CAP -> Capabilities.describe(Capabilities.capToMask((int) v));
            };
            if (ALIASES.contains(name)) {
                assertTrue(!printed.equals(name) && Symbols.lookup(printed).value() == v, name + " -> " + printed);
            } else {
                assertEquals(name, printed, e.getValue().family() + " " + name);
            }
            checked++;
        }
        assertTrue(checked > 180, "names checked: " + checked);
        assertEquals(Wait.WUNTRACED, Symbols.lookup("WSTOPPED").value());
    }
}
