package org.kfork.api;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Boots a kernel by implementation name. */
public final class Kernels {
    private Kernels() {
    }

    /**
     * Boots the kernel named {@code name} ("offheap" or "heap").
     *
     * @throws IllegalArgumentException naming the implementations present when none has that name
     */
    public static Kernel boot(String name, KernelConfig config) {
        for (KernelProvider p : ServiceLoader.load(KernelProvider.class)) {
            if (p.name().equals(name)) {
                return p.boot(config);
            }
        }
        throw new IllegalArgumentException("no kernel named '" + name + "'; present: " + names());
    }

    /** The names of the kernels on the class path. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (KernelProvider p : ServiceLoader.load(KernelProvider.class)) {
            names.add(p.name());
        }
        return names;
    }
}
