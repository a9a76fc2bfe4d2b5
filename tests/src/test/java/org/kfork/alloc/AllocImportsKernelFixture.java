package org.kfork.alloc;

import org.kfork.kernel.struct.TaskStruct;

/**
 * A deliberate violation for {@code org.kfork.tests.LayeringTest}: a class in the alloc package
 * that reads a kernel struct offset. It lives in the tests module only, where the layering check of
 * the real classes does not see it; the test adds it to show that the rules catch it.
 */
final class AllocImportsKernelFixture {
    private AllocImportsKernelFixture() {
    }

    static long taskState(long tsk) {
        return tsk + TaskStruct.STATE;
    }
}
