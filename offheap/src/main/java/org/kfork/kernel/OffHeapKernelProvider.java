package org.kfork.kernel;

import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.KernelProvider;

/** The off-heap kernel for {@link org.kfork.api.Kernels#boot}: "offheap". */
public final class OffHeapKernelProvider implements KernelProvider {
    @Override
    public String name() {
        return "offheap";
    }

    @Override
    public Kernel boot(KernelConfig config) {
        return OffHeapKernel.boot(config);
    }
}
