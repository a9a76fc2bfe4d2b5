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
 * <p>The flags themselves live in one file, {@code jvm-flags.properties} at the project root. Maven reads it
 * for surefire, the scripts read it with {@code scripts/lib.sh}, and this class reads the copy that
 * the build puts on the class path, for JMH forks and the launcher. A key
 * {@code kfork.jvm.flags.jdkN} applies from JDK N on; {@code .all} applies everywhere.
 */
public final class JvmFlags {
    private static final String RESOURCE = "/org/kfork/jvm-flags.properties";

    private JvmFlags() {
    }

    /** The flags the libraries need on the running JDK (for JMH forks and the launcher). */
    public static List<String> runtime() {
        return select("kfork.jvm.flags", Runtime.version().feature());
    }

    /** The flags tests add on the running JDK, on top of {@link #runtime()}. */
    public static List<String> test() {
        return select("kfork.jvm.test.flags", Runtime.version().feature());
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
