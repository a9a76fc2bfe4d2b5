/**
 * The representation-free rules of the kernel's lib/ that both variants of a container share, so
 * that the off-heap port ({@code org.kfork.ds}) and its heap twin ({@code org.kfork.heap.ds})
 * cannot drift apart: the radix tree's geometry and the IDR's argument arithmetic
 * ({@link org.kfork.lib.IdrRules}).
 */
package org.kfork.lib;
