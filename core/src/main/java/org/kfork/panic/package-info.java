/** kernel/panic.c's room: panic(), the end of a machine ({@link org.kfork.panic.Panic}). */
package org.kfork.panic;
