package org.kfork.heap;

import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.KernelProvider;

/** The heap kernel for {@link org.kfork.api.Kernels#boot}: "heap". */
public final class HeapKernelProvider implements KernelProvider {
    @Override
    public String name() {
        return "heap";
    }

    @Override
    public Kernel boot(KernelConfig config) {
        return HeapKernel.boot(config);
    }
}
