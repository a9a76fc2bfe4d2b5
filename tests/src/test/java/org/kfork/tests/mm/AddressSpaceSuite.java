package org.kfork.tests.mm;

import static org.kfork.mm.Mman.MAP_ANONYMOUS;
import static org.kfork.mm.Mman.MAP_PRIVATE;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Mman.PROT_READ;
import static org.kfork.mm.Mman.PROT_WRITE;

import org.junit.jupiter.api.AfterEach;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.MmSystem;

/**
 * What the suites that run on both variants share: a system per test, started by
 * {@link #start}, and its leak check after the test ({@link MmVariant.Instance#close}).
 */
abstract class AddressSpaceSuite {
    static final long P = PAGE_SIZE;
    static final int RW = PROT_READ | PROT_WRITE;
    static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;

    /** The system under test, once {@link #start} made it. */
    MmVariant.Instance inst;

    /** A system of variant {@code v}, and an mm_alloc'd address space on it. */
    AddressSpace start(MmVariant v) {
        inst = v.create();
        return inst.sys().mmAlloc();
    }

    @AfterEach
    void leakCheck() {
        if (inst != null) {
            inst.close();
        }
    }

    MmSystem sys() {
        return inst.sys();
    }
}
