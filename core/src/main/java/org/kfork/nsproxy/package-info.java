/**
 * Namespace vocabulary shared by the off-heap kernel and the heap twins (kernel/nsproxy.c and the
 * namespaces it holds, 5.12): which clone flags ask for a new nsproxy, the fixed inode numbers of
 * the initial namespaces and the allocator of the others ({@link org.kfork.nsproxy.ProcInums}),
 * and the initial contents of the UTS and IPC namespaces ({@link org.kfork.nsproxy.NsRules}).
 */
package org.kfork.nsproxy;
