/**
 * What the two mm variants (the off-heap port and the heap twins) share, so that it lives once:
 * the vocabulary (vm_flags in {@link org.kfork.mm.VmFlags}, mm_struct flags in
 * {@link org.kfork.mm.MmFlags}, the mman ABI in {@link org.kfork.mm.Mman}), the
 * representation-free rules (the system calls' argument checks, get_unmapped_area's arithmetic
 * and errno choices in {@link org.kfork.mm.MmArgs}; flag arithmetic in
 * {@link org.kfork.mm.VmRules}; validate_mm's and check_mm's checks in
 * {@link org.kfork.mm.MmDebug}; overcommit in {@link org.kfork.mm.Overcommit}), the
 * {@link org.kfork.mm.AddressSpace} API with its locking half
 * ({@link org.kfork.mm.LockedAddressSpace}), and the surroundings (failslab, the kernel log,
 * the work queue).
 */
package org.kfork.mm;
