package org.kfork.tests.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;

import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.machine.Machine;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.MmSystem;
import org.kfork.testing.LeakCheck;

/** The two variants of the mm model, for the one parameterized suite. */
enum MmVariant {
    /** The heap twin (core, org.kfork.heap.mm). */
    HEAP {
        @Override
        Instance create() {
            HeapMmSystem sys = new HeapMmSystem(RAM_PAGES);
            return new Instance(sys, sys.objectCounts(), null) {
                @Override
                void corruptCounters(AddressSpace mm, int type, long rss, long pgtablesBytes) {
                    ((HeapMm) mm).setRssCounter(type, rss);
                    ((HeapMm) mm).setPgtablesBytes(pgtablesBytes);
                }

                @Override
                long vmPrivateData(AddressSpace mm, long addr) {
                    return ((HeapMm) mm).vmPrivateData(addr);
                }

                @Override
                void setVmPrivateData(AddressSpace mm, long addr, long value) {
                    ((HeapMm) mm).setVmPrivateData(addr, value);
                }
            };
        }
    },
    /** The off-heap port (org.kfork.kernel.mm) on its own machine, with the machine's leak check too. */
    OFFHEAP {
        @Override
        Instance create() {
            Machine machine = Machine.create(RAM_PAGES << 12);
            OffHeapMmSystem sys = OffHeapMmSystem.boot(machine);
            return new Instance(sys, sys.objectCounts(), LeakCheck.quiescedSnapshot(machine)) {
                @Override
                Map<String, Long> machineSnapshot() {
                    return LeakCheck.quiescedSnapshot(machine);
                }

                @Override
                void corruptCounters(AddressSpace mm, int type, long rss, long pgtablesBytes) {
                    ((Mm) mm).setRssCounter(type, rss);
                    ((Mm) mm).setPgtablesBytes(pgtablesBytes);
                }

                @Override
                long vmPrivateData(AddressSpace mm, long addr) {
                    return ((Mm) mm).vmPrivateData(addr);
                }

                @Override
                void setVmPrivateData(AddressSpace mm, long addr, long value) {
                    ((Mm) mm).setVmPrivateData(addr, value);
                }

                @Override
                void release() {
                    machine.close();
                }
            };
        }
    };

    /** Pages of modeled RAM (64 MiB); the heap twin's overcommit sees the same number. */
    static final long RAM_PAGES = (64L << 20) >> 12;

    abstract Instance create();

    /** One system under test; {@link #close} runs the leak check. */
    abstract static class Instance implements AutoCloseable {
        private final MmSystem sys;
        private final Map<String, Long> baseline;
        private final Map<String, Long> machineBaseline;
        private boolean closed;

        Instance(MmSystem sys, Map<String, Long> baseline, Map<String, Long> machineBaseline) {
            this.sys = sys;
            this.baseline = baseline;
            this.machineBaseline = machineBaseline;
        }

        MmSystem sys() {
            return sys;
        }

        /** The machine's accounting counters (off-heap), or an empty map (heap). */
        Map<String, Long> machineSnapshot() {
            return new TreeMap<>();
        }

        abstract void corruptCounters(AddressSpace mm, int type, long rss, long pgtablesBytes);

        /** vm_private_data of the VMA holding {@code addr} (0 for NULL). */
        abstract long vmPrivateData(AddressSpace mm, long addr);

        /** Sets vm_private_data of the VMA holding {@code addr}, as hugetlbfs would. */
        abstract void setVmPrivateData(AddressSpace mm, long addr, long value);

        /** Leak check, then release. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            sys.flushWork();
            assertEquals(baseline, sys.objectCounts(), "objects leaked");
            assertEquals(0, sys.overcommit().committedPages(), "overcommit charge leaked");
            if (machineBaseline != null) {
                LeakCheck.assertNoLeak(machineBaseline, machineSnapshot());
            }
            sys.close();
            release();
        }

        /** Releases what the variant holds beyond the system (the machine). */
        void release() {
        }
    }
}
