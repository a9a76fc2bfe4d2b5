/**
 * Memory-management vocabulary shared by the off-heap kernel and the heap twins: vm_flags
 * ({@link org.kfork.mm.VmFlags}) and mm_struct flags ({@link org.kfork.mm.MmFlags}).
 */
package org.kfork.mm;
