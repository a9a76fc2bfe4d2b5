package org.kfork.script;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.kfork.api.ExecImage;
import org.kfork.api.ExecImage.Mapping;
import org.kfork.mm.Mman;

/**
 * The program images a script can execve, by name. The model has no file system to load an ELF
 * from, so the runner describes what the loader would map, and execve adds the stack. Every
 * image, init's included, holds the runner's {@link Scratch} area.
 *
 * <table>
 * <caption>The images</caption>
 * <tr><th>name</th><th>mappings (besides the scratch area and the stack)</th></tr>
 * <tr><td>init</td><td>none: what pid 1 runs at boot</td></tr>
 * <tr><td>true</td><td>text r-x 0x400000, 1 page of /bin/true</td></tr>
 * <tr><td>sleep</td><td>text r-x 0x400000, 2 pages of /bin/sleep; data rw- 0x602000, 1 page of it</td></tr>
 * <tr><td>a.out</td><td>text r-x 0x400000, 4 pages of /a.out; data rw- 0x604000, 1 page of it at
 *     page 4; bss rw- 0x605000, 2 anonymous pages; heap rw- 0x607000, 8 anonymous pages</td></tr>
 * </table>
 */
public final class ScriptImages {
    private static final long PAGE = Mman.PAGE_SIZE;
    private static final int TEXT = Mman.PROT_READ | Mman.PROT_EXEC;
    private static final int DATA = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int FILE = Mman.MAP_PRIVATE | Mman.MAP_FIXED;
    private static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;

    private static final Map<String, ExecImage> IMAGES = build();

    private ScriptImages() {
    }

    /** The image of that name, or null. */
    public static ExecImage image(String name) {
        return IMAGES.get(name);
    }

    /** What pid 1 execs at boot: the scratch area and nothing else. */
    public static ExecImage init() {
        return IMAGES.get("init");
    }

    /** The names, sorted. */
    public static List<String> names() {
        return new ArrayList<>(IMAGES.keySet());
    }

    private static Map<String, ExecImage> build() {
        Map<String, ExecImage> m = new TreeMap<>();
        add(m, "init");
        add(m, "true", new Mapping(0x400000, PAGE, TEXT, FILE, "/bin/true", 0));
        add(m, "sleep",
            new Mapping(0x400000, 2 * PAGE, TEXT, FILE, "/bin/sleep", 0),
            new Mapping(0x602000, PAGE, DATA, FILE, "/bin/sleep", 2));
        add(m, "a.out",
            new Mapping(0x400000, 4 * PAGE, TEXT, FILE, "/a.out", 0),
            new Mapping(0x604000, PAGE, DATA, FILE, "/a.out", 4),
            new Mapping(0x605000, 2 * PAGE, DATA, ANON, null, 0),
            new Mapping(0x607000, 8 * PAGE, DATA, ANON, null, 0));
        return Collections.unmodifiableMap(m);
    }

    private static void add(Map<String, ExecImage> m, String name, Mapping... mappings) {
        List<Mapping> all = new ArrayList<>();
        all.add(Scratch.MAPPING);
        all.addAll(List.of(mappings));
        all.sort((a, b) -> Long.compareUnsigned(a.addr(), b.addr()));
        m.put(name, new ExecImage(name, all));
    }
}
