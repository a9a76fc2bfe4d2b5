package org.kfork.kernel.struct;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.StructLayout;

/**
 * The registry of declared kernel structs, by tag (or typedef name, for {@code mm_context_t},
 * {@code seqlock_t} and {@code rwlock_t}): those of reference/layouts-5.12.csv in its order, then
 * the scheduler entities of layouts-5.12-pahole.txt, the structs computed from the 5.12 headers
 * (no reference rows), and the lock and capability types of the type model. The printer, the
 * command-line tool and the tests walk it.
 */
public final class Structs {
    private static final Map<String, StructLayout> BY_NAME = new LinkedHashMap<>();

    static {
        for (StructLayout s : List.of(
                ListHead.LAYOUT, HlistHead.LAYOUT, HlistNode.LAYOUT, RbNode.LAYOUT, RbRoot.LAYOUT,
                RbRootCached.LAYOUT, CallbackHead.LAYOUT, RefcountStruct.LAYOUT, Qspinlock.LAYOUT,
                Spinlock.LAYOUT, Seqcount.LAYOUT, RwSemaphore.LAYOUT, Mutex.LAYOUT, WaitQueueHead.LAYOUT,
                Completion.LAYOUT, WorkStruct.LAYOUT, Path.LAYOUT, VmUserfaultfdCtx.LAYOUT,
                VmAreaStruct.LAYOUT, MmRssStat.LAYOUT, MmContext.LAYOUT, UprobesState.LAYOUT,
                MmStruct.LAYOUT, Sigaction.LAYOUT, KSigaction.LAYOUT, SighandStruct.LAYOUT,
                Sigpending.LAYOUT, CpuItimer.LAYOUT, ThreadGroupCputimer.LAYOUT, PosixCputimers.LAYOUT,
                PrevCputime.LAYOUT, TaskIoAccounting.LAYOUT, Rlimit.LAYOUT, PacctStruct.LAYOUT,
                SignalStruct.LAYOUT, FsStruct.LAYOUT, Fdtable.LAYOUT, FilesStruct.LAYOUT,
                CloneArgs.LAYOUT, KernelCloneArgs.LAYOUT, ThreadInfo.LAYOUT, Vmacache.LAYOUT,
                TaskRssStat.LAYOUT, SchedInfo.LAYOUT, WakeQNode.LAYOUT, Seccomp.LAYOUT,
                TaskStruct.LAYOUT, ThreadStruct.LAYOUT, Fpu.LAYOUT,
                Pid.LAYOUT, Upid.LAYOUT, PidNamespace.LAYOUT, Cred.LAYOUT, UserStruct.LAYOUT,
                Nsproxy.LAYOUT, File.LAYOUT, IoContext.LAYOUT, AnonVma.LAYOUT, AnonVmaChain.LAYOUT,
                UtsNamespace.LAYOUT, NewUtsname.LAYOUT, IpcNamespace.LAYOUT, CgroupNamespace.LAYOUT,
                TimeNamespace.LAYOUT, UserNamespace.LAYOUT, Ucounts.LAYOUT, Idr.LAYOUT, Xarray.LAYOUT,
                KernelSiginfo.LAYOUT, Sigqueue.LAYOUT, FownStruct.LAYOUT, AddressSpace.LAYOUT,
                Inode.LAYOUT, CssSet.LAYOUT,
                // broken down in layouts-5.12-pahole.txt only
                SchedEntity.LAYOUT, SchedRtEntity.LAYOUT, SchedDlEntity.LAYOUT,
                // no reference rows: computed from the 5.12 headers (ComputedLayoutTest)
                RcuSegcblist.LAYOUT, NsCommon.LAYOUT, MntNamespace.LAYOUT, XaNode.LAYOUT, GroupInfo.LAYOUT,
                RatelimitState.LAYOUT, Sifields.LAYOUT, Siginfo.LAYOUT, Rusage.LAYOUT,
                KernelOldTimeval.LAYOUT, UidGidMap.LAYOUT, UidGidExtent.LAYOUT, Lockref.LAYOUT,
                Dentry.LAYOUT, Vfsmount.LAYOUT, Mount.LAYOUT, MntPcp.LAYOUT, PosixCputimerBase.LAYOUT,
                MultiprocessSignals.LAYOUT,
                LoadWeight.LAYOUT, CallSingleNode.LAYOUT, PlistNode.LAYOUT, RestartBlock.LAYOUT,
                PageFrag.LAYOUT, SchedClass.LAYOUT, TaskDelayInfo.LAYOUT, SwaitQueueHead.LAYOUT, Net.LAYOUT,
                FileOperations.LAYOUT, VmOperationsStruct.LAYOUT,
                // the lock and capability types the ones above are built from, declared in the type model
                CTypes.RAW_SPINLOCK, CTypes.SEQCOUNT_SPINLOCK, CTypes.SEQLOCK_T, CTypes.QRWLOCK,
                CTypes.RWLOCK_T, CTypes.KERNEL_CAP_STRUCT)) {
            if (BY_NAME.put(s.tag(), s) != null) {
                throw new IllegalStateException("struct declared twice: " + s.tag());
            }
        }
    }

    private Structs() {
    }

    /** Every declared struct, in reference order. */
    public static List<StructLayout> all() {
        return List.copyOf(BY_NAME.values());
    }

    /** The names ({@code vm_area_struct}, {@code mm_context_t}, ...) of every declared struct. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** The struct with this tag or typedef name, or null when none is declared. */
    public static StructLayout byName(String name) {
        return BY_NAME.get(name);
    }

    /** An unmodifiable name-to-layout view. */
    public static Map<String, StructLayout> asMap() {
        return Collections.unmodifiableMap(BY_NAME);
    }
}
