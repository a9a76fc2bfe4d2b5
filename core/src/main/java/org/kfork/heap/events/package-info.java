/** The heap twin of {@code org.kfork.kernel.events}: the process events connector. */
package org.kfork.heap.events;
