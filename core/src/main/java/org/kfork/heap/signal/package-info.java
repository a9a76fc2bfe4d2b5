/**
 * The heap twin of kernel/signal.c's objects ({@link org.kfork.heap.signal.HeapSignalStruct}
 * for now, with the fields pid.c reads).
 */
package org.kfork.heap.signal;
