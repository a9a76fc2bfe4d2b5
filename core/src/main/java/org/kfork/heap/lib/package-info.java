/**
 * The heap twin of the kernel's side of lib/ ({@code org.kfork.kernel.lib}): the radix tree's node
 * kind and its RCU-deferred free ({@link org.kfork.heap.lib.HeapRadixTreeNodes}).
 */
package org.kfork.heap.lib;
