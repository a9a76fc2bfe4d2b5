/**
 * The kernel's side of lib/: radix_tree_init's node cache and the RCU-deferred node free every
 * IDR of the kernel uses ({@link org.kfork.kernel.lib.RadixTreeNodes}). The containers
 * themselves (the IDR, the radix tree) sit below the kernel, in {@code org.kfork.ds}.
 */
package org.kfork.kernel.lib;
