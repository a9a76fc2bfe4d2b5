package org.kfork.api;

/**
 * A kernel implementation, found through {@link java.util.ServiceLoader} (core cannot see the
 * off-heap module, so the off-heap kernel registers itself this way).
 */
public interface KernelProvider {
    /** The name {@link Kernels#boot} selects it by ("offheap", "heap"). */
    String name();

    /** Boots a kernel with this configuration. */
    Kernel boot(KernelConfig config);
}
