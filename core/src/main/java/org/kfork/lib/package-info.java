/**
 * The representation-free rules of the kernel's lib/ that both variants of a container share, so
 * that the off-heap port ({@code org.kfork.ds}) and its heap twin ({@code org.kfork.heap.ds})
 * cannot drift apart: the radix tree's geometry and the IDR's argument arithmetic
 * ({@link org.kfork.lib.IdrRules}); and the inode numbers of namespaces, which fs/proc hands out
 * from an IDA ({@link org.kfork.lib.ProcInums}), one allocator per kernel on both sides.
 */
package org.kfork.lib;
