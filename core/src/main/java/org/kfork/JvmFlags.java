package org.kfork;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The JVM flags kfork needs, chosen for a JDK feature release.
 *
 * <p>Running the library needs {@link #runtime()}: without
 * {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED} the first touch of the memory
 * facade (the first {@code Kmem.of}, {@code Mem.putLong}...) fails with
 * {@code IllegalAccessError}, since Agrona reaches {@code jdk.internal.misc.Unsafe}. From JDK 23
 * on, {@code --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow} keep the
 * JDK from warning. A launcher that starts a JVM asks {@link #runtime(int)} for that JVM's release.
 *
 * <p>The flags themselves live in one file, {@code jvm-flags.properties} at the project root. Maven reads it
 * for surefire, the scripts read it with {@code scripts/lib.sh}, and this class reads the copy that
 * the build puts on the class path, for JMH forks and the launchers. A key
 * {@code kfork.jvm.flags.jdkN} applies from JDK N on; {@code .all} applies everywhere. Each flag is
 * one word ({@code --add-exports=...}, not {@code --add-exports ...}), so that a list of them can
 * be passed on as JVM arguments one by one.
 */
public final class JvmFlags {
    private static final String RESOURCE = "/org/kfork/jvm-flags.properties";
    private static final String RUNTIME = "kfork.jvm.flags";
    private static final String TEST = "kfork.jvm.test.flags";
    private static final String RAM_FILE = "kfork.jvm.ramfile.flags";

    private JvmFlags() {
    }

    /** The flags the library needs on the running JDK (for the launcher and JMH forks). */
    public static List<String> runtime() {
        return runtime(Runtime.version().feature());
    }

    /**
     * The flags the library needs on JDK {@code feature} (17, 25...), for a JVM about to be
     * started; {@code Integer.MAX_VALUE} gives the flags of every release.
     */
    public static List<String> runtime(int feature) {
        return select(RUNTIME, feature);
    }

    /** The runtime flags that every JDK takes (those of the {@code .all} key). */
    public static List<String> runtimeOnEveryJdk() {
        return select(RUNTIME, 0);
    }

    /**
     * The flags a JVM that maps a RAM file ({@code -Dkfork.ram.file}, through Chronicle Bytes) needs
     * on top of {@link #runtime()}: Chronicle's opens of java.base.
     */
    public static List<String> ramFile() {
        return select(RAM_FILE, Runtime.version().feature());
    }

    /** The flags tests add on the running JDK, on top of {@link #runtime()}. */
    public static List<String> test() {
        return select(TEST, Runtime.version().feature());
    }

    /**
     * The flags under {@code prefix} that apply to JDK {@code feature}: {@code prefix.all}, then
     * each {@code prefix.jdkN} with N at most {@code feature}, in ascending N.
     */
    public static List<String> select(String prefix, int feature) {
        Properties p = load();
        Map<Integer, String> byRelease = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(prefix + ".jdk")) {
                int release = Integer.parseInt(key.substring(prefix.length() + 4));
                byRelease.put(release, p.getProperty(key));
            }
        }
        List<String> flags = new ArrayList<>();
        split(p.getProperty(prefix + ".all", ""), flags);
        byRelease.forEach((release, value) -> {
            if (release <= feature) {
                split(value, flags);
            }
        });
        return flags;
    }

    private static void split(String value, List<String> out) {
        for (String flag : value.trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                out.add(flag);
            }
        }
    }

    private static Properties load() {
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path; rebuild kfork-core");
            }
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
